import { Observable } from 'rxjs';
import type { ConsumerStats, Delivery, Subscription } from './event-bus.ts';
import { DedupWindow } from './dedup-window.ts';

const SETTLED: Promise<void> = Promise.resolve();

/**
 * Turns an implementation's `pull` into the async-iterator and Observable styles, with event_id
 * dedup: a duplicate is acknowledged at once and never reaches the consumer.
 */
export abstract class SubscriptionBase implements Subscription {
  readonly stats: ConsumerStats = { delivered: 0, acked: 0, duplicates: 0, malformed: 0, reclaimed: 0 };
  protected closed = false;
  private readonly dedup: DedupWindow;

  constructor(dedupWindow: number) {
    this.dedup = new DedupWindow(dedupWindow);
  }

  /** Waits for the next batch; resolves to [] only when the subscription or its bus is closed. */
  protected abstract pull(): Promise<Delivery[]>;
  /** Undefined when the acknowledgement is complete as it returns. */
  protected abstract ackIds(deliveries: readonly Delivery[]): Promise<void> | undefined;
  abstract addTopics(topics: string[]): void;
  abstract removeTopics(topics: string[]): void;
  abstract readonly caughtUp: boolean;
  protected abstract onClose(): Promise<void>;

  /** A transport that creates its groups synchronously in `subscribe`/`addTopics` (in memory) has joined already. */
  joined(): Promise<void> {
    return Promise.resolve();
  }

  ack(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return SETTLED;
    let acking: Promise<void> | undefined;
    try {
      acking = this.ackIds(deliveries);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    // Acknowledged as it returned (in memory): one settled promise, not two per batch.
    if (acking === undefined) {
      this.stats.acked += deliveries.length;
      return SETTLED;
    }
    return acking.then(() => {
      this.stats.acked += deliveries.length;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.onClose();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Delivery[]> {
    while (!this.closed) {
      const batch = await this.pull();
      // Nothing more will come: asking again would answer [] at once, forever (a bus closed under an
      // open subscription spun its consumer's loop and starved the process's shutdown).
      if (batch.length === 0) return;
      // Filtered in place (`pull` hands over an array of its own): a batch without duplicates, the
      // usual one, is yielded as it came, with no second array per batch.
      let fresh = 0;
      let dupes: Delivery[] | null = null;
      for (let i = 0; i < batch.length; i++) {
        const d = batch[i]!;
        if (d.deliveries > 1) this.stats.reclaimed++;
        // A redelivered entry (reclaim) must reach a consumer again: only first deliveries are deduped.
        if (d.deliveries === 1 && this.dedup.isDuplicate(d.event.event_id)) (dupes ??= []).push(d);
        else batch[fresh++] = d;
      }
      if (dupes !== null) {
        batch.length = fresh;
        this.stats.duplicates += dupes.length;
        await this.ackIds(dupes);
      }
      if (fresh > 0) {
        this.stats.delivered += fresh;
        yield batch;
      }
    }
  }

  observe(): Observable<Delivery> {
    return new Observable<Delivery>((subscriber) => {
      let stopped = false;
      void (async () => {
        try {
          for await (const batch of this) {
            for (const d of batch) {
              if (stopped) return;
              subscriber.next(d);
            }
            if (stopped) return;
          }
          subscriber.complete();
        } catch (err) {
          subscriber.error(err);
        }
      })();
      return () => {
        stopped = true;
      };
    });
  }
}
