import type { HeliosEvent } from './catalog.ts';

/**
 * Topics are `CHANNEL:PARTITION`. The partition is the entity whose order matters (market, then
 * station, match, token), so a consumer of one partition sees that entity's events in publish order
 * and one slow market never blocks another.
 */
export const GLOBAL_PARTITION = '_';

export function partitionOf(event: HeliosEvent): string {
  return event.market_id ?? event.station_id ?? event.match_id ?? event.token_id ?? GLOBAL_PARTITION;
}

export function topicFor(event: HeliosEvent): string {
  return `${event.ch}:${partitionOf(event)}`;
}

export function topicOf(channel: string, partition: string = GLOBAL_PARTITION): string {
  return `${channel}:${partition}`;
}

export function channelOfTopic(topic: string): string {
  const i = topic.indexOf(':');
  return i < 0 ? topic : topic.slice(0, i);
}

/** Coalescing key: only the newest event per (type, most specific entity) survives an overflow. */
export function coalesceKeyOf(event: HeliosEvent): string {
  return event.type + '|' + (event.token_id ?? event.market_id ?? event.station_id ?? event.match_id ?? '');
}
