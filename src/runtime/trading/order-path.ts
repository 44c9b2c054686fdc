import type { AnyActorRef } from 'xstate';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import { CancelBackoff } from '../../domain/trading/cancel-backoff.ts';
import { matchedLedger } from '../../domain/trading/matched-holdings.ts';
import { cancelsFirst, isTerminal, newOrderRecord, type OrderIntent, type PlaceIntent, type StrategyName } from '../../domain/trading/orders.ts';
import { riskOrderCheck } from '../../domain/trading/order-check.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { emptyLedger, type Ledger } from '../../domain/trading/pnl-ledger.ts';
import type { VenueOrderView } from '../../domain/trading/reconcile.ts';
import type { RiskEngine } from '../../domain/trading/risk-engine.ts';
import type { ExecutionAdapter, ExecutionEvent, FillAnswer } from '../../adapters/execution/execution-adapter.ts';
import type { MarketResume, MarketTradingContext } from '../../machines/market-trading/context.ts';
import type { MarketInputEvent } from '../../machines/market-trading/events.ts';
import type { NegRiskCoordinator } from './neg-risk-coordinator.ts';
import type { OrderCorrelation } from './order-correlation.ts';
import type { StartedWork } from './started-work.ts';
import { UncommittedSends } from './uncommitted-sends.ts';

export interface OrderPathDeps {
  clock: Clock;
  execution: { cancel_backoff_min_ms: number; cancel_backoff_max_ms: number };
  riskEngine: RiskEngine;
  adapter: ExecutionAdapter;
  sink: EventSink;
  events: EventFactory;
  work: StartedWork;
  correlation: OrderCorrelation;
  negRisk: NegRiskCoordinator;
  /** A market is about to change: its group and the periodic checks wake. */
  touched(marketId: string): void;
  /** Sends to a market by id (stamped with the time it is sent at). */
  send(marketId: string, event: MarketInputEvent): void;
  /** Answers the actor that decided, or the successor that resumed its orders if it failed since (held while that one restarts). */
  sendTo(ref: AnyActorRef, event: MarketInputEvent): void;
  /** Risk passed a market's places: what depends on its working orders (neg-risk event views) looks again. */
  placing(marketId: string, context: MarketTradingContext): void;
  /** Publishes queued risk changes and tells the affected markets. */
  flushRisk(): void;
  /** A market's order changed what it holds as matched: risk counts it in the market's exposure again. */
  followExposure(marketId: string): void;
}

/**
 * A venue call that throws instead of returning a rejected promise fails the same way: its order is
 * answered (reservation freed, rejected) rather than the throw failing the market actor deciding.
 */
function venueCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call();
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * The order path both ways: a market's intents through pre-trade risk to the venue (cancels first),
 * and the venue's order updates and fills back to the market, risk and the event stream.
 */
export class OrderPath {
  private readonly uncommitted = new UncommittedSends();
  private readonly cancelBackoff: CancelBackoff;
  /** Rejected cancels not yet told to their market (its backoff running). */
  private readonly heldRejections = new Set<TimerHandle>();

  constructor(private readonly deps: OrderPathDeps) {
    this.cancelBackoff = new CancelBackoff({ minMs: deps.execution.cancel_backoff_min_ms, maxMs: deps.execution.cancel_backoff_max_ms });
  }

  /** The held rejections are dropped (the runtime stops: no timer keeps the process up). */
  stop(): void {
    for (const t of this.heldRejections) this.deps.clock.clearTimeout(t);
    this.heldRejections.clear();
  }

  /**
   * A market's intents out. `context` is the deciding step's (it holds their order records);
   * `self`'s snapshot is still the one before that step, the one the actor resumes from should
   * the step fail after this.
   */
  dispatch(marketId: string, intents: readonly OrderIntent[], context: MarketTradingContext, self: AnyActorRef): void {
    if (!intents.length) return;
    const committed = (self.getSnapshot() as { context: MarketTradingContext }).context;
    this.deps.touched(marketId);
    const { clock, riskEngine, adapter, work } = this.deps;
    const places = intents.filter((i): i is PlaceIntent => i.kind === 'place');
    let checked = false;
    for (const intent of cancelsFirst(intents)) {
      if (intent.kind === 'cancel') {
        const requested = context.orders[intent.client_order_id];
        if (requested) this.uncommitted.cancelled(marketId, requested, committed);
        const rejected = (reason: string): void => {
          riskEngine.onCancelResult(marketId, false, clock.now());
          this.deps.flushRisk();
          // The market re-decides (and may re-send) the cancel when it hears the rejection: until
          // then its cancel stays requested, so it hears it only once the backoff is over.
          const held = clock.setTimeout(() => {
            this.heldRejections.delete(held);
            this.deps.sendTo(self, { type: 'CANCEL_REJECTED', client_order_id: intent.client_order_id, reason });
          }, this.cancelBackoff.failed(marketId, intent.client_order_id));
          this.heldRejections.add(held);
        };
        void work.track(venueCall(() => adapter.cancelOrder(intent.client_order_id))).then(
          (ack) => {
            if (!(ack.ok || ack.benign)) return rejected(ack.reason);
            this.cancelBackoff.forget(marketId, intent.client_order_id);
            riskEngine.onCancelResult(marketId, true, clock.now());
            this.deps.flushRisk();
          },
          (err) => rejected(String(err)),
        );
        continue;
      }
      if (!checked) {
        checked = true;
        // What reduces is judged on what the market holds as matched at the venue, as the market decided on it.
        const held = matchedLedger(context.ledger, context.orders, context.spec.fee);
        const verdict = riskEngine.checkOrders(places.map((p) => riskOrderCheck(marketId, p, context.spec, held)), clock.now());
        if (!verdict.ok) {
          // A refusal counts against the market like a venue reject: a market that keeps asking for refused orders pauses.
          riskEngine.onReject(marketId, clock.now());
          for (const p of places) this.refuse(self, p.client_order_id, `risk: ${verdict.reason}`);
          this.deps.flushRisk();
          return;
        }
        this.deps.placing(marketId, context);
      }
      const sentAt = clock.monotonicNow();
      const { kind: _k, ...req } = intent;
      this.uncommitted.placed(marketId, context.orders[intent.client_order_id] ?? newOrderRecord(intent, context.now_ms), context.seq, committed);
      void work.track(venueCall(() => adapter.placeOrder(req))).then(
        (ack) => {
          riskEngine.onOrderLatency(marketId, clock.monotonicNow() - sentAt, clock.now());
          if (!ack.accepted) riskEngine.onOrderProgress(intent.client_order_id, 0, intent.size, true);
          this.deps.flushRisk();
        },
        (err) => {
          riskEngine.onOrderProgress(intent.client_order_id, 0, intent.size, true);
          this.refuse(self, intent.client_order_id, String(err instanceof Error ? err.message : err));
        },
      );
    }
  }

  /** What a restarted market resumes: its predecessor's last good context, the orders the step that failed sent and the cancels it requested. */
  resumed(marketId: string, resume: MarketResume): MarketResume {
    return this.uncommitted.handOver(marketId, resume);
  }

  /** A market left: none of its orders is handed over again. */
  forget(marketId: string): void {
    this.uncommitted.forget(marketId);
    this.cancelBackoff.forgetMarket(marketId);
  }

  /**
   * A market rebuilt from the venue took its open orders: one risk never checked (placed by an
   * earlier process, or whose answer was lost) can still fill, so what it can buy is reserved too.
   * `ledger`: the market's rebuilt ledger, which tells a sell of shares held.
   */
  adopted(marketId: string, orders: readonly VenueOrderView[], spec: MarketSpec, ledger: Ledger = emptyLedger()): void {
    for (const v of orders) {
      const intent: PlaceIntent = { kind: 'place', client_order_id: v.client_order_id, market_id: marketId, token_id: v.token_id, side: v.side, order_type: 'GTC', price: v.price, size: v.size, strategy: 'reconciled', expires_at_ms: null };
      this.deps.riskEngine.adopt(riskOrderCheck(marketId, intent, spec, ledger), v.filled_size);
    }
  }

  private refuse(self: AnyActorRef, clientOrderId: string, reason: string): void {
    this.deps.sendTo(self, { type: 'ORDER_UPDATE', update: { client_order_id: clientOrderId, status: 'rejected', filled_size: 0, reason } });
  }

  /** One event of the adapter's stream: published with its order's correlation ids, then to risk and the market. */
  onExecution(e: ExecutionEvent): void {
    const { riskEngine, clock, sink, events, correlation } = this.deps;
    const coid = e.kind === 'order' ? e.update.client_order_id : e.fill.client_order_id;
    const ids = { market_id: e.market_id, token_id: e.token_id, ...correlation.forOrder(coid) };
    sink.emit(correlation.emitted(coid, e.kind === 'order' ? events.make('ORDER_UPDATE', e.update, ids) : events.make('FILL', e.fill, ids)));
    if (e.kind === 'order') {
      const u = e.update;
      riskEngine.onOrderProgress(u.client_order_id, u.filled_size, u.size, isTerminal(u.status));
      if (isTerminal(u.status)) this.cancelBackoff.forget(e.market_id, u.client_order_id);
      this.deps.negRisk.onLegUpdate(u);
      if (isTerminal(u.status)) this.deps.negRisk.onOrderDone(u.client_order_id, u.filled_size);
      if (u.status === 'rejected') riskEngine.onReject(e.market_id, clock.now());
      else if (u.status !== 'pending') riskEngine.onAccepted(e.market_id);
      this.deps.send(e.market_id, { type: 'ORDER_UPDATE', update: { client_order_id: u.client_order_id, status: u.status, filled_size: u.filled_size, venue_order_id: u.venue_order_id, reason: u.reason } });
      // Risk just moved the filled shares out of the order's reservation: they count in the position
      // now, before their fills are heard (the market holds them as matched).
      if (u.filled_size > 0) this.deps.followExposure(e.market_id);
      this.deps.flushRisk();
      return;
    }
    this.deliverFill(e);
  }

  /** A fill event to its market and risk (also an answer reconciliation read again from the venue, published when the venue first gave it). */
  deliverFill(e: FillAnswer): void {
    const f = e.fill;
    // A set leg's fill is heard before its market books it: counted once when the market's exposure follows.
    this.deps.negRisk.hearFill(f);
    this.deps.send(e.market_id, {
      type: 'FILL',
      fill: { client_order_id: f.client_order_id, fill_id: f.fill_id, token_id: e.token_id, strategy: f.strategy as StrategyName, side: f.side, price: f.price, size: f.size, fee_usdc: f.fee_usdc, status: f.status },
    });
    // The market's positions notice (after its ledger took the fill) brought risk up to date.
    this.deps.flushRisk();
  }
}
