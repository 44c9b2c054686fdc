import type { HeliosConfig } from '../../config/schema.ts';
import type { Subscription } from '../../adapters/bus/event-bus.ts';
import type { VirtualClock } from '../../adapters/clock/virtual-clock.ts';
import { createExecutionAdapter } from '../../adapters/execution/create-adapter.ts';
import type { ExecutionAdapter } from '../../adapters/execution/execution-adapter.ts';
import { PaperExecutionAdapter } from '../../adapters/execution/paper-adapter.ts';
import { DispatchLogWriter, type DispatchLogCadence } from '../../adapters/storage/dispatch-log.ts';
import { BusBookMirror } from '../../domain/book/bus-book-mirror.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { restoreRisk, type CarriedTrading } from '../../domain/trading/carried-state.ts';
import type { PnlSummary } from '../../domain/trading/pnl-ledger.ts';
import { RiskEngine } from '../../domain/trading/risk-engine.ts';
import { DecisionRecorder, type DecisionEvent, type DecisionType } from './decision-recorder.ts';
import { DispatchPump, settle, type DispatchInput } from './dispatch-pump.ts';
import { marketTopics, TradingRouter, type QcGateMode, type TradedMarket } from './trading-router.ts';
import { TradingRuntime } from './trading-runtime.ts';

export type { TradedMarket } from './trading-router.ts';

/**
 * Order sequence numbers one session may use per market: ids of session n start at n × this, far
 * beyond what a session can place (the risk rate limit allows ~10 orders/s in all; 10^9 of them
 * would take years), and stay well inside Number.MAX_SAFE_INTEGER for millions of sessions.
 */
export const SEQ_PER_SESSION = 1_000_000_000;

export function sessionSeqBase(session: number): number {
  return session * SEQ_PER_SESSION;
}

export interface TradingNodeDeps {
  config: Pick<HeliosConfig, 'trading' | 'risk' | 'execution'>;
  /** The node's own time: it moves only with the node's inputs (events and ticks), live and in replay. */
  clock: VirtualClock;
  sink: EventSink;
  events: EventFactory;
  /** The markets this node trades (all of them, or its shard's); null: inferred from the tape. */
  markets: readonly TradedMarket[] | null;
  /** Sees every consumed event before it is routed (a trading-only process's health observer). */
  observe?: EventSink;
  /**
   * A resolved market left the node for good (trading.resolved_market_retention_ms after it
   * resolved, once settled): `topics` are those of its topics no other market reads, to unsubscribe.
   */
  onMarketRetired?(market: TradedMarket, topics: string[]): void;
  /** Each BEST_PRICE once its market's actor has evaluated it, by its ts_ingest (the daemon's stage latency). */
  onBestPriceDecided?: (tsIngest: number) => void;
  /** First order sequence number of every market: this session's range (see `sessionSeqBase`). */
  seqBase?: number;
  onError(err: Error): void;
  /**
   * The venue, started already (the daemon's real adapter: session open, reconciled). Absent: the
   * node builds its own from config on its clock (paper; replay, backtest and sweep always).
   */
  adapter?: ExecutionAdapter;
  qcGate?: QcGateMode;
  /**
   * What a previous paper session on the same data directory left: the paper venue starts with its
   * holdings, the markets with their ledgers, risk with the day's loss baseline, the drawdown's peak
   * and the carried holdings' cost. Part of the node's construction, so the dispatch log's header
   * keeps it and a replay starts from it too.
   */
  carried?: CarriedTrading;
  /** NDJSON file of the decisions (append: a later life of the same run). */
  decisionsOut?: { file: string; append: boolean };
  /** Journal of the consumed inputs in dispatch order, with what a replay needs to rebuild the node. */
  dispatchLog?: { file: string; session: number; idsSeed: number; cadence?: DispatchLogCadence };
  /** Read-only hooks (backtests): after each applied input, and on each decision. */
  onInput?(event: HeliosEvent, mirror: BusBookMirror): void;
  onDecision?(event: DecisionEvent, mirror: BusBookMirror): void;
}

export interface DecisionSummary {
  inputs: number;
  decisions: Record<DecisionType, number>;
  /** Markets' state changes (MARKET_STATE also announces a halt's changed causes, in the same state). */
  state_changes: number;
  /** Distinct orders placed, and fills (MATCHED, not later FAILED). */
  orders: number;
  fills: number;
  markets: Array<{ market_id: string; state: string | null; pnl: PnlSummary }>;
  /** Markets earlier sessions retired (carried, collapsed: no figures of their own): how many, and their PnL summed. */
  retired_before: { markets: number; pnl: PnlSummary };
  /** The markets' net PnL and the earlier retired markets'. */
  net_pnl: number;
  /** Virtual time the node ended at. */
  ended_at: number;
}

/**
 * The trading side as one unit, the only one there is: books mirrored from bus events, the router,
 * the trading runtime with its market actors, risk and the paper venue filling against the same
 * mirrored books, all on the node's virtual clock behind one dispatch pump. The daemon (all-in-one
 * or a shard) feeds it from a bus subscription and journals what it consumed; a replay feeds it
 * that journal, or a recorded range, and gets the same decisions.
 */
export class TradingNode implements EventSink {
  readonly mirror = new BusBookMirror();
  readonly runtime: TradingRuntime;
  /** The node's pre-trade risk and kill switches (read by the operator's metrics). */
  readonly risk: RiskEngine;
  readonly paper: PaperExecutionAdapter | null;
  readonly adapter: ExecutionAdapter;
  readonly router: TradingRouter;
  readonly recorder: DecisionRecorder;
  private readonly pump: DispatchPump;
  private readonly dispatchLog: DispatchLogWriter | null = null;
  private subscription: Subscription | null = null;
  private consuming: Promise<void> | null = null;
  private starting: Promise<void> | null = null;
  /** Start-up is done: inputs go to the pump as they come. */
  private started = false;
  /** Inputs pushed before start-up finished, in order. */
  private readonly early: DispatchInput[] = [];
  private ended = false;

  constructor(private readonly deps: TradingNodeDeps) {
    const { config, clock } = deps;
    const carried = deps.adapter ? undefined : deps.carried;
    const adapter = deps.adapter ?? createExecutionAdapter(config.execution, { clock, bookFor: (t) => this.mirror.tradableBook(t), holdings: carried?.venue });
    this.adapter = adapter;
    this.paper = adapter instanceof PaperExecutionAdapter ? adapter : null;
    this.recorder = new DecisionRecorder(deps.sink, deps.decisionsOut, deps.onDecision && ((d) => deps.onDecision!(d, this.mirror)));
    this.risk = new RiskEngine(config.risk);
    if (carried) restoreRisk(this.risk, carried);
    this.runtime = new TradingRuntime({
      clock,
      trading: config.trading,
      risk: config.risk,
      execution: config.execution,
      riskEngine: this.risk,
      adapter,
      sink: this.recorder,
      events: deps.events,
      seqBase: deps.seqBase,
      carried,
      onMarketRetired: (spec) => this.marketRetired(spec.market_id),
    });
    this.router = new TradingRouter({
      runtime: this.runtime,
      paper: this.paper,
      mirror: this.mirror,
      clock,
      cfg: config.trading,
      events: deps.events,
      publish: this.recorder,
      inferMarkets: deps.markets === null,
      qcGate: deps.qcGate,
      onBestPriceDecided: deps.onBestPriceDecided,
    });
    if (deps.dispatchLog) {
      this.dispatchLog = new DispatchLogWriter(deps.dispatchLog.file, {
        kind: 'dispatch_header',
        version: 1,
        session: deps.dispatchLog.session,
        start_ms: clock.now(),
        ids_seed: deps.dispatchLog.idsSeed,
        seq_base: deps.seqBase ?? 0,
        markets: (deps.markets ?? []).map((m) => ({ spec: m.spec, match_id: m.match_id, station_id: m.station_id })),
        ...(carried ? { carried } : {}),
      }, (err) => deps.onError(new Error(`dispatch log: ${err.message}; lines are missing from here on, so this session's log does not replay past it`)), deps.dispatchLog.cadence);
    }
    for (const m of deps.markets ?? []) {
      this.adapter.registerSpec?.(m.spec);
      this.router.addMarket(m);
    }
    this.pump = new DispatchPump({
      clock,
      apply: (event) => {
        const started = this.runtime.work.count;
        this.deps.observe?.emit(event);
        this.cancelAllOnKill(event);
        this.runtime.correlation.input = event;
        try {
          this.router.route(event);
        } finally {
          this.runtime.correlation.input = null;
        }
        this.followSpec(event);
        return this.runtime.work.count !== started;
      },
      recordEvent: this.dispatchLog ? (seq, event) => this.dispatchLog!.writeEvent(seq, event) : undefined,
      recordTick: this.dispatchLog ? (seq, t) => this.dispatchLog!.writeTick(seq, t) : undefined,
      applied: deps.onInput && ((event) => deps.onInput!(event, this.mirror)),
      onError: (err) => deps.onError(err),
    });
  }

  /** Reconciles with the (paper) venue, which lets the markets trade; settles what that released. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      await this.runtime.start();
      await settle();
    })();
    return this.starting;
  }

  topics(): string[] {
    return this.router.topics();
  }

  /** An input delivered now would be decided on at once: started, and nothing queued or being applied. */
  get decidesAtOnce(): boolean {
    return this.started && !this.ended && !this.pump.busy;
  }

  /** One input (an EventSink: a replay engine's sink, a test). */
  emit(event: HeliosEvent): void {
    // Once started, as itself: a wrapper per bus event was garbage on the hot path.
    if (this.started && !this.ended) this.pump.pushEvent(event);
    else this.push({ kind: 'event', event });
  }

  /** Lets the node's time reach `t` without an event, so its timers fire while the bus is quiet. */
  tick(t: number): void {
    this.push({ kind: 'tick', t });
  }

  push(input: DispatchInput): void {
    if (this.ended) return;
    if (this.started) return this.pump.push(input);
    // Inputs wait for start-up: the markets' first decisions follow reconciliation, live and replayed.
    // Held here in order (not a promise per input: after start-up each input goes straight in).
    if (!this.starting) void this.start();
    this.early.push(input);
    if (this.early.length > 1) return;
    void this.starting!.then(() => {
      // An input pushed while these go in joins them behind, in order.
      while (this.early.length) for (const i of this.early.splice(0)) this.pump.push(i);
      this.started = true;
    });
  }

  /** Resolves once every input pushed so far has been applied. */
  async drained(): Promise<void> {
    await this.starting;
    await this.pump.drained();
  }

  /** Live: the node's inputs are the subscription's entries, acknowledged once applied. */
  consume(subscription: Subscription): void {
    this.subscription = subscription;
    this.consuming = (async () => {
      for await (const batch of subscription) {
        for (const d of batch) this.emit(d.event);
        // Usually the batch was applied as it was pushed: no promises per batch to learn so.
        if (!(this.started && this.pump.idle)) await this.drained().catch((err: Error) => this.deps.onError(err));
        await subscription.ack(batch);
      }
    })().catch((err: Error) => this.deps.onError(err));
  }

  /** Applies a single event now, outside the pump (unit tests that drive the clock themselves). */
  route(event: HeliosEvent): boolean {
    this.deps.observe?.emit(event);
    return this.router.route(event);
  }

  /**
   * Ends the run's record: no further input is taken, the decisions file and the dispatch log
   * close together, so both hold exactly the consequences of the logged inputs.
   */
  async endRecording(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.starting;
    await this.pump.close();
    await this.recorder.close();
    // A failed write was reported (onError) when it happened.
    await this.dispatchLog?.close().catch(() => undefined);
  }

  /**
   * Shutdown, once the recording has ended: every open paper order canceled and answered. The paper
   * venue answers on the node's clock, which moves only with inputs, and none come any more: the
   * clock runs on past the venue's order latency (orders in flight arrive first) and then its cancel
   * latency, or a resting order would hold the shutdown waiting for an answer that never comes.
   * Returns how many orders it canceled.
   */
  async cancelPaperOrders(): Promise<number> {
    const paper = this.paper;
    if (!paper) return 0;
    const { order_latency_ms, cancel_latency_ms } = this.deps.config.execution.paper;
    await this.pump.advance(this.deps.clock.now() + order_latency_ms);
    const answers = Promise.all(paper.openOrdersNow().map((o) => paper.cancelOrder(o.client_order_id)));
    await this.pump.advance(this.deps.clock.now() + cancel_latency_ms);
    return (await answers).filter((a) => a.ok).length;
  }

  /** What the next paper session on this data directory starts from (null: not paper). */
  carry(): Required<CarriedTrading> | null {
    if (!this.paper) return null;
    return { venue: this.paper.holdings(), ...this.runtime.carry(), daily: this.risk.dailyBaseline, peak_net_pnl: this.risk.peakNetPnl };
  }

  /** Replay: applies what is queued, runs the clock to `to` (timers included), stops. */
  async finish(to?: number): Promise<DecisionSummary> {
    await this.drained();
    if (to !== undefined) await this.pump.advance(Math.max(to, this.deps.clock.now()));
    const summary = this.summary();
    await this.endRecording();
    this.runtime.stop();
    return summary;
  }

  /** Stops without finishing (a backward seek starts a new node); the decisions file is dropped. */
  abort(): void {
    if (this.ended) return;
    this.ended = true;
    void this.pump.close();
    this.recorder.abort();
    // A failed write was reported when it happened.
    this.dispatchLog?.close().catch(() => undefined);
    this.runtime.stop();
  }

  /**
   * The kill switch (a global HALT from the API, the bus or failing closed) also pulls every
   * resting order at a real venue, those the runtime does not know included; the runtime's own
   * cancels follow as usual and find them gone.
   */
  private cancelAllOnKill(event: HeliosEvent): void {
    if (!isGlobalHalt(event) || !this.adapter.cancelAll) return;
    this.runtime.work.track(this.adapter.cancelAll()).catch((err: Error) => this.deps.onError(new Error(`cancel-all on the kill switch failed: ${err.message}`)));
  }

  /**
   * A real venue signs by the market's current spec: a market discovered elsewhere (a trading
   * process learns them from the bus) or a new tick or minimum size, never a stale cache of its own.
   */
  private followSpec(event: HeliosEvent): void {
    if (!this.adapter.registerSpec || (event.type !== 'MARKET_DISCOVERED' && event.type !== 'MARKET_SPEC_CHANGED')) return;
    const id = event.type === 'MARKET_DISCOVERED' ? event.payload.spec.market_id : event.market_id;
    const spec = id === undefined ? undefined : this.router.spec(id);
    if (spec) this.adapter.registerSpec(spec);
  }

  /** What the node kept for a market the runtime retired goes: its routes, books, paper state, subscriptions. */
  private marketRetired(marketId: string): void {
    const market = this.router.forgetMarket(marketId);
    if (!market) return;
    const tokens = [market.spec.yes_token, market.spec.no_token];
    for (const t of tokens) this.mirror.forget(t);
    this.adapter.forgetMarket?.(marketId, tokens);
    const still = new Set(this.topics());
    this.deps.onMarketRetired?.(market, marketTopics(market).filter((t) => !still.has(t)).sort());
  }

  /** Tokens of the traded markets whose mirrored book is synced. */
  mirroredTokensSynced(): number {
    let n = 0;
    for (const id of this.router.marketIds()) {
      const spec = this.router.spec(id)!;
      n += (this.mirror.synced(spec.yes_token) ? 1 : 0) + (this.mirror.synced(spec.no_token) ? 1 : 0);
    }
    return n;
  }

  summary(): DecisionSummary {
    // Retired markets (resolved, settled, gone from the runtime) stay in the report with their PnL.
    const retired = this.runtime.retention.retiredIds().map((id) => ({ market_id: id, state: 'RESOLVED', pnl: this.runtime.marketPnl(id) }));
    const traded = this.router.marketIds().map((id) => ({ market_id: id, state: this.runtime.marketSnapshot(id)?.state ?? null, pnl: this.runtime.marketPnl(id) }));
    const markets = [...traded, ...retired].sort((a, b) => (a.market_id < b.market_id ? -1 : a.market_id > b.market_id ? 1 : 0));
    const before = this.runtime.carried.retiredBefore;
    const r = this.recorder;
    return {
      inputs: this.pump.inputs,
      decisions: { ...r.counts },
      state_changes: r.stateChanges,
      orders: r.orders,
      fills: r.fills,
      markets,
      retired_before: { markets: before.ids.length, pnl: before.pnl },
      net_pnl: markets.reduce((s, m) => s + m.pnl.net, before.pnl.net),
      ended_at: this.deps.clock.now(),
    };
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.consuming;
    await this.endRecording();
    this.runtime.stop();
    this.subscription = null;
  }
}

export function isGlobalHalt(event: HeliosEvent): boolean {
  return event.type === 'HALT' && event.payload.scope === 'global';
}

