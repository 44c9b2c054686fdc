import { EventLoopLag } from '../../adapters/metrics/event-loop.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { DaemonContext } from './context.ts';
import type { RunSummary } from './options.ts';
import type { SimPaceReport, SimPaceWatch } from './sim-pace.ts';
import { roundDecimals } from '../../domain/util/decimals.ts';
import { MS_DECIMALS } from '../../adapters/metrics/decimal-gauge.ts';

/**
 * Readiness, the run summary and the periodic HEALTH event: feed staleness, stage latencies,
 * event-loop lag and the trading consumer group's backlog; in sim mode the simulated clock's lag.
 */
export class DaemonHealth {
  private readonly loopLag = new EventLoopLag();
  private timer: NodeJS.Timeout | null = null;
  private lastBacklog: Record<string, number> = {};
  private finalSummary: RunSummary | null = null;
  /** Reconnects already counted into ws_reconnects_total (the feed's own count restarts with it). */
  private countedReconnects = 0;
  /** The bus's state at the last health tick: its coming back is logged once, as its going down is. */
  private busWasUp = true;
  lastLoopLag = { p50_ms: 0, p99_ms: 0, max_ms: 0 };

  constructor(
    private readonly ctx: DaemonContext,
    private readonly factory: EventFactory,
    /** Sim mode's paced clock: how far it trails its pace (null in live mode). */
    private readonly simPace: SimPaceWatch | null = null,
  ) {
    ctx.metrics.dailyLossLimitUsdc.set(ctx.config.risk.daily_loss_limit_usdc);
    for (const [feed, ms] of Object.entries(ctx.config.daemon.staleness_ms)) ctx.metrics.feedStalenessThresholdMs.set({ feed }, ms);
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.publish(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.loopLag.stop();
  }

  /** Ready: the bus is up and the feeds this process needs are fresh (`daemon.optional_feeds` never gate it). */
  isReady(): boolean {
    const { ctx } = this;
    const now = ctx.clock.now();
    if (!ctx.bus?.health().up || !ctx.observer) return false;
    if (ctx.role === 'trading') return (ctx.trading?.node.mirroredTokensSynced() ?? 0) > 0 && !ctx.observer.staleness.stale(now).includes('market');
    const optional: ReadonlySet<string> = new Set(ctx.config.daemon.optional_feeds);
    return !!ctx.feed && ctx.feed.books().some((b) => b.synced) && ctx.observer.staleness.stale(now).every((f) => optional.has(f));
  }

  /** The simulated clock's lag and whether it is behind (null in live mode). */
  simPaceReport(): SimPaceReport | null {
    return this.simPace?.report() ?? null;
  }

  /** Freezes the summary: what a stopping daemon prints is what it had when the stop began. */
  freeze(): void {
    this.finalSummary = this.summary();
  }

  summary(): RunSummary {
    const { ctx } = this;
    // Known only once the trading component's final save ran, after the stop began.
    if (this.finalSummary) return { ...this.finalSummary, unconfirmed_fills_carried: ctx.unconfirmedFillsCarried };
    const feed = ctx.feed;
    return {
      kind: 'run_summary',
      // Retired markets left the universe; they were markets of this run all the same.
      markets: ctx.localMarkets().length + ctx.marketsRetiredHere,
      tokens_synced: feed ? feed.books().filter((b) => b.synced).length : (ctx.trading?.node.mirroredTokensSynced() ?? 0),
      orders: ctx.observer?.counters.orders ?? 0,
      fills: ctx.observer?.counters.fills ?? 0,
      realized_pnl: ctx.observer?.realizedPnl() ?? 0,
      reconnects: this.reconnects(),
      resyncs: ctx.observer?.counters.resyncs ?? 0,
      errors: ctx.errors,
      unconfirmed_fills_carried: ctx.unconfirmedFillsCarried,
    };
  }

  /** Tokens whose book is not synced: the feed's own books, or a trading process's mirrored ones (two per market). */
  private booksUnsynced(): number {
    const { ctx } = this;
    if (ctx.feed) return ctx.feed.books().filter((b) => !b.synced).length;
    return ctx.trading ? Math.max(0, ctx.liveMarkets().length * 2 - ctx.trading.node.mirroredTokensSynced()) : 0;
  }

  private reconnects(): number {
    const metrics = this.ctx.feed?.metrics();
    return metrics ? metrics.connections.reduce((n, c) => n + ((c as { disconnects?: number }).disconnects ?? 0), 0) : 0;
  }

  /** Backlog of the trading consumer group per topic it reads (bus_backlog{topic}). */
  private async refreshBacklog(): Promise<void> {
    const { ctx } = this;
    const part = ctx.trading;
    if (!part || !ctx.bus) return;
    const out: Record<string, number> = {};
    for (const topic of part.node.topics()) {
      const n = await ctx.bus.backlog(topic, part.group).catch(() => 0);
      out[topic] = n;
      ctx.metrics.busBacklog.set({ topic }, n);
    }
    // A topic no longer read (its market settled and left) loses its series rather than keeping its last value.
    for (const topic of Object.keys(this.lastBacklog)) if (!(topic in out)) ctx.metrics.busBacklog.remove({ topic });
    this.lastBacklog = out;
  }

  /**
   * The latest latency of each measured stage, and each hot-path stage's p50/p99 over the interval
   * just ended as `<stage>_p50` / `<stage>_p99` (null for a stage without samples in it).
   */
  private stageLatency(): Record<string, number | null> {
    const out: Record<string, number | null> = { ...this.ctx.observer.stageLatencyMs };
    for (const [stage, s] of Object.entries(this.ctx.observer.stages.drain())) {
      out[`${stage}_p50`] = s.p50;
      out[`${stage}_p99`] = s.p99;
    }
    return out;
  }

  private publish(): void {
    const { ctx } = this;
    void this.refreshBacklog();
    this.lastLoopLag = this.loopLag.read();
    this.simPace?.check();
    ctx.metrics.eventLoopLagMs.set(this.lastLoopLag.p99_ms);
    const reconnects = this.reconnects();
    if (reconnects > this.countedReconnects) ctx.metrics.wsReconnects.inc(reconnects - this.countedReconnects);
    this.countedReconnects = reconnects;
    const staleness = ctx.observer.staleness.staleness(ctx.clock.now());
    for (const [feed, ms] of Object.entries(staleness)) if (ms !== null) ctx.metrics.feedStalenessMs.set({ feed }, ms);
    const bus = ctx.bus?.health();
    if (bus && bus.up !== this.busWasUp) {
      if (bus.up) ctx.log.info({ since_ms: bus.since_ms }, 'bus is back: publishing and consuming again');
      else ctx.log.warn({ reason: bus.reason, since_ms: bus.since_ms }, 'bus is down: events wait in the producer queues (the journal keeps recording)');
      this.busWasUp = bus.up;
    }
    const ready = this.isReady();
    ctx.metrics.healthReady.set(ready ? 1 : 0);
    ctx.metrics.booksUnsynced.set(this.booksUnsynced());
    ctx.sink.emit(
      this.factory.make('HEALTH', {
        ready,
        staleness_ms: staleness,
        stage_latency_ms: this.stageLatency(),
        event_loop_lag_ms: roundDecimals(this.lastLoopLag.p99_ms, MS_DECIMALS),
        bus_backlog: { ...this.lastBacklog },
        reconnects: this.reconnects(),
        resyncs: ctx.observer.counters.resyncs,
      }),
    );
  }
}
