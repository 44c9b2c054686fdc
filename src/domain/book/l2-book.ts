import type { BookSide } from '../market/messages.ts';
import { TickGrid, tickGrid } from './price.ts';

export type Level = [number, number];

export interface TopOfBook {
  price: number;
  size: number;
}

export interface EffectivePrice {
  /** Size-weighted average price of the fillable part; null when nothing is fillable. */
  avgPrice: number | null;
  fillable: number;
  /** Price of the last level touched; null when nothing is fillable. */
  worstPrice: number | null;
}

/**
 * One token's L2 book mirror. Each side is a pair of parallel arrays (keys, sizes) sorted ascending
 * by key with the BEST level LAST, like the venue sends them: bids keyed by +ticks, asks by −ticks.
 * Most updates touch the top of the book, i.e. the array end, so inserts and deletes there shift
 * almost nothing; elsewhere they cost one binary search plus a short shift.
 */
export class L2Book {
  readonly tickSize: number;
  private readonly grid: TickGrid;
  private readonly bidKeys: number[] = [];
  private readonly bidSizes: number[] = [];
  private readonly askKeys: number[] = [];
  private readonly askSizes: number[] = [];

  constructor(tickSize: number) {
    this.grid = tickGrid(tickSize);
    this.tickSize = tickSize;
  }

  /**
   * Replace the book with these [price, size] pairs (any order; size 0 is skipped, a repeated price
   * keeps its last size). Returns false, leaving the book untouched, when a price is off the tick
   * grid or a size is not a finite number ≥ 0.
   */
  applySnapshot(bids: ReadonlyArray<readonly [number, number]>, asks: ReadonlyArray<readonly [number, number]>): boolean {
    const bidTicks = this.ticksOf(bids);
    if (bidTicks === null) return false;
    const askTicks = this.ticksOf(asks);
    if (askTicks === null) return false;
    this.clear();
    for (let i = 0; i < bids.length; i++) this.store(this.bidKeys, this.bidSizes, bidTicks[i]!, bids[i]![1]);
    for (let i = 0; i < asks.length; i++) this.store(this.askKeys, this.askSizes, -askTicks[i]!, asks[i]![1]);
    return true;
  }

  /**
   * Set the total size at `price` on one side (0 removes the level). Returns false, changing
   * nothing, when the price is off the tick grid or the size is not a finite number ≥ 0.
   */
  applyLevel(side: BookSide, price: number, size: number): boolean {
    const ticks = this.grid.toTicks(price);
    if (ticks !== ticks || !(size >= 0) || size === Infinity) return false;
    if (side === 'BUY') this.store(this.bidKeys, this.bidSizes, ticks, size);
    else this.store(this.askKeys, this.askSizes, -ticks, size);
    return true;
  }

  /**
   * One side's top replaced by `levels` (best first): the levels at or better than the last given
   * one go and the given ones take their place; `wholeSide`: every level goes first. False when a
   * level is off the grid or its size is not finite ≥ 0, having applied those worse than it (as
   * `applyLevel` one by one would). On the key arrays: a level at a time through `bestBid` and
   * `applyLevel` built an object and converted a price per level, ~10 levels a BEST_PRICE.
   */
  replaceTop(side: BookSide, levels: ReadonlyArray<readonly [number, number]>, wholeSide: boolean): boolean {
    const keys = side === 'BUY' ? this.bidKeys : this.askKeys;
    const sizes = side === 'BUY' ? this.bidSizes : this.askSizes;
    const sign = side === 'BUY' ? 1 : -1;
    if (wholeSide) {
      keys.length = 0;
      sizes.length = 0;
    } else {
      const last = this.grid.toTicks(levels[levels.length - 1]![0]);
      if (last !== last) return false;
      const lastKey = sign * last;
      while (keys.length > 0 && keys[keys.length - 1]! >= lastKey) {
        keys.pop();
        sizes.pop();
      }
    }
    // Worst first: each goes on top of what is left, the cheap end of the arrays.
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i]!;
      const ticks = this.grid.toTicks(level[0]);
      const size = level[1];
      if (ticks !== ticks || !(size >= 0) || size === Infinity) return false;
      this.store(keys, sizes, sign * ticks, size);
    }
    return true;
  }

  bestBid(): TopOfBook | null {
    const n = this.bidKeys.length;
    return n === 0 ? null : { price: this.grid.fromTicks(this.bidKeys[n - 1]!), size: this.bidSizes[n - 1]! };
  }

  bestAsk(): TopOfBook | null {
    const n = this.askKeys.length;
    return n === 0 ? null : { price: this.grid.fromTicks(-this.askKeys[n - 1]!), size: this.askSizes[n - 1]! };
  }

  /** Best price of one side (`bestBid()`/`bestAsk()`'s price without the object); null when the side is empty. */
  bestPrice(side: BookSide): number | null {
    const ticks = this.bestTicks(side);
    return ticks === null ? null : this.grid.fromTicks(ticks);
  }

  /** Best price of one side in ticks (no allocation); null when the side is empty. */
  bestTicks(side: BookSide): number | null {
    const keys = side === 'BUY' ? this.bidKeys : this.askKeys;
    const n = keys.length;
    if (n === 0) return null;
    return side === 'BUY' ? keys[n - 1]! : -keys[n - 1]!;
  }

  /**
   * Whether a level at `price` on `side` is among the side's best `n` (at or better than its
   * `n`th-best price, or the side has fewer than `n` levels): where a change is one a reader of
   * the top `n` levels sees, a removal included. No allocation.
   */
  withinTop(side: BookSide, price: number, n: number): boolean {
    const keys = side === 'BUY' ? this.bidKeys : this.askKeys;
    if (keys.length < n) return true;
    const ticks = this.grid.toTicks(price);
    return (side === 'BUY' ? ticks : -ticks) >= keys[keys.length - n]!;
  }

  /** `price` in this book's ticks, or NaN when it is off the grid. */
  priceToTicks(price: number): number {
    return this.grid.toTicks(price);
  }

  /** Size at the best price of one side; 0 when the side is empty. */
  bestSize(side: BookSide): number {
    const sizes = side === 'BUY' ? this.bidSizes : this.askSizes;
    return sizes.length === 0 ? 0 : sizes[sizes.length - 1]!;
  }

  mid(): number | null {
    const nb = this.bidKeys.length;
    const na = this.askKeys.length;
    if (nb === 0 || na === 0) return null;
    return this.grid.fromTicks(this.bidKeys[nb - 1]! - this.askKeys[na - 1]!) / 2;
  }

  spread(): number | null {
    const nb = this.bidKeys.length;
    const na = this.askKeys.length;
    if (nb === 0 || na === 0) return null;
    return this.grid.fromTicks(-this.askKeys[na - 1]! - this.bidKeys[nb - 1]!);
  }

  /** Size-weighted mid: leans toward the side with less size (the side more likely to be taken). */
  microprice(): number | null {
    const nb = this.bidKeys.length;
    const na = this.askKeys.length;
    if (nb === 0 || na === 0) return null;
    const bidSize = this.bidSizes[nb - 1]!;
    const askSize = this.askSizes[na - 1]!;
    const bid = this.grid.fromTicks(this.bidKeys[nb - 1]!);
    const ask = this.grid.fromTicks(-this.askKeys[na - 1]!);
    const total = bidSize + askSize;
    if (total === 0) return (bid + ask) / 2;
    return (bid * askSize + ask * bidSize) / total;
  }

  /** (bid size − ask size) / (bid size + ask size) over the top `levels` of each side; null when both are empty. */
  imbalance(levels: number): number | null {
    const b = sumTop(this.bidSizes, levels);
    const a = sumTop(this.askSizes, levels);
    const total = b + a;
    return total > 0 ? (b - a) / total : null;
  }

  /** Total size on `side` priced within `ticks` ticks of that side's best price (inclusive). */
  depthWithin(side: BookSide, ticks: number): number {
    const keys = side === 'BUY' ? this.bidKeys : this.askKeys;
    const sizes = side === 'BUY' ? this.bidSizes : this.askSizes;
    const n = keys.length;
    if (n === 0 || !(ticks >= 0)) return 0;
    const floor = keys[n - 1]! - ticks;
    let sum = 0;
    for (let i = n - 1; i >= 0 && keys[i]! >= floor; i--) sum += sizes[i]!;
    return sum;
  }

  /** The best `n` levels of each side, best first, as [price, size]. */
  topN(n: number): { bids: Level[]; asks: Level[] } {
    return { bids: this.exportSide(this.bidKeys, this.bidSizes, n, 1), asks: this.exportSide(this.askKeys, this.askSizes, n, -1) };
  }

  /**
   * Walk the opposite side for `size`: BUY takes the asks from the lowest, SELL hits the bids from
   * the highest. Returns the average price of what is fillable, how much is, and the last price touched.
   */
  effectivePriceForSize(side: BookSide, size: number): EffectivePrice {
    const keys = side === 'BUY' ? this.askKeys : this.bidKeys;
    const sizes = side === 'BUY' ? this.askSizes : this.bidSizes;
    const sign = side === 'BUY' ? -1 : 1;
    let remaining = size > 0 ? size : 0;
    let filled = 0;
    let notionalTicks = 0;
    let worst = 0;
    for (let i = keys.length - 1; i >= 0 && remaining > 0; i--) {
      const take = sizes[i]! < remaining ? sizes[i]! : remaining;
      const ticks = sign * keys[i]!;
      filled += take;
      notionalTicks += take * ticks;
      remaining -= take;
      worst = ticks;
    }
    if (filled === 0) return { avgPrice: null, fillable: 0, worstPrice: null };
    return { avgPrice: (notionalTicks / filled) * this.tickSize, fillable: filled, worstPrice: this.grid.fromTicks(worst) };
  }

  /** The asks at or under `limit`, cheapest first, as [price, size]: what a BUY capped there can take. */
  asksTo(limit: number): readonly Level[] {
    const keys = this.askKeys;
    const out: Level[] = [];
    for (let i = keys.length - 1; i >= 0; i--) {
      const price = this.grid.fromTicks(-keys[i]!);
      if (price > limit + 1e-9) break;
      out.push([price, this.askSizes[i]!]);
    }
    return out;
  }

  /** Best bid at or above best ask: impossible on a live CLOB, so the mirror is wrong. */
  isCrossed(): boolean {
    const nb = this.bidKeys.length;
    const na = this.askKeys.length;
    return nb > 0 && na > 0 && this.bidKeys[nb - 1]! >= -this.askKeys[na - 1]!;
  }

  levelCount(side: BookSide): number {
    return side === 'BUY' ? this.bidKeys.length : this.askKeys.length;
  }

  clear(): void {
    this.bidKeys.length = 0;
    this.bidSizes.length = 0;
    this.askKeys.length = 0;
    this.askSizes.length = 0;
  }

  /** Same tick size and exactly the same levels. */
  equals(other: L2Book): boolean {
    return (
      this.tickSize === other.tickSize &&
      sameArray(this.bidKeys, other.bidKeys) &&
      sameArray(this.bidSizes, other.bidSizes) &&
      sameArray(this.askKeys, other.askKeys) &&
      sameArray(this.askSizes, other.askSizes)
    );
  }

  private ticksOf(levels: ReadonlyArray<readonly [number, number]>): number[] | null {
    const out: number[] = [];
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      const ticks = this.grid.toTicks(level[0]);
      const size = level[1];
      if (ticks !== ticks || !(size >= 0) || size === Infinity) return null;
      out.push(ticks);
    }
    return out;
  }

  private store(keys: number[], sizes: number[], key: number, size: number): void {
    const n = keys.length;
    // Fast paths: the top of the book is the array end.
    if (n === 0 || key > keys[n - 1]!) {
      if (size > 0) {
        keys.push(key);
        sizes.push(size);
      }
      return;
    }
    if (key === keys[n - 1]) {
      if (size > 0) sizes[n - 1] = size;
      else {
        keys.pop();
        sizes.pop();
      }
      return;
    }
    const i = nearTopLowerBound(keys, key, n - 1);
    if (keys[i] === key) {
      if (size > 0) sizes[i] = size;
      else {
        removeAt(keys, i);
        removeAt(sizes, i);
      }
    } else if (size > 0) {
      insertAt(keys, i, key);
      insertAt(sizes, i, size);
    }
  }

  /**
   * The best `n` levels of one side, best first (`topN`'s side alone). A level equal to the one at
   * its place in `previous` (the side as taken before) is that level itself, not a copy: a change
   * moves one level or two, and what a trading signal holds is what young collections copy.
   */
  topSide(side: BookSide, n: number, previous: readonly Level[] = []): Level[] {
    const keys = side === 'BUY' ? this.bidKeys : this.askKeys;
    const sizes = side === 'BUY' ? this.bidSizes : this.askSizes;
    const sign = side === 'BUY' ? 1 : -1;
    const count = Math.min(n, keys.length);
    // Sized once: pushed from empty, the array's storage would be built for 17 levels.
    const out = new Array<Level>(count);
    for (let j = 0; j < count; j++) {
      const i = keys.length - 1 - j;
      const price = this.grid.fromTicks(sign * keys[i]!);
      const before = previous[j];
      out[j] = before !== undefined && before[0] === price && before[1] === sizes[i] ? before : [price, sizes[i]!];
    }
    return out;
  }

  /** Whether `topSide(side, n)` would equal `levels`, level for level (no allocation). */
  topSideEquals(side: BookSide, n: number, levels: readonly Level[]): boolean {
    const keys = side === 'BUY' ? this.bidKeys : this.askKeys;
    const sizes = side === 'BUY' ? this.bidSizes : this.askSizes;
    const sign = side === 'BUY' ? 1 : -1;
    const count = Math.min(n, keys.length);
    if (levels.length !== count) return false;
    for (let j = 0; j < count; j++) {
      const i = keys.length - 1 - j;
      const level = levels[j]!;
      if (level[1] !== sizes[i] || level[0] !== this.grid.fromTicks(sign * keys[i]!)) return false;
    }
    return true;
  }

  private exportSide(keys: number[], sizes: number[], n: number, sign: 1 | -1): Level[] {
    const out: Level[] = [];
    for (let i = keys.length - 1; i >= 0 && out.length < n; i--) out.push([this.grid.fromTicks(sign * keys[i]!), sizes[i]!]);
    return out;
  }
}

/** How many levels below the top `nearTopLowerBound` steps through before it bisects. */
const NEAR_TOP_LEVELS = 8;

/**
 * lowerBound for a key that most likely sits near the top (the array end): most updates touch one
 * of the best few levels, which a short walk down finds with fewer, predictable compares.
 */
function nearTopLowerBound(keys: number[], key: number, end: number): number {
  const stop = end > NEAR_TOP_LEVELS ? end - NEAR_TOP_LEVELS : 0;
  let i = end;
  while (i > stop && keys[i - 1]! >= key) i--;
  return i > stop ? i : lowerBound(keys, key, i);
}

/** First index in keys[0..end) whose key is ≥ `key` (end when none). */
function lowerBound(keys: number[], key: number, end: number): number {
  let lo = 0;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertAt(arr: number[], i: number, value: number): void {
  let j = arr.length;
  arr.push(value);
  for (; j > i; j--) arr[j] = arr[j - 1]!;
  arr[i] = value;
}

function removeAt(arr: number[], i: number): void {
  const last = arr.length - 1;
  for (let j = i; j < last; j++) arr[j] = arr[j + 1]!;
  arr.pop();
}

function sumTop(sizes: number[], levels: number): number {
  let sum = 0;
  const stop = Math.max(0, sizes.length - Math.max(0, Math.floor(levels)));
  for (let i = sizes.length - 1; i >= stop; i--) sum += sizes[i]!;
  return sum;
}

function sameArray(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
