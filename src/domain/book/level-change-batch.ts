import type { BookSide } from '../market/messages.ts';
import type { TokenBookState } from './token-book-state.ts';

/**
 * The level changes of one price_change frame, with each change's token already resolved to its
 * book, as columns: one batch is reused frame after frame, so applying a frame allocates no
 * per-change objects. A best price the frame did not carry is NaN.
 */
export class LevelChangeBatch {
  count = 0;
  timestamp = 0;
  states: TokenBookState[] = [];
  buy = new Uint8Array(8);
  price = new Float64Array(8);
  size = new Float64Array(8);
  bestBid = new Float64Array(8);
  bestAsk = new Float64Array(8);
  hashes: Array<string | null> = [];

  /** Start a new frame. */
  reset(timestamp: number): void {
    this.count = 0;
    this.timestamp = timestamp;
  }

  /**
   * Append a change; `bestBid`/`bestAsk` NaN when not carried. `hash` is kept by the token's book:
   * a string of its own, never a slice of the frame (see `detached`). Returns its index.
   */
  add(state: TokenBookState, side: BookSide, price: number, size: number, bestBid: number, bestAsk: number, hash: string | null): number {
    const i = this.count;
    if (i === this.buy.length) this.grow();
    this.states[i] = state;
    this.buy[i] = side === 'BUY' ? 1 : 0;
    this.price[i] = price;
    this.size[i] = size;
    this.bestBid[i] = bestBid;
    this.bestAsk[i] = bestAsk;
    this.hashes[i] = hash;
    this.count = i + 1;
    return i;
  }

  side(i: number): BookSide {
    return this.buy[i] === 1 ? 'BUY' : 'SELL';
  }

  private grow(): void {
    const n = this.buy.length * 2;
    this.buy = grownColumn(this.buy, n);
    this.price = grownColumn(this.price, n);
    this.size = grownColumn(this.size, n);
    this.bestBid = grownColumn(this.bestBid, n);
    this.bestAsk = grownColumn(this.bestAsk, n);
  }
}

type Column = Uint8Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>;

/** A copy of a column with room for n entries (columns of scratch structures reused frame to frame). */
export function grownColumn<C extends Column>(column: C, n: number): C {
  const grown = new (column.constructor as new (length: number) => C)(n);
  grown.set(column);
  return grown;
}
