/**
 * What trading reads from a mirrored book: the subset of `L2Book` (src/domain/book/l2-book.ts)
 * that decisions and the paper venue need. Only the methods are picked, so trading never depends
 * on how the book is stored and any object with them (a test book, a remote view) will do.
 */
import type { EffectivePrice, L2Book, Level, TopOfBook } from '../book/l2-book.ts';
import { tickGrid } from '../book/price.ts';
import type { BookSide } from '../market/messages.ts';

export type { EffectivePrice };

export type OrderSide = BookSide;

export type BookLevel = TopOfBook;

/**
 * `effectivePriceForSize`: BUY walks the asks, SELL walks the bids. `asksTo`: the ask levels a
 * marketable BUY can take, for the venue's dollar walk (market-buy.ts `walkAskDollars`).
 */
export type TradableBook = Pick<L2Book, 'bestBid' | 'bestAsk' | 'effectivePriceForSize' | 'asksTo'>;

/** The touch a side trades against: a BUY lifts the best ask, a SELL hits the best bid. */
export function touchFor(book: TradableBook, side: OrderSide): BookLevel | null {
  return side === 'BUY' ? book.bestAsk() : book.bestBid();
}

/**
 * A book's best levels as plain data, best first, as [price, size]: what a book signal carries into
 * a market actor's context (serialisable, never changed after it was taken; a new book is a new value).
 */
export interface BookLevels {
  tick_size: number;
  bids: readonly Level[];
  asks: readonly Level[];
}

/**
 * The levels of `book` a decision can use: the best `depth` of each side. Given the same token's
 * `previous` value, a side that did not change is that value's side, and an unchanged book is
 * `previous` itself, and so is each unchanged level of a side that changed: a signal usually moves
 * one level of one side, and a value a market holds until its next signal is what young
 * collections copy, so nothing unchanged is copied again.
 */
export function levelsOf(book: Pick<L2Book, 'topN' | 'topSide' | 'topSideEquals' | 'tickSize'>, depth: number, previous: BookLevels | null = null): BookLevels {
  if (previous === null || previous.tick_size !== book.tickSize) {
    const { bids, asks } = book.topN(depth);
    return { tick_size: book.tickSize, bids, asks };
  }
  const sameBids = book.topSideEquals('BUY', depth, previous.bids);
  const sameAsks = book.topSideEquals('SELL', depth, previous.asks);
  if (sameBids && sameAsks) return previous;
  return { tick_size: book.tickSize, bids: sameBids ? previous.bids : book.topSide('BUY', depth, previous.bids), asks: sameAsks ? previous.asks : book.topSide('SELL', depth, previous.asks) };
}

const views = new WeakMap<BookLevels, TradableBook>();

function topOf(side: readonly Level[]): TopOfBook | null {
  return side.length ? Object.freeze({ price: side[0]![0], size: side[0]![1] }) : null;
}

/**
 * `levels` read as a book, built once per value (decisions on the same book share it). The walk is
 * `L2Book.effectivePriceForSize`'s, in integer ticks, so both give the same numbers.
 */
export function levelsBook(levels: BookLevels): TradableBook {
  let view = views.get(levels);
  if (!view) views.set(levels, (view = new LevelsView(levels)));
  return view;
}

/**
 * A class, not an object of closures: one is built per book signal, and closures made per value
 * cost an allocation each plus, under the TypeScript loader (esbuild's keepNames), a `__name` call.
 */
class LevelsView implements TradableBook {
  private readonly grid: ReturnType<typeof tickGrid>;
  // The levels never change, so neither does their top: built once, not on every call.
  private readonly bid: TopOfBook | null;
  private readonly ask: TopOfBook | null;

  constructor(private readonly levels: BookLevels) {
    this.grid = tickGrid(levels.tick_size);
    this.bid = topOf(levels.bids);
    this.ask = topOf(levels.asks);
  }

  bestBid(): TopOfBook | null {
    return this.bid;
  }

  bestAsk(): TopOfBook | null {
    return this.ask;
  }

  asksTo(limit: number): readonly Level[] {
    const asks = this.levels.asks;
    let count = 0;
    while (count < asks.length && asks[count]![0] <= limit + 1e-9) count++;
    // The levels never change: all of them are handed out as they are, not copied.
    return count === asks.length ? asks : asks.slice(0, count);
  }

  effectivePriceForSize(side: BookSide, size: number): EffectivePrice {
    const { levels, grid } = this;
    const walk = side === 'BUY' ? levels.asks : levels.bids;
    let remaining = size > 0 ? size : 0;
    let filled = 0;
    let notionalTicks = 0;
    let worst = 0;
    for (let i = 0; i < walk.length && remaining > 0; i++) {
      // Indexed, not destructured: destructuring runs the iterator protocol per level.
      const level = walk[i]!;
      const price = level[0];
      const available = level[1];
      const take = available < remaining ? available : remaining;
      const ticks = grid.toTicks(price);
      filled += take;
      notionalTicks += take * ticks;
      remaining -= take;
      worst = ticks;
    }
    if (filled === 0) return { avgPrice: null, fillable: 0, worstPrice: null };
    return { avgPrice: (notionalTicks / filled) * levels.tick_size, fillable: filled, worstPrice: grid.fromTicks(worst) };
  }
}
