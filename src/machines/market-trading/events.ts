import type { OrderStatusUpdate, OrderRecord } from '../../domain/trading/orders.ts';
import type { LedgerFill } from '../../domain/trading/pnl-ledger.ts';
import type { NowcastSignal, Policy, TruthSignal } from '../../domain/trading/policy.ts';
import type { PositionView, VenueOrderView } from '../../domain/trading/reconcile.ts';
import type { BookSignal, RiskSignal } from '../../domain/trading/signals.ts';

/** Coalesced signals a market actor accepts (never one per book delta). */
export type MarketSignalEvent =
  | { type: 'BOOK'; signal: BookSignal }
  | { type: 'POLICY'; policy: Policy }
  | { type: 'TRUTH'; truth: TruthSignal; ts_ms: number }
  | { type: 'NOWCAST'; nowcast: NowcastSignal; ts_ms: number }
  | { type: 'RISK'; risk: RiskSignal }
  | { type: 'MARKET_RESOLVED'; winning_token_id: string | null };

/** Execution feedback, routed from the adapter's stream by the runtime. */
export type MarketExecutionEvent =
  | { type: 'ORDER_UPDATE'; update: OrderStatusUpdate }
  | { type: 'FILL'; fill: LedgerFill & { client_order_id: string } }
  | { type: 'CANCEL_REJECTED'; client_order_id: string; reason: string };

/** Reconciliation and operator control. */
export type MarketControlEvent =
  | { type: 'RECONCILE_BREAK'; reason: string; venue_orders: VenueOrderView[]; venue_positions: PositionView[] }
  | { type: 'RECONCILED' }
  | { type: 'HALT_CMD'; reason: string }
  | { type: 'RESUME_CMD' };

/** Raised by the machine itself: decide after the state settled; periodic re-check. */
export type MarketInternalEvent = { type: 'DECIDE' } | { type: 'WATCHDOG' };

export type MarketTradingEvent = MarketSignalEvent | MarketExecutionEvent | MarketControlEvent | MarketInternalEvent;

/** What the machine reports outward (wired to EventSink by the runtime). */
export type MarketNotice =
  | { kind: 'state'; state: string; previous: string | null; reason: string | null }
  | { kind: 'positions' }
  | { kind: 'rebuilt'; reason: string };

export type { OrderRecord };
