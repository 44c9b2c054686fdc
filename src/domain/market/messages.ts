/**
 * Normalized Polymarket market-channel messages. The decoder
 * (`src/adapters/polymarket/market-decoder.ts`) turns every wire shape the venue has used into these;
 * nothing downstream sees the raw frames. Prices, sizes and timestamps are numbers (the wire sends
 * strings); ids stay strings (token ids exceed 2^53).
 */

/** BUY = bid side, SELL = ask side (the venue's own words). */
export type BookSide = 'BUY' | 'SELL';

/** [price, size] */
export type PriceSize = [number, number];

/** Full L2 snapshot of one token. Levels are in the order the venue sent them (best is LAST). */
export interface BookMessage {
  kind: 'book';
  market: string;
  asset_id: string;
  /** Venue time, epoch ms. */
  timestamp: number;
  bids: PriceSize[];
  asks: PriceSize[];
  /** Opaque change token; never verified on the WebSocket (see notes/polymarket.md). */
  hash: string | null;
  /** Present on books since 2026; null on older frames. */
  tick_size: number | null;
  last_trade_price: number | null;
}

/** One level change: `size` is the new total at `price` (0 removes the level). */
export interface PriceLevelChange {
  asset_id: string;
  side: BookSide;
  price: number;
  size: number;
  /** Top of book the venue reports after the change; null when the frame did not carry it. */
  best_bid: number | null;
  best_ask: number | null;
  hash: string | null;
}

/**
 * Level changes, whatever the wire shape: `flat` (≤ Oct 2024, one change at top level), `changes`
 * (Oct 2024 → Sep 2025, one asset per frame) or `price_changes` (current, may mix both tokens).
 */
export interface PriceChangeMessage {
  kind: 'price_change';
  market: string;
  timestamp: number;
  format: 'flat' | 'changes' | 'price_changes';
  changes: PriceLevelChange[];
}

export interface LastTradePriceMessage {
  kind: 'last_trade_price';
  market: string;
  asset_id: string;
  timestamp: number;
  price: number;
  size: number;
  side: BookSide | null;
  fee_rate_bps: number | null;
  transaction_hash: string | null;
}

export interface TickSizeChangeMessage {
  kind: 'tick_size_change';
  market: string;
  asset_id: string;
  timestamp: number;
  old_tick_size: number;
  new_tick_size: number;
}

export interface BestBidAskMessage {
  kind: 'best_bid_ask';
  market: string;
  asset_id: string;
  timestamp: number;
  best_bid: number | null;
  best_ask: number | null;
  spread: number | null;
}

export interface EventMessageRef {
  id: string | null;
  ticker: string | null;
  slug: string | null;
  title: string | null;
}

export interface NewMarketMessage {
  kind: 'new_market';
  /** Gamma market id. */
  id: string;
  market: string;
  timestamp: number;
  question: string | null;
  slug: string | null;
  assets_ids: string[];
  outcomes: string[];
  tags: string[];
  tick_size: number | null;
  group_item_title: string | null;
  event: EventMessageRef | null;
}

export interface MarketResolvedMessage {
  kind: 'market_resolved';
  id: string | null;
  market: string;
  timestamp: number;
  assets_ids: string[];
  winning_asset_id: string | null;
  winning_outcome: string | null;
}

/** Text frame `PONG`: the answer to our `PING`. */
export interface PongMessage {
  kind: 'pong';
}

/** Text frame `NO NEW ASSETS`: a heartbeat/ack sent with custom features on. */
export interface NoNewAssetsMessage {
  kind: 'no_new_assets';
}

export type MarketMessage =
  | BookMessage
  | PriceChangeMessage
  | LastTradePriceMessage
  | TickSizeChangeMessage
  | BestBidAskMessage
  | NewMarketMessage
  | MarketResolvedMessage
  | PongMessage
  | NoNewAssetsMessage;

export type MarketMessageKind = MarketMessage['kind'];

export const MARKET_MESSAGE_KINDS: readonly MarketMessageKind[] = [
  'book',
  'price_change',
  'last_trade_price',
  'tick_size_change',
  'best_bid_ask',
  'new_market',
  'market_resolved',
  'pong',
  'no_new_assets',
];
