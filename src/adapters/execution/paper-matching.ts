import type { OrderSide } from '../../domain/trading/book-view.ts';
import { snapShares } from '../../domain/trading/ticks.ts';

/**
 * Fill rules of the paper venue, pure. Marketable orders walk the mirrored book, skipping at each
 * level what our earlier orders took there and the venue's book still shows (the venue never saw
 * our paper orders, so it keeps displaying those shares until they go for real); resting orders
 * fill only from traded volume at their price after the queue ahead of them is consumed
 * (hftbacktest's risk-averse queue model: cancels happen at the tail). A trade advances a queue
 * once, whether its level update or its print arrives first.
 */
export type PriceLevel = readonly [price: number, size: number];

export interface Take {
  price: number;
  size: number;
}

const EPS = 1e-9;

/** The levels as paper may take them: less what our earlier orders took there. */
export function availableLevels(levels: readonly PriceLevel[], takenAt: (price: number) => number): PriceLevel[] {
  return levels.map(([price, levelSize]) => [price, Math.max(0, snapShares(levelSize - Math.max(0, takenAt(price))))] as const);
}

/** Levels best first (asks ascending for a BUY, bids descending for a SELL), up to `size` shares. */
export function walkLevels(levels: readonly PriceLevel[], takenAt: (price: number) => number, size: number, limit: number, side: OrderSide): Take[] {
  const out: Take[] = [];
  let want = size;
  for (const [price, avail] of availableLevels(levels, takenAt)) {
    if (want <= EPS) break;
    if (side === 'BUY' ? price > limit + EPS : price < limit - EPS) break;
    if (avail <= EPS) continue;
    const take = Math.min(avail, want);
    out.push({ price, size: take });
    want = snapShares(want - take);
  }
  return out;
}

export interface RestingView {
  id: string;
  side: OrderSide;
  price: number;
  remaining: number;
  queue_ahead: number;
  /**
   * How much a level update already took off the queue that no print has explained yet: the print
   * that follows is the same trade and must not advance the queue again.
   */
  credit: number;
  /** Placement order: earlier orders have priority at equal prices. */
  seq: number;
}

export interface TradePrint {
  price: number;
  size: number;
  /**
   * Aggressor side; null when unknown. Unknown is read conservatively: a print strictly through a
   * resting price still fills it (no other aggressor could have printed there), but a print at our
   * price neither advances our queue nor fills us, since it may have traded the other side.
   */
  side: OrderSide | null;
}

export interface TradeMatch {
  fills: Array<{ id: string; size: number }>;
  queueAhead: Record<string, number>;
  credit: Record<string, number>;
}

/** A level update: the queue can be no longer than the level; what it lost is credited to the print to come. */
export function shrinkQueue(queueAhead: number, credit: number, levelSize: number): { queue_ahead: number; credit: number } {
  const next = Math.min(queueAhead, Math.max(0, levelSize));
  return { queue_ahead: next, credit: credit + (queueAhead - next) };
}

function crossedBy(o: RestingView, t: TradePrint): boolean {
  // A SELL aggressor hits bids (our BUYs at or above the print); a BUY aggressor lifts asks.
  if (o.side === 'BUY') return t.side !== 'BUY' && o.price >= t.price - EPS;
  return t.side !== 'SELL' && o.price <= t.price + EPS;
}

export function matchTrade(orders: readonly RestingView[], trade: TradePrint): TradeMatch {
  const fills: Array<{ id: string; size: number }> = [];
  const queueAhead: Record<string, number> = {};
  const credit: Record<string, number> = {};
  for (const side of ['BUY', 'SELL'] as const) {
    const eligible = orders
      .filter((o) => o.side === side && o.remaining > EPS && crossedBy(o, trade))
      .sort((a, b) => (side === 'BUY' ? b.price - a.price : a.price - b.price) || a.seq - b.seq);
    let budget = trade.size;
    for (const o of eligible) {
      const atPrint = Math.abs(o.price - trade.price) < EPS;
      if (atPrint && trade.side === null) continue;
      // Strictly better than the print: the print walked through our level, its queue is gone.
      const ahead = atPrint ? o.queue_ahead : 0;
      const absorbed = atPrint ? Math.min(o.credit, trade.size) : 0;
      const traded = trade.size - absorbed;
      queueAhead[o.id] = atPrint ? Math.max(0, ahead - traded) : 0;
      credit[o.id] = atPrint ? o.credit - absorbed : 0;
      const reach = Math.max(0, traded - ahead);
      const fill = snapShares(Math.min(o.remaining, reach, budget));
      if (fill > EPS) {
        fills.push({ id: o.id, size: fill });
        budget = snapShares(budget - fill);
      }
    }
  }
  return { fills, queueAhead, credit };
}
