import type { ChannelServer } from '../../adapters/api/channel-server.ts';
import type { ControlForwarded, ControlRefusal, DaemonApi, HaltRequest, HealthReport } from '../../adapters/api/daemon-api.ts';
import { RedisStreamsBus } from '../../adapters/bus/redis-streams-bus.ts';
import { topicFor } from '../../domain/events/topics.ts';
import { bookDepth, type BookDepth } from '../../domain/book/book-depth.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import { weatherOutagesBegun } from '../../sim/world/simulated-world.ts';
import { truthFaultsBegun, type TruthFaultCounts } from '../../sim/esports/simulator-faults.ts';
import { marketListing } from '../dashboard/market-listing.ts';
import type { DaemonContext } from './context.ts';
import type { DaemonHealth } from './health.ts';

/** The daemon's answers to the HTTP API (health, metrics, books, markets, halt/resume). */
export function daemonApi(ctx: DaemonContext, health: DaemonHealth, factory: EventFactory, channels: () => ChannelServer | undefined): DaemonApi {
  const control = (type: 'HALT' | 'RESUME', r: HaltRequest) => controlRequest(ctx, factory, type, r);
  return {
    health: async (): Promise<HealthReport> => ({
      live: true,
      ready: health.isReady(),
      mode: ctx.opts.mode,
      staleness_ms: ctx.observer?.staleness.staleness(ctx.clock.now()) ?? {},
      stale_feeds: ctx.observer?.staleness.stale(ctx.clock.now()) ?? [],
      event_loop_lag_ms: health.lastLoopLag,
      bus: ctx.bus ? { ...ctx.bus.health(), ...ctx.bus.stats() } : null,
      source_errors: ctx.sourceErrors?.snapshot() ?? {},
      // Sim mode only: a clock behind its pace does not make the process unready (see README).
      ...(ctx.opts.mode === 'sim' ? { sim_pace: health.simPaceReport() } : {}),
      summary: health.summary(),
    }),
    metrics: async () => {
      // The kill's own figure (exit-value marks, on every book move), not one rebuilt from events.
      if (ctx.trading) ctx.metrics.dailyLossUsdc.set(ctx.trading.node.risk.dailyLossUsdc);
      return { contentType: ctx.metrics.registry.contentType, body: await ctx.metrics.registry.metrics() };
    },
    subscriptions: async () => ({
      desired: ctx.feed ? [...ctx.feed.assigned()].sort() : [],
      subscribed: ctx.feed ? [...ctx.feed.subscribed()].sort() : [],
    }),
    reconcilerMetrics: async () => ctx.feed?.metrics().reconciler ?? null,
    forceReconcile: async () => (ctx.feed ? ctx.feed.forceReconcile() : { error: 'market feed not running' }),
    stats: async () => ({
      summary: health.summary(),
      counters: ctx.observer?.counters,
      bus: ctx.bus?.stats(),
      channels: channels()?.stats,
      router: ctx.trading?.node.router.stats ?? null,
      session: ctx.session,
      ...(ctx.opts.mode === 'sim' ? { sim_faults: simFaults(ctx), sim_faults_since_ms: ctx.startedAt } : {}),
    }),
    books: async (tokenId?: string) => ({ books: bookDepths(ctx, tokenId) }),
    markets: async () =>
      ctx.liveMarkets().map((m) => {
        const snap = ctx.trading?.node.runtime.marketSnapshot(m.spec.market_id);
        return marketListing(m, snap?.state ?? null, snap?.state === 'HALT' ? snap.context.halt : []);
      }),
    halt: async (r: HaltRequest) => control('HALT', r),
    resume: async (r: HaltRequest) => control('RESUME', r),
  };
}

/**
 * A halt or resume, answered with what happened. A market the daemon does not have is refused
 * (404); a resume the risk engine refuses (cool-down, daily loss) is refused with its reason (409)
 * and changes nothing; a market resume that leaves the market halted by other causes says which
 * (409). Every answer is on the `control` channel: the HALT/RESUME event, or an ALERT for a refusal.
 */
function controlRequest(ctx: DaemonContext, factory: EventFactory, type: 'HALT' | 'RESUME', r: HaltRequest): unknown {
  const market = r.market_id ?? null;
  const scope = { type, scope: r.scope, market_id: market };
  const refuse = (status: 404 | 409, error: string, code: string, causedBy?: string): ControlRefusal => {
    const alert = factory.make(
      'ALERT',
      { severity: 'warn', code, message: `${type} ${r.scope}${market ? ` ${market}` : ''}: ${error}` },
      { ...(market ? { market_id: market } : {}), ...(causedBy ? { causation_id: causedBy } : {}) },
    );
    ctx.sink.emit(alert);
    const said = `${type.toLowerCase()} refused`;
    ctx.log.warn({ correlation_id: alert.correlation_id, ...scope, reason: r.reason }, error.startsWith(said) ? error : `${said}: ${error}`);
    return { accepted: false, status, error, event_id: alert.event_id, ...scope };
  };
  if (market !== null && !ctx.universe.markets.some((m) => m.spec.market_id === market)) return refuse(404, `unknown market ${market}`, 'CONTROL_REFUSED');
  // A feeds process hosts no trading. A halt is safe from anywhere and a trading process always
  // applies it, so it goes on the bus to them (202). A resume is for a trading process to judge
  // (risk cool-down, daily loss) and only it can answer what came of it: refused here, naming it.
  if (ctx.role === 'feeds') {
    if (type === 'RESUME') return refuse(409, 'this process (--role feeds) hosts no trading: POST /resume to a trading process (--role trading), whose risk engine decides', 'CONTROL_REFUSED');
    const event = factory.make(type, { scope: r.scope, reason: r.reason }, market ? { market_id: market } : {});
    ctx.sink.emit(event);
    const topic = topicFor(event);
    const stream = ctx.bus instanceof RedisStreamsBus ? ctx.bus.key(topic) : null;
    ctx.log.info({ correlation_id: event.correlation_id, ...scope, topic, stream }, 'halt forwarded to the trading processes over the bus');
    const forwarded: ControlForwarded = { accepted: true, status: 202, applied_here: false, forwarded: { to_role: 'trading', topic, stream }, event_id: event.event_id, ...scope };
    return forwarded;
  }
  // An in-process trading runtime applies the command here, where the answer goes back, rather
  // than when the bus delivers it a moment later: a resume right after a halt must see the halt,
  // and a refused resume must not reach the bus as a RESUME that did nothing. The event still goes
  // out for the record and for trading processes elsewhere (which decide their own; applying it
  // twice changes nothing).
  const runtime = ctx.trading?.node.runtime;
  if (runtime && type === 'HALT') {
    if (market === null) runtime.kill(r.reason);
    else runtime.haltMarket(market, r.reason);
  }
  if (runtime && type === 'RESUME' && market === null) {
    const verdict = runtime.resume();
    if (!verdict.ok) return refuse(409, `resume refused: ${verdict.reason ?? 'risk engine'}`, 'RESUME_REFUSED');
  }
  const event = factory.make(type, { scope: r.scope, reason: r.reason }, market ? { market_id: market } : {});
  ctx.sink.emit(event);
  if (runtime && type === 'RESUME' && market !== null) {
    runtime.resumeMarket(market);
    const snap = runtime.marketSnapshot(market);
    const causes = snap?.state === 'HALT' ? snap.context.halt : [];
    if (causes.length) return refuse(409, `market still halted by ${causes.join(', ')}`, 'RESUME_REFUSED', event.event_id);
  }
  return { accepted: true, event_id: event.event_id, ...scope };
}

/**
 * Books of the market feed, or in a trading-only process the books rebuilt from the bus; sorted
 * by token, only `tokenId` when given.
 */
function bookDepths(ctx: DaemonContext, tokenId?: string): BookDepth[] {
  if (ctx.feed) {
    return ctx.feed
      .books()
      .filter((s) => tokenId === undefined || s.asset_id === tokenId)
      .map((s) => bookDepth(s.asset_id, s.synced, s.book));
  }
  const mirror = ctx.trading?.node.mirror;
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
function simFaults(ctx: DaemonContext): TruthFaultCounts & { weather_stale: number } {
  const now = ctx.clock.now();
  const truth: TruthFaultCounts = { truth_conflict: 0, truth_stale: 0, truth_ws_drop: 0, truth_invalidation: 0 };
  for (const life of ctx.truthPlans) {
    const begun = truthFaultsBegun(life.plans, life.from, Math.min(now, life.to ?? now));
    for (const k of Object.keys(truth) as Array<keyof TruthFaultCounts>) truth[k] += begun[k];
  }
  const runsWorld = ctx.role !== 'trading';
  return { ...truth, weather_stale: runsWorld ? weatherOutagesBegun(ctx.config.weather, ctx.config.app.seed, ctx.startedAt, now) : 0 };
}
