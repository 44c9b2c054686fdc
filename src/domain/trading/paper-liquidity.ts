import type { L2Book } from '../book/l2-book.ts';
import type { OrderSide } from './book-view.ts';

/** A price level, best first within its side. */
export type LiquidityLevel = readonly [price: number, size: number];

/** Shares taken at one level, and the size the venue showed there since. */
interface Taken {
  taken: number;
  shown: number;
}

type TakenLevels = { BUY: Map<number, Taken>; SELL: Map<number, Taken> };

/** Levels are keyed on an integer grid finer than any tick, so float noise never splits one. */
const priceKey = (price: number) => Math.round(price * 1e6);

const EPS = 1e-9;

/**
 * The paper venue's rule for liquidity it already took (issue #20): the venue never sees paper
 * orders, so it keeps displaying the shares they took until those go for real. Per token and order
 * side (a BUY takes asks), what was taken at a level stays taken until the venue's book shows the
 * level shrink (that much is gone for real, so free again); growth is new liquidity. One rule for
 * the paper venue that applies it and the soak's referee that checks paper's fills against it.
 */
export class TakenLiquidity {
  private readonly byToken = new Map<string, TakenLevels>();

  /** What earlier takes still hold at this level (0 when none). */
  takenAt(token: string, side: OrderSide, price: number): number {
    return this.byToken.get(token)?.[side].get(priceKey(price))?.taken ?? 0;
  }

  /** A marketable order of `side` took `size` at `price`, where the book showed `shown`. */
  take(token: string, side: OrderSide, price: number, size: number, shown: number): void {
    const levels = this.levelsOf(token)[side];
    const key = priceKey(price);
    const level = levels.get(key);
    if (level) level.taken += size;
    else levels.set(key, { taken: size, shown });
  }

  /**
   * The token's book changed: `levelsFor(side)` are the levels orders of `side` take from now (an
   * empty list when the book is gone). A level that shrank frees what it lost of our take.
   */
  onBook(token: string, levelsFor: (side: OrderSide) => readonly LiquidityLevel[]): void {
    const taken = this.byToken.get(token);
    if (!taken) return;
    for (const side of ['BUY', 'SELL'] as const) {
      if (taken[side].size === 0) continue;
      const shown = levelsFor(side);
      for (const [key, t] of taken[side]) {
        const now = levelSize(shown, key / 1e6);
        if (now < t.shown) t.taken -= t.shown - now;
        t.shown = now;
        if (t.taken <= EPS) taken[side].delete(key);
      }
    }
  }

  /** The token's market left the venue (resolved): nothing of it is taken any more. */
  forget(token: string): void {
    this.byToken.delete(token);
  }

  private levelsOf(token: string): TakenLevels {
    let c = this.byToken.get(token);
    if (!c) {
      c = { BUY: new Map(), SELL: new Map() };
      this.byToken.set(token, c);
    }
    return c;
  }
}

/** Size shown at `price` (0 when the level is absent). */
export function levelSize(levels: readonly LiquidityLevel[], price: number): number {
  for (const [p, s] of levels) if (Math.abs(p - price) < 1e-9) return s;
  return 0;
}

/** The levels a marketable order of `side` takes from, best first (a BUY takes the asks). */
export function takerLevels(book: Pick<L2Book, 'topN' | 'levelCount'>, side: OrderSide): readonly LiquidityLevel[] {
  const top = book.topN(book.levelCount(side === 'BUY' ? 'SELL' : 'BUY'));
  return side === 'BUY' ? top.asks : top.bids;
}
