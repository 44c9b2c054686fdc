import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { compareStreamIds, type RedisClient } from './redis-client.ts';

interface Written {
  id: string;
  event: HeliosEvent;
}

/**
 * The latest entries the server acknowledged on never-drop topics (order, fill, control). A Redis
 * that acknowledges a write before it is on disk (no AOF, or `appendfsync everysec`) loses it when
 * killed; after every reconnect the bus asks the server which of these it still holds and sends
 * the rest again, before anything newer, so consumers never miss an order or a fill. Consumers
 * drop the duplicates a re-send can make (dedup window).
 */
export class AcknowledgedWrites {
  private readonly byTopic = new Map<string, Written[]>();

  constructor(private readonly keep: number) {}

  get size(): number {
    let n = 0;
    for (const list of this.byTopic.values()) n += list.length;
    return n;
  }

  record(topic: string, id: string, event: HeliosEvent): void {
    if (this.keep <= 0) return;
    let list = this.byTopic.get(topic);
    if (!list) this.byTopic.set(topic, (list = []));
    list.push({ id, event });
    // Amortized: trim when a quarter over.
    if (list.length > this.keep * 1.25) list.splice(0, list.length - this.keep);
  }

  /**
   * Removes and returns, per topic in stream order, the recorded entries this server does not hold.
   * An entry older than the stream's first one counts as lost only while the stream is shorter than
   * its MAXLEN (otherwise trimming took it, by design).
   */
  async takeLost(client: RedisClient, keyOf: (topic: string) => string, maxLenOf: (topic: string) => number): Promise<Array<{ topic: string; events: HeliosEvent[] }>> {
    const out: Array<{ topic: string; events: HeliosEvent[] }> = [];
    for (const topic of [...this.byTopic.keys()].sort()) {
      const list = this.byTopic.get(topic)!;
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
      const trimmed = (id: string) => length >= maxLenOf(topic) && firstHeld !== undefined && compareStreamIds(id, firstHeld) < 0;
      const kept: Written[] = [];
      const lost: HeliosEvent[] = [];
      for (const w of list) {
        if (held.has(w.id) || trimmed(w.id)) kept.push(w);
        else lost.push(w.event);
      }
      if (lost.length === 0) continue;
      this.byTopic.set(topic, kept);
      out.push({ topic, events: lost });
    }
    return out;
  }
}
