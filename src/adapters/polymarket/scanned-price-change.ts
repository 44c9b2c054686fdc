import { grownColumn } from '../../domain/book/level-change-batch.ts';
import type { PriceChangeMessage, PriceLevelChange } from '../../domain/market/messages.ts';

/** hashStart of a change without a hash (absent, or sent as ""). */
export const NO_HASH = -1;

/**
 * The parts of the last frame scanned, as columns (reused: a scan allocates nothing): strings as
 * spans of the frame text, numbers parsed. A best price the change did not carry (absent, "" or
 * null) is NaN; a change without a hash has hashStart NO_HASH. Valid until the next scan.
 */
export class ScannedPriceChange {
  text = '';
  /** The frame's bytes when the venue layout reader read it (ASCII: the spans index them too), else null. */
  bytes: DataView | null = null;
  marketStart = 0;
  marketEnd = 0;
  timestamp = 0;
  count = 0;
  assetStart = new Int32Array(8);
  assetEnd = new Int32Array(8);
  hashStart = new Int32Array(8);
  hashEnd = new Int32Array(8);
  buy = new Uint8Array(8);
  price = new Float64Array(8);
  size = new Float64Array(8);
  bestBid = new Float64Array(8);
  bestAsk = new Float64Array(8);

  /** Appends one change, growing the columns when full. */
  add(assetStart: number, assetEnd: number, buy: number, price: number, size: number, bestBid: number, bestAsk: number, hashStart: number, hashEnd: number): void {
    const i = this.count;
    if (i === this.buy.length) this.grow();
    this.count = i + 1;
    this.assetStart[i] = assetStart;
    this.assetEnd[i] = assetEnd;
    this.buy[i] = buy;
    this.price[i] = price;
    this.size[i] = size;
    this.bestBid[i] = bestBid;
    this.bestAsk[i] = bestAsk;
    this.hashStart[i] = hashStart;
    this.hashEnd[i] = hashEnd;
  }

  /**
   * The row the next change goes to, the columns grown to hold it: a reader that writes a
   * change's numbers straight into their columns, then ends the row with `addSpans`.
   */
  nextRow(): number {
    if (this.count === this.buy.length) this.grow();
    return this.count;
  }

  /** Ends the row `nextRow` gave (its numbers already written): its spans and side. */
  addSpans(row: number, assetStart: number, assetEnd: number, buy: number, hashStart: number, hashEnd: number): void {
    this.assetStart[row] = assetStart;
    this.assetEnd[row] = assetEnd;
    this.buy[row] = buy;
    this.hashStart[row] = hashStart;
    this.hashEnd[row] = hashEnd;
    this.count = row + 1;
  }

  /** The message the general decoder makes of the same frame (field order included). */
  toMessage(): PriceChangeMessage {
    const src = this.text;
    const changes: PriceLevelChange[] = [];
    for (let i = 0; i < this.count; i++) {
      const bb = this.bestBid[i]!;
      const ba = this.bestAsk[i]!;
      const hashStart = this.hashStart[i]!;
      changes.push({
        asset_id: src.slice(this.assetStart[i], this.assetEnd[i]),
        side: this.buy[i] === 1 ? 'BUY' : 'SELL',
        price: this.price[i]!,
        size: this.size[i]!,
        best_bid: bb === bb ? bb : null,
        best_ask: ba === ba ? ba : null,
        hash: hashStart === NO_HASH ? null : src.slice(hashStart, this.hashEnd[i]),
      });
    }
    return { kind: 'price_change', market: src.slice(this.marketStart, this.marketEnd), timestamp: this.timestamp, format: 'price_changes', changes };
  }

  private grow(): void {
    const n = this.buy.length * 2;
    this.assetStart = grownColumn(this.assetStart, n);
    this.assetEnd = grownColumn(this.assetEnd, n);
    this.hashStart = grownColumn(this.hashStart, n);
    this.hashEnd = grownColumn(this.hashEnd, n);
    this.buy = grownColumn(this.buy, n);
    this.price = grownColumn(this.price, n);
    this.size = grownColumn(this.size, n);
    this.bestBid = grownColumn(this.bestBid, n);
    this.bestAsk = grownColumn(this.bestAsk, n);
  }
}
