import { hash32 } from '../util/random.ts';

/** One trading process's slice of the markets: `index` of `count`, by hash of the market id. */
export interface Shard {
  index: number;
  count: number;
}

export const ALL_MARKETS: Shard = { index: 0, count: 1 };

/** Parses `i/n` (0 ≤ i < n); null when malformed. */
export function parseShard(text: string): Shard | null {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index < count ? { index, count } : null;
}

/** The shard that owns a market: stable across processes, runs and languages (FNV-1a of the id). */
export function shardOf(marketId: string, count: number): number {
  return hash32(marketId) % count;
}

export function ownsMarket(shard: Shard, marketId: string): boolean {
  return shardOf(marketId, shard.count) === shard.index;
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
