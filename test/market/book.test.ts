import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L2Book } from '../../src/domain/book/l2-book.ts';
import { FINEST_TICK_SIZE, fromTicks, TickGrid, toTicks } from '../../src/domain/book/price.ts';
import type { BookSide } from '../../src/domain/market/messages.ts';
import { levelsBook, levelsOf } from '../../src/domain/trading/book-view.ts';

const TICKS = [0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001];

describe('price ticks', () => {
  it('round-trips every on-grid price and is robust to float error (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TICKS), fc.integer({ min: 0, max: 10_000 }), (tick, n) => {
        const grid = new TickGrid(tick);
        const ticks = Math.min(n, Math.round(1 / tick));
        const price = fromTicks(ticks, tick);
        expect(toTicks(price, tick)).toBe(ticks);
        // The decimal as a string parses to the same double fromTicks returns (no 0.5700000000000001).
        expect(Number(price.toFixed(grid.decimals))).toBe(price);
        // Arithmetic that drifts off the double nearest the decimal still lands on the right tick.
        expect(toTicks(ticks * tick, tick)).toBe(ticks);
      }),
      { numRuns: 3000 },
    );
  });

  it('examples: 0.57/0.01, 0.0075/0.0025, and off-grid prices give NaN', () => {
    expect(toTicks(0.57, 0.01)).toBe(57);
    expect(fromTicks(57, 0.01)).toBe(0.57);
    expect(toTicks(0.1 + 0.2, 0.1)).toBe(3);
    expect(toTicks(0.0075, 0.0025)).toBe(3);
    expect(toTicks(0.0076, 0.0025)).toBeNaN();
    expect(toTicks(0.515, 0.01)).toBeNaN();
    expect(toTicks(0.515, 0.001)).toBe(515);
    expect(toTicks(Number.NaN, 0.01)).toBeNaN();
    expect(toTicks(Infinity, 0.01)).toBeNaN();
    expect(fromTicks(3, 0.0025)).toBe(0.0075);
    expect(() => new TickGrid(0)).toThrow(RangeError);
    expect(new TickGrid(FINEST_TICK_SIZE).tickUnits).toBe(1);
  });
});

/** The obvious book: a Map per side, sorted on every question. */
class NaiveBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  constructor(readonly tick: number) {}
  set(side: BookSide, ticks: number, size: number): void {
    const m = side === 'BUY' ? this.bids : this.asks;
    if (size === 0) m.delete(ticks);
    else m.set(ticks, size);
  }
  /** Best first. */
  levels(side: BookSide): Array<[number, number]> {
    const m = side === 'BUY' ? this.bids : this.asks;
    return [...m.entries()].sort((a, b) => (side === 'BUY' ? b[0] - a[0] : a[0] - b[0]));
  }
  price(t: number): number {
    return fromTicks(t, this.tick);
  }
}

type Op =
  | { kind: 'level'; side: BookSide; ticks: number; size: number }
  | { kind: 'snapshot'; bids: Array<[number, number]>; asks: Array<[number, number]> }
  | { kind: 'top'; side: BookSide; ticks: number[]; sizes: number[]; wholeSide: boolean };

const sizeArb = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: fc.integer({ min: 1, max: 100_000 }).map((c) => c / 100) });
const opArb = (maxTicks: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 20, arbitrary: fc.record({ kind: fc.constant('level' as const), side: fc.constantFrom<BookSide>('BUY', 'SELL'), ticks: fc.integer({ min: 1, max: maxTicks }), size: sizeArb }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('snapshot' as const),
        bids: fc.array(fc.tuple(fc.integer({ min: 1, max: maxTicks }), sizeArb), { maxLength: 30 }),
        asks: fc.array(fc.tuple(fc.integer({ min: 1, max: maxTicks }), sizeArb), { maxLength: 30 }),
      }),
    },
    {
      // A BEST_PRICE's levels of one side (distinct prices; ordered best first below).
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('top' as const),
        side: fc.constantFrom<BookSide>('BUY', 'SELL'),
        ticks: fc.uniqueArray(fc.integer({ min: 1, max: maxTicks }), { minLength: 1, maxLength: 6 }),
        sizes: fc.array(fc.integer({ min: 1, max: 100_000 }).map((c) => c / 100), { minLength: 6, maxLength: 6 }),
        wholeSide: fc.boolean(),
      }),
    },
  );

function expectSameBook(book: L2Book, ref: NaiveBook, probe: { n: number; ticks: number; size: number; levels: number }): void {
  const bids = ref.levels('BUY');
  const asks = ref.levels('SELL');
  const p = (t: number) => ref.price(t);
  expect(book.levelCount('BUY')).toBe(bids.length);
  expect(book.levelCount('SELL')).toBe(asks.length);
  expect(book.bestBid()).toEqual(bids[0] ? { price: p(bids[0][0]), size: bids[0][1] } : null);
  expect(book.bestAsk()).toEqual(asks[0] ? { price: p(asks[0][0]), size: asks[0][1] } : null);
  expect(book.bestPrice('BUY')).toBe(bids[0] ? p(bids[0][0]) : null);
  expect(book.bestPrice('SELL')).toBe(asks[0] ? p(asks[0][0]) : null);
  const both = bids[0] !== undefined && asks[0] !== undefined;
  expect(book.mid()).toBe(both ? p(bids[0]![0] + asks[0]![0]) / 2 : null);
  expect(book.spread()).toBe(both ? p(asks[0]![0] - bids[0]![0]) : null);
  expect(book.isCrossed()).toBe(both && bids[0]![0] >= asks[0]![0]);
  if (both) {
    const [bt, bs] = bids[0]!;
    const [at, as] = asks[0]!;
    expect(book.microprice()).toBeCloseTo((p(bt) * as + p(at) * bs) / (bs + as), 12);
  } else {
    expect(book.microprice()).toBeNull();
  }
  const sumTop = (ls: Array<[number, number]>) => ls.slice(0, probe.levels).reduce((s, l) => s + l[1], 0);
  const b = sumTop(bids);
  const a = sumTop(asks);
  if (b + a === 0) expect(book.imbalance(probe.levels)).toBeNull();
  else expect(book.imbalance(probe.levels)).toBeCloseTo((b - a) / (b + a), 12);
  expect(book.topN(probe.n)).toEqual({
    bids: bids.slice(0, probe.n).map(([t, s]) => [p(t), s]),
    asks: asks.slice(0, probe.n).map(([t, s]) => [p(t), s]),
  });
  for (const side of ['BUY', 'SELL'] as const) {
    const ls = side === 'BUY' ? bids : asks;
    const within = ls.length === 0 ? 0 : ls.filter(([t]) => Math.abs(t - ls[0]![0]) <= probe.ticks).reduce((s, l) => s + l[1], 0);
    expect(book.depthWithin(side, probe.ticks)).toBeCloseTo(within, 9);
    // BUY walks the asks, SELL the bids.
    const walk = side === 'BUY' ? asks : bids;
    let remaining = probe.size;
    let filled = 0;
    let notional = 0;
    let worst: number | null = null;
    for (const [t, s] of walk) {
      if (remaining <= 0) break;
      const take = Math.min(s, remaining);
      filled += take;
      notional += take * p(t);
      remaining -= take;
      worst = p(t);
    }
    const eff = book.effectivePriceForSize(side, probe.size);
    expect(eff.fillable).toBeCloseTo(filled, 9);
    expect(eff.worstPrice).toBe(filled > 0 ? worst : null);
    if (filled > 0) expect(eff.avgPrice!).toBeCloseTo(notional / filled, 9);
    else expect(eff.avgPrice).toBeNull();
  }
}

describe('L2Book against a naive reference (property)', () => {
  it.each(TICKS)('tick %s: any sequence of level updates and snapshots', (tick) => {
    const maxTicks = Math.min(Math.round(1 / tick) - 1, 400);
    fc.assert(
      fc.property(
        fc.array(opArb(maxTicks), { minLength: 1, maxLength: 120 }),
        fc.record({ n: fc.integer({ min: 1, max: 25 }), ticks: fc.integer({ min: 0, max: 20 }), size: fc.integer({ min: 0, max: 200_000 }).map((c) => c / 100), levels: fc.integer({ min: 1, max: 12 }) }),
        (ops, probe) => {
          const book = new L2Book(tick);
          const ref = new NaiveBook(tick);
          for (const op of ops) {
            if (op.kind === 'level') {
              expect(book.applyLevel(op.side, fromTicks(op.ticks, tick), op.size)).toBe(true);
              ref.set(op.side, op.ticks, op.size);
            } else if (op.kind === 'top') {
              const best = [...op.ticks].sort((a, b) => (op.side === 'BUY' ? b - a : a - b));
              expect(book.replaceTop(op.side, best.map((t, i) => [fromTicks(t, tick), op.sizes[i]!]), op.wholeSide)).toBe(true);
              // Every level at or better than the last given one goes (all of them for a whole side).
              const last = best[best.length - 1]!;
              for (const [t] of ref.levels(op.side)) if (op.wholeSide || (op.side === 'BUY' ? t >= last : t <= last)) ref.set(op.side, t, 0);
              best.forEach((t, i) => ref.set(op.side, t, op.sizes[i]!));
            } else {
              expect(book.applySnapshot(op.bids.map(([t, s]) => [fromTicks(t, tick), s]), op.asks.map(([t, s]) => [fromTicks(t, tick), s]))).toBe(true);
              ref.bids.clear();
              ref.asks.clear();
              // A repeated price keeps its last size.
              for (const [t, s] of op.bids) ref.set('BUY', t, s);
              for (const [t, s] of op.asks) ref.set('SELL', t, s);
            }
          }
          expectSameBook(book, ref, probe);
          // Same levels → equal books, whatever the path that built them.
          const rebuilt = new L2Book(tick);
          rebuilt.applySnapshot(ref.levels('BUY').map(([t, s]) => [fromTicks(t, tick), s]), ref.levels('SELL').reverse().map(([t, s]) => [fromTicks(t, tick), s]));
          expect(rebuilt.equals(book)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('L2Book.replaceTop', () => {
  it('refuses a level off the grid or a bad size, having applied the worse levels before it (as applyLevel one by one)', () => {
    const book = new L2Book(0.01);
    book.applySnapshot([[0.4, 10], [0.45, 20], [0.48, 30]], []);
    // The last given level (0.44) is off the grid: nothing changes.
    expect(book.replaceTop('BUY', [[0.47, 1], [0.445, 2]], false)).toBe(false);
    expect(book.topN(5).bids).toEqual([[0.48, 30], [0.45, 20], [0.4, 10]]);
    // A bad best level: the levels at or better than 0.45 went, 0.45 took its new size, then 0.47 was refused.
    expect(book.replaceTop('BUY', [[0.47, Number.NaN], [0.45, 5]], false)).toBe(false);
    expect(book.topN(5).bids).toEqual([[0.45, 5], [0.4, 10]]);
  });
});

describe('L2Book examples', () => {
  function venueBook(): L2Book {
    const book = new L2Book(0.01);
    // The venue's order: bids ascending, asks descending, best LAST.
    book.applySnapshot(
      [
        [0.45, 100],
        [0.48, 50],
        [0.49, 20],
      ],
      [
        [0.55, 80],
        [0.53, 30],
        [0.52, 10],
      ],
    );
    return book;
  }

  it('derives the top of book from a snapshot in venue order', () => {
    const book = venueBook();
    expect(book.bestBid()).toEqual({ price: 0.49, size: 20 });
    expect(book.bestAsk()).toEqual({ price: 0.52, size: 10 });
    expect(book.mid()).toBe(0.505);
    expect(book.spread()).toBe(0.03);
    expect(book.microprice()).toBeCloseTo((0.49 * 10 + 0.52 * 20) / 30, 12);
    expect(book.imbalance(1)).toBeCloseTo((20 - 10) / 30, 12);
    expect(book.imbalance(3)).toBeCloseTo((170 - 120) / 290, 12);
    expect(book.depthWithin('BUY', 1)).toBe(70);
    expect(book.depthWithin('SELL', 1)).toBe(40);
    expect(book.depthWithin('SELL', 3)).toBe(120);
    expect(book.topN(2)).toEqual({ bids: [[0.49, 20], [0.48, 50]], asks: [[0.52, 10], [0.53, 30]] });
    expect(book.isCrossed()).toBe(false);
  });

  it('effectivePriceForSize walks levels and reports partial fills', () => {
    const book = venueBook();
    expect(book.effectivePriceForSize('BUY', 25)).toEqual({ avgPrice: expect.closeTo((10 * 0.52 + 15 * 0.53) / 25, 12), fillable: 25, worstPrice: 0.53 });
    expect(book.effectivePriceForSize('SELL', 10)).toEqual({ avgPrice: expect.closeTo(0.49, 12), fillable: 10, worstPrice: 0.49 });
    const all = book.effectivePriceForSize('BUY', 1000);
    expect(all.fillable).toBe(120);
    expect(all.worstPrice).toBe(0.55);
    expect(all.avgPrice).toBeCloseTo((10 * 0.52 + 30 * 0.53 + 80 * 0.55) / 120, 12);
    expect(book.effectivePriceForSize('BUY', 0)).toEqual({ avgPrice: null, fillable: 0, worstPrice: null });
    expect(new L2Book(0.01).effectivePriceForSize('SELL', 5)).toEqual({ avgPrice: null, fillable: 0, worstPrice: null });
  });

  it('asksTo hands the asks a BUY capped at a limit can take, cheapest first; a levels view the same', () => {
    const book = venueBook();
    expect(book.asksTo(0.53)).toEqual([[0.52, 10], [0.53, 30]]);
    expect(book.asksTo(0.51)).toEqual([]);
    expect(book.asksTo(0.99)).toEqual([[0.52, 10], [0.53, 30], [0.55, 80]]);
    const view = levelsBook(levelsOf(book, Infinity));
    for (const limit of [0.51, 0.52, 0.54, 0.55, 0.99]) expect(view.asksTo(limit)).toEqual(book.asksTo(limit));
  });

  it('size is the new total at a price; 0 removes the level; crossing is detected', () => {
    const book = venueBook();
    book.applyLevel('BUY', 0.49, 5);
    expect(book.bestBid()).toEqual({ price: 0.49, size: 5 });
    book.applyLevel('BUY', 0.49, 0);
    expect(book.bestBid()).toEqual({ price: 0.48, size: 50 });
    book.applyLevel('BUY', 0.49, 0); // removing an absent level is a no-op
    expect(book.levelCount('BUY')).toBe(2);
    book.applyLevel('SELL', 0.5, 7);
    expect(book.bestAsk()).toEqual({ price: 0.5, size: 7 });
    book.applyLevel('BUY', 0.5, 1);
    expect(book.isCrossed()).toBe(true);
    book.clear();
    expect(book.levelCount('BUY') + book.levelCount('SELL')).toBe(0);
    expect(book.mid()).toBeNull();
  });

  it('refuses off-grid prices and invalid sizes, leaving the book untouched', () => {
    const book = venueBook();
    const before = venueBook();
    expect(book.applyLevel('BUY', 0.485, 10)).toBe(false);
    expect(book.applyLevel('BUY', 0.48, -1)).toBe(false);
    expect(book.applyLevel('BUY', 0.48, Number.NaN)).toBe(false);
    expect(book.applySnapshot([[0.1, 1], [0.105, 1]], [])).toBe(false);
    expect(book.equals(before)).toBe(true);
    expect(book.equals(new L2Book(0.001))).toBe(false);
  });
});
