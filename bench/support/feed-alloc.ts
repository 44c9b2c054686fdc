/**
 * What the feed side allocates per frame, alone and without the clock or the machine's load in
 * the figure: a synthetic tape (`price-change-tape.ts`, the venue's layout: 77-digit token ids,
 * 40-character hashes) through the connection's books, the market tape publisher (L2_DELTA,
 * per-turn BEST_PRICE, sliced L2_SNAPSHOT) and the bus sink into the in-memory bus, which one
 * consumer group drains as the trading node would. V8's sampling heap profiler counts what young
 * collections freed too, so the figure is what a frame costs the young generation; scavenges are
 * counted over the same frames (an allocation figure as well: the young generation fills at a
 * fixed size).
 *
 * `node --import tsx bench/support/feed-alloc.ts [FRAMES] [MARKETS]`; `PROFILE=0` only counts
 * scavenges (no sampling) and reports the process's CPU time per frame (compare it only with
 * runs alternated in the same minutes), `PROFILE=cpu` samples V8's CPU profiler instead and lists
 * the functions by self time, `L2_DELTA=0` runs without per-delta events, `TURN=N` hands N frames per event-loop turn (4),
 * `GROUPS=N` drains with N consumer groups (1; only the first one's events are counted and hashed). `HASH=1` prints a
 * SHA-256 over every delivered event (topic and JSON, in delivery order): the same digest before
 * and after a change means the same output. `BEST_FLOOR=MS` sets the BEST_PRICE floor (0).
 * `GENERAL_EVERY=N` hands every Nth frame over as a
 * one-element array, which the in-place reader refuses: the general decoder reads it.
 */
import { createHash } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { BusSink } from '../../src/adapters/bus/bus-sink.ts';
import { InMemoryBus } from '../../src/adapters/bus/in-memory-bus.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { ConnectionBooks } from '../../src/adapters/polymarket/connection-books.ts';
import { MalformedFrameReporter } from '../../src/adapters/polymarket/market-decoder.ts';
import { TapePublisher } from '../../src/adapters/polymarket/tape-publisher.ts';
import { loadConfig } from '../../src/config/load.ts';
import { bestPriceTriggerLevels } from '../../src/config/best-price-levels.ts';
import { channelOf } from '../../src/domain/events/catalog.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { topicOf } from '../../src/domain/events/topics.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { syntheticTape } from './price-change-tape.ts';

const frames = Number(process.argv[2] ?? 200_000);
const markets = Number(process.argv[3] ?? 100);
const profile = process.env.PROFILE !== '0' && process.env.PROFILE !== 'cpu';
const cpuProfile = process.env.PROFILE === 'cpu';
const hash = process.env.HASH === '1' ? createHash('sha256') : null;
const generalEvery = Number(process.env.GENERAL_EVERY ?? 0);
/** Frames per simulated event-loop turn (one BEST_PRICE flush each). */
const FRAMES_PER_TURN = Number(process.env.TURN ?? 4);
/** Consuming groups (the trading node's, then e.g. the journal recorder's), each draining every topic. */
const GROUPS = Number(process.env.GROUPS ?? 1);

const { config } = loadConfig({ env: {}, overrides: {} });
const clock = new VirtualClock(1_760_000_000_000);
const bus = new InMemoryBus(config.bus, clock);
const tapeConfig = config.market_tape;
// As MarketFeed configures it, except that BEST_PRICE goes out once per simulated turn.
const publisher = new TapePublisher(new BusSink(bus), new EventFactory(clock, ulidGenerator(seededRng(5))), clock, {
  topLevels: tapeConfig.top_n_levels,
  imbalanceLevels: tapeConfig.imbalance_levels,
  emitL2Delta: tapeConfig.emit_l2_delta && process.env.L2_DELTA !== '0',
  snapshotIntervalMs: tapeConfig.snapshot_interval_ms,
  snapshotSlices: tapeConfig.snapshot_slices,
  bestPriceFlushMs: Number(process.env.BEST_FLOOR ?? 0),
  bestPriceLevels: tapeConfig.best_price_levels,
});
const books = new ConnectionBooks(publisher, new MalformedFrameReporter({ clock, minSampleIntervalMs: 1_000, maxSampleChars: 50 }), { bestPriceLevels: bestPriceTriggerLevels(tapeConfig) });
const tape = syntheticTape({ seed: 11, markets, frames, depth: 10 });
const opening = tape.snapshots.map((s) => JSON.parse(s) as { market: string; asset_id: string });
books.subscribed(opening.map((s) => s.asset_id));
const topics = [...new Set(opening.flatMap((s) => (['L2_DELTA', 'BEST_PRICE', 'L2_SNAPSHOT'] as const).map((t) => topicOf(channelOf(t), s.market))))];
const subscriptions = Array.from({ length: GROUPS }, (_, g) => bus.subscribe({ group: g === 0 ? 'trading' : `group-${g}`, consumer: 'c-0', topics, start: 'latest' }));
let consumed = 0;
const draining = subscriptions.map(async (subscription, g) => {
  for await (const batch of subscription) {
    if (g !== 0) {
      await subscription.ack(batch);
      continue;
    }
    consumed += batch.length;
    if (hash !== null) for (const d of batch) hash.update(d.topic).update(JSON.stringify(d.event)).update('\n');
    await subscription.ack(batch);
  }
});
publisher.start(() => books.states(), (id) => books.books.get(id));
for (const s of tape.snapshots) books.handleFrame(s);

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Frames as a socket hands them over: one Buffer per message (the feed makes text of it only when it must). */
const wire = tape.frames.map((f) => Buffer.from(f));
async function run(from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    if (generalEvery > 0 && i % generalEvery === generalEvery - 1) books.handleFrame(`[${tape.frames[i]!}]`);
    else books.handleFrameBytes(wire[i]!);
    if (i % FRAMES_PER_TURN === FRAMES_PER_TURN - 1) {
      clock.advanceTo(clock.now() + 1);
      await turn();
    }
  }
}

// Warm up (optimized code, books at their working depth), then measure the rest.
const warm = Math.floor(frames / 4);
await run(0, warm);
const scavenges: number[] = [];
const gcs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges.push(e.duration);
});
gcs.observe({ entryTypes: ['gc'] });
const session = new Session();
if (profile) {
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
}
if (cpuProfile) {
  session.connect();
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const eventsBefore = bus.stats().published;
const cpuBefore = process.cpuUsage();
const eluBefore = performance.eventLoopUtilization();
await run(warm, frames);
await turn();
const cpu = process.cpuUsage(cpuBefore);
const elu = performance.eventLoopUtilization(eluBefore);
const measured = frames - warm;
gcs.disconnect();
const events = bus.stats().published - eventsBefore;
console.log(`${measured} frames, ${(events / measured).toFixed(2)} events per frame (${consumed} consumed); scavenges ${scavenges.length} = ${((scavenges.length * 1e5) / measured).toFixed(1)} per 100k frames`);
console.log(`CPU ${((cpu.user + cpu.system) / measured).toFixed(3)} µs/frame (user ${(cpu.user / measured).toFixed(3)}), event loop active ${((elu.active * 1000) / measured).toFixed(3)} µs/frame`);
if (hash !== null) console.log(`events hash ${hash.digest('hex')}`);
if (cpuProfile) {
  interface CpuNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }
  const { profile: p } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: CpuNode[]; samples: number[] } };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (const id of p.samples) {
    const f = byId.get(id)!.callFrame;
    const site = `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/(src|node_modules|bench)\//, '$1/')}:${f.lineNumber + 1}`;
    self.set(site, (self.get(site) ?? 0) + 1);
  }
  for (const [site, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((100 * n) / p.samples.length).toFixed(1).padStart(6)} %  ${site}`);
}
if (profile) {
  interface Node {
    callFrame: { functionName: string; url: string };
    selfSize: number;
    children: Node[];
  }
  const { profile: p } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: Node } };
  const bySite = new Map<string, number>();
  let sampled = 0;
  const walk = (n: Node, caller: string) => {
    const site = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(src|node_modules|bench)\//, '$1/')}`;
    if (n.selfSize > 0) {
      sampled += n.selfSize;
      const key = n.callFrame.url === '' ? `${site} < ${caller}` : site;
      bySite.set(key, (bySite.get(key) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, site);
  };
  walk(p.head, '');
  console.log(`sampled ${(sampled / measured).toFixed(0)} B/frame`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(bytes / measured).toFixed(1).padStart(8)} B/frame  ${site}`);
}
for (const s of subscriptions) await s.close();
await Promise.all(draining);
process.exit(0);
