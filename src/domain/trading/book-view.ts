/**
 * What trading reads from a mirrored book: the subset of `L2Book` (src/domain/book/l2-book.ts)
 * that decisions and the paper venue need. Only the methods are picked, so trading never depends
 * on how the book is stored and any object with them (a test book, a remote view) will do.
 */
import type { EffectivePrice, L2Book, TopOfBook } from '../book/l2-book.ts';
import type { BookSide } from '../market/messages.ts';

export type { EffectivePrice };

export type OrderSide = BookSide;

export type BookLevel = TopOfBook;

/** `effectivePriceForSize`: BUY walks the asks, SELL walks the bids. */
export type TradableBook = Pick<L2Book, 'bestBid' | 'bestAsk' | 'effectivePriceForSize'>;

/** The touch a side trades against: a BUY lifts the best ask, a SELL hits the best bid. */
export function touchFor(book: TradableBook, side: OrderSide): BookLevel | null {
  return side === 'BUY' ? book.bestAsk() : book.bestBid();
}
