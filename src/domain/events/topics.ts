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

/**
 * Topic names built once per (channel, partition). A name built per event is a fresh string that
 * every Map lookup down the hot path hashes again (a partition holds a 66-character condition id);
 * the cached one carries its hash. Past `limit` names the cache starts over (discovery can add
 * markets without end).
 */
export class TopicNames {
  private readonly byChannel = new Map<string, Map<string, string>>();
  private size = 0;

  constructor(private readonly limit = 100_000) {}

  /** The last name given, by its channel and partition: a producer's events come in runs of one topic. */
  private lastChannel = '';
  private lastPartition = '';
  private lastTopic = '';

  topicFor(event: HeliosEvent): string {
    const partition = partitionOf(event);
    if (event.ch === this.lastChannel && partition === this.lastPartition) return this.lastTopic;
    this.lastChannel = event.ch;
    this.lastPartition = partition;
    return (this.lastTopic = this.cached(event.ch, partition));
  }

  private cached(channel: string, partition: string): string {
    let names = this.byChannel.get(channel);
    if (names === undefined) this.byChannel.set(channel, (names = new Map()));
    let topic = names.get(partition);
    if (topic === undefined) {
      if (this.size >= this.limit) {
        for (const m of this.byChannel.values()) m.clear();
        this.size = 0;
      }
      topic = topicOf(channel, partition);
      names.set(partition, topic);
      this.size++;
    }
    return topic;
  }
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
  return event.type + '|' + coalesceEntityOf(event);
}

function coalesceEntityOf(event: HeliosEvent): string {
  const entity = event.token_id ?? event.market_id ?? event.station_id ?? event.match_id ?? '';
  // A station's next judge day is nowcast beside its current one (both days' buckets trade): one is not newer than the other.
  return event.type === 'NOWCAST' ? `${entity}|${event.payload.judge_day}` : entity;
}

/**
 * coalesceKeyOf, each key built once: a key built per event is a fresh concatenation that the
 * queue's Map flattens and hashes again (a BEST_PRICE per token per turn, per consumer group); the
 * cached one carries its hash. Past `limit` keys the cache starts over.
 */
export class CoalesceKeys {
  private readonly byType = new Map<string, Map<string, string>>();
  private size = 0;

  constructor(private readonly limit = 100_000) {}

  keyOf(event: HeliosEvent): string {
    const entity = coalesceEntityOf(event);
    let keys = this.byType.get(event.type);
    if (keys === undefined) this.byType.set(event.type, (keys = new Map()));
    let key = keys.get(entity);
    if (key === undefined) {
      if (this.size >= this.limit) {
        for (const m of this.byType.values()) m.clear();
        this.size = 0;
      }
      key = coalesceKeyOf(event);
      keys.set(entity, key);
      this.size++;
    }
    return key;
  }
}
