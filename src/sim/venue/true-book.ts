import type { BookSide } from '../../domain/market/messages.ts';

/** Prices in integer units of 1e-4 (the finest tick), sizes in integer hundredths. */
export const PRICE_UNITS_PER_ONE = 10_000;

/** [price units, size hundredths] */
export type UnitLevel = [number, number];

/**
 * The simulator's own record of a token's book, kept with integers and independent of the mirror
 * under test, so a comparison between the two means something.
 */
export class TrueBook {
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();

  set(side: BookSide, price: number, size: number): void {
    const m = side === 'BUY' ? this.bids : this.asks;
    if (size > 0) m.set(price, size);
    else m.delete(price);
  }

  size(side: BookSide, price: number): number {
    return (side === 'BUY' ? this.bids : this.asks).get(price) ?? 0;
  }

  bestBid(): number | null {
    let best: number | null = null;
    for (const p of this.bids.keys()) if (best === null || p > best) best = p;
    return best;
  }

  bestAsk(): number | null {
    let best: number | null = null;
    for (const p of this.asks.keys()) if (best === null || p < best) best = p;
    return best;
  }

  /** Levels as the venue sends them: bids ascending and asks descending (best LAST). */
  levels(side: BookSide): UnitLevel[] {
    const m = side === 'BUY' ? this.bids : this.asks;
    const out: UnitLevel[] = [...m.entries()];
    return side === 'BUY' ? out.sort((a, b) => a[0] - b[0]) : out.sort((a, b) => b[0] - a[0]);
  }

  prices(side: BookSide): number[] {
    return [...(side === 'BUY' ? this.bids : this.asks).keys()];
  }

  levelCount(side: BookSide): number {
    return (side === 'BUY' ? this.bids : this.asks).size;
  }

  /** Drop levels a coarser tick cannot express; returns the removed [side, price] pairs. */
  removeOffGrid(tickUnits: number): Array<[BookSide, number]> {
    const removed: Array<[BookSide, number]> = [];
    for (const [side, m] of [['BUY', this.bids], ['SELL', this.asks]] as const) {
      for (const p of [...m.keys()].sort((a, b) => a - b)) {
        if (p % tickUnits !== 0) {
          m.delete(p);
          removed.push([side, p]);
        }
      }
    }
    return removed;
  }
}

/** "0.48" from 4800 units; ".48" when the venue's leading-zero-free spelling is wanted. */
export function formatPrice(units: number, dropLeadingZero = false): string {
  const text = String(units / PRICE_UNITS_PER_ONE);
  return dropLeadingZero && text.startsWith('0.') ? text.slice(1) : text;
}

export function formatSize(hundredths: number): string {
  return String(hundredths / 100);
}
