/**
 * Does moving the whole feed side to a worker thread pay? The e2e bench's pipeline (`e2e.bench.ts`:
 * same venue process, markets, rates, latency probe and reference pass) in one of two shapes:
 *
 * - `main`: as the daemon wires it today, everything on the main thread (`oursPass`);
 * - `worker`: the market feed (sockets, decode, books, tape publisher) and the journal recorder on a
 *   `worker_threads` Worker (`e2e-feed-worker.thread.ts`), posting the events of the trading node's
 *   channels once per turn; the in-memory bus, the trading node and its dispatch log on the main
 *   thread, whose own events go back to the worker's journal once per turn.
 *
 * Frame → decision crosses threads on `performance.timeOrigin + performance.now()`. Both threads'
 * event-loop utilization is reported (the process's CPU counts every thread).
 *
 * `flock /tmp/bench.lock node --import tsx bench/support/e2e-feed-worker.ts main|worker [RATES] [ROUNDS]`
 * (RATES `5000,20000`, ROUNDS 1); prints one JSON line per measured pass after its log lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../../src/config/load.ts';
import type { HeliosConfig } from '../../src/config/schema.ts';
import { restoreFastStringPrototype } from '../../src/apps/fast-string-prototype.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import type { EventSink } from '../../src/domain/events/sink.ts';
import { channelOfTopic } from '../../src/domain/events/topics.ts';
import type { UniverseMarket } from '../../src/domain/trading/universe.ts';
import type { MarketTradingContext } from '../../src/machines/market-trading/context.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import {
  BACKLOG_MS,
  DRAIN_MS,
  MARKETS,
  MEASURE_MS,
  SEED,
  WARM_MS,
  WARMUP_RATE,
  dist,
  fmt,
  oursPass,
  referencePass,
  sendLatencies,
  type Dist,
} from '../e2e.bench.ts';
import type { FeedCounts, FeedWorkerData, FromFeedWorker, ToFeedWorker } from './e2e-feed-worker.thread.ts';
import { LatencyProbe } from './e2e-latency-probe.ts';
import { LivePipeline, marketTokens } from './live-pipeline.ts';
import { round } from './stats.ts';
import { threadCpuMs } from './thread-cpu.ts';
import { VenueProcess } from './venue-process.ts';

restoreFastStringPrototype();

const BOOT = new URL('./e2e-feed-worker.boot.mjs', import.meta.url);

interface Pass {
  shape: 'main' | 'worker';
  rate: number;
  achieved: number;
  recv: Dist;
  send: Dist;
  /** BEST_PRICE emitted → seen by the trading router (bus, dispatch pump; in `worker` also the crossing). */
  delivery: Dist;
  cores: number;
  /** CPU time of each thread alone, in cores (`threadCpuMs`; the worker's null in `main`). */
  mainThreadCores: number;
  workerThreadCores: number | null;
  eluMain: number;
  /** The worker thread's event-loop utilization (`worker` only). */
  eluWorker: number | null;
  undecided: number;
  recorded: number;
  errors: number;
  /** Batches posted to the main thread per second, and events in them (`worker` only). */
  batchesPerS?: number;
  crossedPerS?: number;
}

/** A one-shot listener for the worker's next message of `type`. */
function next<T extends FromFeedWorker['type']>(worker: Worker, type: T): Promise<Extract<FromFeedWorker, { type: T }>> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: FromFeedWorker) => {
      if (m.type === 'error') onError(new Error(`feed worker: ${m.message}`));
      else if (m.type === type) {
        cleanup();
        resolve(m as Extract<FromFeedWorker, { type: T }>);
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => onError(new Error(`feed worker exited (${code}) before '${type}'`));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** The pass the feed thread's batches go to. */
let current: { probe: LatencyProbe; pipeline: LivePipeline; batches: number; crossed: number } | null = null;
let feedThread: Worker | null = null;

/** The feed thread, started once per process: a fresh one per pass would measure cold code beside a warm main thread. */
function feedWorker(config: HeliosConfig): Worker {
  if (feedThread) return feedThread;
  const w = new Worker(BOOT, { workerData: { config, mainTimeOrigin: performance.timeOrigin } satisfies FeedWorkerData });
  w.on('error', (err) => current?.pipeline.errors.push(err));
  w.on('message', (m: FromFeedWorker) => {
    if (m.type !== 'batch' || !current) return;
    const { probe, pipeline } = current;
    current.batches++;
    current.crossed += m.events.length;
    let k = 0;
    for (let i = 0; i < m.events.length; i++) {
      const event = m.events[i]!;
      const signal = m.signals[k];
      if (signal !== undefined && signal.at === i) {
        probe.adopt(event, signal);
        k++;
      }
      pipeline.busSink.emit(event);
    }
  });
  return (feedThread = w);
}

async function stopFeedWorker(): Promise<void> {
  const w = feedThread;
  if (!w) return;
  feedThread = null;
  const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
  w.postMessage({ type: 'exit' } satisfies ToFeedWorker);
  await exited;
}

async function workerPass(venue: VenueProcess, config: HeliosConfig, markets: UniverseMarket[], rate: number, dataDir: string, measureMs = MEASURE_MS): Promise<Pass> {
  const urls = await venue.open(MARKETS, SEED);
  const probe = new LatencyProbe();
  const w = feedWorker(config);
  // The main thread's own events (decisions, orders), to the worker's journal once per turn.
  let toJournal: HeliosEvent[] = [];
  let journalTurn = false;
  const sendJournal = () => {
    journalTurn = false;
    if (toJournal.length === 0) return;
    w.postMessage({ type: 'events', events: toJournal } satisfies ToFeedWorker);
    toJournal = [];
  };
  const journal: EventSink = {
    emit(event) {
      toJournal.push(event);
      if (!journalTurn) {
        journalTurn = true;
        setImmediate(sendJournal);
      }
    },
  };
  const pipeline = await LivePipeline.create({ config, markets, venue: urls, dataDir, probe: probe.emitted, observe: probe.consumed, journal });
  const pass = (current = { probe, pipeline, batches: 0, crossed: 0 });
  let feedRunning = false;
  try {
    await pipeline.startTrading();
    const node = pipeline.node!;
    for (const m of markets) node.runtime.marketRef(m.spec.market_id)!.subscribe((s: { context: MarketTradingContext }) => probe.decided(s.context));
    const synced = next(w, 'synced');
    w.postMessage({
      type: 'start',
      venue: urls,
      tokens: marketTokens(markets),
      dataDir,
      channels: [...new Set(node.topics().map(channelOfTopic))].sort(),
    } satisfies ToFeedWorker);
    feedRunning = true;
    await synced;
    const running = venue.run(rate, WARM_MS + measureMs);
    await sleep(WARM_MS);
    const measure = async (on: boolean): Promise<FeedCounts> => {
      const counts = next(w, 'counts');
      w.postMessage({ type: 'measure', on } satisfies ToFeedWorker);
      return counts;
    };
    const c0 = await measure(true);
    const batches0 = pass.batches;
    const crossed0 = pass.crossed;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const thread0 = threadCpuMs();
    const elu0 = performance.eventLoopUtilization();
    const eluW0 = w.performance.eventLoopUtilization();
    await sleep(measureMs);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const threadMs = threadCpuMs() - thread0;
    const eluMain = performance.eventLoopUtilization(elu0).utilization;
    const eluWorker = w.performance.eventLoopUtilization(eluW0).utilization;
    const batchesPerS = (pass.batches - batches0) / seconds;
    const crossedPerS = (pass.crossed - crossed0) / seconds;
    const c1 = await measure(false);
    const run = await running;
    await sleep(DRAIN_MS);
    for (const until = performance.now() + BACKLOG_MS; probe.frames.some((f) => f.left > 0) && performance.now() < until; ) await sleep(50);
    const decided = probe.frames.filter((f) => !Number.isNaN(f.decidedAt));
    if (decided.length === 0) throw new Error(`no frame reached a decision (${c1.measured} measured, ${pipeline.errors.length} errors: ${pipeline.errors[0]?.message ?? '-'})`);
    const sent = sendLatencies(run, decided.map((f) => ({ index: f.index, at: f.decidedAt })));
    const early = sendLatencies(run, decided.map((f) => ({ index: f.index, at: f.recvAt }))).lat.filter((x) => x < -0.05).length;
    if (early > 0 || sent.unmatched > 0) throw new Error(`frame index mapping broken: ${early} early, ${sent.unmatched} unmatched`);
    return {
      shape: 'worker',
      rate,
      achieved: (c1.messages - c0.messages) / seconds,
      recv: dist(decided.map((f) => f.decidedAt - f.recvAt)),
      send: dist(sent.lat),
      delivery: dist(probe.deliveryMs),
      cores: (cpu.user + cpu.system) / 1e6 / seconds,
      mainThreadCores: threadMs / 1000 / seconds,
      // Between the two counts' answers, a few ms wider than the window: good to a percent or two.
      workerThreadCores: (c1.cpuMs - c0.cpuMs) / 1000 / seconds,
      eluMain,
      eluWorker,
      undecided: probe.frames.length - decided.length,
      recorded: c1.recorded - c0.recorded,
      errors: pipeline.errors.length,
      batchesPerS,
      crossedPerS,
    };
  } finally {
    // Feed stopped (its last batch crossed), then the node (its last events), then the journal.
    if (feedRunning) {
      const feedStopped = next(w, 'feed-stopped');
      w.postMessage({ type: 'stop-feed' } satisfies ToFeedWorker);
      await feedStopped;
    }
    await pipeline.stop();
    sendJournal();
    if (feedRunning) {
      const stopped = next(w, 'stopped');
      w.postMessage({ type: 'stop' } satisfies ToFeedWorker);
      await stopped;
    }
    current = null;
    await venue.close();
  }
}

async function mainPass(venue: VenueProcess, config: HeliosConfig, markets: UniverseMarket[], rate: number, dataDir: string): Promise<Pass> {
  const r = await oursPass(venue, config, markets, rate, dataDir);
  return {
    shape: 'main',
    rate,
    achieved: r.achieved,
    recv: r.recv,
    send: r.send,
    delivery: r.stages.delivery,
    cores: r.cores,
    mainThreadCores: r.mainThreadCores,
    workerThreadCores: null,
    eluMain: r.elu,
    eluWorker: null,
    undecided: r.undecided,
    recorded: r.recorded,
    errors: r.errors,
  };
}

const shape = process.argv[2];
if (shape !== 'main' && shape !== 'worker') throw new Error('usage: e2e-feed-worker.ts main|worker [RATES] [ROUNDS]');
const rates = (process.argv[3] ?? '5000,20000').split(',').map(Number);
const rounds = Number(process.argv[4] ?? 1);
const pass = shape === 'main' ? mainPass : workerPass;

const { config } = loadConfig({ env: {}, overrides: { 'daemon.sim.markets': MARKETS } });
const universe = buildSimUniverse(config, [], Date.now());
const tokens = marketTokens(universe.markets);
const venue = await VenueProcess.start();
const dir = mkdtempSync(path.join(tmpdir(), 'helios-e2e-feed-worker-'));
try {
  await pass(venue, config, universe.markets, WARMUP_RATE, path.join(dir, 'warmup')).catch((err: Error) => console.error(`warm-up: ${err.message}`));
  for (let r = 0; r < rounds; r++) {
    for (const rate of rates) {
      const ref = await referencePass(venue, tokens, rate);
      const p = await pass(venue, config, universe.markets, rate, path.join(dir, `${rate}-${r}`));
      const ratio = p.recv.p99 / ref.recv.p99;
      console.error(
        `${shape} r${rate}: achieved ${Math.round(p.achieved)}; frame→decision ${fmt(p.recv, 3)} ms (n ${p.recv.n}); ratio p99 ${round(ratio, 1)}×; ` +
          `bus+pump ${fmt(p.delivery, 3)}; ELU main ${round(p.eluMain, 3)}${p.eluWorker === null ? '' : `, worker ${round(p.eluWorker, 3)}`}; ` +
          `CPU ${round(p.cores, 2)} cores (main thread ${round(p.mainThreadCores, 2)}${p.workerThreadCores === null ? '' : `, worker ${round(p.workerThreadCores, 2)}`}); ${p.batchesPerS === undefined ? '' : `${Math.round(p.batchesPerS)} batches/s of ${round(p.crossedPerS! / p.batchesPerS, 1)} events; `}undecided ${p.undecided}; recorded ${p.recorded}; errors ${p.errors}; ref p99 ${round(ref.recv.p99, 4)} ms`,
      );
      console.log(
        JSON.stringify({
          shape,
          rate,
          achieved: Math.round(p.achieved),
          p50_ms: round(p.recv.p50, 3),
          p99_ms: round(p.recv.p99, 3),
          ratio_p99: round(ratio, 1),
          send_p99_ms: round(p.send.p99, 3),
          bus_pump_p99_ms: round(p.delivery.p99, 3),
          elu_main: round(p.eluMain, 3),
          elu_worker: p.eluWorker === null ? null : round(p.eluWorker, 3),
          cpu_cores: round(p.cores, 3),
          main_thread_cpu_cores: round(p.mainThreadCores, 3),
          worker_thread_cpu_cores: p.workerThreadCores === null ? null : round(p.workerThreadCores, 3),
          undecided: p.undecided,
          recorded: p.recorded,
          errors: p.errors,
          batches_per_s: p.batchesPerS === undefined ? null : Math.round(p.batchesPerS),
          crossed_events_per_s: p.crossedPerS === undefined ? null : Math.round(p.crossedPerS),
        }),
      );
    }
  }
} finally {
  await stopFeedWorker();
  await venue.stop();
  rmSync(dir, { recursive: true, force: true });
}
