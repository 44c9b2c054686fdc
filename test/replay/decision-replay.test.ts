import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecisionReplay, decisionSeed } from '../../src/runtime/replay/decision-replay.ts';
import { readMarketCatalog } from '../../src/adapters/storage/market-catalog.ts';
import { runReplay } from '../../src/apps/replay/replay-run.ts';
import { compactJournal } from '../../src/adapters/storage/parquet/compactor.ts';
import { heliosEventSchema, type HeliosEvent } from '../../src/domain/events/catalog.ts';
import { FROM, recordSession, tempDir, testConfig } from './support.ts';
import { RecentEvents } from '../../src/apps/dashboard/recent-events.ts';
import { FanOutSink } from '../../src/domain/events/sink.ts';

const MINUTES = 10;
let dir: string;
let cleanup: () => void;
let to: number;
/** The journal replay every other way of replaying must match. */
let reference: string;
const config = testConfig();

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('helios-decisions-'));
  const rec = await recordSession(dir, MINUTES, config);
  to = rec.to;
  await compactJournal({ dataDir: dir, now: to + 86_400_000, duckdb: { threads: 1, memory_limit: '512MB' } });
  reference = readFileSync((await replayTo('reference.ndjson')).out, 'utf8');
}, 60_000);
afterAll(() => cleanup());

async function replayTo(file: string, opts: { source?: 'journal' | 'parquet'; cfg?: typeof config; markets?: null } = {}) {
  const out = path.join(dir, file);
  const run = await runReplay({ config: opts.cfg ?? config, dataDir: dir, from: FROM, to, source: opts.source ?? 'journal', decisions: { out, ...(opts.markets === null ? { markets: null } : {}) } });
  return { run, out, text: readFileSync(out, 'utf8') };
}

describe('decision replay', () => {
  it('writes every kind of decision, each a valid envelope with a seeded id', async () => {
    const { text, run } = await replayTo('a.ndjson');
    const events = text.trimEnd().split('\n').map((l) => heliosEventSchema.parse(JSON.parse(l)) as HeliosEvent);
    const types = new Set(events.map((e) => e.type));
    for (const t of ['POLICY', 'ORDER_UPDATE', 'FILL', 'POSITION', 'MARKET_STATE']) expect(types).toContain(t);
    expect(run.decisions!.orders).toBeGreaterThan(0);
    expect(run.decisions!.fills).toBeGreaterThan(0);
    const ts = events.map((e) => e.ts_ingest);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(ts[0]).toBe(FROM);
  });

  it('is deterministic: two replays of the same range write byte-identical files', async () => {
    const a = await replayTo('twice-1.ndjson');
    const b = await replayTo('twice-2.ndjson');
    expect(a.text.length).toBeGreaterThan(1000);
    expect(Buffer.from(b.text).equals(Buffer.from(a.text))).toBe(true);
  });

  // Live equals replay on the real daemon (a child process, all-in-one and over Redis): live-replay.test.ts.

  it('the same from the Parquet lake, and whatever the replay pacing (the pipeline owns its schedule)', async () => {
    const parquet = await replayTo('parquet.ndjson', { source: 'parquet' });
    expect(parquet.text).toBe(reference);
    const coarse = await replayTo('coarse.ndjson', { cfg: testConfig({ 'storage.replay.drain_every_events': 5000 }) });
    expect(coarse.text).toBe(reference);
  });

  it('a pipeline fed in one go, without a replay engine, decides the same', async () => {
    const events: HeliosEvent[] = [];
    await runReplay({ config, dataDir: dir, from: FROM, to, source: 'journal', sink: { emit: (e) => events.push(e) } });
    const out = path.join(dir, 'direct.ndjson');
    const p = new DecisionReplay({ config, markets: await readMarketCatalog(dir), from: FROM, seed: decisionSeed(config.app.seed, FROM, to), out });
    for (const e of events) p.emit(e);
    await p.finish(to);
    expect(readFileSync(out, 'utf8')).toBe(reference);
  });

  it("a journal whose BEST_PRICEs carry levels decides as the live node did, which read no L2_DELTA: the journal's deltas change nothing", async () => {
    const events: HeliosEvent[] = [];
    await runReplay({ config, dataDir: dir, from: FROM, to, source: 'journal', sink: { emit: (e) => events.push(e) } });
    const deltas = events.filter((e) => e.type === 'L2_DELTA').length;
    // The journal holds deltas (event windows) and BEST_PRICEs with levels, announced by the snapshots.
    expect(deltas).toBeGreaterThan(100);
    expect(events.some((e) => e.type === 'BEST_PRICE' && e.payload.bids !== undefined)).toBe(true);
    expect(events.some((e) => e.type === 'L2_SNAPSHOT' && e.payload.best_price_levels === config.market_tape.best_price_levels)).toBe(true);
    const out = path.join(dir, 'no-deltas.ndjson');
    const p = new DecisionReplay({ config, markets: await readMarketCatalog(dir), from: FROM, seed: decisionSeed(config.app.seed, FROM, to), out });
    for (const e of events) if (e.type !== 'L2_DELTA') p.emit(e);
    await p.finish(to);
    expect(readFileSync(out, 'utf8')).toBe(reference);
  });

  it('without a market catalog, markets are inferred from the tape and traded by pair arbitrage only', async () => {
    const { run, text } = await replayTo('inferred.ndjson', { markets: null });
    expect(run.markets).toBeNull();
    const states = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as HeliosEvent)
      .filter((e) => e.type === 'MARKET_STATE');
    expect(new Set(states.map((e) => e.market_id)).size).toBe(4);
    expect(text).not.toContain('"strategy":"temporal"');
  });

  it('a backward seek rewinds what the dashboard keeps of the recent past (nothing later than the seek point)', async () => {
    const recent = new RecentEvents();
    const mid = FROM + Math.round((to - FROM) / 2);
    let seeks: Promise<void> | null = null;
    await runReplay({
      config,
      dataDir: dir,
      from: FROM,
      to,
      speed: Infinity,
      source: 'journal',
      sink: new FanOutSink(recent),
      onEngine: (engine) => {
        seeks = (async () => {
          engine.pause();
          await engine.seek(to - 1);
          expect(recent.snapshot().some((e) => e.ts_ingest > mid)).toBe(true);
          await engine.seek(FROM + 1000);
          expect(recent.snapshot().every((e) => e.ts_ingest <= FROM + 1000)).toBe(true);
          engine.stop();
        })();
      },
    });
    await seeks;
  });
});
