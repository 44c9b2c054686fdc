/**
 * What the slow frames of the e2e path wait for: runs the live pipeline (feed → bus → trading node,
 * recorder on) at a fixed rate with the e2e latency probe, V8's CPU profiler sampling every
 * `SAMPLE_US` µs and a GC observer, then, for the frames whose frame → decision took longer than
 * `SLOW_MS`, splits that time into stages (rest of the socket chunk; chunk end → BEST_PRICE;
 * BEST_PRICE → router; router → decision) and says what the process was running meanwhile: the
 * CPU samples inside each slow frame's window, by the outermost helios (or ws/xstate) function on
 * the stack (which callback held the loop), and the collections overlapping it.
 *
 * `flock /tmp/bench.lock node --import tsx bench/support/e2e-turn-profile.ts [RATE] [SECONDS]`;
 * `OVERRIDES='{"storage.journal.enabled":false}'` runs a configuration variant.
 */
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config/load.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import type { MarketTradingContext } from '../../src/machines/market-trading/context.ts';
import { LatencyProbe, type FrameRec } from './e2e-latency-probe.ts';
import { endProfiledRun, LivePipeline } from './live-pipeline.ts';
import { percentile } from './stats.ts';
import { VenueProcess } from './venue-process.ts';
import { restoreFastStringPrototype } from '../../src/apps/fast-string-prototype.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

// As the daemon and `npm run bench` do once the modules are loaded (the redis client slows String.prototype).
restoreFastStringPrototype();

const rate = Number(process.argv[2] ?? 5_000);
const seconds = Number(process.argv[3] ?? 8);
const SLOW_MS = Number(process.env.SLOW_MS ?? 1);
const SAMPLE_US = Number(process.env.SAMPLE_US ?? 100);
/** `PROFILE=0`: no CPU profiler (its sampling slows the process): stages and collections only. */
const PROFILE = process.env.PROFILE !== '0';
const extra = JSON.parse(process.env.OVERRIDES ?? '{}') as Record<string, unknown>;

const { config } = loadConfig({ env: {}, overrides: { 'daemon.sim.markets': 100, ...extra } });
const universe = buildSimUniverse(config, [], Date.now());
const venue = await VenueProcess.start();
const dir = mkdtempSync(path.join(tmpdir(), 'helios-e2e-turns-'));
const urls = await venue.open(100, 9);
const probe = new LatencyProbe();
const pipeline = await LivePipeline.create({
  config,
  markets: universe.markets,
  venue: urls,
  dataDir: dir,
  probe: probe.emitted,
  observe: probe.consumed,
  openSocket: probe.openSocket,
  onBestChanged: probe.onBestChanged,
  sinkTimes: probe.times,
});
const session = new Session();
const gcs: Array<{ start: number; end: number; minor: boolean }> = [];
try {
  await pipeline.startTrading();
  for (const m of universe.markets) {
    pipeline.node!.runtime.marketRef(m.spec.market_id)!.subscribe((s: { context: MarketTradingContext }) => probe.decided(s.context));
  }
  await pipeline.startFeed();
  if (!(await pipeline.waitSynced(200, 20_000))) throw new Error('books not synced');
  const running = venue.run(rate, 1_000 + seconds * 1000);
  await sleep(1_000);
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      gcs.push({ start: e.startTime, end: e.startTime + e.duration, minor: kind === constants.NODE_PERFORMANCE_GC_MINOR });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  session.connect();
  if (PROFILE) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: SAMPLE_US });
    await session.post('Profiler.start');
  }
  // The profiler's clock (µs, monotonic) against performance.now().
  const offsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
  const pump = (pipeline.node as unknown as { pump: { yields: Record<string, number>; inputs: number } }).pump;
  const yields0 = { ...pump.yields };
  const inputs0 = pump.inputs;
  probe.measuring = true;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  probe.measuring = false;
  // The process's CPU counts every thread (the collector's helpers, libuv's pool); the
  // event loop's utilization is the main thread's share of wall time spent outside its idle wait.
  console.log(`CPU ${((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2)} cores over the measured window; event loop utilization ${elu.utilization.toFixed(3)}`);
  const perS = (k: string) => ((pump.yields[k]! - yields0[k]!) / seconds).toFixed(1);
  console.log(`dispatch pump: ${((pump.inputs - inputs0) / seconds).toFixed(0)} inputs/s; loop turns yielded per s: after a timer deadline ${perS('deadline')}, after started work ${perS('work')}, at the cap ${perS('cap')}`);
  const profile = PROFILE ? ((await session.post('Profiler.stop')) as unknown as { profile: CpuProfile }).profile : null;
  // `PROFILE_OUT=file.cpuprofile`: the raw profile too (Chrome DevTools opens it).
  if (profile && process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
  observer.disconnect();
  await running;
  await sleep(500);
  report(probe.frames, profile, offsetUs);
} finally {
  await endProfiledRun({ session, pipeline, venue, dir });
}
process.exit(0);

/** The outermost function on the stack that is ours (or ws/xstate/node's loop), as `file:function`. */
function owners(profile: CpuProfile): Map<number, string> {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const label = (n: ProfileNode) => {
    const url = n.callFrame.url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '');
    return `${url.replace(/^.*node_modules\//, '')}:${n.callFrame.functionName || '(anon)'}`;
  };
  const out = new Map<number, string>();
  for (const n of profile.nodes) {
    const fn = n.callFrame.functionName;
    if (fn === '(garbage collector)' || fn === '(idle)' || fn === '(program)') {
      out.set(n.id, fn);
      continue;
    }
    let owner = label(n);
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const p = byId.get(id)!;
      if (/\/(src|bench)\/|node_modules\/(ws|xstate)\//.test(p.callFrame.url)) owner = label(p);
    }
    out.set(n.id, owner);
  }
  return out;
}

function report(frames: readonly FrameRec[], profile: CpuProfile | null, offsetUs: number): void {
  const decided = frames.filter((f) => !Number.isNaN(f.decidedAt));
  const lat = decided.map((f) => f.decidedAt - f.recvAt);
  const slow = decided.filter((f) => f.decidedAt - f.recvAt > SLOW_MS);
  if (process.env.DUMP) writeFileSync(process.env.DUMP, JSON.stringify({ slow: slow.map((f) => [f.recvAt, f.chunkEndAt, f.emitAt, f.routedAt, f.decidedAt]), gcs }));
  console.log(
    `rate ${rate}/s, ${seconds} s: ${decided.length} frames decided, p50 ${percentile(lat, 50).toFixed(3)} p99 ${percentile(lat, 99).toFixed(3)} p99.9 ${percentile(lat, 99.9).toFixed(3)} ms; ` +
      `${slow.length} over ${SLOW_MS} ms (${((100 * slow.length) / Math.max(1, decided.length)).toFixed(2)} %)`,
  );
  const stage = { chunk: 0, toBest: 0, toRouter: 0, toDecision: 0 };
  for (const f of slow) {
    stage.chunk += f.chunkEndAt - f.recvAt;
    stage.toBest += f.emitAt - f.chunkEndAt;
    stage.toRouter += f.routedAt - f.emitAt;
    stage.toDecision += f.decidedAt - f.routedAt;
  }
  const total = stage.chunk + stage.toBest + stage.toRouter + stage.toDecision;
  const share = (x: number) => `${((100 * x) / total).toFixed(1)} %`;
  console.log(
    `slow frames' time by stage: rest of socket chunk ${share(stage.chunk)}, chunk end → BEST_PRICE ${share(stage.toBest)}, ` +
      `BEST_PRICE → router ${share(stage.toRouter)}, router → decided ${share(stage.toDecision)} (mean ${(total / Math.max(1, slow.length)).toFixed(2)} ms)`,
  );
  const chunkSizes = new Map<number, number>();
  for (const f of frames) chunkSizes.set(f.chunkEndAt, (chunkSizes.get(f.chunkEndAt) ?? 0) + 1);
  const sizes = [...chunkSizes.values()];
  console.log(`moving frames per socket chunk: mean ${(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length)).toFixed(2)}, p99 ${percentile(sizes, 99)}, max ${Math.max(0, ...sizes)}`);

  // GC: the share of slow frames' windows covered by a collection, and of slow frames that saw one.
  let gcCovered = 0;
  let sawGc = 0;
  for (const f of slow) {
    let c = 0;
    for (const g of gcs) c += Math.max(0, Math.min(g.end, f.decidedAt) - Math.max(g.start, f.recvAt));
    gcCovered += c;
    if (c > 0) sawGc++;
  }
  const minor = gcs.filter((g) => g.minor);
  console.log(
    `collections: ${minor.length} scavenges (${minor.reduce((a, g) => a + g.end - g.start, 0).toFixed(0)} ms), ${gcs.length - minor.length} other; ` +
      `${sawGc} of ${slow.length} slow frames overlap one; collections cover ${share(gcCovered)} of the slow frames' time`,
  );

  if (!profile) return;
  selfTime(profile);
  // CPU samples inside the slow windows (a window per slow frame; overlapping windows count each time).
  const owner = owners(profile);
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push(((t += d) - offsetUs) / 1000);
  const windows = slow.map((f) => [f.recvAt, f.decidedAt] as const).sort((a, b) => a[0] - b[0]);
  const bySite = new Map<string, number>();
  let inWindows = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const at = times[i]!;
    const dt = (profile.timeDeltas[i + 1] ?? SAMPLE_US) / 1000;
    let hits = 0;
    for (const [a, b] of windows) {
      if (a > at) break;
      if (at <= b) hits++;
    }
    if (hits === 0) continue;
    const site = owner.get(profile.samples[i]!)!;
    bySite.set(site, (bySite.get(site) ?? 0) + hits * dt);
    inWindows += hits * dt;
  }
  console.log(`CPU samples in the slow windows (${inWindows.toFixed(0)} ms of ${total.toFixed(0)} ms), by outermost helios/ws/xstate function:`);
  for (const [site, ms] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${((100 * ms) / inWindows).toFixed(1).padStart(5)} %  ${site}`);
}

/** Self time by function over the whole window (what the process spends its CPU on per frame). */
function selfTime(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let all = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]!)!;
    if (n.callFrame.functionName === '(idle)') continue;
    const dt = (profile.timeDeltas[i + 1] ?? SAMPLE_US) / 1000;
    const site = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(work\/main|after-t|before-t)\//, '').replace(/^.*node_modules\//, '')}:${n.callFrame.lineNumber + 1}`;
    self.set(site, (self.get(site) ?? 0) + dt);
    all += dt;
  }
  console.log(`busy CPU ${all.toFixed(0)} ms over ${seconds} s; top self time:`);
  for (const [site, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 35)) console.log(`  ${((100 * ms) / all).toFixed(1).padStart(5)} %  ${site}`);
}
