import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { CoalesceKeys } from '../../domain/events/topics.ts';
import { Ring } from '../../domain/util/ring.ts';

export type OverflowPolicy = 'drop_oldest' | 'coalesce' | 'halt';

export interface TopicPolicy {
  queue_size: number;
  overflow: OverflowPolicy;
  max_len: number;
}

/** Resolves one publish call once each of its events is accepted or discarded by policy. */
export class Settler {
  private remaining: number;
  readonly done: Promise<void>;
  private resolve!: () => void;
  constructor(count: number) {
    this.remaining = count;
    this.done = new Promise<void>((r) => (this.resolve = r));
    if (count === 0) this.resolve();
  }
  settle(n = 1): void {
    this.remaining -= n;
    if (this.remaining <= 0) this.resolve();
  }
}

export interface QueuedEvent {
  event: HeliosEvent;
  settler: Settler | null;
  /** Set when a newer event with the same key replaced this one (coalesce). */
  superseded: boolean;
  key: string | null;
  /** Stream entry id once the transport assigned one ('' before). */
  id: string;
  /** Estimated size, when the owner keeps a byte ledger (in-memory bus), else 0. */
  bytes?: number;
  /** Publish order across every topic of the bus (in-memory bus; 0 elsewhere): reads merge by it. */
  order: number;
}

/** Bytes of events held by a set of queues (the in-memory bus's budget); each queue adds and removes its own. */
export interface ByteLedger {
  bytes: number;
}

export interface OverflowHooks {
  dropped(topic: string, count: number): void;
  coalesced(topic: string, count: number): void;
  /** First overflow of an episode on a `halt` topic; the event is kept (nothing is lost). */
  halted(topic: string, event: HeliosEvent): void;
}

/**
 * A bounded FIFO of events for one topic with an overflow policy:
 * - drop_oldest: the oldest queued event is discarded;
 * - coalesce: a new event replaces the queued one with the same key (e.g. the same token's book
 *   snapshot); with no such event, the oldest is discarded;
 * - halt: nothing is discarded, the owner is told once per episode so it halts the market.
 */
export class BoundedQueue {
  /** Queued in order, superseded ones included until they reach the head. */
  private readonly items = new Ring<QueuedEvent>();
  private live = 0;
  private readonly latestByKey = new Map<string, QueuedEvent>();
  private halting = false;
  /** Only a coalescing queue keys its events. */
  private readonly keys: CoalesceKeys | null;

  constructor(
    readonly topic: string,
    readonly policy: TopicPolicy,
    private readonly hooks: OverflowHooks,
    private readonly ledger?: ByteLedger,
  ) {
    this.keys = policy.overflow === 'coalesce' ? new CoalesceKeys() : null;
  }

  get size(): number {
    return this.live;
  }

  push(event: HeliosEvent, settler: Settler | null, id = '', bytes = 0, order = 0): void {
    const key = this.keys === null ? null : this.keys.keyOf(event);
    if (this.live >= this.policy.queue_size) {
      switch (this.policy.overflow) {
        case 'coalesce': {
          const older = this.latestByKey.get(key!);
          if (older && !older.superseded) {
            older.superseded = true;
            older.settler?.settle();
            this.release(older);
            this.live--;
            this.hooks.coalesced(this.topic, 1);
          } else {
            this.dropOldest();
          }
          break;
        }
        case 'drop_oldest':
          this.dropOldest();
          break;
        case 'halt':
          if (!this.halting) {
            this.halting = true;
            this.hooks.halted(this.topic, event);
          }
          break;
      }
    }
    const item: QueuedEvent = { event, settler, superseded: false, key, id, bytes, order };
    if (key !== null) this.latestByKey.set(key, item);
    this.items.push(item);
    this.live++;
    if (this.ledger) this.ledger.bytes += bytes;
  }

  /**
   * Discards the oldest queued event (counted as dropped) to keep a memory budget; never on a
   * `halt` topic, whose events must not be lost. Returns whether one was discarded.
   */
  shed(): boolean {
    if (this.policy.overflow === 'halt' || this.live === 0) return false;
    this.dropOldest();
    return true;
  }

  private release(item: QueuedEvent): void {
    if (this.ledger && item.bytes) this.ledger.bytes -= item.bytes;
  }

  /** Removes and returns up to `max` live events in order. */
  take(max: number): QueuedEvent[] {
    return this.takeBefore(max, Number.POSITIVE_INFINITY, []);
  }

  /** The publish order of the oldest live event (+Infinity when none is queued). */
  headOrder(): number {
    for (;;) {
      const head = this.items.peek();
      if (head === undefined) return Number.POSITIVE_INFINITY;
      if (!head.superseded) return head.order;
      this.items.shift();
    }
  }

  /** Moves up to `max` live events published before `order` (in order) to `out`, which it returns. */
  takeBefore(max: number, order: number, out: QueuedEvent[]): QueuedEvent[] {
    for (let n = 0; n < max; n++) {
      const item = this.takeOneBefore(order);
      if (item === undefined) break;
      out.push(item);
    }
    return out;
  }

  /** Removes and returns the oldest live event if it was published before `order`. */
  takeOneBefore(order: number): QueuedEvent | undefined {
    let taken: QueuedEvent | undefined;
    while (this.items.length > 0) {
      const item = this.items.peek()!;
      if (item.superseded) {
        this.items.shift();
        continue;
      }
      if (item.order >= order) break;
      this.items.shift();
      if (item.key !== null && this.latestByKey.get(item.key) === item) this.latestByKey.delete(item.key);
      this.release(item);
      this.live--;
      taken = item;
      break;
    }
    if (this.halting && this.live < this.policy.queue_size / 2) this.halting = false;
    return taken;
  }

  /** Puts events taken but not delivered back at the front, in order (e.g. a failed flush). */
  unshift(items: QueuedEvent[]): void {
    if (items.length === 0) return;
    for (let i = items.length - 1; i >= 0; i--) this.items.unshift(items[i]!);
    this.live += items.length;
    if (this.ledger) for (const item of items) this.ledger.bytes += item.bytes ?? 0;
    for (const item of items) if (item.key !== null && !this.latestByKey.has(item.key)) this.latestByKey.set(item.key, item);
  }

  private dropOldest(): void {
    while (this.items.length > 0) {
      const item = this.items.shift()!;
      if (item.superseded) continue;
      if (item.key !== null && this.latestByKey.get(item.key) === item) this.latestByKey.delete(item.key);
      item.settler?.settle();
      this.release(item);
      this.live--;
      this.hooks.dropped(this.topic, 1);
      break;
    }
  }
}

/** Overflow hooks that count into a bus's stats and forward halts to the bus's owner. */
export function countingOverflowHooks(
  counters: { dropped: number; coalesced: number; halts: number },
  onHalt: ((topic: string, event: HeliosEvent) => void) | undefined,
): OverflowHooks {
  return {
    dropped: (_t, n) => void (counters.dropped += n),
    coalesced: (_t, n) => void (counters.coalesced += n),
    halted: (topic, event) => {
      counters.halts++;
      onHalt?.(topic, event);
    },
  };
}
