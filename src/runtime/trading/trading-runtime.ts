import type { AnyActorRef } from 'xstate';
import type { ExecutionConfig, RiskConfig, TradingConfig } from '../../config/sections/trading.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { earliest, type Clock } from '../../domain/time/clock.ts';
import { unconfirmedCarriedFills, type CarriedTrading, type UnconfirmedCarriedFill } from '../../domain/trading/carried-state.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { exitValuePnl, noPnl, pnlSummary, type Ledger, type PnlSummary } from '../../domain/trading/pnl-ledger.ts';
import type { KillKind, RiskEngine } from '../../domain/trading/risk-engine.ts';
import { reportMarks, type BookSignal } from '../../domain/trading/signals.ts';
import { isSettledForGood, ResolvedRetention, unansweredFills, unansweredFillsAlert } from '../../domain/trading/resolved-retention.ts';
import type { ExecutionAdapter } from '../../adapters/execution/execution-adapter.ts';
import { PaperExecutionAdapter } from '../../adapters/execution/paper-adapter.ts';
import { createMarketGroupMachine } from '../../machines/market-group/market-group.machine.ts';
import type { MarketTradingContext, MarketTradingInput } from '../../machines/market-trading/context.ts';
import type { MarketInputEvent, MarketNotice, MarketTradingEvent } from '../../machines/market-trading/events.ts';
import { marketTradingMachine } from '../../machines/market-trading/market-trading.machine.ts';
import { OrderCorrelation } from './order-correlation.ts';
import { OrderPath } from './order-path.ts';
import { PositionMarks } from './position-marks.ts';
import { EventViews } from './event-views.ts';
import { NegRiskCoordinator } from './neg-risk-coordinator.ts';
import { StartedWork } from './started-work.ts';
import { CarriedMarkets } from './carried-markets.ts';
import { MarketGroups } from './market-groups.ts';
import { heldWhileRestarting, RestartBacklog } from './restart-backlog.ts';
import { RiskBroadcast } from './risk-broadcast.ts';
import { RiskNet } from './risk-net.ts';
import { RuntimeTick } from './runtime-tick.ts';
import { CancelRetries, reconcileWithVenue, type ReconcileReport } from './venue-reconcile.ts';

export type { ReconcileReport } from './venue-reconcile.ts';

export interface TradingRuntimeDeps {
  clock: Clock;
  trading: TradingConfig;
  risk: RiskConfig;
  execution: ExecutionConfig;
  riskEngine: RiskEngine;
  adapter: ExecutionAdapter;
  sink: EventSink;
  events: EventFactory;
  /** Called for every market added (the paper venue registers it by itself). */
  onMarketAdded?: (spec: MarketSpec) => void;
  /** A resolved market left for good (its retention ran out): what feeds it can let go of it. */
  onMarketRetired?: (spec: MarketSpec) => void;
  /**
   * First order sequence number of every market (default 0). A process gives each of its sessions a
   * disjoint range, so client order ids never repeat across restarts on the same data directory.
   */
  seqBase?: number;
  /** Markets a previous session on the same data directory left (paper): ledgers and risk's values of them, and the retired ones collapsed. */
  carried?: Pick<CarriedTrading, 'markets' | 'retired'>;
}

/**
 * Wires the trading core: market actors sharded under group supervisors, the execution adapter's
 * event stream, pre-trade risk on the submit path, publication through EventSink, periodic
 * reconciliation and risk polling on the injected clock. The daemon feeds it coalesced signals.
 */
export class TradingRuntime {
  private readonly groups: MarketGroups;
  private readonly marketOfToken = new Map<string, string>();
  private readonly specs = new Map<string, MarketSpec>();
  private readonly seqOf = new Map<string, number>();
  private readonly riskNet: RiskNet;
  /**
   * Each market's ledger as its actor last published it (every ledger change is followed by a
   * notice), or as it was carried: a restarted actor starts from it, and it is what is kept,
   * carried and counted in its event's exposure while one restarts.
   */
  private readonly lastLedger = new Map<string, Ledger>();
  /** Neg-risk events: one exposure per event, full-set arbitrage across its buckets. */
  readonly negRisk: NegRiskCoordinator;
  /** What each nowcast bucket of a neg-risk event knows of the others: its edge entries are one allocation. */
  private readonly eventViews: EventViews;
  private readonly positionMarks: PositionMarks;
  private readonly riskBroadcast: RiskBroadcast;
  readonly correlation = new OrderCorrelation();
  /** Venue calls started (the dispatch pump settles only after an input that started one). */
  readonly work = new StartedWork();
  private readonly cancelRetries = new CancelRetries();
  /** Execution events for markets whose actor restarts: its successor takes them once up. */
  private readonly backlog: RestartBacklog;
  private readonly orders: OrderPath;
  private unsubscribe: (() => void) | null = null;
  private readonly tick: RuntimeTick;
  /** Markets carried from a previous session, and the retired ones (collapsed; `retiredBefore`: by earlier sessions). */
  readonly carried: CarriedMarkets;
  /** Resolved markets waiting to leave, and those that left for good (a discovery of one again does not bring it back). */
  readonly retention: ResolvedRetention;

  constructor(private readonly deps: TradingRuntimeDeps) {
    this.negRisk = new NegRiskCoordinator({
      clock: deps.clock,
      trading: deps.trading,
      risk: deps.risk,
      riskEngine: deps.riskEngine,
      adapter: deps.adapter,
      work: this.work,
      seqBase: deps.seqBase ?? 0,
      market: (id) => this.marketSnapshot(id),
      holding: (id) => {
        const spec = this.specs.get(id);
        const live = this.marketSnapshot(id)?.context;
        const ledger = live?.ledger ?? this.lastLedger.get(id);
        return spec && ledger ? { spec, ledger, ...(live ? { orders: live.orders } : {}) } : undefined;
      },
      alert: (severity, code, message, market_id) => this.alert(severity, code, message, market_id),
      flushRisk: () => this.riskBroadcast.flush(),
    });
    const n = this.negRisk;
    this.riskBroadcast = new RiskBroadcast({ ...deps, eventView: (id) => this.eventViews.viewFor(id), marketIds: () => this.marketIds(), send: (id, e) => this.send(id, e) });
    this.positionMarks = new PositionMarks(deps.trading.positions.mark_interval_ms, deps.sink, deps.events);
    this.eventViews = new EventViews({ clock: deps.clock, trading: deps.trading, eventOf: (id) => n.eventOf(id), bucketsOf: (e) => n.bucketsOf(e), context: (id) => this.marketSnapshot(id)?.context, deliver: (id) => this.riskBroadcast.tell(id) });
    this.carried = new CarriedMarkets(deps.carried?.markets, deps.carried?.retired);
    this.retention = new ResolvedRetention(deps.trading.resolved_market_retention_ms, deps.trading.resolved_fill_answer_timeout_ms, this.carried.retiredBefore.ids);
    this.riskNet = new RiskNet(this.carried.retiredBefore.risk_net);
    for (const id of this.carried.ids()) this.riskNet.follow(id, this.carried.riskNet(id)!);
    this.orders = new OrderPath({
      ...deps, work: this.work, correlation: this.correlation, negRisk: n,
      touched: (id) => this.touched(id), send: (id, e) => this.send(id, e), sendTo: (ref, e) => this.answer(ref, e),
      placing: (id, context) => this.eventViews.changed(id, undefined, context), flushRisk: () => this.riskBroadcast.flush(),
      followExposure: (id) => this.followExposure(id),
    });
    const market = marketTradingMachine.provide({
      actions: {
        dispatch: ({ context, self }, params) => {
          this.seqOf.set(params.market_id, context.seq);
          this.orders.dispatch(params.market_id, params.intents, context, self);
        },
        notify: ({ context }, params) => this.notify(context, params),
      },
    });
    const machine = createMarketGroupMachine({
      supervision: deps.trading.supervision,
      market,
      watchdogMs: deps.trading.staleness.watchdog_ms,
      respawnInput: (id, last) => {
        deps.clock.setTimeout(() => void this.reconcile().catch(() => {}), 0);
        // A restarted actor takes the spec as it is now (the venue may have changed its tick since).
        // It resumes its predecessor's last good context (`last.resume`, the group read it); failing
        // that, the ledger it last published: its input's (empty, or carried) would forget every fill
        // since, the fees and realized PnL with them (reconciliation restores only shares). The orders
        // and cancels the failing step sent are at the venue: it holds them too (OrderPath.resumed).
        const ledger = this.lastLedger.get(id);
        return { ...last, spec: this.specs.get(id) ?? last.spec, now_ms: deps.clock.now(), seq_start: this.seqOf.get(id) ?? last.seq_start ?? deps.seqBase ?? 0, synced: false, ...(ledger ? { ledger } : {}), ...(last.resume ? { resume: this.orders.resumed(id, last.resume) } : {}) };
      },
    });
    const watchdogMs = deps.trading.staleness.watchdog_ms;
    this.tick = new RuntimeTick({
      clock: deps.clock,
      periodMs: Math.min(1000, deps.execution.reconcile.interval_ms),
      reconcileIntervalMs: deps.execution.reconcile.interval_ms,
      graceMs: deps.execution.reconcile.recent_order_grace_ms,
      venueChangesOnlyThroughUs: deps.adapter instanceof PaperExecutionAdapter,
      poll: (now) => {
        deps.riskEngine.poll(now);
        this.riskBroadcast.flush();
        this.retireResolved(now);
      },
      nextTimedChange: () => earliest(deps.riskEngine.nextTimedChange(), this.retention.nextDueAfter(deps.clock.now())),
      fillAsks: { afterMs: deps.execution.reconcile.fill_answer_after_ms, maxPerPass: deps.execution.reconcile.fill_answer_max_per_reconcile, giveUpAfterMs: deps.execution.reconcile.fill_answer_timeout_ms },
      answerGivenUp: (id, fill) => {
        deps.adapter.giveUpFillAnswer?.(fill);
        this.alert(...unansweredFillsAlert(id, this.ledgerOf(id), [fill], `${deps.execution.reconcile.fill_answer_timeout_ms} ms after a reconciliation first saw it pending`));
      },
      answerGivenUpEarlier: (fill) => deps.adapter.isFillAnswerGivenUp?.(fill) === true,
      reconcile: () => void this.reconcile().catch((err) => this.alert('critical', 'RECONCILE_FAILED', String(err))),
    });
    this.backlog = new RestartBacklog(deps.trading.supervision.restart_backlog_max_events, (...a) => this.alert(...a));
    this.groups = new MarketGroups({
      machine, clock: deps.clock, capacity: deps.trading.supervision.max_markets_per_group, watchdogMs, alert: (...a) => this.alert(...a),
      restarted: (id) => this.restarted(id), down: (id) => void this.backlog.take(id),
    });
  }

  // ---- markets ------------------------------------------------------------------------------

  addMarket(spec: MarketSpec, opts: { synced?: boolean } = {}): void {
    if (this.specs.has(spec.market_id) || this.retention.isRetired(spec.market_id)) return;
    this.specs.set(spec.market_id, spec);
    this.marketOfToken.set(spec.yes_token, spec.market_id);
    this.marketOfToken.set(spec.no_token, spec.market_id);
    this.registerPaper(spec);
    this.deps.onMarketAdded?.(spec);
    this.negRisk.addMarket(spec);
    if (!spec.admitted) this.alert('info', 'MARKET_REFUSED', `${spec.market_id}: ${spec.admission_reason ?? 'resolution risk'}`, spec.market_id);
    const ledger = this.carried.ledgerOf(spec.market_id);
    if (ledger) this.lastLedger.set(spec.market_id, ledger);
    const input: MarketTradingInput = { spec, cfg: this.deps.trading, now_ms: this.deps.clock.now(), seq_start: this.seqOf.get(spec.market_id) ?? this.deps.seqBase ?? 0, synced: opts.synced ?? false, watchdog: 'parent', ...(ledger ? { ledger } : {}) };
    this.groups.add(input);
    // Strategies size orders to risk's per-order cap: the market learns it before its first decision.
    this.riskBroadcast.tell(spec.market_id);
    // Started already (a market discovered later): start() announced the others.
    if (ledger && this.unsubscribe) this.announceCarried(spec.market_id);
  }

  /**
   * The venue changed a market's tick or minimum size: paper fills check against it, and the
   * actor prices and sizes its next orders to it. False when nothing changed (both tokens report a
   * tick change; Gamma may repeat it).
   */
  changeSpec(marketId: string, change: { tick_size: number; min_order_size: number }): boolean {
    const spec = this.specs.get(marketId);
    if (!spec || (spec.tick_size === change.tick_size && spec.min_order_size === change.min_order_size)) return false;
    const next = { ...spec, ...change };
    this.specs.set(marketId, next);
    this.registerPaper(next);
    this.send(marketId, { type: 'SPEC_CHANGE', ...change });
    return true;
  }

  /** Paper fills check prices and sizes against the market's tick and minimum. */
  private registerPaper(spec: MarketSpec): void {
    if (this.deps.adapter instanceof PaperExecutionAdapter) this.deps.adapter.registerMarket({ market_id: spec.market_id, tokens: [spec.yes_token, spec.no_token], tick_size: spec.tick_size, min_order_size: spec.min_order_size, fee: spec.fee });
  }

  /** A market leaves (settled, retired): what it made or lost is money, still in risk's net at its last value (settled: realized − fees), the reports and the next session's state. */
  removeMarket(marketId: string): void {
    if (!this.specs.has(marketId)) return;
    this.carried.keep(marketId, this.ledgerOf(marketId), this.riskNet.perMarket.get(marketId));
    this.lastLedger.delete(marketId);
    this.backlog.take(marketId);
    this.orders.forget(marketId);
    this.groups.remove(marketId);
    const spec = this.specs.get(marketId)!;
    for (const token of [spec.yes_token, spec.no_token]) this.marketOfToken.delete(token);
    this.specs.delete(marketId);
    this.negRisk.removeMarket(spec);
    this.eventViews.removeMarket(marketId);
    this.retention.forget(marketId);
    this.tick.forgetMarket(marketId);
  }

  /** Resolved markets past their retention and settled for good leave for good, their PnL kept (by the tick: a replay retires them alike). */
  private retireResolved(nowMs: number): void {
    const waited = `${this.deps.trading.resolved_fill_answer_timeout_ms} ms after its resolution`;
    // A fill given up while the market was live was told of then.
    const unansweredOf = (id: string) => {
      const ledger = this.marketSnapshot(id)?.context.ledger;
      return ledger ? unansweredFills(ledger).filter((f) => !this.tick.isAnswerGivenUp(f)) : null;
    };
    for (const { marketId, unanswered } of this.retention.endAnswerWaits(nowMs, unansweredOf)) this.alert(...unansweredFillsAlert(marketId, this.ledgerOf(marketId), unanswered, waited));
    for (const id of this.retention.due(nowMs)) {
      const snap = this.marketSnapshot(id);
      if (snap?.state !== 'RESOLVED') continue;
      const unanswered = unansweredFills(snap.context.ledger);
      // Fills given up while the market was live are waited for no more than those given up since.
      const answersGivenUp = this.retention.hasGivenUpAnswers(id) || unanswered.every((f) => this.tick.isAnswerGivenUp(f));
      if (!isSettledForGood(snap.context.ledger, snap.context.orders, answersGivenUp)) continue;
      const spec = this.specs.get(id)!;
      this.removeMarket(id);
      this.carried.retire(id);
      this.retention.retire(id);
      // It never comes back: its order sequence and per-market entries are not needed again.
      this.seqOf.delete(id);
      this.riskNet.retire(id);
      this.positionMarks.forget(id, [spec.yes_token, spec.no_token]);
      this.deps.riskEngine.forgetMarket(id);
      const flagged = unanswered.length ? `; fill(s) ${unanswered.join(', ')} never answered, counted as matched` : '';
      this.alert(unanswered.length ? 'warn' : 'info', 'MARKET_RETIRED', `${id}: resolved and settled, left the trading side (its PnL stays in the totals)${flagged}`, id);
      // Its positions are no one's now (MARKET_RETIRED drops them): the retired markets' one position holds their PnL.
      this.positionMarks.retired(this.carried.retired.pnl, nowMs);
      this.deps.onMarketRetired?.(spec);
    }
  }

  marketIds(): string[] {
    return [...this.specs.keys()].sort();
  }

  groupCount(): number {
    return this.groups.count;
  }

  /** The live market actor (undefined while restarting or after it went down). */
  marketRef(marketId: string): AnyActorRef | undefined {
    return this.groups.ref(marketId);
  }

  marketSnapshot(marketId: string): { state: string; context: MarketTradingContext } | undefined {
    const snap = this.marketRef(marketId)?.getSnapshot() as { value: string; context: MarketTradingContext } | undefined;
    return snap ? { state: snap.value, context: snap.context } : undefined;
  }

  // ---- signals in ---------------------------------------------------------------------------

  /** Sends `event` to a market, stamped with the time it is sent at (the market's only clock). */
  send(marketId: string, event: MarketInputEvent): void {
    const ref = this.marketRef(marketId);
    if (ref) this.sendTo(ref, event);
    else if (heldWhileRestarting(event) && this.groups.holds(marketId)) this.backlog.hold(marketId, event);
    if (event.type === 'NOWCAST' || event.type === 'POLICY') this.eventViews.changed(marketId);
  }

  private sendTo(ref: AnyActorRef, event: MarketInputEvent): void {
    this.touched(ref.id);
    ref.send({ ...event, now_ms: this.deps.clock.now() } as MarketTradingEvent);
  }

  /** An answer to what `ref` decided: to it, or, when it failed since, to the successor that resumed its orders (held while that restarts). */
  private answer(ref: AnyActorRef, event: MarketInputEvent): void {
    if (this.marketRef(ref.id) === ref) this.sendTo(ref, event);
    else this.send(ref.id, event);
  }

  /** A restarted actor is up: it learns risk's limits, takes in order what the venue said while it was down; risk follows what it now holds. */
  private restarted(marketId: string): void {
    this.riskBroadcast.tell(marketId);
    for (const event of this.backlog.take(marketId)) this.send(marketId, event);
    this.followExposure(marketId);
    this.riskBroadcast.flush();
  }

  /** A market is about to change: its group and the periodic checks, if asleep, run again from their next period. */
  private touched(marketId: string): void {
    this.groups.wake(marketId);
    this.tick.touch();
  }

  /**
   * A coalesced book signal for one token (from BEST_PRICE / L2_SNAPSHOT handling), or for both of
   * a market's tokens (`partner`, the same market's other token) when they changed together. Sent
   * stamped as built: `send` spread each into a second, larger object. Never held while restarting.
   */
  onBook(signal: BookSignal, partner?: BookSignal): void {
    const m = this.marketOfToken.get(signal.token_id);
    if (!m) return;
    if (partner && this.marketOfToken.get(partner.token_id) !== m) throw new Error(`book signals of ${signal.token_id} and ${partner.token_id} are not one market's`);
    this.eventViews.changed(m, signal, undefined, partner);
    const ref = this.marketRef(m);
    if (ref) this.touched(m);
    ref?.send(partner ? { type: 'BOOK', signal, partner, now_ms: this.deps.clock.now() } : { type: 'BOOK', signal, now_ms: this.deps.clock.now() });
    this.negRisk.onBook(m, signal, partner);
    if (!this.riskNet.has(m)) return;
    const snap = this.marketSnapshot(m);
    if (!snap) return;
    this.followMarks(snap.context);
    this.riskBroadcast.flush();
    this.positionMarks.afterBook(snap.context, this.deps.clock.now());
  }

  haltMarket(marketId: string, reason: string): void {
    this.send(marketId, { type: 'HALT_CMD', reason });
  }

  resumeMarket(marketId: string): void {
    this.send(marketId, { type: 'RESUME_CMD' });
  }

  /** Global kill switch (a restored one with its kind and the day its daily loss reached the limit). */
  kill(reason: string, kind?: KillKind, dailyLimitDay?: number): void {
    this.deps.riskEngine.kill(reason, this.deps.clock.now(), kind, dailyLimitDay);
    this.riskBroadcast.flush();
  }

  resume(): { ok: boolean; reason?: string } {
    const v = this.deps.riskEngine.resume(this.deps.clock.now());
    this.riskBroadcast.flush();
    return v.ok ? { ok: true } : { ok: false, reason: v.reason };
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Subscribes to the adapter and reconciles once; rejects (does not start) if that fails. */
  async start(): Promise<ReconcileReport> {
    this.unsubscribe = this.deps.adapter.subscribe((e) => this.orders.onExecution(e));
    const carried = this.carried.ids();
    for (const id of carried) this.announceCarried(id);
    if (this.carried.retiredBefore.ids.length) this.positionMarks.retired(this.carried.retiredBefore.pnl, this.deps.clock.now());
    // Risk sees the net the session starts with (0 when nothing is carried), so the day's loss
    // counts the session's first fill too.
    this.deps.riskEngine.onPnl(this.riskNet.total, this.deps.clock.now());
    this.riskBroadcast.flush();
    const report = await this.reconcile();
    this.tick.start();
    return report;
  }

  /** A carried market's positions published, its exposure counted (its PnL already is, at its carried value). */
  private announceCarried(marketId: string): void {
    const snap = this.marketSnapshot(marketId);
    const now = this.deps.clock.now();
    if (!snap) return this.positionMarks.carried(marketId, this.carried.ledgerOf(marketId)!, now);
    this.negRisk.followExposure(snap.context);
    this.positionMarks.afterFill(snap.context, now);
  }

  /** What the next session on this data directory carries of the markets (paper). */
  carry(): Required<Pick<CarriedTrading, 'markets' | 'retired'>> {
    return { markets: this.carried.snapshot(this.marketIds(), (id) => this.ledgerOf(id), this.riskNet.perMarket), retired: this.carried.retired };
  }

  /** The fills a carry now would hold as matched though still awaiting their answer (not given up), by market, then id. */
  unconfirmedAtCarry(): UnconfirmedCarriedFill[] {
    return this.marketIds().flatMap((id) => {
      const ledger = this.ledgerOf(id);
      return ledger ? unconfirmedCarriedFills(id, ledger, (f) => this.tick.isAnswerGivenUp(f)) : [];
    });
  }

  /** A market's ledger now; while its actor restarts, the one it last published (undefined: it never changed one). */
  private ledgerOf(marketId: string): Ledger | undefined {
    return this.marketSnapshot(marketId)?.context.ledger ?? this.lastLedger.get(marketId);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.tick.stop();
    this.orders.stop();
    this.groups.stop();
  }

  // ---- reconciliation -----------------------------------------------------------------------

  async reconcile(): Promise<ReconcileReport> {
    const { adapter, execution, clock } = this.deps;
    const startedAt = clock.now();
    this.tick.reconciled(startedAt);
    const report = await reconcileWithVenue({
      adapter, work: this.work, cfg: execution.reconcile, now: () => clock.now(), marketIds: () => this.marketIds(), spec: (id) => this.specs.get(id)!,
      market: (id) => this.marketSnapshot(id), ownedElsewhere: (coid) => this.negRisk.owns(coid), send: (id, event) => this.send(id, event),
      adopted: (id, orders) => this.orders.adopted(id, orders, this.specs.get(id)!, this.ledgerOf(id)),
      alert: (...a) => this.alert(...a), closedOut: (o) => this.deps.riskEngine.onOrderProgress(o.client_order_id, o.filled_size, o.size, true), cancelRetries: this.cancelRetries,
      answered: (a) => this.orders.deliverFill(a), fillAsksDue: (now, pending) => this.tick.fillAsksDue(now, pending), isAnswerGivenUp: (f) => this.tick.isAnswerGivenUp(f),
    });
    // The markets it looked at may leave now (the tick may sleep past their due time: nothing new happens).
    this.retention.reconciled(startedAt);
    this.retireResolved(clock.now());
    return report;
  }

  // ---- execution path -----------------------------------------------------------------------

  /** Net PnL across markets as risk values it: positions at their executable exit (exitValuePnl). */
  riskNetPnl(): number {
    return this.riskNet.total;
  }

  /** Exposure (cost of what is held as matched) of one market, into risk. */
  private followExposure(marketId: string): void {
    const snap = this.marketSnapshot(marketId);
    if (snap) this.negRisk.followExposure(snap.context);
  }

  /** Exposure (cost of what is held; nothing once settled) and exit-marked PnL of one market, into risk. */
  private followMarks(ctx: MarketTradingContext): void {
    const id = ctx.spec.market_id;
    this.negRisk.followExposure(ctx);
    if (!this.carried.marksSeen(ctx)) return;
    const bids: Record<string, number | null> = {};
    for (const [token, b] of Object.entries(ctx.signals.books)) bids[token] = b.best_bid;
    this.riskNet.follow(id, exitValuePnl(ctx.ledger, [ctx.spec.yes_token, ctx.spec.no_token], bids, ctx.spec.fee));
    this.deps.riskEngine.onPnl(this.riskNet.total, this.deps.clock.now());
  }

  /** A market's PnL at its marks (zero while it restarts); one not traded from its kept ledger, or as this session retired it. */
  marketPnl(marketId: string): PnlSummary {
    const snap = this.marketSnapshot(marketId);
    return snap ? pnlSummary(snap.context.ledger, reportMarks(snap.context.signals.books)) : ((this.specs.has(marketId) ? undefined : this.carried.pnlOf(marketId)) ?? noPnl());
  }

  /** Net PnL for reports (replay's `netPnl`): `marketPnl` summed over the traded and kept markets, and every retired one's (one leaving does not move it). */
  totalNetPnl(): number {
    return [...new Set([...this.marketIds(), ...this.carried.ids()])].reduce((net, id) => net + this.marketPnl(id).net, this.carried.retired.pnl.net);
  }

  // ---- publication --------------------------------------------------------------------------

  private notify(context: MarketTradingContext, notice: MarketNotice): void {
    const market_id = context.spec.market_id;
    const { sink, events } = this.deps;
    if (notice.kind !== 'state') this.lastLedger.set(market_id, context.ledger);
    if (notice.kind === 'state') {
      if (notice.state === 'RESOLVED') this.retention.resolved(market_id, this.deps.clock.now());
      sink.emit(events.make('MARKET_STATE', { state: notice.state, previous: notice.previous, reason: notice.reason }, { market_id, ...this.correlation.forDecision() }));
    } else if (notice.kind === 'positions') {
      this.followMarks(context);
      this.eventViews.changed(market_id, undefined, context);
      this.positionMarks.afterFill(context, this.deps.clock.now());
    } else {
      this.followMarks(context);
      this.alert('warn', 'MARKET_REBUILT', `${market_id}: state rebuilt from the venue (${notice.reason})`, market_id);
    }
  }

  private alert(severity: 'info' | 'warn' | 'critical', code: string, message: string, market_id?: string): void {
    this.deps.sink.emit(this.deps.events.make('ALERT', { severity, code, message }, market_id ? { market_id } : {}));
  }
}
