import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { compareStreamIds, type RedisClient } from './redis-client.ts';

/** One entry the server acknowledged, with the MAXLEN it was written with and when (bus clock, monotonic ms). */
interface Written {
  id: string;
  events: readonly HeliosEvent[];
  maxLen: number;
  at: number;
}

/**
 * The latest entries the server acknowledged on never-drop topics (order, fill, control). A Redis
 * that acknowledges a write before it is on disk (no AOF, or `appendfsync everysec`) loses it when
 * killed; after every reconnect the bus asks the server which of these it still holds and sends
 * the rest again, before anything newer, so consumers never miss an order or a fill. Consumers
 * drop the duplicates a re-send can make (dedup window). Entries whose stream may have expired
 * since (idle longer than its TTL, see StreamExpiry) are forgotten, not re-sent: consumers read
 * them long ago, and their dedup windows have forgotten them (a days-old HALT_CMD or
 * MARKET_RESOLVED would act again).
 */
export class AcknowledgedWrites {
  private readonly byTopic = new Map<string, { entries: Written[]; events: number }>();

  /** `keep`: events kept per topic (whole entries: the oldest entry goes once the rest hold `keep`). */
  constructor(private readonly keep: number) {}

  /** Events kept, over all topics. */
  get size(): number {
    let n = 0;
    for (const list of this.byTopic.values()) n += list.events;
    return n;
  }

  record(topic: string, id: string, events: readonly HeliosEvent[], maxLen: number, at: number): void {
    if (this.keep <= 0) return;
    let list = this.byTopic.get(topic);
    if (!list) this.byTopic.set(topic, (list = { entries: [], events: 0 }));
    list.entries.push({ id, events, maxLen, at });
    list.events += events.length;
    // Amortized: trim when a quarter over.
    if (list.events <= this.keep * 1.25) return;
    let drop = 0;
    while (list.events - list.entries[drop]!.events.length >= this.keep) list.events -= list.entries[drop++]!.events.length;
    list.entries.splice(0, drop);
  }

  /** Forgets the entries recorded before `cutoff` (entries are recorded in time order per topic). */
  forgetBefore(cutoff: number): void {
    for (const [topic, list] of this.byTopic) {
      let drop = 0;
      while (drop < list.entries.length && list.entries[drop]!.at < cutoff) list.events -= list.entries[drop++]!.events.length;
      if (drop === list.entries.length) this.byTopic.delete(topic);
      else list.entries.splice(0, drop);
    }
  }

  /** Forgets a topic nobody writes any more. */
  forget(topic: string): void {
    this.byTopic.delete(topic);
  }

  /** Topics with entries kept. */
  get topics(): number {
    return this.byTopic.size;
  }

  /**
   * Removes and returns, per topic in stream order, the recorded entries this server does not hold.
   * An entry older than the stream's first one counts as lost only while the stream is shorter than
   * the MAXLEN it was written with (otherwise trimming took it, by design).
   */
  async takeLost(client: RedisClient, keyOf: (topic: string) => string): Promise<Array<{ topic: string; events: HeliosEvent[] }>> {
    const out: Array<{ topic: string; events: HeliosEvent[] }> = [];
    for (const topic of [...this.byTopic.keys()].sort()) {
      const { entries: list } = this.byTopic.get(topic)!;
      if (list.length === 0) continue;
      const key = keyOf(topic);
      const first = list[0]!.id;
      const last = list[list.length - 1]!.id;
      const [present, length, head] = await Promise.all([
        client.sendCommand(['XRANGE', key, first, last]) as Promise<Array<[string, unknown]>>,
        client.sendCommand(['XLEN', key]).then(Number),
        client.sendCommand(['XRANGE', key, '-', '+', 'COUNT', '1']) as Promise<Array<[string, unknown]>>,
      ]);
      const held = new Set(present.map(([id]) => id));
      const firstHeld = head[0]?.[0];
      const trimmed = (w: Written) => length >= w.maxLen && firstHeld !== undefined && compareStreamIds(w.id, firstHeld) < 0;
      const kept: Written[] = [];
      const lost: HeliosEvent[] = [];
      for (const w of list) {
        if (held.has(w.id) || trimmed(w)) kept.push(w);
        else lost.push(...w.events);
      }
      if (lost.length === 0) continue;
      this.byTopic.set(topic, { entries: kept, events: kept.reduce((n, w) => n + w.events.length, 0) });
      out.push({ topic, events: lost });
    }
    return out;
  }
}
