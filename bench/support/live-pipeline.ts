import { rmSync } from 'node:fs';
import type { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import type { HeliosConfig } from '../../src/config/schema.ts';
import { BusSink } from '../../src/adapters/bus/bus-sink.ts';
import { createBus } from '../../src/adapters/bus/create-bus.ts';
import type { EventBus, Subscription } from '../../src/adapters/bus/event-bus.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createMetrics } from '../../src/adapters/metrics/metrics.ts';
import { MarketFeed } from '../../src/runtime/market-tape/market-feed.ts';
import { createStorageSinks, type StorageSinks } from '../../src/adapters/storage/storage-sinks.ts';
import { dispatchFile, dispatchLogCadence } from '../../src/adapters/storage/dispatch-log.ts';
import { createDesiredSet } from '../../src/adapters/subscriptions/create-desired-set.ts';
import { DaemonObserver } from '../../src/apps/daemon/observer.ts';
import { HeapBudget } from '../../src/apps/daemon/heap-budget.ts';
import type { UniverseMarket } from '../../src/domain/trading/universe.ts';
import { TradingNode } from '../../src/runtime/trading/trading-node.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { FanOutSink, type EventSink } from '../../src/domain/events/sink.ts';
import { hash32, seededRng } from '../../src/domain/util/random.ts';
import type { VenueProcess } from './venue-process.ts';

export interface LivePipelineOptions {
  config: HeliosConfig;
  markets: readonly UniverseMarket[];
  venue: { wsUrl: string; restUrl: string };
  /** Where the journal recorder writes its NDJSON (recording is on, as in the daemon). */
  dataDir: string;
  /** Sees every emitted event after the daemon's own sinks (a benchmark probe). */
  probe?: EventSink;
  /** Sees every event the trading side consumes, before it is routed (a benchmark probe). */
  observe?: EventSink;
  openSocket?: (url: string) => WebSocket;
  onBestChanged?: (token: string) => void;
  /** Times the synchronous cost of the bus publish and the recorder per event (a benchmark probe). */
  sinkTimes?: SinkTimes;
  /**
   * The journal recorder runs elsewhere (the feed worker of `e2e-feed-worker.ts`): this process's
   * events go to this sink instead of a recorder of its own.
   */
  journal?: EventSink;
}

/** Accumulated synchronous time spent in the bus publish and in the recorder, by event. */
export class SinkTimes {
  busMs = 0;
  busEvents = 0;
  recorderMs = 0;
  recorderEvents = 0;
  enabled = false;

  wrap(sink: EventSink, stage: 'bus' | 'recorder'): EventSink {
    return {
      emit: (event) => {
        if (!this.enabled) return sink.emit(event);
        const t = performance.now();
        sink.emit(event);
        const d = performance.now() - t;
        if (stage === 'bus') {
          this.busMs += d;
          this.busEvents++;
        } else {
          this.recorderMs += d;
          this.recorderEvents++;
        }
      },
    };
  }

  /** Sink time so far (both stages), to subtract from a frame handler's time. */
  total(): number {
    return this.busMs + this.recorderMs;
  }
}

/**
 * The all-in-one daemon's market path, wired as `Daemon.start` / `buildComponents` wire it: the
 * configured bus, one fan-out sink (bus, health observer, journal recorder), the market feed on the
 * venue's loopback URLs, and the trading node consuming its topics from the bus. Built in steps so
 * a benchmark can time each one.
 */
export class LivePipeline {
  readonly clock = new SystemClock();
  readonly sink: FanOutSink;
  /** The journal recorder (null when it runs elsewhere: `journal`). */
  readonly storage: StorageSinks | null;
  /** The bus publish alone (what a feed on another thread publishes through). */
  readonly busSink: EventSink;
  node: TradingNode | null = null;
  feed: MarketFeed | null = null;
  errors: Error[] = [];
  private subscription: Subscription | null = null;

  /** As in the daemon (the growth factor is process-wide). */
  private readonly heapBudget: HeapBudget;

  private constructor(
    private readonly opts: LivePipelineOptions,
    readonly bus: EventBus,
  ) {
    const { config } = opts;
    this.heapBudget = new HeapBudget(config.daemon.heap_budget_mb);
    this.heapBudget.start();
    const seed = config.app.seed;
    const times = opts.sinkTimes;
    const busSink = times ? times.wrap(new BusSink(bus), 'bus') : new BusSink(bus);
    this.busSink = busSink;
    this.sink = new FanOutSink(busSink, new DaemonObserver(config.daemon.staleness_ms, createMetrics()));
    this.storage = opts.journal ? null : recorderSinks(config, opts.dataDir, this.clock, new BusSink(bus));
    const journal = opts.journal ?? this.storage!;
    this.sink.add(times ? times.wrap(journal, 'recorder') : journal);
    if (opts.probe) this.sink.add(opts.probe);
  }

  static async create(opts: LivePipelineOptions): Promise<LivePipeline> {
    const errors: Error[] = [];
    const bus = await createBus(opts.config.bus, new SystemClock(), { onError: (e) => errors.push(e) });
    const p = new LivePipeline(opts, bus);
    p.errors = errors;
    return p;
  }


  /** Spawns the market actors (sharded in group supervisors), reconciles, subscribes to the bus. */
  buildTrading(): TradingNode {
    // As in the daemon: the node runs on its own clock, moved by what it consumes.
    const clock = new VirtualClock(this.clock.now());
    const idsSeed = this.opts.config.app.seed ^ hash32('trading');
    this.node = new TradingNode({
      config: this.opts.config,
      clock,
      sink: this.sink,
      events: new EventFactory(clock, ulidGenerator(seededRng(idsSeed))),
      // As the daemon: every input logged before it is applied (daemon.dispatch_log, on by default).
      dispatchLog: this.opts.config.daemon.dispatch_log
        ? { file: dispatchFile(this.opts.dataDir, 1), session: 1, idsSeed, cadence: dispatchLogCadence(this.opts.config.storage.journal) }
        : undefined,
      markets: this.opts.markets,
      observe: this.opts.observe,
      onError: (err) => this.errors.push(err),
    });
    return this.node;
  }

  async startTrading(): Promise<void> {
    const node = this.node ?? this.buildTrading();
    await node.start();
    this.subscription = this.bus.subscribe({ group: 'trading', consumer: 'trading-0', topics: node.topics(), start: 'latest' });
    node.consume(this.subscription);
  }

  /** Connects the feed and subscribes every token of the markets. */
  async startFeed(): Promise<MarketFeed> {
    const { config } = this.opts;
    // As the daemon wires it: the node in this process on the in-memory bus.
    const node = this.node;
    this.feed = await startMarketFeed(config, this.opts.venue, this.clock, this.sink, this.opts, marketTokens(this.opts.markets), node ? () => node.decidesAtOnce : undefined);
    return this.feed;
  }

  tokensSynced(): number {
    return this.feed ? syncedBooks(this.feed) : 0;
  }

  /** Resolves once `n` books are synced (false after `timeoutMs`). */
  waitSynced(n: number, timeoutMs: number): Promise<boolean> {
    return waitSynced(() => this.tokensSynced(), n, timeoutMs);
  }

  async stop(): Promise<void> {
    this.heapBudget.stop();
    await this.feed?.stop();
    await this.node?.stop();
    await this.storage?.flush();
    await this.storage?.close();
    await this.bus.drain();
    await this.bus.close();
  }
}

/** Every token of the markets, YES then NO. */
export function marketTokens(markets: readonly UniverseMarket[]): string[] {
  return markets.flatMap((m) => [m.spec.yes_token, m.spec.no_token]);
}

/** The daemon's market feed on the venue's loopback URLs, started and subscribed to `tokens`. */
export async function startMarketFeed(
  config: HeliosConfig,
  venue: { wsUrl: string; restUrl: string },
  clock: SystemClock,
  sink: EventSink,
  probes: Pick<LivePipelineOptions, 'openSocket' | 'onBestChanged'>,
  tokens: string[],
  decidedAtOnce?: () => boolean,
): Promise<MarketFeed> {
  const tape = { ...config.market_tape, ws_url: venue.wsUrl, rest_url: venue.restUrl };
  const feed = new MarketFeed({
    config: tape,
    clock,
    seed: config.app.seed,
    sink,
    events: new EventFactory(clock, ulidGenerator(seededRng(config.app.seed ^ hash32('market-feed')))),
    desired: createDesiredSet({ ...tape.desired_set, kind: 'in_memory' }, null),
    openSocket: probes.openSocket,
    onBestChanged: probes.onBestChanged,
    decidedAtOnce,
  });
  await feed.start();
  await feed.subscribe(tokens);
  return feed;
}

export function syncedBooks(feed: MarketFeed): number {
  return feed.books().filter((b) => b.synced).length;
}

/** Resolves once `synced()` reaches `n` (false after `timeoutMs`). */
export async function waitSynced(synced: () => number, n: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (synced() < n) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/** The journal recorder as the daemon builds it (its ids seeded from the app seed), publishing its window events to `publish`. */
export function recorderSinks(config: HeliosConfig, dataDir: string, clock: SystemClock, publish: EventSink): StorageSinks {
  return createStorageSinks({
    config: config.storage,
    dataDir,
    clock,
    ids: ulidGenerator(seededRng(config.app.seed ^ hash32('recorder'))),
    publish,
  });
}

/** The end of a profiling run (the e2e turn and allocation profiles): profiler, pipeline, venue, its data directory. */
export async function endProfiledRun(run: { session: Session; pipeline: LivePipeline; venue: VenueProcess; dir: string }): Promise<void> {
  run.session.disconnect();
  await run.pipeline.stop();
  await run.venue.close();
  await run.venue.stop();
  rmSync(run.dir, { recursive: true, force: true });
}
