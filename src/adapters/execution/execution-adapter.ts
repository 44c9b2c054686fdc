import type { PayloadOf } from '../../domain/events/catalog.ts';
import type { PlaceIntent } from '../../domain/trading/orders.ts';
import type { PositionView, VenueOrderView } from '../../domain/trading/reconcile.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';

/**
 * The one execution interface, paper and real alike: place, cancel, fetch open orders and
 * positions, plus a stream of order and fill events. Statuses arrive on the stream; the promise
 * results only acknowledge the request.
 */
export type OrderUpdatePayload = PayloadOf<'ORDER_UPDATE'>;
export type FillPayload = PayloadOf<'FILL'>;

export type ExecutionEvent =
  | { kind: 'order'; market_id: string; token_id: string; update: OrderUpdatePayload }
  | { kind: 'fill'; market_id: string; token_id: string; fill: FillPayload };

/** A fill event as the venue answered it (CONFIRMED or FAILED), read again on request. */
export type FillAnswer = Extract<ExecutionEvent, { kind: 'fill' }>;

export type PlaceOrderRequest = Omit<PlaceIntent, 'kind'>;

export type PlaceOrderAck =
  | { accepted: true; client_order_id: string; venue_order_id: string; duplicate: boolean }
  | { accepted: false; client_order_id: string; reason: string };

export type CancelAck = { ok: true; client_order_id: string } | { ok: false; client_order_id: string; reason: string; benign: boolean };

export interface ExecutionAdapter {
  readonly kind: 'paper' | 'real';
  /** Idempotent by client_order_id: a repeat returns the first answer and places nothing. */
  placeOrder(req: PlaceOrderRequest): Promise<PlaceOrderAck>;
  cancelOrder(clientOrderId: string): Promise<CancelAck>;
  fetchOpenOrders(): Promise<VenueOrderView[]>;
  fetchPositions(): Promise<PositionView[]>;
  /** Order and fill events, in venue order. Returns the unsubscribe function. */
  subscribe(listener: (event: ExecutionEvent) => void): () => void;
  /**
   * Cancels every resting order of the account at the venue, helios's or not (kill switch,
   * SIGTERM). Only a real venue has orders beyond the runtime's reach; paper has none.
   */
  cancelAll?(): Promise<string[]>;
  /**
   * The final answer (CONFIRMED or FAILED) of each of these fills the venue has given one, from its
   * own record; fills it has not answered yet are left out (a venue that reads them anew sends an
   * answer it finds on the stream). Reconciliation asks for a resolved market's unanswered fills, and
   * for a live market's pending past `execution.reconcile.fill_answer_after_ms` (a bounded few a run,
   * until `fill_answer_timeout_ms` gives one up).
   */
  fillAnswers?(fillIds: readonly string[]): Promise<FillAnswer[]>;
  /**
   * The trading side stopped waiting for this fill's answer (`fill_answer_timeout_ms`, its one
   * FILL_UNANSWERED told). A venue that outlives a restart of the trading side and names the fill
   * again as awaiting its answer (a position's `awaiting`) keeps the mark with the fill, so the
   * restarted side holds it pending (a late answer still applies) without asking or telling again.
   */
  giveUpFillAnswer?(fillId: string): void;
  /** The fill's answer was given up (giveUpFillAnswer), by this trading side or one before it. */
  isFillAnswerGivenUp?(fillId: string): boolean;
  /** A market the trading node trades from now on (a real venue signs by its tick, size and neg-risk). */
  registerSpec?(spec: MarketSpec): void;
  /**
   * A market the trading side retired for good (resolved, settled, nothing of it live): the venue
   * lets go of what it kept of it that nothing will ask about again.
   */
  forgetMarket?(marketId: string, tokens: readonly string[]): void;
}
