/**
 * What trading reads from a mirrored book: the subset of `L2Book` (src/domain/book/l2-book.ts)
 * that decisions and the paper venue need. Kept structural so trading never depends on how the
 * book is stored; an `L2Book` satisfies it as is.
 */
export type OrderSide = 'BUY' | 'SELL';

export interface BookLevel {
  price: number;
  size: number;
}

export interface EffectivePrice {
  avgPrice: number | null;
  fillable: number;
  worstPrice: number | null;
}

export interface TradableBook {
  bestBid(): BookLevel | null;
  bestAsk(): BookLevel | null;
  /** BUY walks the asks, SELL walks the bids. */
  effectivePriceForSize(side: OrderSide, size: number): EffectivePrice;
}

/** The touch a side trades against: a BUY lifts the best ask, a SELL hits the best bid. */
export function touchFor(book: TradableBook, side: OrderSide): BookLevel | null {
  return side === 'BUY' ? book.bestAsk() : book.bestBid();
}
