import { seededRng, type Rng } from '../../src/domain/util/random.ts';

/**
 * A deterministic synthetic tape in the CURRENT wire format: opening `book` snapshots, then
 * `price_change` frames (1–3 changes, often both tokens of a market) whose best_bid/best_ask are
 * the true top of book after the change, as the venue sends them. The truth is kept with plain
 * Maps, independent of the code under test.
 */
export interface SyntheticTape {
  /** One `book` frame per token. */
  snapshots: string[];
  frames: string[];
  /** Level changes over all frames. */
  changeCount: number;
}

export interface TapeOptions {
  seed: number;
  markets: number;
  frames: number;
  /** Levels per side in the opening books. */
  depth: number;
}

interface Truth {
  asset: string;
  bids: Map<number, number>; // ticks -> size
  asks: Map<number, number>;
}

const TICK = 0.001;

export function syntheticTape(opts: TapeOptions): SyntheticTape {
  const rng = seededRng(opts.seed);
  const markets: Array<{ id: string; tokens: [Truth, Truth] }> = [];
  const snapshots: string[] = [];
  let ts = 1_760_000_000_000;
  for (let m = 0; m < opts.markets; m++) {
    const id = '0x' + hex(rng, 64);
    const fair = 200 + Math.floor(rng() * 600); // ticks of the YES token
    const yes = openBook(rng, tokenId(rng), fair, opts.depth);
    const no = openBook(rng, tokenId(rng), 1000 - fair, opts.depth);
    markets.push({ id, tokens: [yes, no] });
    for (const t of [yes, no]) snapshots.push(bookFrame(id, t, ts, rng));
  }
  const frames: string[] = [];
  let changeCount = 0;
  for (let f = 0; f < opts.frames; f++) {
    ts += 1 + Math.floor(rng() * 40);
    const market = markets[Math.floor(rng() * markets.length)]!;
    const entries: string[] = [];
    const count = 1 + Math.floor(rng() * 3);
    for (let c = 0; c < count; c++) {
      const truth = market.tokens[rng() < 0.5 ? 0 : 1];
      entries.push(changeEntry(rng, truth));
      changeCount++;
    }
    frames.push(`{"market":"${market.id}","price_changes":[${entries.join(',')}],"timestamp":"${ts}","event_type":"price_change"}`);
  }
  return { snapshots, frames, changeCount };
}

function openBook(rng: Rng, asset: string, fair: number, depth: number): Truth {
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  for (let i = 1; i <= depth; i++) {
    if (fair - i > 0) bids.set(fair - i, size(rng));
    if (fair + i < 1000) asks.set(fair + i, size(rng));
  }
  return { asset, bids, asks };
}

/** A change near the top of book (where most activity is), never crossing the other side. */
function changeEntry(rng: Rng, t: Truth): string {
  const buy = rng() < 0.5;
  const own = buy ? t.bids : t.asks;
  const bestBid = max(t.bids);
  const bestAsk = min(t.asks);
  let price: number;
  if (buy) price = Math.min(bestAsk - 1, (bestBid ?? bestAsk - 1) - Math.floor(rng() * 6) + 1);
  else price = Math.max(bestBid + 1, (bestAsk ?? bestBid + 1) + Math.floor(rng() * 6) - 1);
  price = Math.max(1, Math.min(999, price));
  const remove = own.has(price) && rng() < 0.3 && own.size > 3;
  const newSize = remove ? 0 : size(rng);
  if (newSize === 0) own.delete(price);
  else own.set(price, newSize);
  const bb = max(t.bids);
  const ba = min(t.asks);
  return (
    `{"asset_id":"${t.asset}","price":"${fmt(price)}","size":"${newSize === 0 ? '0' : newSize.toFixed(2)}","side":"${buy ? 'BUY' : 'SELL'}",` +
    `"hash":"${hex(rng, 40)}","best_bid":"${bb === -Infinity ? '0' : fmt(bb)}","best_ask":"${ba === Infinity ? '1' : fmt(ba)}"}`
  );
}

function bookFrame(market: string, t: Truth, ts: number, rng: Rng): string {
  // The venue's order: bids ascending and asks descending, best LAST.
  const bids = [...t.bids].sort((a, b) => a[0] - b[0]).map(([p, s]) => `{"price":"${fmt(p)}","size":"${s.toFixed(2)}"}`);
  const asks = [...t.asks].sort((a, b) => b[0] - a[0]).map(([p, s]) => `{"price":"${fmt(p)}","size":"${s.toFixed(2)}"}`);
  return (
    `{"market":"${market}","asset_id":"${t.asset}","timestamp":"${ts}","hash":"${hex(rng, 40)}",` +
    `"bids":[${bids.join(',')}],"asks":[${asks.join(',')}],"tick_size":"${TICK}","event_type":"book","last_trade_price":"0.5"}`
  );
}

function max(m: Map<number, number>): number {
  let best = -Infinity;
  for (const k of m.keys()) if (k > best) best = k;
  return best;
}

function min(m: Map<number, number>): number {
  let best = Infinity;
  for (const k of m.keys()) if (k < best) best = k;
  return best;
}

function size(rng: Rng): number {
  return Math.round((5 + rng() * 5000) * 100) / 100;
}

/** Ticks of 0.001 as the venue writes them ("0.5", "0.51", "0.515"). */
function fmt(ticks: number): string {
  return String(ticks / 1000);
}

function tokenId(rng: Rng): string {
  let s = String(1 + Math.floor(rng() * 9));
  while (s.length < 77) s += String(Math.floor(rng() * 10));
  return s;
}

function hex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rng() * 16).toString(16);
  return s;
}
