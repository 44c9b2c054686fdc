import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { NumberRing, Ring } from '../../domain/util/ring.ts';
import type { ByteLedger } from './bounded-queue.ts';

export interface LogEntry {
  seq: number;
  event: HeliosEvent;
  bytes: number;
}

/**
 * What the in-memory bus keeps of one topic for groups created later (`start: earliest`) and for
 * `backlog`: at most `maxLen` entries, and together with every other topic at most the bus's byte
 * budget. Retention is a convenience for late readers; the journal is the durable record.
 */
export class RetainedLog {
  // Parallel rings rather than an entry object per event: retained events live for seconds, so
  // everything kept per event is copied by young collections and promoted.
  private readonly events = new Ring<HeliosEvent>();
  private readonly seqs = new NumberRing();
  private readonly sizes = new NumberRing();

  constructor(
    readonly maxLen: number,
    private readonly budget: RetentionBudget,
    /** The budget evicted the last entry: the log holds nothing any more. */
    private readonly onEvictedAll: () => void = () => {},
  ) {}

  get length(): number {
    return this.events.length;
  }

  /** Sequence number of the oldest retained entry (Infinity when empty). */
  get oldestSeq(): number {
    return this.seqs.length > 0 ? this.seqs.peek() : Number.POSITIVE_INFINITY;
  }

  append(seq: number, event: HeliosEvent, bytes: number): void {
    this.events.push(event);
    this.seqs.push(seq);
    this.sizes.push(bytes);
    while (this.length > this.maxLen) this.budget.released(this.shift());
    this.budget.added(this, seq, bytes);
  }

  /** Drops the oldest entry (the budget's eviction); returns its size. */
  evictOldest(): number {
    const bytes = this.shift();
    if (this.events.length === 0) this.onEvictedAll();
    return bytes;
  }

  *[Symbol.iterator](): IterableIterator<LogEntry> {
    for (let i = 0; i < this.events.length; i++) yield { seq: this.seqs.at(i), event: this.events.at(i)!, bytes: this.sizes.at(i) };
  }

  /** Removes the oldest entry; returns its size (0 when empty). */
  private shift(): number {
    if (this.events.length === 0) return 0;
    // The ring lets go of the event at once: the event's memory is what the budget is about.
    this.events.shift();
    this.seqs.shift();
    return this.sizes.shift();
  }
}

/**
 * One byte budget over every topic's retained log and the events waiting in consumer groups'
 * queues (`queued`): when the total passes the limit, the oldest retained entries of the whole bus
 * go first, whatever their topic, so a process with thousands of per-market topics plateaus instead
 * of keeping `max_len` events of each. (The bus sheds a lagging group's backlog once nothing is
 * retained any more.)
 */
export class RetentionBudget {
  private bytes = 0;
  private live = 0;
  private evictedCount = 0;
  /**
   * Appends in bus order, as two parallel rings (no object per event: they live as long as the
   * entries); an entry already trimmed by its topic's max_len is skipped when reached.
   */
  private readonly orderLogs = new Ring<RetainedLog>();
  private readonly orderSeqs = new NumberRing();

  constructor(
    readonly limitBytes: number,
    private readonly queued: ByteLedger,
    /** Retained bytes at most, whatever the queues hold (late readers' share of the budget). */
    readonly retainedLimitBytes = limitBytes,
  ) {}

  /** Retained plus queued bytes above the limit (0 when within). */
  get excess(): number {
    return Math.max(0, this.bytes + this.queued.bytes - this.limitBytes);
  }

  get retainedBytes(): number {
    return this.bytes;
  }

  get retainedEvents(): number {
    return this.live;
  }

  get evicted(): number {
    return this.evictedCount;
  }

  /** @internal a log appended an entry */
  added(log: RetainedLog, seq: number, bytes: number): void {
    this.bytes += bytes;
    this.live++;
    this.orderLogs.push(log);
    this.orderSeqs.push(seq);
    this.enforce();
  }

  /** Evicts the oldest retained entries until within the limit or nothing is retained. */
  enforce(): void {
    while (this.live > 0 && (this.bytes + this.queued.bytes > this.limitBytes || this.bytes > this.retainedLimitBytes)) this.evictOne();
    this.compact();
  }

  /** @internal a log trimmed an entry by count */
  released(bytes: number): void {
    this.bytes -= bytes;
    this.live--;
  }

  private evictOne(): void {
    while (this.orderLogs.length > 0) {
      const log = this.orderLogs.shift()!;
      const seq = this.orderSeqs.shift();
      // Per topic, entries leave in order: if the oldest left is newer, this one is gone already.
      if (log.oldestSeq !== seq) continue;
      this.bytes -= log.evictOldest();
      this.live--;
      this.evictedCount++;
      return;
    }
  }

  /** Entries trimmed by count stay in the order until reached; they are dropped once they dominate. */
  private compact(): void {
    const n = this.orderLogs.length;
    if (n <= 2 * this.live + 1024) return;
    for (let i = 0; i < n; i++) {
      const log = this.orderLogs.shift()!;
      const seq = this.orderSeqs.shift();
      if (seq < log.oldestSeq) continue;
      this.orderLogs.push(log);
      this.orderSeqs.push(seq);
    }
  }
}
