import { hash32 } from '../util/random.ts';
import type { OrderSide } from './book-view.ts';

/** Order lifecycle: pending → open → partially_filled → filled / canceled / rejected / expired. */
export const ORDER_STATUSES = ['pending', 'open', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type OrderType = 'FOK' | 'FAK' | 'GTC' | 'GTD';
/** `neg_risk`: legs of a full-set purchase across an event's buckets (placed by the event coordinator). */
export type StrategyName = 'pair_arb' | 'temporal' | 'reconciled' | 'neg_risk';

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['open', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired'],
  open: ['partially_filled', 'filled', 'canceled', 'expired'],
  partially_filled: ['partially_filled', 'filled', 'canceled', 'expired'],
  filled: [],
  canceled: [],
  rejected: [],
  expired: [],
};

export function isTerminal(status: OrderStatus): boolean {
  return NEXT[status].length === 0;
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

export function isMarketable(type: OrderType): boolean {
  return type === 'FOK' || type === 'FAK';
}

export interface OrderRecord {
  client_order_id: string;
  venue_order_id: string | null;
  market_id: string;
  token_id: string;
  side: OrderSide;
  order_type: OrderType;
  price: number;
  size: number;
  /** What the venue reports matched (its order update's size_matched): it may run ahead of the fills heard. */
  filled_size: number;
  /**
   * Shares of this order's fills heard so far, each fill once whatever its status (a FAILED one
   * too: what it matched is no longer matched). `filled_size` beyond it is matched at the venue
   * but not yet in the ledger (see matchedLedger).
   */
  heard_size: number;
  status: OrderStatus;
  strategy: StrategyName;
  placed_at_ms: number;
  expires_at_ms: number | null;
  cancel_requested: boolean;
  reason: string | null;
}

export interface OrderStatusUpdate {
  client_order_id: string;
  status: OrderStatus;
  filled_size: number;
  venue_order_id?: string | null;
  reason?: string | null;
}

/**
 * Applies a venue update. Updates arrive out of order and twice (stream plus polling), so an
 * update that is illegal from the current status, or repeats it, leaves the order unchanged;
 * filled size only grows.
 */
export function advanceOrder(order: OrderRecord, update: OrderStatusUpdate): OrderRecord {
  const filled = Math.max(order.filled_size, update.filled_size);
  const sameStatus = update.status === order.status;
  if (!sameStatus && !canTransition(order.status, update.status)) {
    return filled === order.filled_size || isTerminal(order.status) ? order : { ...order, filled_size: filled };
  }
  if (sameStatus && filled === order.filled_size) return order;
  return {
    ...order,
    status: update.status,
    filled_size: filled,
    venue_order_id: update.venue_order_id ?? order.venue_order_id,
    reason: update.reason ?? order.reason,
  };
}

/**
 * Deterministic, idempotent client order id: the same market, strategy and sequence number
 * always give the same id, so a retried submit is recognised by the venue instead of doubling.
 */
export function clientOrderId(marketId: string, strategy: StrategyName, seq: number): string {
  const tag = strategy === 'pair_arb' ? 'pa' : strategy === 'temporal' ? 'tp' : strategy === 'neg_risk' ? 'nr' : 'rc';
  return `h${hash32(marketId).toString(36)}-${tag}-${seq}`;
}

export interface OrderTypeRules {
  marketable_type: 'FOK' | 'FAK';
  resting_type: 'GTC' | 'GTD';
  max_time_in_book_ms: number;
}

/** Entries that take liquidity are FOK/FAK; passive ones rest as GTC/GTD with a bounded life. */
export function orderTypeFor(intent: 'marketable' | 'resting', rules: OrderTypeRules): OrderType {
  return intent === 'marketable' ? rules.marketable_type : rules.resting_type;
}

export function restingExpiry(type: OrderType, nowMs: number, rules: OrderTypeRules): number | null {
  return type === 'GTD' ? nowMs + rules.max_time_in_book_ms : null;
}

/** A resting order overstays when its time in book is over (GTD gets the same bound as a backstop). */
export function hasOverstayed(order: OrderRecord, nowMs: number, rules: OrderTypeRules): boolean {
  if (isMarketable(order.order_type) || isTerminal(order.status) || order.status === 'pending') return false;
  return nowMs - order.placed_at_ms >= rules.max_time_in_book_ms;
}

/** An order a strategy wants placed: what its record will hold once placed. */
export interface PlaceIntent
  extends Pick<OrderRecord, 'client_order_id' | 'market_id' | 'token_id' | 'side' | 'order_type' | 'price' | 'size' | 'strategy' | 'expires_at_ms'> {
  kind: 'place';
}

export interface CancelIntent {
  kind: 'cancel';
  client_order_id: string;
  reason: string;
}

export type OrderIntent = PlaceIntent | CancelIntent;

/** Cancels go out before new orders of the same decision. */
export function cancelsFirst(intents: readonly OrderIntent[]): OrderIntent[] {
  return [...intents.filter((i) => i.kind === 'cancel'), ...intents.filter((i) => i.kind === 'place')];
}

export function newOrderRecord(intent: PlaceIntent, nowMs: number): OrderRecord {
  return {
    client_order_id: intent.client_order_id,
    venue_order_id: null,
    market_id: intent.market_id,
    token_id: intent.token_id,
    side: intent.side,
    order_type: intent.order_type,
    price: intent.price,
    size: intent.size,
    filled_size: 0,
    heard_size: 0,
    status: 'pending',
    strategy: intent.strategy,
    placed_at_ms: nowMs,
    expires_at_ms: intent.expires_at_ms,
    cancel_requested: false,
    reason: null,
  };
}

/** Shares the venue reports matched whose fills have not been heard yet. */
export function unheardMatched(order: OrderRecord): number {
  return Math.max(0, order.filled_size - order.heard_size);
}

/**
 * Keeps every live order, every order still owed fills the venue reported matched (they count
 * as held until heard, see matchedLedger), and the `keep` most recent other finished ones: a
 * long-lived market stays small.
 */
export function pruneFinished(orders: Record<string, OrderRecord>, keep: number): Record<string, OrderRecord> {
  const finished = Object.values(orders).filter((o) => isTerminal(o.status) && unheardMatched(o) <= 1e-9);
  if (finished.length <= keep) return orders;
  const drop = new Set(
    finished
      .sort((a, b) => a.placed_at_ms - b.placed_at_ms || a.client_order_id.localeCompare(b.client_order_id))
      .slice(0, finished.length - keep)
      .map((o) => o.client_order_id),
  );
  const out: Record<string, OrderRecord> = {};
  for (const [id, o] of Object.entries(orders)) if (!drop.has(id)) out[id] = o;
  return out;
}
