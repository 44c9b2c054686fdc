import type { Level } from './l2-book.ts';
import type { TokenBookState } from './token-book-state.ts';

/** Everything derived from one token's book at one instant (prices and sizes as numbers). */
export interface BookView {
  asset_id: string;
  synced: boolean;
  resync_epoch_id: number;
  tick_size: number;
  best_bid: number | null;
  best_bid_size: number | null;
  best_ask: number | null;
  best_ask_size: number | null;
  mid: number | null;
  spread: number | null;
  microprice: number | null;
  imbalance: number | null;
  bid_levels: number;
  ask_levels: number;
  /** Best first, at most `topLevels` per side. */
  bids: Level[];
  asks: Level[];
  hash: string | null;
}

export interface BookViewOptions {
  /** Levels per side in the exported top-N (0 for none). */
  topLevels: number;
  /** Levels per side the imbalance is computed over. */
  imbalanceLevels: number;
}

export function viewBook(state: TokenBookState, opts: BookViewOptions): BookView {
  const book = state.book;
  const bid = book.bestBid();
  const ask = book.bestAsk();
  const top = opts.topLevels > 0 ? book.topN(opts.topLevels) : { bids: [], asks: [] };
  return {
    asset_id: state.asset_id,
    synced: state.synced,
    resync_epoch_id: state.resync_epoch_id,
    tick_size: book.tickSize,
    best_bid: bid?.price ?? null,
    best_bid_size: bid?.size ?? null,
    best_ask: ask?.price ?? null,
    best_ask_size: ask?.size ?? null,
    mid: book.mid(),
    spread: book.spread(),
    microprice: book.microprice(),
    imbalance: book.imbalance(opts.imbalanceLevels),
    bid_levels: book.levelCount('BUY'),
    ask_levels: book.levelCount('SELL'),
    bids: top.bids,
    asks: top.asks,
    hash: state.hash,
  };
}
