/**
 * Normalized Polymarket USER-channel messages (our own orders and trades). The decoder
 * (`src/adapters/polymarket/user-decoder.ts`) turns every wire shape seen into these. Prices and sizes
 * are numbers, every time is epoch ms (the venue mixes seconds, milliseconds and ISO-8601 text), ids
 * stay strings, and "not sent" is null.
 */
import type { BookSide } from './messages.ts';

/** What happened to an order: placed, (partly) matched, or cancelled (by us, by expiry or by the venue). */
export const ORDER_EVENT_TYPES = ['PLACEMENT', 'UPDATE', 'CANCELLATION'] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

export const ORDER_STATUSES = ['LIVE', 'MATCHED', 'CANCELED', 'INVALID', 'DELAYED', 'UNMATCHED', 'CANCELED_MARKET_RESOLVED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_TIME_IN_FORCE = ['GTC', 'GTD', 'FOK', 'FAK'] as const;
export type OrderTimeInForce = (typeof ORDER_TIME_IN_FORCE)[number];

/**
 * Settlement of a trade: MATCHED (handed to the executor) → MINED → CONFIRMED, or RETRYING (the
 * transaction failed and is resubmitted) and finally FAILED. The same trade id comes back per status.
 */
export const TRADE_STATUSES = ['MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED'] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];

export const TRADER_SIDES = ['TAKER', 'MAKER'] as const;
export type TraderSide = (typeof TRADER_SIDES)[number];

export interface UserOrderMessage {
  kind: 'order';
  type: OrderEventType;
  /** The order hash. */
  id: string;
  /** Condition id. */
  market: string;
  asset_id: string;
  side: BookSide;
  outcome: string | null;
  price: number;
  original_size: number;
  /** Sent as "" with a venue reason (e.g. a killed FOK): nothing matched, so 0. */
  size_matched: number;
  status: OrderStatus;
  /** The reason the venue appends to a status (`CANCELED_order couldn't be fully filled…`), else null. */
  status_detail: string | null;
  order_type: OrderTimeInForce | null;
  /** Trade ids this order took part in (null on the wire → []). */
  associate_trades: string[];
  owner: string | null;
  order_owner: string | null;
  maker_address: string | null;
  created_at: number | null;
  /** GTD expiry; null when the order does not expire ("0" on the wire). */
  expiration: number | null;
  timestamp: number;
}

/** One resting order the trade matched against; it may be on the other outcome token. */
export interface MakerOrderFill {
  order_id: string;
  asset_id: string;
  price: number;
  matched_amount: number;
  outcome: string | null;
  side: BookSide | null;
  fee_rate_bps: number | null;
  owner: string | null;
  maker_address: string | null;
}

export interface UserTradeMessage {
  kind: 'trade';
  id: string;
  taker_order_id: string;
  market: string;
  asset_id: string;
  side: BookSide;
  outcome: string | null;
  price: number;
  size: number;
  fee_rate_bps: number | null;
  status: TradeStatus;
  trader_side: TraderSide | null;
  match_time: number | null;
  last_update: number | null;
  timestamp: number;
  owner: string | null;
  trade_owner: string | null;
  maker_address: string | null;
  transaction_hash: string | null;
  bucket_index: number | null;
  maker_orders: MakerOrderFill[];
}

/** Text frame `PONG`: the answer to our `PING`. */
export interface UserPongMessage {
  kind: 'pong';
}

export type UserMessage = UserOrderMessage | UserTradeMessage | UserPongMessage;
export type UserMessageKind = UserMessage['kind'];
