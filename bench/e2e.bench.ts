import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, type RawData } from 'ws';
import { loadConfig } from '../src/config/load.ts';
import type { HeliosConfig } from '../src/config/schema.ts';
import { EventLoopLag } from '../src/adapters/metrics/event-loop.ts';
import { initialSubscribeMessage } from '../src/adapters/polymarket/market-channel-messages.ts';
import { buildSimUniverse, type UniverseMarket } from '../src/sim/sim-universe.ts';
import type { HeliosEvent } from '../src/domain/events/catalog.ts';
import type { EventSink } from '../src/domain/events/sink.ts';
import type { MarketTradingContext } from '../src/machines/market-trading/context.ts';
import { LivePipeline } from './support/live-pipeline.ts';
import { percentile, round } from './support/stats.ts';
import { VenueProcess, type VenueRun } from './support/venue-process.ts';
import type { Benchmark, BenchContext } from './types.ts';

const MARKETS = 100; // 200 tokens: one market-channel connection (max_assets_per_connection 200)
const RATES = [1_000, 5_000, 10_000, 20_000];
const WARM_MS = 1_000;
const MEASURE_MS = 4_000;
const REF_MEASURE_MS = 3_000;
/** After the venue stops: the last coalescing flush (best_price_flush_ms) and its routing. */
const DRAIN_MS = 500;
/** EventLoopLag samples every 10 ms and Node records whole intervals: an idle loop reads ~10 ms. */
const LAG_SAMPLE_MS = 10;
/** One untimed pass first, so the first rate is not measured on cold code. */
const WARMUP_RATE = 5_000;
const SEED = 9;

/** One frame that moved a top of book while measuring. */
interface FrameRec {
  /** Index among the frames of its socket (the venue counts the same way). */
  index: number;
  recvAt: number;
  /** Book signals (tokens) it produced that no market actor has evaluated yet. */
  left: number;
  decidedAt: number;
}

interface Routed {
  frames: FrameRec[];
  emitAt: number;
  token: string;
  ts: number;
}

/**
 * Timestamps along the path. "Received": the socket's `message` event, in a listener the socket
 * gets before the feed's own. Top-of-book changes are attributed to the frame being handled via
 * the feed's `onBestChanged` probe; each BEST_PRICE takes the frames coalesced into it (probe sink
 * beside the bus); the router's `observe` hook says which BEST_PRICE is being routed; the market
 * actor's snapshot observer fires once it has evaluated the signal: the decision.
 */
class LatencyProbe {
  measuring = false;
  messages = 0;
  readonly frames: FrameRec[] = [];
  /** Frames received while measuring (those that moved no top of book produce no signal). */
  measured = 0;
  readonly coalesceWaitMs: number[] = [];
  readonly pipelineMs: number[] = [];
  orders = 0;
  private current: FrameRec | null = null;
  private readonly pending = new Map<string, FrameRec[]>();
  private readonly byEvent = new Map<HeliosEvent, Routed>();
  private routing: Routed | null = null;
  private readonly clear = () => {
    this.current = null;
  };

  openSocket = (url: string): WebSocket => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('message', () => {
      const index = this.messages++;
      if (!this.measuring) return;
      this.measured++;
      const f: FrameRec = { index, recvAt: performance.now(), left: 0, decidedAt: NaN };
      this.current = f;
      // The feed handles the frame synchronously right after this listener.
      queueMicrotask(this.clear);
    });
    return ws;
  };

  onBestChanged = (token: string): void => {
    const f = this.current;
    if (!f) return;
    let list = this.pending.get(token);
    if (!list) this.pending.set(token, (list = []));
    if (list[list.length - 1] === f) return;
    if (f.left === 0) this.frames.push(f);
    f.left++;
    list.push(f);
  };

  /** Beside the bus in the fan-out: a BEST_PRICE takes the frames coalesced into it. */
  readonly emitted: EventSink = {
    emit: (event) => {
      if (event.type === 'ORDER_UPDATE') this.orders++;
      if (event.type !== 'BEST_PRICE' || !event.token_id) return;
      const list = this.pending.get(event.token_id);
      if (!list || list.length === 0) return;
      this.pending.set(event.token_id, []);
      this.byEvent.set(event, { frames: list, emitAt: performance.now(), token: event.token_id, ts: event.ts_ingest });
    },
  };

  /** The trading router's observe hook: the event about to be routed. */
  readonly consumed: EventSink = {
    emit: (event) => {
      this.routing = this.byEvent.get(event) ?? null;
      if (this.routing) this.byEvent.delete(event);
    },
  };

  /** A market actor's snapshot after an event: the routed book signal has been decided on. */
  decided(context: MarketTradingContext): void {
    const r = this.routing;
    if (!r || context.signals.books[r.token]?.ts_ms !== r.ts) return;
    this.routing = null;
    const t = performance.now();
    this.pipelineMs.push(t - r.emitAt);
    for (const f of r.frames) {
      this.coalesceWaitMs.push(r.emitAt - f.recvAt);
      if (--f.left === 0) f.decidedAt = t;
    }
  }
}

interface Dist {
  n: number;
  p50: number;
  p99: number;
  p999: number;
}

function dist(values: number[]): Dist {
  return { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99), p999: percentile(values, 99.9) };
}

function fmt(d: Dist, digits = 2): string {
  return `${round(d.p50, digits)} / ${round(d.p99, digits)} / ${round(d.p999, digits)}`;
}

interface PassResult {
  offered: number;
  achieved: number;
  loopP99Ms: number;
  loopMaxMs: number;
  /** CPU time of this process over the measured window, in cores. */
  cores: number;
  /** frame received → decision (ours) or → parsed (reference), ms */
  recv: Dist;
  /** venue send → decision / parsed, ms */
  send: Dist;
}

interface OursResult extends PassResult {
  coalesce: Dist;
  pipeline: Dist;
  framesWithSignal: number;
  framesWithoutSignal: number;
  undecided: number;
  recorded: number;
  recordedBytes: number;
  busDropped: number;
  busCoalesced: number;
  errors: number;
  orders: number;
}

function sendLatencies(run: VenueRun, items: Array<{ index: number; at: number }>): { lat: number[]; unmatched: number } {
  const lat: number[] = [];
  let unmatched = 0;
  for (const { index, at } of items) {
    const s = run.sendAt[index];
    if (s === undefined || Number.isNaN(s)) unmatched++;
    else lat.push(at - s);
  }
  return { lat, unmatched };
}

/** The reference: a bare `ws` client on the same venue and frames that only `JSON.parse`s them. */
async function referencePass(venue: VenueProcess, tokens: string[], rate: number): Promise<PassResult> {
  const urls = await venue.open(MARKETS, SEED);
  const ws = new WebSocket(urls.wsUrl, { perMessageDeflate: false });
  let measuring = false;
  let messages = 0;
  let checksum = 0;
  const recv: number[] = [];
  const items: Array<{ index: number; at: number }> = [];
  let dumped!: () => void;
  const dump = new Promise<void>((r) => (dumped = r));
  ws.on('message', (data: RawData) => {
    const index = messages++;
    if (index === 0) dumped();
    if (!measuring) return;
    const t = performance.now();
    const value = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')) as { event_type?: string };
    const parsed = performance.now();
    checksum += value.event_type?.length ?? 1;
    recv.push(parsed - t);
    items.push({ index, at: parsed });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(initialSubscribeMessage(tokens, true));
  await dump;
  const running = venue.run(rate, WARM_MS + REF_MEASURE_MS);
  await sleep(WARM_MS);
  const lag = new EventLoopLag();
  lag.read();
  const m0 = messages;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  measuring = true;
  await sleep(REF_MEASURE_MS);
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const loop = lag.read();
  lag.stop();
  const achieved = (messages - m0) / seconds;
  const run = await running;
  ws.terminate();
  await venue.close();
  if (checksum === 0) throw new Error('reference parsed nothing');
  return {
    offered: rate,
    achieved,
    loopP99Ms: loop.p99_ms,
    loopMaxMs: loop.max_ms,
    cores: (cpu.user + cpu.system) / 1e6 / seconds,
    recv: dist(recv),
    send: dist(sendLatencies(run, items).lat),
  };
}

async function oursPass(venue: VenueProcess, config: HeliosConfig, markets: UniverseMarket[], rate: number, dataDir: string, measureMs = MEASURE_MS): Promise<OursResult> {
  const urls = await venue.open(MARKETS, SEED);
  const probe = new LatencyProbe();
  const pipeline = await LivePipeline.create({
    config,
    markets,
    venue: urls,
    dataDir,
    probe: probe.emitted,
    observe: probe.consumed,
    openSocket: probe.openSocket,
    onBestChanged: probe.onBestChanged,
  });
  try {
    await pipeline.startTrading();
    const runtime = pipeline.node!.runtime;
    for (const m of markets) {
      runtime.marketRef(m.spec.market_id)!.subscribe((s: { context: MarketTradingContext }) => probe.decided(s.context));
    }
    await pipeline.startFeed();
    if (!(await pipeline.waitSynced(markets.length * 2, 20_000))) throw new Error(`only ${pipeline.tokensSynced()} books synced`);
    const recorded0 = pipeline.storage.recorder?.stats();
    const running = venue.run(rate, WARM_MS + measureMs);
    await sleep(WARM_MS);
    const lag = new EventLoopLag();
    lag.read();
    const m0 = probe.messages;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    probe.measuring = true;
    await sleep(measureMs);
    probe.measuring = false;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const loop = lag.read();
    lag.stop();
    const achieved = (probe.messages - m0) / seconds;
    const run = await running;
    await sleep(DRAIN_MS);
    const decided = probe.frames.filter((f) => !Number.isNaN(f.decidedAt));
    if (decided.length === 0) throw new Error('no frame reached a market decision: is the onBestChanged probe wired?');
    const sent = sendLatencies(
      run,
      decided.map((f) => ({ index: f.index, at: f.decidedAt })),
    );
    // The frame→send mapping holds only if no frame was received before the venue sent it.
    const early = sendLatencies(
      run,
      decided.map((f) => ({ index: f.index, at: f.recvAt })),
    ).lat.filter((x) => x < -0.05).length;
    if (early > 0 || sent.unmatched > 0) throw new Error(`frame index mapping broken: ${early} early, ${sent.unmatched} unmatched`);
    const recorded1 = pipeline.storage.recorder?.stats();
    const bus = pipeline.bus.stats();
    return {
      offered: rate,
      achieved,
      loopP99Ms: loop.p99_ms,
      loopMaxMs: loop.max_ms,
      cores: (cpu.user + cpu.system) / 1e6 / seconds,
      recv: dist(decided.map((f) => f.decidedAt - f.recvAt)),
      send: dist(sent.lat),
      coalesce: dist(probe.coalesceWaitMs),
      pipeline: dist(probe.pipelineMs),
      framesWithSignal: probe.frames.length,
      framesWithoutSignal: probe.measured - probe.frames.length,
      undecided: probe.frames.length - decided.length,
      recorded: (recorded1?.written ?? 0) - (recorded0?.written ?? 0),
      recordedBytes: (recorded1?.bytes_written ?? 0) - (recorded0?.bytes_written ?? 0),
      busDropped: bus.dropped,
      busCoalesced: bus.coalesced,
      errors: pipeline.errors.length,
      orders: probe.orders,
    };
  } finally {
    await pipeline.stop();
    await venue.close();
  }
}

export const e2eBenchmark: Benchmark = {
  title: 'end to end: WebSocket frame → market decision at 1k–20k frames/s over 200 tokens, recording on',
  async run(ctx: BenchContext) {
    const { config } = loadConfig({ env: {}, overrides: { 'daemon.sim.markets': MARKETS } });
    const universe = buildSimUniverse(config, []);
    const tokens = universe.markets.flatMap((m) => [m.spec.yes_token, m.spec.no_token]);
    ctx.log(
      `${universe.markets.length} markets, ${tokens.length} tokens, one connection; venue simulator in a child process; ` +
        `journal recorder on; best_price_flush_ms ${config.market_tape.best_price_flush_ms}; ${WARM_MS / 1000} s warm-up, ${MEASURE_MS / 1000} s measured (reference ${REF_MEASURE_MS / 1000} s)`,
    );
    const venue = await VenueProcess.start();
    const dir = mkdtempSync(path.join(tmpdir(), 'helios-bench-e2e-'));
    const out: Record<string, unknown> = { markets: universe.markets.length, tokens: tokens.length, best_price_flush_ms: config.market_tape.best_price_flush_ms };
    try {
      await oursPass(venue, config, universe.markets, WARMUP_RATE, path.join(dir, 'warmup'), 1_000);
      ctx.log('latencies in ms, p50 / p99 / p99.9; event-loop lag is the daemon\'s EventLoopLag (10 ms sampling, idle reads ~10), "+x" its excess over the interval');
      for (const rate of RATES) {
        const ref = await referencePass(venue, tokens, rate);
        const ours = await oursPass(venue, config, universe.markets, rate, path.join(dir, String(rate)));
        const k = `r${rate}`;
        ctx.log(`\noffered ${rate.toLocaleString()} frames/s`);
        ctx.log(
          `  helios     achieved ${Math.round(ours.achieved).toLocaleString()} frames/s; frame→decision ${fmt(ours.recv)} (n ${ours.recv.n.toLocaleString()}); ` +
            `venue send→decision ${fmt(ours.send)}; event-loop lag p99 ${round(ours.loopP99Ms, 1)} ms (+${round(ours.loopP99Ms - LAG_SAMPLE_MS, 1)}), max ${round(ours.loopMaxMs, 1)}; CPU ${round(ours.cores, 2)} cores`,
        );
        ctx.log(
          `             of which frame→BEST_PRICE (coalescing) ${fmt(ours.coalesce)}, BEST_PRICE→decision (bus, router, actor) ${fmt(ours.pipeline, 3)}; ` +
            `${ours.framesWithoutSignal.toLocaleString()} frames moved no top of book; ${ours.undecided} undecided; ` +
            `${ours.recorded.toLocaleString()} events recorded (${round(ours.recordedBytes / 1e6, 1)} MB); bus dropped ${ours.busDropped}, coalesced ${ours.busCoalesced}; errors ${ours.errors}; orders ${ours.orders}`,
        );
        ctx.log(
          `  reference  achieved ${Math.round(ref.achieved).toLocaleString()} frames/s; frame→parsed ${fmt(ref.recv, 4)}; venue send→parsed ${fmt(ref.send, 3)}; event-loop lag p99 ${round(ref.loopP99Ms, 1)} ms (+${round(ref.loopP99Ms - LAG_SAMPLE_MS, 1)}); CPU ${round(ref.cores, 2)} cores`,
        );
        const ratio = (a: number, b: number) => round(a / b, a / b >= 100 ? 0 : 2);
        ctx.log(
          `  → ratio helios / reference: frame-received p50 ${ratio(ours.recv.p50, ref.recv.p50)}×, p99 ${ratio(ours.recv.p99, ref.recv.p99)}×; ` +
            `from venue send p50 ${ratio(ours.send.p50, ref.send.p50)}×, p99 ${ratio(ours.send.p99, ref.send.p99)}×`,
        );
        Object.assign(out, {
          [`${k}_achieved_fps`]: Math.round(ours.achieved),
          ...percentiles(`${k}`, ours.recv, 3),
          [`${k}_samples`]: ours.recv.n,
          ...percentiles(`${k}_send`, ours.send, 3),
          ...percentiles(`${k}_coalesce`, ours.coalesce, 3),
          ...percentiles(`${k}_pipeline`, ours.pipeline, 4),
          [`${k}_loop_lag_p99_ms`]: round(ours.loopP99Ms, 3),
          [`${k}_loop_lag_p99_excess_ms`]: round(ours.loopP99Ms - LAG_SAMPLE_MS, 3),
          [`${k}_loop_lag_max_ms`]: round(ours.loopMaxMs, 3),
          [`${k}_cpu_cores`]: round(ours.cores, 3),
          [`${k}_frames_without_signal`]: ours.framesWithoutSignal,
          [`${k}_undecided`]: ours.undecided,
          [`${k}_recorded_events`]: ours.recorded,
          [`${k}_bus_dropped`]: ours.busDropped,
          [`${k}_bus_coalesced`]: ours.busCoalesced,
          [`${k}_errors`]: ours.errors,
          [`${k}_ref_achieved_fps`]: Math.round(ref.achieved),
          ...percentiles(`${k}_ref`, ref.recv, 5),
          ...percentiles(`${k}_ref_send`, ref.send, 4),
          [`${k}_ref_loop_lag_p99_ms`]: round(ref.loopP99Ms, 3),
          [`${k}_ref_cpu_cores`]: round(ref.cores, 3),
          [`${k}_ratio_p50`]: round(ours.recv.p50 / ref.recv.p50, 1),
          [`${k}_ratio_p99`]: round(ours.recv.p99 / ref.recv.p99, 1),
          [`${k}_ratio_send_p50`]: round(ours.send.p50 / ref.send.p50, 2),
          [`${k}_ratio_send_p99`]: round(ours.send.p99 / ref.send.p99, 2),
        });
      }
    } finally {
      await venue.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};

/** `PREFIX_p50_ms`, `PREFIX_p99_ms`, `PREFIX_p999_ms` of a latency sample, rounded. */
function percentiles(prefix: string, q: { p50: number; p99: number; p999: number }, digits: number): Record<string, number> {
  return { [`${prefix}_p50_ms`]: round(q.p50, digits), [`${prefix}_p99_ms`]: round(q.p99, digits), [`${prefix}_p999_ms`]: round(q.p999, digits) };
}
