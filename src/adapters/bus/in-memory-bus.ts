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
  /** The group's consumers (competing subscriptions): told when its queue stops being empty. */
  readonly consumers = new Set<InMemorySubscription>();
  constructor(
    readonly topic: string,
    readonly queue: BoundedQueue,
  ) {}
  push(event: HeliosEvent, id: string, bytes: number): void {
    const wasEmpty = this.queue.size === 0;
    this.queue.push(event, null, id, bytes);
    if (wasEmpty && this.queue.size > 0) for (const c of this.consumers) c.groupReady(this);
  }
  wakeAll(): void {
    for (const c of this.consumers) c.wake();
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
    this.retention = new RetentionBudget(config.memory_budget_bytes, this.queued, Math.min(config.retained_budget_bytes, config.memory_budget_bytes));
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
      if (state.groups.size > 0) {
        const id = String(seq);
        for (const group of state.groups.values()) group.push(event, id, bytes);
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
    for (const t of this.topicsByName.values()) for (const g of t.groups.values()) g.wakeAll();
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
      group = new GroupState(topicName, new BoundedQueue(topicName, policyForTopic(this.config, topicName), this.overflow, this.queued));
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
  get claimIntervalMs(): number {
    return this.config.claim_interval_ms;
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

/**
 * One consumer of a group. It keeps the groups it reads with a non-empty queue in a ready list, so
 * a read costs what is ready, not the number of topics subscribed (a trading node reads hundreds of
 * per-market topics). Ready groups are served in topic-name order, as a scan of every topic would.
 */
class InMemorySubscription extends SubscriptionBase {
  private readonly groups: GroupState[] = [];
  private readonly groupByTopic = new Map<string, GroupState>();
  /** Position of each group in topic-name order. */
  private readonly rank = new Map<GroupState, number>();
  private ready: GroupState[] = [];
  private readonly isReady = new Set<GroupState>();
  private wakeCurrent: (() => void) | null = null;
  /** Reclaim scans the pending lists at most once per claim interval (XAUTOCLAIM's cadence on Redis). */
  private nextReclaimAt = Number.NEGATIVE_INFINITY;

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
      if (this.groupByTopic.has(t)) continue;
      const group = this.bus.group(t, this.options.group, this.options.start ?? 'earliest');
      this.groupByTopic.set(t, group);
      this.groups.push(group);
      group.consumers.add(this);
      if (group.queue.size > 0) this.markReady(group);
    }
    this.groups.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
    this.groups.forEach((g, i) => this.rank.set(g, i));
    this.wake();
  }

  /** @internal Called by a group whose queue was empty and is not any more. */
  groupReady(group: GroupState): void {
    this.markReady(group);
    this.wake();
  }

  /** @internal */
  wake(): void {
    this.wakeCurrent?.();
  }

  private markReady(group: GroupState): void {
    if (this.isReady.has(group)) return;
    this.isReady.add(group);
    this.ready.push(group);
  }

  protected async pull(): Promise<Delivery[]> {
    for (;;) {
      if (this.closed || this.bus.isClosed) return [];
      const batch = this.reclaim();
      this.take(batch, this.bus.readBatch - batch.length);
      if (batch.length) return batch;
      await new Promise<void>((resolve) => {
        this.wakeCurrent = () => {
          this.wakeCurrent = null;
          resolve();
        };
      });
    }
  }

  /** Takes up to `budget` queued events from the ready groups, in topic order. */
  private take(batch: Delivery[], budget: number): void {
    const ready = this.ready;
    if (ready.length === 0) return;
    // Usually already in order (one group, or groups that became ready in topic order): sorting
    // copies the list, so it is checked first.
    if (ready.length > 1 && !this.inRankOrder(ready)) ready.sort((a, b) => this.rank.get(a)! - this.rank.get(b)!);
    const now = this.bus.now();
    let kept = 0;
    for (const group of ready) {
      if (budget > 0) {
        const taken: QueuedEvent[] = group.queue.take(budget);
        budget -= taken.length;
        for (const item of taken) {
          const delivery: Delivery = { topic: group.topic, id: item.id, event: item.event, deliveries: 1 };
          group.pending.set(delivery.id, { delivery, consumer: this.options.consumer, deliveredAt: now });
          batch.push(delivery);
        }
      }
      if (group.queue.size > 0) ready[kept++] = group;
      else this.isReady.delete(group);
    }
    ready.length = kept;
  }

  private inRankOrder(groups: readonly GroupState[]): boolean {
    let prev = this.rank.get(groups[0]!)!;
    for (let i = 1; i < groups.length; i++) {
      const r = this.rank.get(groups[i]!)!;
      if (r < prev) return false;
      prev = r;
    }
    return true;
  }

  /** Entries another consumer of the group left unacknowledged beyond the idle time. */
  private reclaim(): Delivery[] {
    const out: Delivery[] = [];
    const now = this.bus.now();
    if (now < this.nextReclaimAt) return out;
    this.nextReclaimAt = now + Math.min(this.bus.claimIntervalMs, this.bus.claimIdleMs);
    for (const group of this.groups) {
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
    for (const d of deliveries) (this.groupByTopic.get(d.topic) ?? this.bus.group(d.topic, this.options.group, 'earliest')).pending.delete(d.id);
  }

  protected async onClose(): Promise<void> {
    for (const g of this.groups) g.consumers.delete(this);
    this.wake();
  }
}
