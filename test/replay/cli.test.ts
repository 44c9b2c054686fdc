import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { JournalReplaySource } from '../../src/adapters/storage/replay/journal-source.ts';
import { main } from '../../src/cli/main.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { serializeEnvelope } from '../../src/domain/util/stable-json.ts';
import { isTradingDecision } from '../../src/domain/replay/targets.ts';
import { CHANNELS } from '../../src/domain/events/channels.ts';
import { captureIo, runCli } from '../support/cli.ts';
import { processScope } from '../daemon/support/helios-process.ts';
import { tempDir } from './support.ts';

const FROM_ISO = '2025-07-15T16:00:00.000Z';
const TO_ISO = '2025-07-15T16:06:00.000Z';
const FIT = 'weather.nowcast.simulated_fit_days=30';

let root: string;
let cleanup: () => void;
let data: string;

const run = runCli;
const children = processScope('helios-replay-cli-proc-');

beforeAll(async () => {
  ({ dir: root, cleanup } = tempDir('helios-replay-cli-'));
  data = path.join(root, 'sample');
  const r = await run(['sample-data', '--out', data, '--start', FROM_ISO, '--hours', '0.1', '--set', FIT]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
}, 60_000);
afterAll(() => cleanup());

describe('helios sample-data', () => {
  it('writes a journal, the Parquet lake, the market catalog and the live decisions', () => {
    for (const p of ['journal', 'parquet', 'markets.json', 'decisions.ndjson', 'sample.json']) expect(existsSync(path.join(data, p))).toBe(true);
    const marker = JSON.parse(readFileSync(path.join(data, 'sample.json'), 'utf8')) as { from: string; to: string; markets: unknown[]; parquet_files: number };
    expect([marker.from, marker.to]).toEqual([FROM_ISO, TO_ISO]);
    expect(marker.markets).toHaveLength(4);
    expect(marker.parquet_files).toBeGreaterThan(4);
  });

  it('suggests commands a user can run: `helios …` when run directly, `npm run helios -- …` under npm (no helios on the PATH)', async () => {
    const direct = await run(['sample-data', '--out', path.join(root, 'direct'), '--hours', '0.01', '--set', FIT]);
    expect(direct.out).toMatch(/^ {2}helios replay {3}--data-dir /m);
    const viaNpm = await run(['sample-data', '--out', path.join(root, 'via-npm'), '--hours', '0.01', '--set', FIT], { npm_lifecycle_event: 'sample-data' });
    const hints = viaNpm.out.split('\n').filter((l) => l.startsWith('  '));
    expect(hints).toHaveLength(3);
    for (const [i, command] of ['replay', 'backtest', 'query'].entries()) expect(hints[i]).toMatch(new RegExp(`^ {2}npm run helios -- ${command} +--data-dir `));
  }, 60_000);

  it('refuses to overwrite a data dir it did not make', async () => {
    const foreign = path.join(root, 'foreign');
    mkdirSync(path.join(foreign, 'journal'), { recursive: true });
    const r = await run(['sample-data', '--out', foreign, '--hours', '0.01', '--set', FIT]);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/refusing to overwrite/);
  });
});

describe('helios replay', () => {
  it('prints one summary line; --decisions-out reproduces the recorded live decisions byte for byte', async () => {
    const out = path.join(root, 'replayed.ndjson');
    const r = await run(['replay', '--data-dir', data, '--from', FROM_ISO, '--to', TO_ISO, '--decisions-out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^replay: \d+ events 2025-07-15T16:00:00\.000Z → 2025-07-15T16:06:00\.000Z from journal in [\d.]+ s .*; decisions: \d+ policies, \d+ orders, \d+ fills, \d+ state changes, net PnL -?[\d.]+ USDC → /);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(data, 'decisions.ndjson'), 'utf8'));
  });

  it('--json, --channels and --source parquet', async () => {
    const r = await run(['replay', '--data-dir', data, '--from', FROM_ISO, '--to', TO_ISO, '--channels', 'world,nowcast', '--source', 'parquet', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { source: string; replay: { emitted: number }; decisions: null };
    expect(doc.source).toBe('parquet');
    expect(doc.decisions).toBeNull();
    const n = await countEvents((e) => e.ch === 'world' || e.ch === 'nowcast');
    expect(doc.replay.emitted).toBe(n);
  });

  it('usage errors exit 2', async () => {
    expect((await run(['replay', '--data-dir', data, '--from', FROM_ISO])).code).toBe(2);
    expect((await run(['replay', '--data-dir', data, '--from', FROM_ISO, '--to', TO_ISO, '--speed', 'fast'])).code).toBe(2);
    expect((await run(['replay', '--data-dir', data, '--from', FROM_ISO, '--to', TO_ISO, '--channels', 'l3'])).code).toBe(2);
    expect((await run(['replay', '--data-dir', data, '--from', TO_ISO, '--to', FROM_ISO])).code).toBe(2);
    const exitWithoutServe = await run(['replay', '--data-dir', data, '--from', FROM_ISO, '--to', TO_ISO, '--exit-at-end']);
    expect(exitWithoutServe.code).toBe(2);
    expect(exitWithoutServe.err).toMatch(/--exit-at-end applies to --serve only/);
  });

  it('--serve streams the live WebSocket frames, recorded and recomputed, and takes controls', async () => {
    const { io, done, url, http } = await serveInProcess(['--from', FROM_ISO, '--to', '2025-07-15T16:01:00Z', '--speed', '30', '--decisions-out', path.join(root, 'served.ndjson')]);
    // The serving line names the page a user opens, not only the socket and the controls.
    expect(io.stdout()).toContain(`(dashboard ${http}/; controls: POST ${http}/replay/`);
    const page = await fetch(`${http}/`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/html')]);
    const status = (await (await fetch(`${http}/replay/status`)).json()) as { state: string; from: number };
    expect(status.state).toBe('idle');
    // Subscriptions name markets of the recorded catalog: another id is answered with an error.
    const known = ((await (await fetch(`${http}/markets`)).json()) as Array<{ market_id: string }>)[0]!.market_id;
    expect(await firstReply(url, { op: 'subscribe', channels: ['l2'], market_id: 'not-recorded' })).toMatchObject({ op: 'error', code: 'unknown_market', market_id: 'not-recorded' });
    expect(await firstReply(url, { op: 'subscribe', channels: ['l2'], market_id: known })).toEqual({ op: 'subscribed', channels: ['l2'] });
    const { ws, frames } = await subscribe(url, ['l2', 'risk', 'nowcast', 'policy']);
    expect((await fetch(`${http}/replay/play`, { method: 'POST' })).status).toBe(200);
    expect(await done).toBe(0);
    ws.close();
    const events = frames.map((f) => JSON.parse(f) as HeliosEvent);
    const l2 = frames.filter((_, i) => events[i]!.ch === 'l2');
    const recorded: string[] = [];
    for await (const chunk of new JournalReplaySource(data).read({ from: Date.parse(FROM_ISO), to: Date.parse('2025-07-15T16:01:00Z'), channels: ['l2'] })) {
      for (const r of chunk) recorded.push(serializeEnvelope(r.event));
    }
    // Exactly the recorded frames, as live serializes them; market states come from the pipeline.
    expect(l2).toEqual(recorded);
    expect(events.some((e) => e.type === 'MARKET_STATE')).toBe(true);
    // As live: a recomputed decision goes out after the input it was decided on, never before it.
    const at = new Map(events.map((e, i) => [e.event_id, i]));
    const caused = events.map((e, i) => [i, e.causation_id === undefined ? undefined : at.get(e.causation_id)] as const).filter(([, cause]) => cause !== undefined);
    expect(caused.length, 'decisions whose input was streamed too').toBeGreaterThan(0);
    for (const [i, cause] of caused) expect(cause!, `frame ${i} (${events[i]!.type})`).toBeLessThan(i);
    expect(io.stdout()).toMatch(/replay: \d+ events/);
  });

  it('--serve: GET /markets gives each market the state it was in live at the replay\'s time, after a seek forward or back', async () => {
    const { done, http } = await serveInProcess(['--from', FROM_ISO, '--to', TO_ISO, '--speed', 'max']);
    type Listing = { market_id: string; state: string | null; halt_causes: string[] };
    const listed = async () => ((await (await fetch(`${http}/markets`)).json()) as Listing[]).map((m) => ({ market_id: m.market_id, state: m.state, halt_causes: m.halt_causes }));
    const seek = async (iso: string) => expect((await fetch(`${http}/replay/seek?t=${iso}`, { method: 'POST' })).status).toBe(200);
    // A replay takes no halt, resume or reconciliation: its dashboard says so rather than offer them.
    expect(((await (await fetch(`${http}/dashboard/settings.json`)).json()) as { actions_refused: string | null }).actions_refused).toMatch(/^a replay takes no actions/);
    const early = '2025-07-15T16:00:10.000Z';
    const late = '2025-07-15T16:05:00.000Z';
    await seek(early);
    const atEarly = await listed();
    expect(atEarly).toEqual(await recordedStatesAt(atEarly.map((m) => m.market_id), early));
    expect(atEarly.some((m) => m.state === 'HALT' && m.halt_causes.length > 0), 'a market halted at the start of the sample').toBe(true);
    await seek(late);
    const atLate = await listed();
    expect(atLate).toEqual(await recordedStatesAt(atLate.map((m) => m.market_id), late));
    expect(atLate).not.toEqual(atEarly);
    // Back again: what was seen later than the new position is forgotten.
    await seek(early);
    expect(await listed()).toEqual(atEarly);
    expect((await fetch(`${http}/replay/play`, { method: 'POST' })).status).toBe(200);
    expect(await done).toBe(0);
  });

  it('--serve: play?until=decision pauses as the next policy or new order goes out, and names it', async () => {
    const recordedDecisions = await countEvents(isTradingDecision);
    expect(recordedDecisions, 'the sample journal holds trading decisions').toBeGreaterThan(1);
    const { done, url, http } = await serveInProcess(['--from', FROM_ISO, '--to', TO_ISO, '--speed', '600']);
    const { ws, frames } = await subscribe(url, [...CHANNELS]);
    type Status = { state: string; emitted: number; stopped_on_decision: string | null };
    const post = async (p: string) => {
      const r = await fetch(`${http}${p}`, { method: 'POST' });
      return { code: r.status, body: (await r.json()) as Status & { error?: string } };
    };
    const status = async () => (await (await fetch(`${http}/replay/status`)).json()) as Status;
    expect((await post('/replay/play?until=policy')).body.error).toMatch(/until must be decision/);

    const stops: string[] = [];
    for (let run = 0; run < 2; run++) {
      expect((await post('/replay/play?until=decision')).code).toBe(200);
      const stopped = await vi.waitFor(async () => {
        const s = await status();
        expect(s.state).toBe('paused');
        expect(s.stopped_on_decision).not.toBeNull();
        return s;
      }, 20_000);
      // Paused right behind it: the decision is the last event out, and nothing follows it.
      await vi.waitFor(() => expect(frames).toHaveLength(stopped.emitted));
      const last = JSON.parse(frames.at(-1)!) as HeliosEvent;
      expect(last.event_id).toBe(stopped.stopped_on_decision);
      expect(isTradingDecision(last)).toBe(true);
      stops.push(last.event_id);
    }
    expect(stops[1]).not.toBe(stops[0]);
    // A plain play forgets the stop it was asked for before, and the replay runs to its end.
    expect((await post('/replay/speed?x=max')).code).toBe(200);
    expect((await post('/replay/play')).body.stopped_on_decision).toBe(stops[1]);
    expect(await done).toBe(0);
    ws.close();
    expect(frames.map((f) => JSON.parse(f) as HeliosEvent).filter(isTradingDecision)).toHaveLength(recordedDecisions);
  });

  it('--serve keeps serving at the end of the range until SIGTERM: the page can still seek back and play', async () => {
    const replay = children.start(['replay', '--data-dir', data, '--from', FROM_ISO, '--to', TO_ISO, '--serve', '--port', '0', '--speed', 'max']);
    const http = `http://${(await replay.waitForLine(/replay: serving ws:\/\/(127\.0\.0\.1:\d+)\//, 20_000))[1]}`;
    await replay.waitForLine(/^replay: at the end of the range; still serving/, 30_000);
    const status = async () => (await (await fetch(`${http}/replay/status`)).json()) as { state: string; now: number; emitted: number; stopped_on_decision: string | null };
    const ended = await status();
    expect(ended.state).toBe('ended');
    expect(ended.now).toBe(Date.parse(TO_ISO));
    // Back to the start (the replay restarts from it), then on to the first decision.
    expect((await fetch(`${http}/replay/seek?t=${encodeURIComponent(FROM_ISO)}`, { method: 'POST' })).status).toBe(200);
    const rewound = await status();
    expect([rewound.state, rewound.now, rewound.emitted]).toEqual(['paused', Date.parse(FROM_ISO), 0]);
    expect((await fetch(`${http}/replay/play?until=decision`, { method: 'POST' })).status).toBe(200);
    await vi.waitFor(async () => expect((await status()).stopped_on_decision).not.toBeNull(), 20_000);
    expect(replay.child.exitCode).toBeNull();
    replay.kill('SIGTERM');
    expect((await replay.exited).code).toBe(0);
  });
});

describe('helios backtest', () => {
  it('--set overrides the config (validated) and the report lands in --out', async () => {
    const out = path.join(root, 'bt');
    const r = await run(['backtest', '--data-dir', data, '--from', FROM_ISO, '--to', TO_ISO, '--set', 'trading.temporal.edge_threshold=0.04', '--set', FIT, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^backtest: \d+ events, 4 markets: net PnL -?[\d.]+ USDC/);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as { overrides: Record<string, unknown>; qc_sensitivity: unknown };
    expect(report.overrides).toEqual({ 'trading.temporal.edge_threshold': 0.04, 'weather.nowcast.simulated_fit_days': 30 });
    expect(report.qc_sensitivity).not.toBeNull();
    expect(existsSync(path.join(out, 'report.md'))).toBe(true);
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
  });

  it('without --out, another configuration of the same range gets its own folder; the same one rerun writes the same folder', async () => {
    const to = '2025-07-15T16:02:00Z';
    const backtest = async (edge: number) => {
      const r = await run(['backtest', '--data-dir', data, '--from', FROM_ISO, '--to', to, '--no-qc-sensitivity', '--set', FIT, '--set', `trading.temporal.edge_threshold=${edge}`]);
      expect(r.code, r.err).toBe(0);
      return /report (\S+)\/report\.json/.exec(r.out)![1]!;
    };
    const [low, high, again] = [await backtest(0.03), await backtest(0.3), await backtest(0.03)];
    expect(path.basename(low)).toMatch(/^2025-07-15T160000Z_2025-07-15T160200Z_cfg-[0-9a-f]{8}$/);
    expect(high).not.toBe(low);
    expect(again).toBe(low);
    const edge = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as { overrides: Record<string, unknown> }).overrides['trading.temporal.edge_threshold'];
    expect([edge(low), edge(high)]).toEqual([0.03, 0.3]);
  }, 60_000);

  it('an unknown or invalid key exits 2 and names it', async () => {
    const bad = await run(['backtest', '--data-dir', data, '--from', FROM_ISO, '--to', TO_ISO, '--set', 'trading.temporal.edge_treshold=0.04']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/trading\.temporal\.edge_treshold/);
    const wrong = await run(['backtest', '--data-dir', data, '--from', FROM_ISO, '--to', TO_ISO, '--set', 'trading.temporal.edge_threshold=lots']);
    expect(wrong.code).toBe(2);
    expect((await run(['backtest', '--data-dir', data, '--from', FROM_ISO, '--to', TO_ISO, '--set', 'novalue'])).code).toBe(2);
  });
});

describe('helios sweep', () => {
  it('the table and its progress lines say what their numbers are: the JSON ranking\'s names, USDC, how it ranks, where it ran', async () => {
    const grid = path.join(root, 'grid-text.yaml');
    writeFileSync(grid, `grid:\n  trading.temporal.edge_threshold: [0.03, 0.3]\n`);
    const r = await run(['sweep', '--grid', grid, '--data-dir', data, '--from', FROM_ISO, '--to', '2025-07-15T16:02:00Z', '--workers', '0']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[1]!.split(/\s+/)).toEqual(['rank', 'trading.temporal.edge_threshold', 'net_pnl', 'max_drawdown', 'orders', 'fills', 'fill_rate', 'events']);
    expect(lines.at(-1)).toMatch(/^sweep: 2 backtests in this thread in [\d.]+ s, ranked by net_pnl, then the smaller max_drawdown \(both USDC\)$/);
    expect(r.err).toMatch(/^sweep: 1\/2 \{"trading\.temporal\.edge_threshold":0\.\d+\} net PnL -?[\d.]+ USDC$/m);
  }, 60_000);

  it('ranks a grid by net PnL', async () => {
    const grid = path.join(root, 'grid.yaml');
    // Relative to the working directory, as every path a user types (issue 21).
    writeFileSync(grid, `data_dir: ${path.relative(process.cwd(), data)}\nfrom: ${FROM_ISO}\nto: 2025-07-15T16:04:00Z\ngrid:\n  trading.temporal.edge_threshold: [0.03, 0.3]\n`);
    const r = await run(['sweep', '--grid', grid, '--workers', '0', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { ranking: Array<{ rank: number; net_pnl: number; overrides: Record<string, number> }> };
    expect(doc.ranking.map((x) => x.rank)).toEqual([1, 2]);
    expect(doc.ranking[0]!.net_pnl).toBeGreaterThanOrEqual(doc.ranking[1]!.net_pnl);
    expect(doc.ranking.map((x) => x.overrides['trading.temporal.edge_threshold']).sort()).toEqual([0.03, 0.3]);
  });

  it('a grid point the config schema refuses exits 2', async () => {
    const grid = path.join(root, 'bad-grid.json');
    writeFileSync(grid, JSON.stringify({ 'trading.temporal.edge_threshold': [0.03, 'high'] }));
    const r = await run(['sweep', '--grid', grid, '--data-dir', data, '--from', FROM_ISO, '--to', TO_ISO]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/grid point/);
    // The value is the grid file's, not something typed on the command line: the error says where to fix it.
    expect(r.err).toContain(`config error at trading.temporal.edge_threshold: got "high" (from grid file ${grid})`);
  });
});

/** `helios replay --serve --exit-at-end --paused --port 0` on the sample, in process, once it says where it serves. */
async function serveInProcess(args: string[]): Promise<{ io: ReturnType<typeof captureIo>; done: Promise<number>; url: string; http: string }> {
  const io = captureIo();
  const done = main(['replay', '--data-dir', data, '--serve', '--exit-at-end', '--port', '0', '--paused', ...args], io);
  const url = await vi.waitFor(() => {
    const serving = /serving (ws:\/\/127\.0\.0\.1:\d+\/ws)/.exec(io.stdout())?.[1];
    expect(serving, 'the serving line').toBeDefined();
    return serving!;
  }, 5_000);
  return { io, done, url, http: url.replace('ws://', 'http://').replace(/\/ws$/, '') };
}

/** A WebSocket client subscribed to `channels`: the frames it receives after the acknowledgement, as text. */
async function subscribe(url: string, channels: string[]): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(url);
  const frames: string[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', channels })));
    ws.on('message', (m) => {
      const text = m.toString();
      if (text.startsWith('{"op":"subscribed"')) resolve();
      else frames.push(text);
    });
  });
  return { ws, frames };
}

/** The server's answer to one request on a fresh socket (then closed). */
async function firstReply(url: string, request: object): Promise<Record<string, unknown>> {
  const ws = new WebSocket(url);
  try {
    return await new Promise((resolve, reject) => {
      ws.on('error', reject);
      ws.on('open', () => ws.send(JSON.stringify(request)));
      ws.once('message', (m) => resolve(JSON.parse(m.toString()) as Record<string, unknown>));
    });
  } finally {
    ws.close();
  }
}

/** What the live daemon said each market was in just before `iso`: its newest recorded MARKET_STATE (HALT names its causes). */
async function recordedStatesAt(marketIds: string[], iso: string): Promise<Array<{ market_id: string; state: string | null; halt_causes: string[] }>> {
  const last = new Map<string, { state: string; reason: string | null }>();
  for await (const chunk of new JournalReplaySource(data).read({ from: Date.parse(FROM_ISO), to: Date.parse(iso), channels: ['risk'] })) {
    for (const r of chunk) if (r.event.type === 'MARKET_STATE') last.set(r.event.market_id!, r.event.payload);
  }
  return marketIds.map((id) => {
    const s = last.get(id);
    // In HALT the reason names the causes now (HALT → HALT when they change); none: the cool-down.
    const halt_causes = s?.state !== 'HALT' ? [] : s.reason ? s.reason.split(',') : ['cool_down'];
    return { market_id: id, state: s?.state ?? null, halt_causes };
  });
}

async function countEvents(pred: (e: HeliosEvent) => boolean): Promise<number> {
  let n = 0;
  for await (const chunk of new JournalReplaySource(data).read({ from: Date.parse(FROM_ISO), to: Date.parse(TO_ISO) })) for (const r of chunk) if (pred(r.event)) n++;
  return n;
}
