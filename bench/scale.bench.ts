import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { assign, createActor, enqueueActions, setup } from 'xstate';
import { loadConfig } from '../src/config/load.ts';
import { buildSimUniverse } from '../src/sim/sim-universe.ts';
import { LivePipeline } from './support/live-pipeline.ts';
import { round } from './support/stats.ts';
import { VenueProcess } from './support/venue-process.ts';
import type { Benchmark, BenchContext } from './types.ts';

/** 2,000 tokens: ten market-channel connections of 200. `BENCH_SCALE_MARKETS=100` compares per-market cost. */
const MARKETS = process.env.BENCH_SCALE_MARKETS ? Number(process.env.BENCH_SCALE_MARKETS) : 1_000;
const FLOW_RATE = 2_000; // frames/s over every token, about one per token per second
/**
 * Two halves, memory read between them: the growth over the second half shows what the flow
 * keeps. Ten minutes, as the issue asks; `BENCH_SCALE_FLOW_S=120` runs it shorter on a busy machine.
 */
const FLOW_MS = (process.env.BENCH_SCALE_FLOW_S ? Number(process.env.BENCH_SCALE_FLOW_S) : 600) * 1000;
const SEED = 9;
/** Extra configuration as JSON, e.g. `BENCH_SCALE_OVERRIDES='{"bus.memory_budget_bytes":8388608}'`: what a setting costs. */
const OVERRIDES = process.env.BENCH_SCALE_OVERRIDES ? (JSON.parse(process.env.BENCH_SCALE_OVERRIDES) as Record<string, unknown>) : {};
/** `BENCH_SCALE_HEAP_SNAPSHOT=FILE` writes a heap snapshot at the end of the flow (for attributing the heap). */
const HEAP_SNAPSHOT = process.env.BENCH_SCALE_HEAP_SNAPSHOT;

/** `gc()` without starting node with --expose-gc: memory is read after a full collection. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

interface Mem {
  rss: number;
  heap: number;
  /** What V8 holds for its heap (used or not): RSS beyond it and `external` is native memory. */
  heapTotal: number;
  /** Memory of C++ objects bound to JS (Buffers included). */
  external: number;
}

function memory(gc: () => void): Mem {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
}

const MB = 1e6;
const KB = 1e3;

/**
 * The reference: 1,000 trivial actors spawned in parents of the same size as the market groups
 * (max_markets_per_group), so the ratio is what a market actor and its group add over bare XState.
 */
function referenceSpawn(perGroup: number, gc: () => void) {
  const leaf = setup({ types: { context: {} as { n: number }, events: {} as { type: 'PING' } } }).createMachine({
    context: { n: 0 },
    on: { PING: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
  });
  const parent = setup({ types: { events: {} as { type: 'ADD'; id: string } }, actors: { leaf } }).createMachine({
    on: { ADD: { actions: enqueueActions(({ enqueue, event }) => void enqueue.spawnChild('leaf', { id: event.id })) } },
  });
  const before = memory(gc);
  const t0 = performance.now();
  const parents = Array.from({ length: Math.ceil(MARKETS / perGroup) }, () => createActor(parent).start());
  for (let i = 0; i < MARKETS; i++) parents[Math.floor(i / perGroup)]!.send({ type: 'ADD', id: `a${i}` });
  const spawnMs = performance.now() - t0;
  const after = memory(gc);
  const live = parents.reduce((n, p) => n + Object.keys(p.getSnapshot().children).length, 0);
  if (live !== MARKETS) throw new Error(`reference spawned ${live} actors`);
  for (const p of parents) p.stop();
  return { spawnMs, heapPerActor: (after.heap - before.heap) / MARKETS, rssPerActor: (after.rss - before.rss) / MARKETS, groups: parents.length };
}

export const scaleBenchmark: Benchmark = {
  title: 'scale: 1,000 markets (2,000 tokens) live: actor spawn time, book sync time, RSS and heap',
  async run(ctx: BenchContext) {
    const gc = collector();
    const { config } = loadConfig({ env: {}, overrides: { 'daemon.sim.markets': MARKETS, ...OVERRIDES } });
    const universe = buildSimUniverse(config, [], Date.now());
    const tokens = universe.markets.length * 2;
    const perGroup = config.trading.supervision.max_markets_per_group;
    const venue = await VenueProcess.start();
    const dir = mkdtempSync(path.join(tmpdir(), 'helios-bench-scale-'));
    try {
      const urls = await venue.open(MARKETS, SEED);
      ctx.log(`${universe.markets.length.toLocaleString()} markets, ${tokens.toLocaleString()} tokens; venue simulator in a child process (not in these figures); journal recorder on`);

      const ref = referenceSpawn(perGroup, gc);
      ctx.log(
        `reference: ${MARKETS.toLocaleString()} trivial XState actors in ${ref.groups} parents: spawned in ${round(ref.spawnMs, 1)} ms; ` +
          `heap ${round(ref.heapPerActor / KB, 2)} KB/actor, RSS ${round(ref.rssPerActor / KB, 2)} KB/actor`,
      );

      const pipeline = await LivePipeline.create({ config, markets: universe.markets, venue: urls, dataDir: dir });
      try {
        const before = memory(gc);
        const t0 = performance.now();
        const node = pipeline.buildTrading();
        const spawnMs = performance.now() - t0;
        await pipeline.startTrading();
        const runtime = node.runtime;
        const live = runtime.marketIds().filter((id) => runtime.marketRef(id) !== undefined).length;
        if (live !== MARKETS) throw new Error(`only ${live} market actors live`);
        const spawned = memory(gc);

        const t1 = performance.now();
        const feed = await pipeline.startFeed();
        if (!(await pipeline.waitSynced(tokens, 60_000))) throw new Error(`only ${pipeline.tokensSynced()} of ${tokens} books synced`);
        const syncMs = performance.now() - t1;
        const synced = memory(gc);

        const busLog = async () => {
          let n = 0;
          for (const topic of await pipeline.bus.topics()) n += await pipeline.bus.backlog(topic);
          return n;
        };
        // CPU of this process over the flow (the venue is a child process): what GC settings cost.
        const cpu0 = process.cpuUsage();
        const flow1 = await venue.run(FLOW_RATE, FLOW_MS / 2);
        const half = memory(gc);
        const retainedHalf = await busLog();
        // The journal recorder's queue: events held until written (a writer behind keeps them in the heap).
        const recorderHalf = pipeline.storage?.recorder?.stats();
        // RSS as the process lives it (no forced GC), every second of the second half: the plateau.
        const rssSamples: number[] = [];
        const sampler = setInterval(() => rssSamples.push(process.memoryUsage.rss()), 1000);
        const flow2 = await venue.run(FLOW_RATE, FLOW_MS / 2);
        clearInterval(sampler);
        await sleep(300);
        const cpu = process.cpuUsage(cpu0);
        const after = memory(gc);
        const retained = await busLog();
        if (HEAP_SNAPSHOT) v8.writeHeapSnapshot(HEAP_SNAPSHOT);
        const flow = { frames: flow1.frames + flow2.frames, seconds: flow1.seconds + flow2.seconds };
        const cpuCores = (cpu.user + cpu.system) / 1e6 / flow.seconds;
        const rssPeak = Math.max(0, ...rssSamples);
        const rssMean = rssSamples.reduce((a, b) => a + b, 0) / Math.max(1, rssSamples.length);
        // Growth over the second half, per second of flow.
        const heapGrowthMbS = (after.heap - half.heap) / MB / flow2.seconds;
        const frames = feed.connections().reduce((n, c) => n + c.books.frames, 0);
        const routed = node.router.stats.routed;
        const recorderEnd = pipeline.storage?.recorder?.stats();
        const recorded = recorderEnd?.written ?? 0;
        const stillSynced = pipeline.tokensSynced();
        const errors = pipeline.errors.length + feed.actorErrors().length;

        const perMarket = (a: Mem, b: Mem) => ({ heap: (b.heap - a.heap) / MARKETS, rss: (b.rss - a.rss) / MARKETS });
        const spawnCost = perMarket(before, spawned);
        const liveCost = perMarket(before, after);
        ctx.log(
          `helios: ${MARKETS.toLocaleString()} market actors in ${runtime.groupCount()} groups spawned in ${round(spawnMs, 1)} ms ` +
            `(heap ${round(spawnCost.heap / KB, 2)} KB/market, RSS ${round(spawnCost.rss / KB, 2)} KB/market)`,
        );
        ctx.log(`        ${tokens.toLocaleString()} books synced ${round(syncMs, 0)} ms after subscribing (${feed.connections().length} connections)`);
        ctx.log(
          `        after ${FLOW_MS / 1000} s of flow at ${FLOW_RATE.toLocaleString()} frames/s (${flow.frames.toLocaleString()} sent, ${frames.toLocaleString()} frames received, ${routed.toLocaleString()} events routed to actors, ` +
            `${recorded.toLocaleString()} recorded, ${retained.toLocaleString()} events held in the in-memory bus log; ${stillSynced.toLocaleString()} books synced; errors ${errors})`,
        );
        ctx.log(
          `        journal recorder: ${(recorderHalf?.pending ?? 0).toLocaleString()} events waiting to be written at half time, ${(recorderEnd?.pending ?? 0).toLocaleString()} at the end, ` +
            `${(recorderEnd?.dropped_overflow ?? 0).toLocaleString()} dropped (writer behind)`,
        );
        ctx.log(`        CPU of this process over the flow: ${round(cpuCores, 2)} cores`);
        ctx.log(`memory (after a full GC)   RSS MB   heap used MB   heap total MB   external MB`);
        const col = (n: number, w: number) => round(n / MB, 1).toString().padStart(w);
        const row = (name: string, m: Mem) =>
          ctx.log(`  ${name.padEnd(24)} ${col(m.rss, 6)}   ${col(m.heap, 12)}   ${col(m.heapTotal, 13)}   ${col(m.external, 11)}`);
        row('before spawning', before);
        row('actors spawned', spawned);
        row('books synced', synced);
        row(`flow, ${FLOW_MS / 2000} s`, half);
        row(`flow, ${FLOW_MS / 1000} s`, after);
        ctx.log(
          `→ per market, live after ${FLOW_MS / 1000} s: heap ${round(liveCost.heap / KB, 1)} KB, RSS ${round(liveCost.rss / KB, 1)} KB; ` +
            `per market before any flow (actors + synced books): heap ${round((synced.heap - before.heap) / MARKETS / KB, 1)} KB`,
        );
        ctx.log(
          `→ at the end: V8 heap ${round(after.heapTotal / MB, 1)} MB held (${round(after.heap / MB, 1)} used), external ${round(after.external / MB, 1)} MB, ` +
            `the rest of RSS (code, native allocations, allocator free lists) ${round((after.rss - after.heapTotal - after.external) / MB, 1)} MB`,
        );
        const spaces = v8
          .getHeapSpaceStatistics()
          .filter((sp) => sp.space_size > MB)
          .map((sp) => `${sp.space_name} ${round(sp.space_size / MB, 1)} (${round(sp.space_used_size / MB, 1)} used)`);
        ctx.log(`  V8 heap spaces, MB held: ${spaces.join(', ')}`);
        ctx.log(`→ RSS over the second half without a forced GC (sampled each second): mean ${round(rssMean / MB, 1)} MB, peak ${round(rssPeak / MB, 1)} MB`);
        ctx.log(`→ RSS at the end ${round(after.rss / MB, 1)} MB; growth over the second half ${round((after.rss - half.rss) / MB, 1)} MB (heap ${round((after.heap - half.heap) / MB, 1)} MB)`);
        ctx.log(
          `→ heap over the second half ${round(heapGrowthMbS, 2)} MB/s at ${FLOW_RATE.toLocaleString()} frames/s; the in-memory bus log held ` +
            `${retainedHalf.toLocaleString()} → ${retained.toLocaleString()} events (bus.memory_budget_bytes bounds it)`,
        );
        const spawnRatio = spawnMs / ref.spawnMs;
        const heapRatio = spawnCost.heap / ref.heapPerActor;
        ctx.log(`→ ratios to bare actors: spawn time ${round(spawnRatio, 2)}×; heap per market actor ${round(heapRatio, 2)}× (live, with books and feed: ${round(liveCost.heap / ref.heapPerActor, 2)}×)`);

        return {
          markets: MARKETS,
          tokens,
          groups: runtime.groupCount(),
          connections: feed.connections().length,
          spawn_ms: round(spawnMs, 1),
          books_synced_ms: round(syncMs, 0),
          rss_before_mb: round(before.rss / MB, 1),
          heap_before_mb: round(before.heap / MB, 1),
          rss_spawned_mb: round(spawned.rss / MB, 1),
          heap_spawned_mb: round(spawned.heap / MB, 1),
          rss_synced_mb: round(synced.rss / MB, 1),
          heap_synced_mb: round(synced.heap / MB, 1),
          rss_after_mb: round(after.rss / MB, 1),
          flow_s: round(flow.seconds, 1),
          cpu_cores_flow: round(cpuCores, 2),
          rss_mb_peak_last_half: round(rssPeak / MB, 1),
          rss_mb_mean_last_half: round(rssMean / MB, 1),
          rss_mb_end: round(after.rss / MB, 1),
          rss_mb_growth_last_half: round((after.rss - half.rss) / MB, 1),
          heap_mb_growth_last_half: round((after.heap - half.heap) / MB, 1),
          heap_after_mb: round(after.heap / MB, 1),
          heap_total_after_mb: round(after.heapTotal / MB, 1),
          native_after_mb: round((after.rss - after.heapTotal - after.external) / MB, 1),
          external_after_mb: round(after.external / MB, 1),
          heap_growth_mb_per_s: round(heapGrowthMbS, 2),
          bus_log_events_half: retainedHalf,
          synced_heap_kb_per_market: round((synced.heap - before.heap) / MARKETS / KB, 1),
          spawn_heap_kb_per_market: round(spawnCost.heap / KB, 2),
          live_heap_kb_per_market: round(liveCost.heap / KB, 1),
          live_rss_kb_per_market: round(liveCost.rss / KB, 1),
          flow_frames_sent: flow.frames,
          flow_frames_received: frames,
          events_routed: routed,
          events_recorded: recorded,
          bus_log_events: retained,
          recorder_pending_half: recorderHalf?.pending ?? 0,
          recorder_pending_end: recorderEnd?.pending ?? 0,
          recorder_dropped_overflow: recorderEnd?.dropped_overflow ?? 0,
          books_synced_after_flow: stillSynced,
          errors,
          reference_spawn_ms: round(ref.spawnMs, 1),
          reference_heap_kb_per_actor: round(ref.heapPerActor / KB, 2),
          reference_rss_kb_per_actor: round(ref.rssPerActor / KB, 2),
          ratio_spawn_time: round(spawnRatio, 2),
          ratio_heap_per_actor: round(heapRatio, 2),
          ratio_live_heap_per_market: round(liveCost.heap / ref.heapPerActor, 2),
        };
      } finally {
        await pipeline.stop();
      }
    } finally {
      await venue.close().catch(() => {});
      await venue.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
