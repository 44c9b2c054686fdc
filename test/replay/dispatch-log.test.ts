import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatchFile, readDispatchLog, type DispatchHeader } from '../../src/adapters/storage/dispatch-log.ts';
import { main } from '../../src/cli/main.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { spec } from '../trading/support.ts';
import { captureIo } from '../support/cli.ts';
import { tempDir } from './support.ts';

const { dir: root, cleanup } = tempDir('helios-dispatch-');
afterAll(() => cleanup());

const T0 = Date.UTC(2025, 6, 15, 16, 0, 0);
const market = spec({ strategies: { pair_arb: true, temporal: false } });

/** A small dispatch log by hand: header, two snapshots of a mispriced pair, ticks between. */
function writeLog(dataDir: string, session = 1): string {
  const clock = new VirtualClock(T0);
  const events = new EventFactory(clock, ulidGenerator(seededRng(3)));
  const header: DispatchHeader = { kind: 'dispatch_header', version: 1, session, start_ms: T0, ids_seed: 11, seq_base: 0, markets: [{ spec: market, match_id: null, station_id: null }] };
  const snap = (token: string, at: number) => {
    clock.advanceTo(at);
    const payload = { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.44, 100]], asks: [[0.45, 100]], best_bid: 0.44, best_ask: 0.45, mid: null, spread: null, microprice: null, imbalance: null, hash: null };
    return events.make('L2_SNAPSHOT', payload as never, { market_id: market.market_id, token_id: token });
  };
  const records = [
    { seq: 1, event: snap(market.yes_token, T0 + 100) },
    { seq: 2, event: snap(market.no_token, T0 + 150) },
    { seq: 3, tick: T0 + 1_000 },
    { seq: 4, event: snap(market.yes_token, T0 + 1_200) },
    { seq: 5, tick: T0 + 5_000 },
  ];
  const file = dispatchFile(dataDir, session);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, [header, ...records].map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

async function replay(argv: string[]) {
  const io = captureIo();
  const code = await main(['replay', ...argv], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('dispatch logs', () => {
  it('replays a log without --from/--to into the same decisions every time; a torn last line is dropped', async () => {
    const data = path.join(root, 'ok');
    const file = writeLog(data);
    const a = await replay(['--data-dir', data, '--decisions-out', path.join(root, 'a.ndjson')]);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^replay: 3 inputs of 1 trading session\(s\) in dispatch order/);
    const first = readFileSync(path.join(root, 'a.ndjson'), 'utf8');
    expect(first).toContain('"type":"MARKET_STATE"');
    appendFileSync(file, '{"seq":6,"ev');
    expect((await readDispatchLog(file)).records).toHaveLength(5);
    const b = await replay(['--data-dir', data, '--decisions-out', path.join(root, 'b.ndjson')]);
    expect(b.code).toBe(0);
    expect(b.err).toMatch(/^replay: warning: skipped a torn last line in .*session-000000001\.ndjson:7, left by a killed writer\n$/);
    expect(readFileSync(path.join(root, 'b.ndjson'), 'utf8')).toBe(first);
  });

  it('a damaged line with lines after it is a data error (exit 1) naming the file and line, not a torn tail', async () => {
    const data = path.join(root, 'damaged');
    const file = writeLog(data);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    lines[2] = lines[2]!.slice(0, 25);
    writeFileSync(file, lines.join('\n') + '\n');
    await expect(readDispatchLog(file)).rejects.toThrow(`${file}:3: damaged line (not a JSON record) with more lines after it`);
    const r = await replay(['--data-dir', data, '--decisions-out', path.join(root, 'damaged.ndjson')]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`replay: ${file}:3: damaged line (not a JSON record) with more lines after it\n`);
    expect(r.out).toBe('');
  });

  it('a sequence gap is a data error (exit 1) naming the file and line', async () => {
    const data = path.join(root, 'gap');
    const file = writeLog(data);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, [...lines.slice(0, 3), ...lines.slice(4)].join('\n') + '\n');
    const r = await replay(['--data-dir', data, '--decisions-out', path.join(root, 'gap.ndjson')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/session-000000001\.ndjson:4: sequence 4 where 3 was expected/);
  });

  it('only one of --from/--to is a usage error (exit 2); an empty data directory is a data error (exit 1)', async () => {
    const empty = path.join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    const one = await replay(['--data-dir', empty, '--from', '2025-07-15T16:00:00Z']);
    expect(one.code).toBe(2);
    expect(one.err).toMatch(/--from needs --to: give both/);
    const none = await replay(['--data-dir', empty, '--decisions-out', path.join(root, 'none.ndjson')]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/nothing recorded/);
  });
});
