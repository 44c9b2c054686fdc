import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { BoundedQueue, countingOverflowHooks, type ByteLedger, type OverflowHooks, type QueuedEvent } from './bounded-queue.ts';
import { estimateEventBytes } from './event-size.ts';
import { zeroBusStats, type BusCloseReport, type BusHealth, type BusHooks, type BusStats, type Delivery, type EventBus, type SubscribeOptions, type Subscription } from './event-bus.ts';
import { SubscriptionBase } from './subscription-base.ts';
import { RetainedLog, RetentionBudget } from './retention.ts';
import { policyForTopic, type BusConfig } from './topic-policies.ts';

interface PendingEntry {
  delivery: Delivery;
  consumer: string;
  deliveredAt: number;
}

/** One consumer group on one topic: its own bounded queue (backpressure per group) and its PEL. */
class GroupState {
  readonly pending = new Map<string, PendingEntry>();
  readonly waiters = new Set<() => void>();
  constructor(readonly queue: BoundedQueue) {}
  wake(): void {
    for (const w of [...this.waiters]) w();
    this.waiters.clear();
  }
}

class TopicState {
  readonly log: RetainedLog;
  seq = 0;
  readonly groups = new Map<string, GroupState>();
  constructor(maxLen: number, budget: RetentionBudget) {
    this.log = new RetainedLog(maxLen, budget);
  }
  append(event: HeliosEvent, bytes: number): number {
    const seq = ++this.seq;
    this.log.append(seq, event, bytes);
    return seq;
  }
}

/**
 * The embedded default bus: in process, deterministic (per-topic order, topics served in sorted
 * order), with the same group / ack / reclaim / backpressure semantics as RedisStreamsBus. What it
 * retains for late readers is bounded per topic (max_len) and for the whole bus in bytes
 * (memory_budget_bytes, oldest first across topics).
 */
export class InMemoryBus implements EventBus {
  readonly kind = 'in_memory' as const;
  private readonly topicsByName = new Map<string, TopicState>();
  private readonly counters: BusStats = zeroBusStats();
  private readonly overflow: OverflowHooks;
  private readonly retention: RetentionBudget;
  /** Bytes of events waiting in consumer groups' queues (delivered ones are not counted). */
  private readonly queued: ByteLedger = { bytes: 0 };
  private readonly startedAt: number;
  private closed = false;

  constructor(
    private readonly config: BusConfig,
    private readonly clock: Clock,
    private readonly hooks: BusHooks = {},
  ) {
    this.retention = new RetentionBudget(config.memory_budget_bytes, this.queued);
    this.startedAt = clock.now();
    this.overflow = countingOverflowHooks(this.counters, (topic, event) => this.hooks.onHalt?.(topic, event));
  }

  publish(topic: string, events: readonly HeliosEvent[]): Promise<void> {
    if (this.closed) return Promise.resolve();
    const state = this.topic(topic);
    for (const event of events) {
      const bytes = estimateEventBytes(event);
      const seq = state.append(event, bytes);
      this.counters.published++;
      for (const group of state.groups.values()) {
        group.queue.push(event, null, String(seq), bytes);
        group.wake();
      }
      this.enforceBudget(state);
    }
    return Promise.resolve();
  }

  /**
   * Retained entries go first (oldest across topics); past that, a group lagging on this topic
   * loses its oldest queued events (counted as dropped; never on halt topics), so the backlog of a
   * consumer that cannot keep up stops growing instead of taking the process down.
   */
  private enforceBudget(state: TopicState): void {
    this.retention.enforce();
    if (this.retention.excess === 0) return;
    for (const group of state.groups.values()) {
      while (this.retention.excess > 0 && group.queue.shed()) this.counters.shed++;
    }
  }

  subscribe(options: SubscribeOptions): Subscription {
    return new InMemorySubscription(this, options, this.config.dedup_window);
  }

  async backlog(topic: string, group?: string): Promise<number> {
    const state = this.topicsByName.get(topic);
    if (!state) return 0;
    if (group === undefined) return state.log.length;
    const g = state.groups.get(group);
    return g ? g.queue.size + g.pending.size : 0;
  }

  async topics(): Promise<string[]> {
    return [...this.topicsByName.keys()].sort();
  }

  stats(): BusStats {
    return { ...this.counters, retained_bytes: this.retention.retainedBytes, queued_bytes: this.queued.bytes, retention_evicted: this.retention.evicted };
  }

  async whenConnected(): Promise<void> {}

  health(): BusHealth {
    return { up: true, reason: null, since_ms: this.startedAt };
  }

  pending(): number {
    return 0;
  }

  async drain(): Promise<void> {}

  async close(): Promise<BusCloseReport> {
    this.closed = true;
    for (const t of this.topicsByName.values()) for (const g of t.groups.values()) g.wake();
    return { undelivered: 0 };
  }

  /** @internal */
  topic(name: string): TopicState {
    let state = this.topicsByName.get(name);
    if (!state) {
      state = new TopicState(policyForTopic(this.config, name).max_len, this.retention);
      this.topicsByName.set(name, state);
    }
    return state;
  }

  /** @internal */
  group(topicName: string, groupName: string, start: 'earliest' | 'latest'): GroupState {
    const state = this.topic(topicName);
    let group = state.groups.get(groupName);
    if (!group) {
      group = new GroupState(new BoundedQueue(topicName, policyForTopic(this.config, topicName), this.overflow, this.queued));
      if (start === 'earliest') for (const entry of state.log) group.queue.push(entry.event, null, String(entry.seq), entry.bytes);
      state.groups.set(groupName, group);
    }
    return group;
  }

  /** @internal */
  now(): number {
    return this.clock.now();
  }

  /** @internal */
  get claimIdleMs(): number {
    return this.config.claim_idle_ms;
  }

  /** @internal */
  get readBatch(): number {
    return this.config.read_batch;
  }

  /** @internal */
  get isClosed(): boolean {
    return this.closed;
  }
}

class InMemorySubscription extends SubscriptionBase {
  private readonly topicNames: string[] = [];
  private wakeCurrent: (() => void) | null = null;

  constructor(
    private readonly bus: InMemoryBus,
    private readonly options: SubscribeOptions,
    dedupWindow: number,
  ) {
    super(dedupWindow);
    this.addTopics(options.topics);
  }

  addTopics(topics: string[]): void {
    for (const t of topics) {
      if (this.topicNames.includes(t)) continue;
      this.topicNames.push(t);
      this.bus.group(t, this.options.group, this.options.start ?? 'earliest');
    }
    this.topicNames.sort();
    this.wakeCurrent?.();
  }

  protected async pull(): Promise<Delivery[]> {
    for (;;) {
      if (this.closed || this.bus.isClosed) return [];
      const batch = this.reclaim();
      let budget = this.bus.readBatch - batch.length;
      for (const name of this.topicNames) {
        if (budget <= 0) break;
        const group = this.bus.group(name, this.options.group, 'earliest');
        const taken: QueuedEvent[] = group.queue.take(budget);
        budget -= taken.length;
        for (const item of taken) {
          const delivery: Delivery = { topic: name, id: item.id, event: item.event, deliveries: 1 };
          group.pending.set(delivery.id, { delivery, consumer: this.options.consumer, deliveredAt: this.bus.now() });
          batch.push(delivery);
        }
      }
      if (batch.length) return batch;
      await new Promise<void>((resolve) => {
        const groups = this.topicNames.map((n) => this.bus.group(n, this.options.group, 'earliest'));
        const wake = () => {
          for (const g of groups) g.waiters.delete(wake);
          this.wakeCurrent = null;
          resolve();
        };
        this.wakeCurrent = wake;
        for (const g of groups) g.waiters.add(wake);
      });
    }
  }

  /** Entries another consumer of the group left unacknowledged beyond the idle time. */
  private reclaim(): Delivery[] {
    const out: Delivery[] = [];
    const now = this.bus.now();
    for (const name of this.topicNames) {
      const group = this.bus.group(name, this.options.group, 'earliest');
      for (const entry of group.pending.values()) {
        if (entry.consumer === this.options.consumer || now - entry.deliveredAt < this.bus.claimIdleMs) continue;
        entry.consumer = this.options.consumer;
        entry.deliveredAt = now;
        entry.delivery = { ...entry.delivery, deliveries: entry.delivery.deliveries + 1 };
        out.push(entry.delivery);
      }
    }
    return out;
  }

  protected async ackIds(deliveries: readonly Delivery[]): Promise<void> {
    for (const d of deliveries) this.bus.group(d.topic, this.options.group, 'earliest').pending.delete(d.id);
  }

  protected async onClose(): Promise<void> {
    this.wakeCurrent?.();
  }
}
