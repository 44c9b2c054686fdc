import { channelOf, type EventType } from '../events/catalog.ts';

/** Which feed an event proves alive. */
export const FEED_OF: Partial<Record<EventType, string>> = {
  BEST_PRICE: 'market',
  L2_SNAPSHOT: 'market',
  TRADE: 'market',
  METAR_OBS: 'metar',
  PWS_CLUSTER: 'pws',
  TRUTH_STATE: 'truth',
  NOWCAST: 'nowcast',
};

/**
 * The feeds whose events travel on one of `channels`, sorted: what a consumer reading those
 * channels can judge stale (a trading shard reads nowcasts, never the METARs behind them).
 */
export function feedsOnChannels(channels: Iterable<string>): string[] {
  const read = new Set(channels);
  const feeds = new Set<string>();
  for (const [type, feed] of Object.entries(FEED_OF)) if (read.has(channelOf(type as EventType))) feeds.add(feed);
  return [...feeds].sort();
}
