import type { MarketFeed } from '../../../src/runtime/market-tape/market-feed.ts';
import type { VenueSimulator } from '../../../src/sim/venue/venue-simulator.ts';

export interface BookMismatch {
  token: string;
  why: string;
}

/** The mirror has applied everything the venue changed for each token (same last venue time). */
export function caughtUp(feed: MarketFeed, sim: VenueSimulator, tokens: readonly string[]): boolean {
  return tokens.every((t) => {
    const s = feed.book(t);
    return s !== undefined && s.synced && s.last_ts === sim.lastTimestamp(t);
  });
}

/**
 * Tokens whose mirror differs from the simulator's true book: every level, or the best prices only
 * (`top`) — what each update's best_bid/best_ask lets a mirror verify. A dropped frame that changed
 * only the size resting at the best price is invisible on this protocol until the venue's next
 * `book`, like any deeper level.
 */
export function bookMismatches(feed: MarketFeed, sim: VenueSimulator, tokens: readonly string[], depth: 'top' | 'full'): BookMismatch[] {
  const out: BookMismatch[] = [];
  for (const t of tokens) {
    const s = feed.book(t);
    if (!s) {
      out.push({ token: t, why: 'no book' });
      continue;
    }
    if (!s.synced) {
      out.push({ token: t, why: `not synced (${s.status}, ${String(s.resync_reason)})` });
      continue;
    }
    const truth = sim.trueBook(t);
    const n = depth === 'top' ? 1 : 10_000;
    const levels = (side: ReadonlyArray<readonly [number, number]>) => (depth === 'top' ? side.slice(0, 1).map(([price]) => price) : side);
    const top = s.book.topN(n);
    const ours = { bids: levels(top.bids), asks: levels(top.asks) };
    const want = { bids: levels(truth.bids), asks: levels(truth.asks) };
    if (JSON.stringify(ours) !== JSON.stringify(want)) {
      out.push({ token: t, why: `levels differ: ours ${JSON.stringify(ours).slice(0, 200)} truth ${JSON.stringify(want).slice(0, 200)}` });
    }
  }
  return out;
}
