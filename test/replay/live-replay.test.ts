import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it, vi } from 'vitest';
import { listDispatchLogs } from '../../src/adapters/storage/dispatch-log.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';
import { childEnv, HeliosProcess, processScope } from '../daemon/support/helios-process.ts';

/**
 * Live equals replay, on the real daemon: a `helios run` child process (sim, accelerated clock)
 * writes its trading node's decisions with --decisions-out; `helios replay --data-dir` of what it
 * journaled (the dispatch log: its inputs in the order its trading node consumed them) writes the
 * same file, byte for byte. Once all-in-one, once as a `--role trading` process fed by a feeds
 * process over a real redis-server.
 */

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** redis-server absent: the trading-role live/replay comparison SKIPS ***\n');

const { procs, tempDir } = processScope('helios-live-replay-');

function start(args: string[], env: Record<string, string> = {}): HeliosProcess {
  const p = new HeliosProcess(['run', '--port', '0', '--speed', '20', ...args], childEnv(env));
  procs.push(p);
  return p;
}

async function replay(dataDir: string, out: string): Promise<string> {
  const io = captureIo();
  const code = await main(['replay', '--data-dir', dataDir, '--decisions-out', out], io);
  expect(io.stderr()).toBe('');
  expect(code).toBe(0);
  expect(io.stdout()).toMatch(/in dispatch order/);
  return readFileSync(out, 'utf8');
}

/** Byte-for-byte equality, naming the first line that differs when they do not match. */
function expectSameBytes(replayed: string, live: string): void {
  if (Buffer.from(replayed).equals(Buffer.from(live))) return;
  const a = replayed.split('\n');
  const b = live.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  expect({ line: i + 1, replayed: a[i] ?? '(end of file)', lines_replayed: a.length }).toEqual({ line: i + 1, replayed: b[i] ?? '(end of file)', lines_replayed: b.length });
}

/** Decision types and how many orders the file holds: the comparison must cover orders. */
function expectTrading(text: string): void {
  const types = new Set(text.trimEnd().split('\n').map((l) => (JSON.parse(l) as { type: string }).type));
  for (const t of ['ORDER_UPDATE', 'FILL', 'POSITION', 'MARKET_STATE', 'POLICY']) expect(types, t).toContain(t);
}

describe('live decisions equal the replay of the journal, byte for byte', () => {
  it('all-in-one daemon', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const live = path.join(dir, 'live.ndjson');
    const daemon = start(['--data-dir', data, '--duration', '25', '--decisions-out', live]);
    expect((await daemon.exited).code).toBe(0);
    const summary = daemon.jsonOfKind('run_summary')[0]!;
    expect(summary.orders as number).toBeGreaterThan(0);
    const liveText = readFileSync(live, 'utf8');
    expectTrading(liveText);
    expect(listDispatchLogs(data)).toHaveLength(1);

    const replayed = await replay(data, path.join(dir, 'replayed.ndjson'));
    expect(replayed.length).toBeGreaterThan(1000);
    expectSameBytes(replayed, liveText);
  });

  it.skipIf(!redisUrl)('a trading-role process fed over Redis', { timeout: 120_000 }, async () => {
    const prefix = `livereplay${process.pid}x${Date.now() % 1_000_000}`;
    const env = { HELIOS_BUS__STREAM_PREFIX: prefix };
    const dir = tempDir();
    const data = path.join(dir, 'trading');
    const live = path.join(dir, 'live.ndjson');
    const trading = start(['--redis', redisUrl, '--role', 'trading', '--data-dir', data, '--decisions-out', live], env);
    const url = await trading.apiUrl();
    // The trading group starts at the newest entry: the feeds begin once it is reading.
    await trading.waitForLine(/"component":"trading","msg":"component started"/, 20_000);
    const feeds = start(['--redis', redisUrl, '--role', 'feeds', '--data-dir', path.join(dir, 'feeds')], env);
    await vi.waitFor(async () => {
      const s = (await (await fetch(`${url}/stats`)).json()) as { summary: { orders: number; fills: number } };
      expect(s.summary.orders > 0 && s.summary.fills > 0, 'orders and fills from the bus').toBe(true);
    }, { timeout: 60_000, interval: 250 });
    trading.kill('SIGTERM');
    expect((await trading.exited).code).toBe(0);
    feeds.kill('SIGTERM');
    expect((await feeds.exited).code).toBe(0);
    const liveText = readFileSync(live, 'utf8');
    expectTrading(liveText);

    const replayed = await replay(data, path.join(dir, 'replayed.ndjson'));
    expectSameBytes(replayed, liveText);
  });
});
