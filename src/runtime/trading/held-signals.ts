import type { BookSignal } from '../../domain/trading/signals.ts';

/**
 * The book signals a router holds for their partner, by market, in the order they were held. One
 * is held and taken again on almost every frame: a `Map` that goes from empty to one entry and back
 * rebuilds its table both ways (V8 shrinks a `Map` on `delete`), two allocations a frame, where
 * these two short lists (rarely more than one entry) keep their storage.
 */
export class HeldSignals {
  private readonly markets: string[] = [];
  private readonly signals: BookSignal[] = [];

  get size(): number {
    return this.markets.length;
  }

  get(market: string): BookSignal | undefined {
    const i = this.markets.indexOf(market);
    return i < 0 ? undefined : this.signals[i];
  }

  /** Holds `signal` for `market`, which holds nothing yet. */
  hold(market: string, signal: BookSignal): void {
    this.markets.push(market);
    this.signals.push(signal);
  }

  /** The market's held signal, no longer held (undefined: none). */
  take(market: string): BookSignal | undefined {
    const i = this.markets.indexOf(market);
    if (i < 0) return undefined;
    const signal = this.signals[i]!;
    // Shifted down by hand: `splice` would build an array of what it removed.
    for (let j = i + 1; j < this.markets.length; j++) {
      this.markets[j - 1] = this.markets[j]!;
      this.signals[j - 1] = this.signals[j]!;
    }
    this.markets.pop();
    this.signals.pop();
    return signal;
  }

  /** The oldest held market, if any. */
  first(): string | undefined {
    return this.markets[0];
  }
}
