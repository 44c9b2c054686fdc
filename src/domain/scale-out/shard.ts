import type { MarketSpec } from '../trading/market-spec.ts';
import { hash32 } from '../util/random.ts';

/** One trading process's slice of the markets: `index` of `count`, by hash of each market's shard key. */
export interface Shard {
  index: number;
  count: number;
}

export const ALL_MARKETS: Shard = { index: 0, count: 1 };

/**
 * Parses `i/n` (0 ≤ i < n, 0-based); null when malformed. Only the canonical form, as
 * formatShard writes it: decimal digits without sign, leading zeros or surrounding space, so a
 * shard has the one spelling its logs, consumer group and unit instance show.
 */
export function parseShard(text: string): Shard | null {
  const m = /^(0|[1-9]\d{0,5})\/([1-9]\d{0,5})$/.exec(text);
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return index < count ? { index, count } : null;
}

/** The shard of a key: stable across processes, runs and languages (FNV-1a). */
export function shardOf(key: string, count: number): number {
  return hash32(key) % count;
}

/**
 * What a market is sharded by: the event it is a bucket of, else its own id. A neg-risk event's
 * buckets are sized as one allocation, checked against one exposure per event and arbitraged as a
 * set, so they must trade in one process: split over shards, each would see part of the event.
 */
export function shardKey(spec: Pick<MarketSpec, 'market_id' | 'event'>): string {
  return spec.event ? `event:${spec.event.event_id}` : spec.market_id;
}

export function ownsMarket(shard: Shard, spec: Pick<MarketSpec, 'market_id' | 'event'>): boolean {
  return shardOf(shardKey(spec), shard.count) === shard.index;
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
