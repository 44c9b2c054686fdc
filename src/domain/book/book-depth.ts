import type { L2Book, Level } from './l2-book.ts';

/**
 * One token's whole mirrored book as plain numbers, best level first on each side: the shape of
 * `GET /books`, comparable level by level with the venue simulator's `trueBook`.
 */
export interface BookDepth {
  token_id: string;
  synced: boolean;
  best_bid: number | null;
  best_ask: number | null;
  bids: Level[];
  asks: Level[];
}

export function bookDepth(tokenId: string, synced: boolean, book: L2Book | null | undefined): BookDepth {
  if (!book) return { token_id: tokenId, synced, best_bid: null, best_ask: null, bids: [], asks: [] };
  const { bids, asks } = book.topN(Infinity);
  return { token_id: tokenId, synced, best_bid: bids[0]?.[0] ?? null, best_ask: asks[0]?.[0] ?? null, bids, asks };
}

