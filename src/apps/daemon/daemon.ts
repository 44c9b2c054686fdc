import type { Logger } from '../../adapters/log/logger.ts';
import { createActor, fromPromise, type Actor } from 'xstate';
import { openBus } from '../../adapters/bus/create-bus.ts';
import { BusSink } from '../../adapters/bus/bus-sink.ts';
import { PacedClock } from '../../adapters/clock/paced-clock.ts';
import { SystemClock } from '../../adapters/clock/system-clock.ts';
import { createMetrics, type Metrics } from '../../adapters/metrics/metrics.ts';
import { ACTIONS_DISABLED } from '../../adapters/api/auth.ts';
import { HttpApiServer } from '../../adapters/api/http-server.ts';
import { ChannelServer, channelServerOptions } from '../../adapters/api/channel-server.ts';
import { DashboardFiles, type GlobalRiskNow } from '../dashboard/static-files.ts';
import { RecentEvents } from '../dashboard/recent-events.ts';
import { machineGraphs } from '../dashboard/machine-graphs.ts';
import { SharedSimTimeline } from '../../adapters/bus/sim-timeline.ts';
import { DataDirLock } from '../../adapters/storage/data-dir-lock.ts';
import { assertSessionCounterUsable } from '../../adapters/storage/session-counter.ts';
import { readPaperState } from '../../adapters/storage/paper-state-file.ts';
import { readRetiredMarkets } from '../../adapters/storage/retired-markets-file.ts';
import { createStorageSinks, type StorageSinks } from '../../adapters/storage/storage-sinks.ts';
import { EventFactory } from '../../domain/events/factory.ts';
import { ulidGenerator } from '../../domain/events/ids.ts';
import { FanOutSink } from '../../domain/events/sink.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { hash32, seededRng } from '../../domain/util/random.ts';
import { formatShard } from '../../domain/scale-out/shard.ts';
import { supervisorMachine } from '../../machines/supervisor/supervisor.machine.ts';
import { systemMachine } from '../../machines/system/system.machine.ts';
import { simulatedTruth } from '../../sim/esports/simulated-truth.ts';
import { buildSimUniverse } from '../../sim/sim-universe.ts';
import { simWeatherDaysComponent } from './components/sim-weather-days.ts';
import { daemonApi } from './api.ts';
import { ComponentSet } from './component.ts';
import { DaemonContext } from './context.ts';
import { DaemonHealth } from './health.ts';
import { startDaemonInspector, type DaemonInspector } from './inspector.ts';
import { DaemonObserver } from './observer.ts';
import { logStartupSummary, logStatus, OperatorLog } from './operator-log.ts';
import { SourceErrors } from './source-errors.ts';
import { mergeMarketCatalog, readMarketCatalog, writeMarketCatalog, type MarketBucket } from '../../adapters/storage/market-catalog.ts';
import { JudgeCalendar } from '../../domain/weather/judge-calendar.ts';
import { layoutOf, type UniverseMarket } from '../../domain/trading/universe.ts';
import { type DaemonOptions, type RunSummary } from './options.ts';
import { PortUnavailable } from '../../adapters/net/listen.ts';
import { cancelEverythingAtVenue, openDaemonExecution } from './real-execution.ts';
import { tradesOnPaper } from './paper-state.ts';
import { marketFeedComponent } from './components/market-feed.ts';
import { tradingComponent } from './components/trading.ts';
import { truthComponent } from './components/truth.ts';
import { venueSimComponent } from './components/venue-sim.ts';
import { worldComponent } from './components/world.ts';
import { discoveryComponent } from './components/discovery.ts';
import { simMatchRoundsComponent } from './components/sim-match-rounds.ts';
import { retirementsComponent } from './components/retirements.ts';
import { HeapBudget } from './heap-budget.ts';
import { holdForJournal } from './journal-pacing.ts';
import { SimPaceWatch } from './sim-pace.ts';

export { ExecutionConfigError, RealOrdersRefused, type DaemonOptions, type DaemonRole, type RunSummary } from './options.ts';

/** Components that carry data into the bus; a trading-only process runs none of them. */
const FEED_SIDE: ReadonlySet<string> = new Set(['venue-sim', 'market-feed', 'world', 'truth']);
/** Components that change the universe at run time (the others follow it). */
const UNIVERSE_CHANGERS: ReadonlySet<string> = new Set(['discovery', 'sim-weather-days', 'sim-match-rounds']);

/**
 * The composition root: builds the clock, bus, sinks and API, chooses the components (simulators
 * or real sources, by mode and role), wires real IO into the root system machine with `.provide()`
 * and runs every component under its supervisors. Start order: API, storage, components (each after
 * the ones it needs); stop order is the reverse. `stopped` resolves with the process exit code.
 */
export class Daemon {
  readonly clock: Clock;
  readonly metrics: Metrics = createMetrics();
  readonly factory: EventFactory;
  private readonly ctx: DaemonContext;
  private readonly health: DaemonHealth;
  private readonly components: ComponentSet;
  private storage: StorageSinks | null = null;
  private http: HttpApiServer | null = null;
  private channels: ChannelServer | undefined;
  private inspector: DaemonInspector | null = null;
  private timeline: SharedSimTimeline | null = null;
  private root: Actor<typeof systemMachine> | null = null;
  private lock: DataDirLock | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private readonly heapBudget: HeapBudget;
  /** The shutdown deadline passed with a step still under way (it is left running): the process should end at once. */
  shutdownAbandoned = false;
  private resolveStopped!: (code: number) => void;
  readonly stopped: Promise<number> = new Promise((r) => (this.resolveStopped = r));
  url = '';

  constructor(private readonly opts: DaemonOptions) {
    const { sim } = opts.config.daemon;
    const start = opts.mode === 'sim' && sim.start_at !== null ? Date.parse(sim.start_at) : Date.now();
    const paced = opts.mode === 'sim' ? new PacedClock(start, opts.speed, { budgetMs: sim.pace_budget_ms }) : null;
    this.clock = paced ?? new SystemClock();
    this.factory = new EventFactory(this.clock, ulidGenerator(seededRng(opts.config.app.seed ^ hash32('daemon'))));
    this.ctx = new DaemonContext(opts, this.clock, this.metrics);
    const simPace = paced
      ? new SimPaceWatch({ lagMs: () => paced.lagMs(), maxLagMs: sim.max_lag_ms, caughtUpLagMs: sim.caught_up_lag_ms, metrics: this.metrics, factory: this.factory, sink: () => this.ctx.sink })
      : null;
    this.health = new DaemonHealth(this.ctx, this.factory, simPace);
    this.heapBudget = new HeapBudget(opts.config.daemon.heap_budget_mb);
    this.components = new ComponentSet(opts.logger, (c, e) => this.ctx.reportError(c, e), () => this.ctx.stopping);
  }

  reportError(component: string, err: unknown): void {
    this.ctx.reportError(component, err);
  }

  async start(): Promise<void> {
    const { config } = this.opts;
    const ctx = this.ctx;
    if (ctx.role !== 'all' && config.bus.kind !== 'redis') {
      throw new Error(`role ${ctx.role} needs the Redis Streams bus (--redis URL): other processes read what it publishes`);
    }
    if (ctx.role !== 'all' && this.opts.mode === 'sim' && config.daemon.sim.start_at !== null) {
      throw new Error(`role ${ctx.role}: daemon.sim.start_at applies to a single process (a scale-out's processes share one simulated timeline from now); set it to null`);
    }
    // One writer per data directory (DataDirLocked names the holder), with a usable session counter.
    this.lock = DataDirLock.acquire(this.opts.dataDir, Date.now());
    assertSessionCounterUsable(this.opts.dataDir);
    // A paper state that cannot be read stops the start (PaperStateError): trading flat over it
    // would forget positions and the day's losses, and the first save would overwrite it.
    if (tradesOnPaper(ctx)) readPaperState(this.opts.dataDir);
    // A feeds process neither lists nor subscribes what its trading shards retired (RetiredMarketsError: unreadable).
    const retiredRecord = ctx.role === 'feeds' ? readRetiredMarkets(this.opts.dataDir) : null;
    for (const id of retiredRecord ?? []) ctx.retiredMarkets.add(id);
    this.heapBudget.start();

    ctx.bus = openBus(config.bus, this.clock, {
      onError: busErrorLog(ctx.log, () => this.clock.now(), config.daemon.source_error_log_interval_ms),
      onNotice: (message) => ctx.log.info({ detail: message }, 'bus notice'),
      onMalformed: (m) => ctx.reportError('bus', new Error(`malformed entry on ${m.topic}: ${m.reason}`)),
      onHalt: (topic, event) => {
        ctx.log.error({ topic }, 'bus backpressure: halting the affected market');
        ctx.sink.emit(this.factory.make('HALT', { scope: event.market_id ? 'market' : 'global', reason: `backpressure on ${topic}` }, event.market_id ? { market_id: event.market_id } : {}));
      },
    });
    ctx.observer = new DaemonObserver(config.daemon.staleness_ms, this.metrics, config.daemon.stage_latency_samples, () => ctx.judgedFeeds());
    ctx.sourceErrors = new SourceErrors({
      log: ctx.log,
      metrics: this.metrics,
      now: () => this.clock.now(),
      countError: () => void ctx.errors++,
      logEveryMs: config.daemon.source_error_log_interval_ms,
    });
    ctx.sink = new FanOutSink(new BusSink(ctx.bus), ctx.observer, new OperatorLog(ctx.log));

    // API first, so /health answers while the rest starts.
    const recent = new RecentEvents({ order_updates: config.api.dashboard_backlog_order_updates, fills: config.api.dashboard_backlog_fills });
    ctx.sink.add(recent);
    const apiPort = this.opts.apiPort ?? config.api.port;
    this.http = new HttpApiServer({
      host: config.api.host,
      port: apiPort,
      maxBodyBytes: config.api.max_body_bytes,
      allowedHosts: config.api.allowed_hosts,
      token: this.opts.secrets.api_token,
      api: daemonApi(ctx, this.health, this.factory, () => this.channels),
      logger: ctx.log,
      fallback: new DashboardFiles({ mode: `${this.opts.mode} · ${config.execution.adapter}`, replay_controls: false, actions_refused: this.opts.secrets.api_token ? null : ACTIONS_DISABLED, staleness_ms: config.daemon.staleness_ms }, { recent, graphs: () => machineGraphs(config), dataDir: this.opts.dataDir, retiredMarkets: () => ctx.retiredMarkets, risk: () => globalRiskNow(ctx) }).answer,
    });
    this.channels = new ChannelServer(this.http.server, {
      ...channelServerOptions(config.api, ctx.log),
      // Read at each subscribe: live discovery adds markets while the daemon runs.
      knownMarket: (id) => ctx.universe.markets.some((m) => m.spec.market_id === id),
      knownStation: (id) => config.weather.stations.some((s) => s.id === id),
    });
    ctx.sink.add(this.channels);
    ctx.dashboard = new FanOutSink(recent, this.channels);
    this.url = await this.http.listen().catch((err: unknown) => {
      throw PortUnavailable.from(err, 'the API', config.api.host, apiPort);
    });
    // /health answers (bus down, and why) while a Redis server is awaited; none within the time: exit 3.
    await ctx.bus.whenConnected(config.bus.startup_timeout_ms);
    // Only now: the timeline lives on the server just awaited (an unanswering one is the exit above,
    // with its reason), and nothing has read the clock for an event yet.
    if (this.clock instanceof PacedClock) {
      // A scale-out's processes pace to their shared timeline (and measure their lag against it).
      const timeline = ctx.role !== 'all' ? await this.joinSimTimeline(this.clock) : null;
      this.clock.startPacing(timeline ? () => timeline.virtualAt(Date.now()) : undefined);
    }
    ctx.startedAt = this.clock.now();

    this.storage = createStorageSinks({
      config: config.storage,
      dataDir: this.opts.dataDir,
      clock: this.clock,
      ids: ulidGenerator(seededRng(config.app.seed ^ hash32('recorder'))),
      secrets: this.opts.secrets,
      logger: ctx.log,
      publish: new FanOutSink(new BusSink(ctx.bus), this.channels),
      provenance: this.opts.mode === 'live' ? 'live' : 'simulator',
    });
    ctx.sink.add(this.storage);
    if (this.clock instanceof PacedClock && this.storage.recorder) holdForJournal(this.clock, this.storage.recorder, config.daemon.sim.hold_at_journal_backlog);

    this.buildComponents({ retirementsRecorded: retiredRecord !== null });
    // Real execution: gate, session, reconciliation, all before the first decision (throws: no trading).
    ctx.execution = await openDaemonExecution(ctx, this.factory);
    await this.recordMarketCatalog();
    // Discovered markets are recorded as they enter, one rewrite at a time.
    let catalogWrite = Promise.resolve();
    ctx.universeListeners.add((change) => {
      if (change.added.length > 0) catalogWrite = catalogWrite.then(() => this.recordMarketCatalog()).catch((err) => ctx.reportError('discovery', err));
      for (const m of change.retired) ctx.observer.retireMarket(m, ctx.liveMarkets());
    });
    this.root = createActor(
      systemMachine.provide({
        actors: {
          supervisor: supervisorMachine.provide({
            actors: { child: fromPromise<void, { name: string }>(({ input, signal }) => this.components.run(input.name, signal)) },
          }),
        },
      }),
      {
        clock: this.clock,
        input: { components: this.components.names(), policy: config.daemon.restart },
        inspect: this.opts.inspect ? await this.startInspector() : undefined,
      },
    );
    this.root.subscribe({
      next: (s) => {
        if (s.status === 'done' && s.output?.exitCode === 3) {
          ctx.log.fatal({ failed: s.output.failed }, 'a component exhausted its restarts: exiting');
          void this.stop(3);
        }
      },
      error: (err) => {
        ctx.reportError('system', err);
        void this.stop(3);
      },
    });
    this.root.start();
    this.health.start(config.daemon.health_interval_ms);
    logStartupSummary(ctx, this.url, this.inspector?.url ?? null);
    if (config.daemon.status_log_interval_ms > 0) {
      this.statusTimer = setInterval(() => logStatus(ctx), config.daemon.status_log_interval_ms);
      this.statusTimer.unref();
    }
  }

  /** Processes of a simulated scale-out share one virtual timeline (see SharedSimTimeline). */
  private async joinSimTimeline(clock: PacedClock): Promise<SharedSimTimeline> {
    const { bus } = this.opts.config;
    const log = this.ctx.log;
    this.timeline = await SharedSimTimeline.join(bus.redis_url!, `${bus.stream_prefix}:sim_timeline`, { origin_ms: Date.now(), speed: this.opts.speed }, SIM_TIMELINE_TTL_MS, {
      onWrittenBack: (timeline) => log.warn({ ...timeline }, 'the scale-out simulated timeline was missing from Redis (a restart that lost its data): written back'),
      onDiverged: (found, ours) =>
        log.error({ found, ours }, 'Redis holds another scale-out simulated timeline than this process runs on (a process started while it was missing): restart the processes of one of them'),
    });
    clock.set(Math.max(clock.now(), this.timeline.virtualAt(Date.now())));
    this.ctx.log.info({ ...this.timeline.timeline }, 'joined the scale-out simulated timeline');
    return this.timeline;
  }

  private async startInspector(): Promise<(event: unknown) => void> {
    this.inspector = await startDaemonInspector(this.opts.apiPort ?? this.opts.config.api.port, this.ctx.log);
    return this.inspector.inspect;
  }

  /** Chooses the components of this mode and role, in start order. */
  private buildComponents(o: { retirementsRecorded: boolean }): void {
    const { config, mode } = this.opts;
    const ctx = this.ctx;
    // Sim mode hosts its own venue simulator unless someone else does (a soak harness) on market_tape's URLs.
    const embeddedVenue = mode === 'sim' && config.daemon.sim.venue === 'embedded';
    if (mode === 'sim') {
      // Esports truth (simulated matches) decides the universe's esports markets. The embedded venue
      // lists the station's judge days as they come and resolves them, and a new round of matches
      // every daemon.sim.match_round_ms; a venue hosted elsewhere serves the start's markets only,
      // so its buckets stay undated and its matches are the start's.
      const matches = simulatedTruth(config.app.seed, config.truth_engine, this.clock).matches;
      const sim = buildSimUniverse(config, matches, this.clock.now(), { datedWeather: embeddedVenue });
      // The venue record is the simulator's alone: the rest of the daemon sees the markets as live mode does.
      ctx.universe = { markets: sim.markets.map(({ venue: _venue, ...m }) => m), layouts: sim.layouts };
      // The truth engine follows the matches of the universe's markets, each until its last market retires.
      ctx.liveMatches.push(...matches.filter((m) => sim.markets.some((u) => u.match_id === m.match_id)));
      ctx.simVenue = sim.markets.map((m) => m.venue);
      ctx.simWeather = embeddedVenue ? sim.weather : null;
      // The later match rounds count from where the start's matches do; a scale-out's processes from their shared timeline's origin.
      ctx.simMatchAnchorMs = embeddedVenue ? (config.truth_engine.simulator.anchor_ms ?? this.timeline?.timeline.origin_ms ?? this.clock.now()) : null;
    } else ctx.universe = { markets: [], layouts: [] };
    if (mode === 'live') {
      ctx.log.warn('live mode: market data from Polymarket with paper execution; no markets are traded until discovery selects them');
    }
    const all = [
      ...(embeddedVenue ? [venueSimComponent(ctx)] : []),
      marketFeedComponent(ctx, embeddedVenue),
      worldComponent(ctx),
      truthComponent(ctx),
      tradingComponent(ctx),
      // The trading shards' retirements reach a feeds process over the bus; elsewhere its own trading retires.
      ...(ctx.role === 'feeds' ? [retirementsComponent(ctx, { recorded: o.retirementsRecorded })] : []),
      // Live mode's universe comes from discovery, and the embedded venue's judge days from their
      // listing and its match rounds: started last, so every follower listens already.
      ...(mode === 'live' ? [discoveryComponent(ctx)] : []),
      ...(embeddedVenue ? [simWeatherDaysComponent(ctx), simMatchRoundsComponent(ctx)] : []),
    ];
    // Scale-out roles keep their half of the components.
    this.components.list.push(...all.filter((c) => (ctx.role === 'trading' ? !FEED_SIDE.has(c.name) : ctx.role === 'feeds' ? c.name !== 'trading' : true)));
    // Followers register for the universe's changes as they start: what changes it waits for them all.
    for (const changer of this.components.list.filter((c) => UNIVERSE_CHANGERS.has(c.name))) changer.after = this.components.names().filter((n) => !UNIVERSE_CHANGERS.has(n));
    if (ctx.role !== 'all') ctx.log.info({ role: ctx.role, shard: formatShard(ctx.shard), markets: ctx.localMarkets().length }, `scale-out role ${ctx.role}`);
  }

  /**
   * Every run records the markets it trades beside its journal, so a backtest of the recording
   * prices them as the run did. Merged with what the directory already lists (earlier runs'
   * markets stay findable for their ranges); this run's record wins for a market it also trades.
   */
  private async recordMarketCatalog(): Promise<void> {
    const mine = this.ctx.localMarkets().map((m) => ({ spec: m.spec, station_id: m.station_id, match_id: m.match_id, bucket: this.settlesOn(m) }));
    if (mine.length === 0) return;
    const earlier = await readMarketCatalog(this.opts.dataDir).catch((err: Error) => {
      this.ctx.log.warn({ err: err.message }, 'the market catalog of this data directory is unreadable: rewriting it with this run\'s markets');
      return null;
    });
    await writeMarketCatalog(this.opts.dataDir, mergeMarketCatalog(earlier ?? [], mine));
  }

  /** What a bucket market settles on: its discovered judge day, or (sim) its station's judge day at this start. */
  private settlesOn(m: UniverseMarket): MarketBucket | null {
    const fs = m.spec.fair_source;
    const station = this.opts.config.weather.stations.find((s) => s.id === m.station_id);
    const day = fs.kind === 'nowcast' ? (fs.judge_day ?? null) : null;
    const bucket = fs.kind === 'nowcast' && station ? layoutOf(this.ctx.universe, station.id, day)?.buckets.find((b) => b.label === fs.bucket_label) : undefined;
    if (!station || !bucket) return null;
    const judgeDay = day ?? new JudgeCalendar(station.tz, this.opts.config.weather.nowcast.judge_day).dayOf(this.clock.now());
    return { judge_day: judgeDay, lo_f: bucket.lo_f, hi_f: bucket.hi_f };
  }

  summary(): RunSummary {
    return this.health.summary();
  }

  /**
   * Graceful shutdown: stop supervising, cancel open orders, stop the components in reverse start
   * order, flush the journal, drain the bus, close the API. Bounded by daemon.shutdown_timeout_ms.
   */
  async stop(code = 0): Promise<number> {
    if (this.ctx.stopping) return this.stopped;
    this.ctx.stopping = true;
    this.health.freeze();
    if (this.statusTimer) clearInterval(this.statusTimer);
    const timeoutMs = this.opts.config.daemon.shutdown_timeout_ms;
    const deadlineAt = Date.now() + timeoutMs;
    const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    let undelivered = 0;
    // The step under way, named in the log if the deadline passes during it.
    let step = 'cancelling open orders';
    const work = (async () => {
      this.health.stop();
      this.heapBudget.stop();
      this.root?.send({ type: 'SHUTDOWN' });
      await this.cancelOpenOrders();
      step = 'stopping the components';
      await this.components.stopAll();
      this.ctx.execution?.stop();
      step = 'flushing and closing the journal';
      await this.storage?.flush();
      await this.storage?.close();
      // The journal is complete; the bus gets what is left of the time (a frozen Redis never drains).
      step = 'draining the bus';
      const report = await this.ctx.bus?.close({ timeoutMs: Math.max(0, deadlineAt - Date.now() - SHUTDOWN_MARGIN_MS) });
      undelivered = report?.undelivered ?? 0;
      if (undelivered > 0) this.ctx.log.error({ undelivered }, `the bus could not be drained: ${undelivered} events reached only the journal`);
      step = 'closing the API';
      await this.channels?.close();
      await this.http?.close();
      await this.inspector?.close();
      await this.timeline?.close();
      if (this.clock instanceof PacedClock) this.clock.stopPacing();
    })();
    const outcome = await Promise.race([work.then(() => 'done' as const), deadline]);
    if (outcome === 'timeout') {
      this.ctx.log.error({ step }, `shutdown did not finish within daemon.shutdown_timeout_ms (still ${step})`);
      // Nothing left open may keep the process alive (a socket to a frozen server, the API's clients),
      // nor the simulated world go on producing for a daemon that has given up on stopping it.
      void this.ctx.bus?.close({ timeoutMs: 0 });
      this.http?.server.closeAllConnections();
      if (this.clock instanceof PacedClock) this.clock.stopPacing();
      this.shutdownAbandoned = true;
    }
    this.lock?.release();
    this.resolveStopped(code === 0 && (outcome === 'timeout' || undelivered > 0) ? 3 : code);
    return this.stopped;
  }

  private async cancelOpenOrders(): Promise<void> {
    const node = this.ctx.trading?.node;
    // The run's record ends before the shutdown cancels: those follow no recorded input.
    await node?.endRecording();
    if (this.ctx.execution) await cancelEverythingAtVenue(this.ctx, this.ctx.execution);
    await node?.cancelPaperOrders();
  }
}

/** Of daemon.shutdown_timeout_ms, what is kept for closing the API after the bus. */
const SHUTDOWN_MARGIN_MS = 500;

/** How long a simulated scale-out's timeline outlives its last process (a restart rejoins it). */
const SIM_TIMELINE_TTL_MS = 60_000;

/**
 * What the bus reports going wrong (a failed XADD, a lost entry sent again), logged at once and
 * then at most every `everyMs` with how many came meanwhile: one warning per topic per flush while
 * Redis was down drowned the log. Not counted as errors: the bus retries them, and its going down
 * and coming back are logged by the health loop.
 */
function busErrorLog(log: Logger, now: () => number, everyMs: number): (err: Error) => void {
  let loggedAt = Number.NEGATIVE_INFINITY;
  let since = 0;
  return (err) => {
    since++;
    if (now() - loggedAt < everyMs) return;
    log.warn({ err: err.message, bus_errors_since_last_line: since }, 'bus error (retried)');
    loggedAt = now();
    since = 0;
  };
}

/** The trading node's global risk now (the dashboard's before any RISK_STATE); null in a process that hosts no trading. */
function globalRiskNow(ctx: DaemonContext): GlobalRiskNow | null {
  const risk = ctx.trading?.node.risk;
  return risk ? { state: risk.state, reason: risk.haltReason, size_scale: risk.sizeScale } : null;
}
