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

/** Tokens whose mirror differs from the simulator's true book (whole book, or top only). */
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
    const ours = s.book.topN(n);
    const want = { bids: truth.bids.slice(0, n), asks: truth.asks.slice(0, n) };
    if (JSON.stringify(ours) !== JSON.stringify(want)) {
      out.push({ token: t, why: `levels differ: ours ${JSON.stringify(ours).slice(0, 200)} truth ${JSON.stringify(want).slice(0, 200)}` });
    }
  }
  return out;
}
