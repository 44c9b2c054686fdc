import { performance } from 'node:perf_hooks';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';

/**
 * Offers `events` at `rate` per second: ticks every millisecond and sends what the rate owes by
 * then, noting each event's send time in `sentAt` (by event id) for the latency on arrival.
 */
export async function offerAtRate(events: readonly HeliosEvent[], rate: number, sentAt: Map<string, number>, send: (event: HeliosEvent) => void): Promise<void> {
  const t0 = performance.now();
  let i = 0;
  while (i < events.length) {
    const owed = Math.min(events.length, Math.floor(((performance.now() - t0) / 1000) * rate));
    for (; i < owed; i++) {
      const e = events[i]!;
      sentAt.set(e.event_id, performance.now());
      send(e);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
}
