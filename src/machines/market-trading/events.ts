import type { OrderStatusUpdate, OrderRecord } from '../../domain/trading/orders.ts';
import type { LedgerFill } from '../../domain/trading/pnl-ledger.ts';
import type { NowcastSignal, Policy, TruthSignal } from '../../domain/trading/policy.ts';
import type { PositionView, VenueOrderView } from '../../domain/trading/reconcile.ts';
import type { BookSignal, RiskSignal } from '../../domain/trading/signals.ts';

/** Coalesced signals a market actor accepts (never one per book delta). */
export type MarketSignalEvent =
  /** One token's book, or (`partner`) both of the market's, published together: one decision on both. */
  | { type: 'BOOK'; signal: BookSignal; partner?: BookSignal }
  | { type: 'POLICY'; policy: Policy }
  | { type: 'TRUTH'; truth: TruthSignal; ts_ms: number }
  | { type: 'NOWCAST'; nowcast: NowcastSignal; ts_ms: number }
  | { type: 'RISK'; risk: RiskSignal }
  | { type: 'MARKET_RESOLVED'; winning_token_id: string | null }
  /** The venue's new tick or minimum size: orders from now on are priced and sized to it. */
  | { type: 'SPEC_CHANGE'; tick_size: number; min_order_size: number };

/** Execution feedback, routed from the adapter's stream by the runtime. */
export type MarketExecutionEvent =
  | { type: 'ORDER_UPDATE'; update: OrderStatusUpdate }
  | { type: 'FILL'; fill: LedgerFill & { client_order_id: string } }
  | { type: 'CANCEL_REJECTED'; client_order_id: string; reason: string };

/** Reconciliation and operator control. */
export type MarketControlEvent =
  | { type: 'RECONCILE_BREAK'; reason: string; venue_orders: VenueOrderView[]; venue_positions: PositionView[] }
  | { type: 'RECONCILED' }
  /** A resolved market's live orders against the venue, and the venue's it has no record of (domain/trading/reconcile.ts resolvedCloseOut). */
  | { type: 'CLOSE_OUT'; gone: string[]; resting: string[]; foreign: VenueOrderView[] }
  | { type: 'HALT_CMD'; reason: string }
  | { type: 'RESUME_CMD' };

/** Periodic re-check, from the actor's own timer or its group's. */
export type MarketWatchdogEvent = { type: 'WATCHDOG' };

/** An event as a sender writes it, before the time it is sent at is stamped on it. */
export type MarketInputEvent = MarketSignalEvent | MarketExecutionEvent | MarketControlEvent | MarketWatchdogEvent;

/** Every event from outside carries the sender's time: the machine's only notion of now. */
export type Stamped<E> = E extends unknown ? E & { now_ms: number } : never;

/** Raised by the machine itself: decide after the state settled (same time as its cause). */
export type MarketInternalEvent = { type: 'DECIDE' };

export type MarketTradingEvent = Stamped<MarketInputEvent> | MarketInternalEvent;

/** What the machine reports outward (wired to EventSink by the runtime). */
export type MarketNotice =
  | { kind: 'state'; state: string; previous: string | null; reason: string | null }
  | { kind: 'positions' }
  | { kind: 'rebuilt'; reason: string };

export type { OrderRecord };
