/**
 * Where the e2e path allocates: runs the live pipeline (feed → bus → trading node, recorder on) at
 * a fixed frame rate against the venue child process and takes V8's sampling heap profile over the
 * steady state, counting objects young collections freed too (what a scavenge pays for is what
 * survives, but what is allocated per frame sets how often it runs). Prints the top allocation
 * sites, bytes per frame, and the young (scavenge) and other collections over the window.
 *
 * `flock /tmp/bench.lock node --import tsx bench/support/e2e-alloc-profile.ts [RATE] [SECONDS]`;
 * `SURVIVORS=1` counts only what survived a young collection, `PROFILE=0` only times collections,
 * `TRADING=0` leaves the trading node out,
 * `OVERRIDES='{"storage.journal.enabled":false}'` runs a configuration variant. Beware
 * `bus.memory_budget_bytes: 0`: it also sheds the trading group's queue (the budget covers queued
 * events), so the node decides on almost nothing; `bus.*.max_len: 1` is "retain nothing".
 */
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config/load.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import { restoreFastStringPrototype } from '../../src/apps/fast-string-prototype.ts';
import { heapAges } from './heap-ages.ts';
import { endProfiledRun, LivePipeline } from './live-pipeline.ts';
import { VenueProcess } from './venue-process.ts';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const rate = Number(process.argv[2] ?? 5_000);
const seconds = Number(process.argv[3] ?? 10);
const out = process.env.PROFILE_OUT;
/** `SURVIVORS=1`: leave out what young collections freed: what is left survived a scavenge (copied, promoted). */
const survivorsOnly = process.env.SURVIVORS === '1';
/** `PROFILE=0`: only count scavenges (the profiler's sampling costs time of its own). */
const noProfile = process.env.PROFILE === '0';
/**
 * `AGES=1`: instead of sampling, tracks every allocation and takes a heap snapshot mid-flow (at 80 %
 * of the window), then reports the live objects by age and, for those 130 ms–3 s old (what young
 * collections copy and promote, then garbage), by allocation stack. Tracking slows the process
 * several times: use a lower rate (300–1,000 frames/s), and read queue waits with care: a consumer
 * slowed that much lags, so events wait in its queue far longer than they do at full speed.
 */
const ages = process.env.AGES === '1';
/** `TRADING=0`: the feed, bus and recorder alone (no trading node consuming the bus). */
const withTrading = process.env.TRADING !== '0';

/** Configuration keys changed for a variant (JSON). */
const extra = JSON.parse(process.env.OVERRIDES ?? '{}') as Record<string, unknown>;
const { config } = loadConfig({ env: {}, overrides: { 'daemon.sim.markets': 100, ...extra } });
const universe = buildSimUniverse(config, [], Date.now());
restoreFastStringPrototype();
const venue = await VenueProcess.start();
const dir = mkdtempSync(path.join(tmpdir(), 'helios-e2e-alloc-'));
const urls = await venue.open(100, 9);
let frames = 0;
const pipeline = await LivePipeline.create({ config, markets: universe.markets, venue: urls, dataDir: dir, onBestChanged: () => {} });
const session = new Session();
try {
  if (withTrading) await pipeline.startTrading();
  await pipeline.startFeed();
  if (!(await pipeline.waitSynced(200, 20_000))) throw new Error('books not synced');
  const running = venue.run(rate, 2_000 + seconds * 1000);
  await sleep(2_000);
  const minor: number[] = [];
  const major: number[] = [];
  const gcs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor.push(e.duration);
      else major.push(e.duration);
    }
  });
  gcs.observe({ entryTypes: ['gc'] });
  if (!noProfile) session.connect();
  if (ages) {
    await session.post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
    await sleep(seconds * 800);
    const file = path.join(dir, 'ages.heapsnapshot');
    const chunks: string[] = [];
    session.on('HeapProfiler.addHeapSnapshotChunk', (m) => void chunks.push(m.params.chunk));
    await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    writeFileSync(file, chunks.join(''));
    await session.post('HeapProfiler.stopTrackingHeapObjects', { reportProgress: false });
    const r = heapAges(file, [130, 3_000]);
    for (const b of r.buckets) console.log(`live, ${b.label.padEnd(16)} ${(b.bytes / 1e6).toFixed(2).padStart(8)} MB in ${b.count} objects`);
    console.log('\n130 ms–3 s old, by allocation stack (innermost first):');
    for (const e of r.bandBySite.slice(0, 40)) console.log(`${(e.bytes / 1e3).toFixed(1).padStart(9)} KB ${String(e.count).padStart(7)}  ${e.site}`);
  } else {
    if (!noProfile) await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !survivorsOnly } as never);
    await sleep(seconds * 1000);
  }
  gcs.disconnect();
  if (process.env.BACKLOG === '1') {
    const topics = await pipeline.bus.topics();
    let queued = 0;
    for (const t of topics) queued += await pipeline.bus.backlog(t, 'trading');
    console.log(`trading group backlog at the end: ${queued} events over ${topics.length} topics; bus ${JSON.stringify(pipeline.bus.stats())}`);
  }
  const run = await running;
  frames = Math.round((run.frames * seconds) / (seconds + 2));
  const sorted = [...minor].sort((a, b) => a - b);
  const total = minor.reduce((a, b) => a + b, 0);
  console.log(
    `scavenges ${minor.length} (${(minor.length / seconds).toFixed(1)}/s), total ${total.toFixed(0)} ms, mean ${(total / Math.max(1, minor.length)).toFixed(2)} ms, ` +
      `p50 ${(sorted[Math.floor(sorted.length / 2)] ?? NaN).toFixed(2)} ms, max ${(sorted[sorted.length - 1] ?? NaN).toFixed(2)} ms, over 2 ms ${minor.filter((d) => d > 2).length}, over 5 ms ${minor.filter((d) => d > 5).length}; ` +
      `other collections ${major.length}, total ${major.reduce((a, b) => a + b, 0).toFixed(0)} ms, max ${Math.max(0, ...major).toFixed(2)} ms`,
  );
  if (!noProfile && !ages) report(((await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } }).profile, frames);
} finally {
  await endProfiledRun({ session, pipeline, venue, dir });
}
process.exit(0);

function report(profile: { head: ProfileNode }, frames: number): void {
  if (out) writeFileSync(out, JSON.stringify(profile));
  const bySite = new Map<string, number>();
  const byStack = new Map<string, number>();
  let sampled = 0;
  const walk = (n: ProfileNode, stack: string[]) => {
    const cf = n.callFrame;
    const site = `${cf.functionName || '(anon)'} ${cf.url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '')}:${cf.lineNumber + 1}`;
    const s = [...stack, site];
    if (n.selfSize > 0) {
      sampled += n.selfSize;
      bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
      const key = s.slice(-4).join(' < ');
      byStack.set(key, (byStack.get(key) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, s);
  };
  walk(profile.head, []);
  console.log(`rate ${rate}/s, ${seconds} s, ~${frames} frames; sampled ${(sampled / 1e6).toFixed(1)} MB = ${(sampled / frames).toFixed(0)} B/frame`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${(bytes / frames).toFixed(1).padStart(8)} B/frame  ${site}`);
  console.log('\nby stack (last 4 frames, reversed: site < caller ...)');
  for (const [site, bytes] of [...byStack].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    const parts = site.split(' < ').reverse();
    console.log(`${(bytes / frames).toFixed(1).padStart(8)} B/frame  ${parts.join(' < ')}`);
  }
}
