import type { MarketInfo } from './gamma-market.ts';
import { refuse, type DiscoveryResult } from './result.ts';

/**
 * A token pays on one outcome of one market: two markets of an event naming the same token
 * contradict each other (a fill in one would be booked to both, a bucket's price read for
 * another), so the event is refused rather than guessing which market owns it. Null: no token
 * is named twice.
 */
export function tokenSharedAcrossMarkets(slug: string, markets: readonly MarketInfo[]): DiscoveryResult<never> | null {
  const owner = new Map<string, MarketInfo>();
  for (const m of markets) {
    for (const o of m.outcomes) {
      const first = owner.get(o.token_id);
      // The same market listed twice (one condition id) is one market, merged later, not a contradiction.
      if (first !== undefined && first.condition_id !== m.condition_id) {
        return refuse('contradictory_market', `${slug}: ${where(first)} and ${where(m)} both name token ${o.token_id}`);
      }
      owner.set(o.token_id, m);
    }
  }
  return null;
}

function where(m: MarketInfo): string {
  return m.slug ?? m.condition_id;
}
