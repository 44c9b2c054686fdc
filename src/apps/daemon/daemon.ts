import { createActor, fromPromise, type Actor, type AnyActorRef } from 'xstate';
import type { HeliosConfig } from '../../config/schema.ts';
import type { Secrets } from '../../config/secrets.ts';
import { createBus } from '../../adapters/bus/create-bus.ts';
import type { EventBus, Subscription } from '../../adapters/bus/event-bus.ts';
import { BusSink } from '../../adapters/bus/bus-sink.ts';
import { PacedClock } from '../../adapters/clock/paced-clock.ts';
import { SystemClock } from '../../adapters/clock/system-clock.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import { createMetrics, type Metrics } from '../../adapters/metrics/metrics.ts';
import { EventLoopLag } from '../../adapters/metrics/event-loop.ts';
import { HttpApiServer } from '../../adapters/api/http-server.ts';
import { ChannelServer } from '../../adapters/api/channel-server.ts';
import type { DaemonApi, HaltRequest, HealthReport } from '../../adapters/api/daemon-api.ts';
import { VenueSimulator } from '../../sim/venue/venue-simulator.ts';
import { MarketFeed } from '../../runtime/market-tape/market-feed.ts';
import { createDesiredSet } from '../../adapters/subscriptions/create-desired-set.ts';
import { createWorldRuntime, weatherOutagesBegun, type WorldRuntime } from '../../runtime/world/world-runtime.ts';
import { TruthRuntime, simulatedTruth } from '../../runtime/truth/truth-runtime.ts';
import type { SimMatchPlan } from '../../sim/esports/simulator-plan.ts';
import { truthFaultsBegun, type TruthFaultCounts } from '../../sim/esports/simulator-faults.ts';
import { nextSession } from '../../adapters/storage/session-counter.ts';
import type { TradingRuntime } from '../../runtime/trading/trading-runtime.ts';
import type { PaperExecutionAdapter } from '../../adapters/execution/paper-adapter.ts';
import { startInspectorServer, type InspectorServer } from '../../adapters/api/inspector-server.ts';
import { SharedSimTimeline } from '../../adapters/bus/sim-timeline.ts';
import { createStorageSinks, type StorageSinks } from '../../adapters/storage/storage-sinks.ts';
import { bookDepth, type BookDepth } from '../../domain/book/book-depth.ts';
import { EventFactory } from '../../domain/events/factory.ts';
import { ulidGenerator } from '../../domain/events/ids.ts';
import { FanOutSink, type EventSink } from '../../domain/events/sink.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { hash32, seededRng } from '../../domain/util/random.ts';
import { ALL_MARKETS, formatShard, ownsMarket, type Shard } from '../../domain/scale-out/shard.ts';
import { supervisorMachine } from '../../machines/supervisor/supervisor.machine.ts';
import { systemMachine } from '../../machines/system/system.machine.ts';
import { DaemonObserver } from './observer.ts';
import { buildSimUniverse, type SimUniverse, type UniverseMarket } from '../../sim/sim-universe.ts';
import type { TradingRouter } from '../../runtime/trading/trading-router.ts';
import { sessionSeqBase, TradingNode } from '../../runtime/trading/trading-node.ts';

export interface DaemonOptions {
  config: HeliosConfig;
  secrets: Secrets;
  logger: Logger;
  mode: 'sim' | 'live';
  /** Virtual-clock acceleration in sim mode. */
  speed: number;
  dataDir: string;
  /** Attach the Stately inspector server on loopback. */
  inspect: boolean;
  /** Overrides api.port (0 = any free port). */
  apiPort?: number;
  /**
   * Scale-out on Redis Streams: `feeds` runs the venue simulator, market feed, world and truth and
   * publishes to the bus; `trading` trades the markets of its `shard` from the bus alone; `all`
   * (default) runs everything in one process.
   */
  role?: DaemonRole;
  /** The trading process's markets: those whose id hashes to `index` of `count` (default all). */
  shard?: Shard;
}

export type DaemonRole = 'all' | 'feeds' | 'trading';

export interface RunSummary {
  kind: 'run_summary';
  markets: number;
  tokens_synced: number;
  orders: number;
  fills: number;
  realized_pnl: number;
  reconnects: number;
  resyncs: number;
  errors: number;
}

/** A daemon component: started and stopped by its supervisor, restartable. */
interface Component {
  name: string;
  /** Components that must have started first (e.g. the feed needs the venue simulator's URL). */
  after?: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The composition root: builds the clock, bus, sinks, simulators, feeds, engines, trading and the
 * API from configuration, wires real IO into the machines, and runs every component under the
 * root system machine's supervisors. `stopped` resolves with the process exit code.
 */
export class Daemon {
  readonly clock: Clock;
  readonly metrics: Metrics = createMetrics();
  readonly factory: EventFactory;
  private bus!: EventBus;
  private sink!: FanOutSink;
  private storage: StorageSinks | null = null;
  private http!: HttpApiServer;
  private channels!: ChannelServer;
  private observer!: DaemonObserver;
  private venue: VenueSimulator | null = null;
  private feed: MarketFeed | null = null;
  private world: WorldRuntime | null = null;
  private worldActors: AnyActorRef[] = [];
  private truth: TruthRuntime | null = null;
  private trading: TradingRuntime | null = null;
  private paper: PaperExecutionAdapter | null = null;
  private router: TradingRouter | null = null;
  private routerSub: Subscription | null = null;
  private routerGroup: string | null = null;
  private node: TradingNode | null = null;
  private inspectorServer: InspectorServer | null = null;
  private inspectorClient: { stop(): void } | null = null;
  private timeline: SharedSimTimeline | null = null;
  private universe: SimUniverse = { markets: [], buckets: new Map() };
  /** Match plans of each truth component life (from its start to its stop): the faults it injects. */
  private readonly truthPlans: Array<{ plans: SimMatchPlan[]; from: number; to: number | null }> = [];
  /** Trading session of the latest trading start (client order id range), null before it. */
  private session: number | null = null;
  private startedAt = 0;
  private root: Actor<typeof systemMachine> | null = null;
  private readonly loopLag = new EventLoopLag();
  private healthTimer: NodeJS.Timeout | null = null;
  private lastLoopLag = { p50_ms: 0, p99_ms: 0, max_ms: 0 };
  private errors = 0;
  private readonly components: Component[] = [];
  private readonly started = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  private finalSummary: RunSummary | null = null;
  private resolveStopped!: (code: number) => void;
  readonly stopped: Promise<number> = new Promise((r) => (this.resolveStopped = r));
  private stopping = false;
  url = '';

  constructor(private readonly opts: DaemonOptions) {
    const start = Date.now();
    this.clock = opts.mode === 'sim' ? new PacedClock(start, opts.speed) : new SystemClock();
    this.factory = new EventFactory(this.clock, ulidGenerator(seededRng(opts.config.app.seed ^ hash32('daemon'))));
  }

  private get log(): Logger {
    return this.opts.logger;
  }

  private get role(): DaemonRole {
    return this.opts.role ?? 'all';
  }

  private get shard(): Shard {
    return this.opts.shard ?? ALL_MARKETS;
  }

  /** The markets this process trades (its shard's), or, in a feeds process, every market it carries. */
  private get localMarkets(): UniverseMarket[] {
    return this.role === 'feeds' ? this.universe.markets : this.universe.markets.filter((m) => ownsMarket(this.shard, m.spec.market_id));
  }

  reportError(component: string, err: unknown): void {
    this.errors++;
    this.metrics.errorsTotal.inc({ component });
    this.log.error({ component, err: err instanceof Error ? err.message : String(err) }, `${component} error`);
  }

  async start(): Promise<void> {
    const { config } = this.opts;
    if (config.execution.adapter === 'real') {
      throw new RealOrdersRefused('real order placement is not available in this version; set execution.adapter to paper');
    }
    if (this.role !== 'all' && config.bus.kind !== 'redis') {
      throw new Error(`role ${this.role} needs the Redis Streams bus (--redis URL): other processes read what it publishes`);
    }
    if (this.clock instanceof PacedClock) {
      if (this.role !== 'all') await this.joinSimTimeline(this.clock);
      this.clock.startPacing();
    }
    this.startedAt = this.clock.now();

    this.bus = await createBus(config.bus, this.clock, {
      onError: (e) => this.log.warn({ err: e.message }, 'bus error'),
      onMalformed: (m) => this.reportError('bus', new Error(`malformed entry on ${m.topic}: ${m.reason}`)),
      onHalt: (topic, event) => {
        this.log.error({ topic }, 'bus backpressure: halting the affected market');
        this.sink.emit(this.factory.make('HALT', { scope: event.market_id ? 'market' : 'global', reason: `backpressure on ${topic}` }, event.market_id ? { market_id: event.market_id } : {}));
      },
    });
    this.observer = new DaemonObserver(config.daemon.staleness_ms, this.metrics);
    this.sink = new FanOutSink(new BusSink(this.bus), this.observer);

    // API first, so /health answers while the rest starts.
    this.http = new HttpApiServer({
      host: config.api.host,
      port: this.opts.apiPort ?? config.api.port,
      maxBodyBytes: config.api.max_body_bytes,
      token: this.opts.secrets.api_token,
      api: this.api(),
      logger: this.log,
    });
    this.channels = new ChannelServer(this.http.server, {
      path: config.api.ws_path,
      maxFrameBytes: config.api.ws_max_frame_bytes,
      maxBufferedBytes: config.api.ws_max_buffered_bytes,
      slowPolicy: config.api.ws_slow_policy,
      maxClients: config.api.ws_max_clients,
      logger: this.log,
    });
    this.sink.add(this.channels);
    this.url = await this.http.listen();

    this.storage = createStorageSinks({
      config: config.storage,
      dataDir: this.opts.dataDir,
      clock: this.clock,
      ids: ulidGenerator(seededRng(config.app.seed ^ hash32('recorder'))),
      secrets: this.opts.secrets,
      logger: this.log,
      publish: new FanOutSink(new BusSink(this.bus), this.channels),
    });
    this.sink.add(this.storage);

    this.buildComponents();
    this.root = createActor(
      systemMachine.provide({
        actors: {
          supervisor: supervisorMachine.provide({
            actors: { child: fromPromise<void, { name: string }>(({ input, signal }) => this.runComponent(input.name, signal)) },
          }),
        },
      }),
      {
        clock: this.clock,
        input: { components: this.components.map((c) => c.name), policy: config.daemon.restart, now: () => this.clock.now() },
        inspect: this.opts.inspect ? await this.inspector() : undefined,
      },
    );
    this.root.subscribe({
      next: (s) => {
        if (s.status === 'done' && s.output?.exitCode === 3) {
          this.log.fatal({ failed: s.output.failed }, 'a component exhausted its restarts: exiting');
          void this.stop(3);
        }
      },
      error: (err) => {
        this.reportError('system', err);
        void this.stop(3);
      },
    });
    this.root.start();

    this.healthTimer = setInterval(() => this.publishHealth(), config.daemon.health_interval_ms);
    this.healthTimer.unref();
  }

  /** Processes of a simulated scale-out share one virtual timeline (see SharedSimTimeline). */
  private async joinSimTimeline(clock: PacedClock): Promise<void> {
    const { bus } = this.opts.config;
    this.timeline = await SharedSimTimeline.join(bus.redis_url!, `${bus.stream_prefix}:sim_timeline`, { origin_ms: Date.now(), speed: this.opts.speed }, SIM_TIMELINE_TTL_MS);
    clock.set(Math.max(clock.now(), this.timeline.virtualAt(Date.now())));
    this.log.info({ ...this.timeline.timeline }, 'joined the scale-out simulated timeline');
  }

  private async inspector() {
    const { createWebSocketInspector } = await import('@statelyai/inspect');
    // Next to the API port when it is fixed, otherwise (or when that one is taken) any free port.
    const apiPort = this.opts.apiPort ?? this.opts.config.api.port;
    const host = '127.0.0.1';
    this.inspectorServer = await startInspectorServer({ host, port: apiPort === 0 ? 0 : apiPort + 1 }).catch((err: Error) => {
      this.log.warn({ err: err.message }, 'inspector port next to the API is taken: using any free port');
      return startInspectorServer({ host, port: 0 });
    });
    const inspector = createWebSocketInspector({
      url: this.inspectorServer.wsUrl,
      // Secrets never reach the inspector; book deltas never become events anyway.
      sanitizeContext: (ctx: unknown) => JSON.parse(JSON.stringify(ctx ?? null, (k, v) => (/secret|token|key|password/i.test(k) ? '[REDACTED]' : v))),
      filter: (ev: { type?: string }) => ev.type !== '@xstate.microstep',
    } as never);
    this.inspectorClient = inspector;
    this.log.info({ url: this.inspectorServer.url }, `XState inspector listening on ${this.inspectorServer.url}`);
    return inspector.inspect;
  }

  private async runComponent(name: string, signal: AbortSignal): Promise<void> {
    const component = this.components.find((c) => c.name === name)!;
    for (const dep of component.after ?? []) await this.startedSignal(dep).promise;
    await component.stop().catch(() => {});
    await component.start();
    if (signal.aborted || this.stopping) {
      // Shut down while starting: the daemon's stop already ran this component's stop (on nothing).
      await component.stop().catch((err) => this.reportError(name, err));
      return;
    }
    this.startedSignal(name).resolve();
    this.log.info({ component: name }, 'component started');
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  private startedSignal(name: string): { promise: Promise<void>; resolve: () => void } {
    let entry = this.started.get(name);
    if (!entry) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      entry = { promise, resolve };
      this.started.set(name, entry);
    }
    return entry;
  }

  private buildComponents(): void {
    const { config, mode } = this.opts;
    const seed = config.app.seed;
    const rngFactory = (name: string) => ulidGenerator(seededRng(seed ^ hash32(name)));
    const componentFactory = (name: string) => new EventFactory(this.clock, rngFactory(name));

    // Esports truth (simulated matches in sim mode) decides the universe's esports markets.
    const truthSim = simulatedTruth(seed, config.truth_engine, this.clock);
    this.universe = mode === 'sim' ? buildSimUniverse(config, truthSim.matches) : { markets: [], buckets: new Map() };
    if (mode === 'live') {
      this.log.warn('live mode: market data from Polymarket with paper execution; no markets are traded until discovery selects them');
    }

    // Sim mode hosts its own venue simulator unless someone else does (a soak harness) on market_tape's URLs.
    const embeddedVenue = mode === 'sim' && config.daemon.sim.venue === 'embedded';
    if (embeddedVenue) {
      this.components.push({
        name: 'venue-sim',
        start: async () => {
          this.venue = new VenueSimulator({ seed, markets: this.universe.markets.map((m) => m.venue) });
          const { wsUrl, restUrl } = await this.venue.start();
          this.venueUrls = { ws: wsUrl, rest: restUrl };
          this.venue.run(config.daemon.sim.venue_events_per_s);
        },
        stop: async () => {
          await this.venue?.stop();
          this.venue = null;
        },
      });
    }

    this.components.push({
      name: 'market-feed',
      after: embeddedVenue ? ['venue-sim'] : [],
      start: async () => {
        const tape = embeddedVenue ? { ...config.market_tape, ws_url: this.venueUrls!.ws, rest_url: this.venueUrls!.rest } : config.market_tape;
        this.feed = new MarketFeed({
          config: tape,
          clock: this.clock,
          seed,
          sink: this.sink,
          events: componentFactory('market-feed'),
          desired: createDesiredSet({ ...tape.desired_set, kind: 'in_memory' }, null),
          logger: this.log,
        });
        await this.feed.start();
        const tokens = this.universe.markets.flatMap((m) => [m.spec.yes_token, m.spec.no_token]);
        if (tokens.length) await this.feed.subscribe(tokens);
      },
      stop: async () => {
        await this.feed?.stop();
        this.feed = null;
      },
    });

    this.components.push({
      name: 'world',
      start: async () => {
        this.world = await createWorldRuntime({
          config: config.weather,
          seed,
          clock: this.clock,
          sink: this.sink,
          events: componentFactory('world'),
          secrets: this.opts.secrets,
          logger: this.log,
        });
        for (const [station, buckets] of this.universe.buckets) this.world.feed.setBuckets(station, buckets);
        this.world.feed.start();
        this.worldActors = this.world.sources.map((s) => {
          const actor = createActor(s.logic, { clock: this.clock } as never);
          actor.subscribe({ error: (err) => this.reportError('world', err) });
          actor.start();
          return actor;
        });
      },
      stop: async () => {
        for (const a of this.worldActors) a.stop();
        this.worldActors = [];
        await this.world?.stop();
        this.world = null;
      },
    });

    this.components.push({
      name: 'truth',
      start: async () => {
        const sim = simulatedTruth(seed, config.truth_engine, this.clock);
        this.truth = new TruthRuntime({ config: config.truth_engine, clock: this.clock, sink: this.sink, events: componentFactory('truth'), logger: this.log, sources: sim.sources });
        for (const m of sim.matches) this.truth.addMatch(m);
        this.truth.start();
        if (mode === 'sim') this.truthPlans.push({ plans: sim.plans, from: this.clock.now(), to: null });
      },
      stop: async () => {
        const life = this.truthPlans.at(-1);
        if (life && life.to === null) life.to = this.clock.now();
        await this.truth?.stop();
        this.truth = null;
      },
    });

    this.components.push({
      name: 'trading',
      start: async () => {
        // A trading-only process has no feed: its books are rebuilt from the bus.
        const tradingOnly = this.role === 'trading';
        // A new session per trading start: its client order ids differ from every earlier one's.
        this.session = nextSession(this.opts.dataDir, this.log);
        this.node = new TradingNode({
          config,
          clock: this.clock,
          sink: this.sink,
          events: componentFactory('trading'),
          markets: this.localMarkets,
          feedBook: tradingOnly ? undefined : (t) => this.feed?.book(t)?.book ?? null,
          observe: tradingOnly ? this.observer : undefined,
          seqBase: sessionSeqBase(this.session),
          onError: (err) => this.reportError('trading-router', err),
        });
        this.paper = this.node.paper;
        this.trading = this.node.runtime;
        this.router = this.node.router;
        await this.node.start();
        // Each shard is its own consumer group: global topics (control, nowcast) reach every shard.
        const group = tradingOnly ? `trading-${this.shard.index}-of-${this.shard.count}` : 'trading';
        this.routerGroup = group;
        this.routerSub = this.bus.subscribe({ group, consumer: tradingOnly ? `trading-${this.shard.index}` : 'trading-0', topics: this.node.topics(), start: 'latest' });
        this.node.consume(this.routerSub);
      },
      stop: async () => {
        await this.node?.stop();
        this.node = null;
        this.routerSub = null;
        this.router = null;
        this.trading = null;
      },
    });

    // Scale-out roles keep their half of the components.
    const feedSide = new Set(['venue-sim', 'market-feed', 'world', 'truth']);
    const kept = this.components.filter((c) => (this.role === 'trading' ? !feedSide.has(c.name) : this.role === 'feeds' ? c.name !== 'trading' : true));
    this.components.splice(0, this.components.length, ...kept);
    if (this.role !== 'all') this.log.info({ role: this.role, shard: formatShard(this.shard), markets: this.localMarkets.length }, `scale-out role ${this.role}`);
  }

  private venueUrls: { ws: string; rest: string } | null = null;

  private lastBacklog: Record<string, number> = {};

  /** Backlog of the trading consumer group per topic it reads (bus_backlog{topic}). */
  private async refreshBacklog(): Promise<void> {
    const topics = this.node?.topics() ?? [];
    const group = this.routerGroup;
    if (!group || !this.bus) return;
    const out: Record<string, number> = {};
    for (const topic of topics) {
      const n = await this.bus.backlog(topic, group).catch(() => 0);
      out[topic] = n;
      this.metrics.busBacklog.set({ topic }, n);
    }
    this.lastBacklog = out;
  }

  private publishHealth(): void {
    void this.refreshBacklog();
    this.lastLoopLag = this.loopLag.read();
    this.metrics.eventLoopLagMs.set(this.lastLoopLag.p99_ms);
    const now = this.clock.now();
    const staleness = this.observer.staleness.staleness(now);
    for (const [feed, ms] of Object.entries(staleness)) if (ms !== null) this.metrics.feedStalenessMs.set({ feed }, ms);
    const feedMetrics = this.feed?.metrics();
    const reconnects = feedMetrics ? feedMetrics.connections.reduce((n, c) => n + (c as { disconnects?: number }).disconnects!, 0) || 0 : 0;
    this.sink.emit(
      this.factory.make('HEALTH', {
        ready: this.isReady(),
        staleness_ms: staleness,
        stage_latency_ms: { ...this.observer.stageLatencyMs },
        event_loop_lag_ms: Math.round(this.lastLoopLag.p99_ms * 1000) / 1000,
        bus_backlog: { ...this.lastBacklog },
        reconnects,
        resyncs: this.observer.counters.resyncs,
      }),
    );
  }

  private isReady(): boolean {
    if (this.role === 'trading') return (this.node?.mirroredTokensSynced() ?? 0) > 0 && !this.observer.staleness.stale(this.clock.now()).includes('market');
    return !!this.feed && this.feed.books().some((b) => b.synced) && this.observer.staleness.stale(this.clock.now()).length === 0;
  }

  summary(): RunSummary {
    if (this.finalSummary) return this.finalSummary;
    const feedMetrics = this.feed?.metrics();
    return {
      kind: 'run_summary',
      markets: this.localMarkets.length,
      tokens_synced: this.feed ? this.feed.books().filter((b) => b.synced).length : (this.node?.mirroredTokensSynced() ?? 0),
      orders: this.observer?.counters.orders ?? 0,
      fills: this.observer?.counters.fills ?? 0,
      realized_pnl: this.observer?.realizedPnl() ?? 0,
      reconnects: feedMetrics ? feedMetrics.connections.reduce((n, c) => n + ((c as { disconnects?: number }).disconnects ?? 0), 0) : 0,
      resyncs: this.observer?.counters.resyncs ?? 0,
      errors: this.errors,
    };
  }

  /**
   * Graceful shutdown: stop supervising, cancel open orders, stop feeds, flush the journal, drain
   * the bus, close the API. Bounded by daemon.shutdown_timeout_ms.
   */
  async stop(code = 0): Promise<number> {
    if (this.stopping) return this.stopped;
    this.stopping = true;
    this.finalSummary = this.summary();
    const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.opts.config.daemon.shutdown_timeout_ms).unref());
    const work = (async () => {
      if (this.healthTimer) clearInterval(this.healthTimer);
      this.root?.send({ type: 'SHUTDOWN' });
      await this.cancelOpenOrders();
      for (const c of [...this.components].reverse()) {
        await c.stop().catch((err) => this.reportError(c.name, err));
      }
      await this.storage?.flush();
      await this.storage?.close();
      await this.bus?.drain();
      await this.bus?.close();
      await this.channels?.close();
      await this.http?.close();
      this.inspectorClient?.stop();
      await this.inspectorServer?.close();
      await this.timeline?.close();
      if (this.clock instanceof PacedClock) this.clock.stopPacing();
      this.loopLag.stop();
    })();
    const outcome = await Promise.race([work.then(() => 'done' as const), deadline]);
    if (outcome === 'timeout') this.log.error('shutdown did not finish within daemon.shutdown_timeout_ms');
    this.resolveStopped(outcome === 'timeout' && code === 0 ? 3 : code);
    return this.stopped;
  }

  private async cancelOpenOrders(): Promise<void> {
    const adapter = this.paper;
    if (!adapter) return;
    const open = await adapter.fetchOpenOrders().catch(() => []);
    await Promise.all(open.map((o) => adapter.cancelOrder(o.client_order_id).catch(() => undefined)));
  }

  private api(): DaemonApi {
    return {
      health: async (): Promise<HealthReport> => ({
        live: true,
        ready: this.isReady(),
        mode: this.opts.mode,
        staleness_ms: this.observer?.staleness.staleness(this.clock.now()) ?? {},
        stale_feeds: this.observer?.staleness.stale(this.clock.now()) ?? [],
        event_loop_lag_ms: this.lastLoopLag,
        bus: this.bus?.stats() ?? null,
        summary: this.summary(),
      }),
      metrics: async () => ({ contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() }),
      subscriptions: async () => ({
        desired: this.feed ? [...this.feed.assigned()].sort() : [],
        subscribed: this.feed ? [...this.feed.subscribed()].sort() : [],
      }),
      reconcilerMetrics: async () => this.feed?.metrics().reconciler ?? null,
      forceReconcile: async () => (this.feed ? this.feed.forceReconcile() : { error: 'market feed not running' }),
      stats: async () => ({
        summary: this.summary(),
        counters: this.observer?.counters,
        bus: this.bus?.stats(),
        channels: this.channels?.stats,
        router: this.router?.stats ?? null,
        session: this.session,
        ...(this.opts.mode === 'sim' ? { sim_faults: this.simFaults(), sim_faults_since_ms: this.startedAt } : {}),
      }),
      books: async (tokenId?: string) => ({ books: this.bookDepths(tokenId) }),
      markets: async () =>
        this.localMarkets.map((m) => {
          const snap = this.trading?.marketSnapshot(m.spec.market_id);
          return { market_id: m.spec.market_id, fair_source: m.spec.fair_source.kind, match_id: m.match_id, station_id: m.station_id, state: snap?.state ?? null };
        }),
      halt: async (r: HaltRequest) => this.control('HALT', r),
      resume: async (r: HaltRequest) => this.control('RESUME', r),
    };
  }

  /**
   * Books of the market feed, or in a trading-only process the books rebuilt from the bus; sorted
   * by token, only `tokenId` when given.
   */
  private bookDepths(tokenId?: string): BookDepth[] {
    if (this.feed) {
      return this.feed
        .books()
        .filter((s) => tokenId === undefined || s.asset_id === tokenId)
        .map((s) => bookDepth(s.asset_id, s.synced, s.book));
    }
    const mirror = this.node?.mirror;
    if (!mirror) return [];
    return mirror
      .tokens()
      .filter((t) => tokenId === undefined || t === tokenId)
      .map((t) => bookDepth(t, mirror.synced(t), mirror.book(t)));
  }

  /**
   * Faults the simulators of this process injected that have begun on its clock since it started:
   * truth from the plans each truth component life used, weather from the outage schedule.
   */
  private simFaults(): TruthFaultCounts & { weather_stale: number } {
    const now = this.clock.now();
    const truth: TruthFaultCounts = { truth_conflict: 0, truth_stale: 0, truth_ws_drop: 0, truth_invalidation: 0 };
    for (const life of this.truthPlans) {
      const begun = truthFaultsBegun(life.plans, life.from, Math.min(now, life.to ?? now));
      for (const k of Object.keys(truth) as Array<keyof TruthFaultCounts>) truth[k] += begun[k];
    }
    const runsWorld = this.role !== 'trading';
    return { ...truth, weather_stale: runsWorld ? weatherOutagesBegun(this.opts.config.weather, this.opts.config.app.seed, this.startedAt, now) : 0 };
  }

  private control(type: 'HALT' | 'RESUME', r: HaltRequest) {
    const event = this.factory.make(type, { scope: r.scope, reason: r.reason }, r.market_id ? { market_id: r.market_id } : {});
    this.sink.emit(event);
    return { accepted: true, event_id: event.event_id, type, scope: r.scope, market_id: r.market_id ?? null };
  }
}

export class RealOrdersRefused extends Error {}

/** How long a simulated scale-out's timeline outlives its last process (a restart rejoins it). */
const SIM_TIMELINE_TTL_MS = 60_000;
