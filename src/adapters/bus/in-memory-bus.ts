import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { BoundedQueue, countingOverflowHooks, type ByteLedger, type OverflowHooks } from './bounded-queue.ts';
import { estimateEventBytes } from './event-size.ts';
import { zeroBusStats, type BusCloseReport, type BusHealth, type BusHooks, type BusStats, type Delivery, type EventBus, type SubscribeOptions, type SubscribeStart, type Subscription } from './event-bus.ts';
import { SubscriptionBase } from './subscription-base.ts';
import { MinHeap } from '../../domain/util/min-heap.ts';
import { Ring } from '../../domain/util/ring.ts';
import { RetainedLog, RetentionBudget } from './retention.ts';
import { policyForTopic, type BusConfig } from './topic-policies.ts';

/** What every publish returns: accepted as it returns (one settled promise, not one per call). */
const SETTLED: Promise<void> = Promise.resolve();

/**
 * A delivery as its group's pending list keeps it: the object the consumer receives is the entry
 * itself (one allocation per delivered event, not a delivery and an entry around it).
 */
class PendingDelivery implements Delivery {
  /** Still unacknowledged and not replaced by a reclaim (the group's pending list counts it). */
  live = true;
  constructor(
    readonly topic: string,
    /** The bus's publish sequence number of the event: its entry id. */
    readonly seq: number,
    readonly event: HeliosEvent,
    readonly deliveries: number,
    readonly consumer: string,
    readonly deliveredAt: number,
    readonly group: GroupState,
  ) {}
  /** Spelled only when asked (an ack by this object needs no id; most consumers never read it). */
  get id(): string {
    return String(this.seq);
  }
}

/** Settled entries kept behind an unacknowledged one before the pending list is compacted. */
const SETTLED_SLACK = 64;

/**
 * One consumer group on one topic: its own bounded queue (backpressure per group) and its PEL.
 *
 * The PEL is a ring in delivery order; an ack marks its entry settled and the settled entries leave
 * from the head. A `Map` by id filled and emptied every batch, and V8 rebuilt its table as it grew
 * from empty and shrank back, a few hundred bytes per event for the young generation.
 */
class GroupState {
  private readonly delivered = new Ring<PendingDelivery>();
  /** Live entries of `delivered`. */
  pendingCount = 0;
  /** The group's consumers (competing subscriptions): told when its queue stops being empty. */
  readonly consumers = new Set<InMemorySubscription>();
  constructor(
    readonly topic: string,
    readonly queue: BoundedQueue,
  ) {}
  push(event: HeliosEvent, seq: number, bytes: number): void {
    const wasEmpty = this.queue.size === 0;
    // No id string: a delivery spells its id from the order if asked (one per event per group saved).
    this.queue.push(event, null, '', bytes, seq);
    if (wasEmpty && this.queue.size > 0) for (const c of this.consumers) c.groupReady(this);
  }
  wakeAll(): void {
    for (const c of this.consumers) c.wake();
  }
  deliver(entry: PendingDelivery): void {
    this.delivered.push(entry);
    this.pendingCount++;
  }
  /**
   * Acknowledges by id, as XACK does: a delivery this group handed out and still holds is settled in
   * place; anything else (a delivery since reclaimed by another consumer, acknowledged before, or
   * not this bus's object) settles whatever pending entry has its id, if any.
   */
  ack(delivery: Delivery): void {
    const entry = delivery instanceof PendingDelivery && delivery.group === this && delivery.live ? delivery : this.liveById(delivery.id);
    if (entry === undefined) return;
    entry.live = false;
    this.pendingCount--;
    const ring = this.delivered;
    while (ring.length > 0 && !ring.peek()!.live) ring.shift();
    // Acks behind one never acknowledged (its consumer gone, nobody to reclaim it) must not pile up.
    if (ring.length > 2 * this.pendingCount + SETTLED_SLACK) {
      for (let n = ring.length; n > 0; n--) {
        const e = ring.shift()!;
        if (e.live) ring.push(e);
      }
    }
  }
  private liveById(id: string): PendingDelivery | undefined {
    const seq = Number(id);
    if (String(seq) !== id) return undefined;
    for (let i = 0; i < this.delivered.length; i++) {
      const e = this.delivered.at(i)!;
      if (e.live && e.seq === seq) return e;
    }
    return undefined;
  }
  /**
   * Hands `consumer` the entries another consumer left unacknowledged for `idleMs`, each as a new
   * delivery in its predecessor's place (the one delivered before stays as its consumer saw it).
   */
  reclaim(consumer: string, now: number, idleMs: number, out: Delivery[]): void {
    const ring = this.delivered;
    for (let i = 0; i < ring.length; i++) {
      const entry = ring.at(i)!;
      if (!entry.live || entry.consumer === consumer || now - entry.deliveredAt < idleMs) continue;
      const again = new PendingDelivery(entry.topic, entry.seq, entry.event, entry.deliveries + 1, consumer, now, this);
      entry.live = false;
      ring.replaceAt(i, again);
      out.push(again);
    }
  }
}

class TopicState {
  readonly log: RetainedLog;
  readonly groups = new Map<string, GroupState>();
  /** The groups' values in insertion order, for the publish loop (no Map iterator per event). */
  groupList: readonly GroupState[] = [];
  constructor(maxLen: number, budget: RetentionBudget, onEvictedAll: () => void) {
    this.log = new RetainedLog(maxLen, budget, onEvictedAll);
  }
  addGroup(name: string, group: GroupState): void {
    this.groups.set(name, group);
    this.groupList = [...this.groups.values()];
  }
  deleteGroup(name: string): void {
    this.groups.delete(name);
    this.groupList = [...this.groups.values()];
  }
}

/**
 * The embedded default bus: in process, deterministic (a consumer reads its topics' events in the
 * order they were published, across topics, so a backlog is caught up in time order), with the same group / ack / reclaim / backpressure semantics as RedisStreamsBus. What it
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
  /**
   * The last entry id given, one sequence for every topic: ids increase within a topic as on Redis,
   * and across topics they are the publish order reads merge by.
   */
  private seq = 0;
  /** The topic `topic()` returned last (null once forgotten). */
  private lastTopicName = '';
  private lastTopic: TopicState | null = null;

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
    if (this.closed) return SETTLED;
    const state = this.topic(topic);
    for (const event of events) {
      const bytes = estimateEventBytes(event);
      const seq = ++this.seq;
      state.log.append(seq, event, bytes);
      this.counters.published++;
      const groups = state.groupList;
      for (let g = 0; g < groups.length; g++) groups[g]!.push(event, seq, bytes);
      this.enforceBudget(state);
    }
    return SETTLED;
  }

  /**
   * Retained entries go first (oldest across topics); past that, a group lagging on this topic
   * loses its oldest queued events (counted as dropped; never on halt topics), so the backlog of a
   * consumer that cannot keep up stops growing instead of taking the process down.
   */
  private enforceBudget(state: TopicState): void {
    this.retention.enforce();
    if (this.retention.excess === 0) return;
    for (const group of state.groupList) {
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
    return g ? g.queue.size + g.pendingCount : 0;
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
    // A frame's events go to one market's topics in runs: the last topic again is the common case.
    if (name === this.lastTopicName && this.lastTopic !== null) return this.lastTopic;
    let state = this.topicsByName.get(name);
    if (!state) {
      state = new TopicState(policyForTopic(this.config, name).max_len, this.retention, () => this.forgetIfUnused(name));
      this.topicsByName.set(name, state);
    }
    this.lastTopicName = name;
    this.lastTopic = state;
    return state;
  }

  /** @internal */
  group(topicName: string, groupName: string, start: SubscribeStart): GroupState {
    const state = this.topic(topicName);
    let group = state.groups.get(groupName);
    // Moved back: what it still queued is queued again, in order, with everything retained before it.
    if (group && start === 'replay') group.queue.take(group.queue.size);
    else if (group) return group;
    if (!group) {
      group = new GroupState(topicName, new BoundedQueue(topicName, policyForTopic(this.config, topicName), this.overflow, this.queued));
      state.addGroup(groupName, group);
    }
    if (start !== 'latest') for (const entry of state.log) group.queue.push(entry.event, null, '', entry.bytes, entry.seq);
    // Its head may be older now than where its readers last saw it.
    for (const c of group.consumers) c.groupRequeued(group);
    return group;
  }

  /**
   * @internal A group no consumer reads any more (the topic was removed, for good): it goes with what
   * it queued, which no one would ever take (on a `halt` topic that would grow without bound).
   */
  dropGroup(topicName: string, groupName: string): void {
    const state = this.topicsByName.get(topicName);
    const group = state?.groups.get(groupName);
    if (!state || !group) return;
    state.deleteGroup(groupName);
    group.queue.take(group.queue.size);
    this.forgetIfUnused(topicName);
  }

  /**
   * A topic no group reads and of which nothing is retained any more goes: a market that left for
   * good (its topics unsubscribed, its retained events evicted by the budget) left a topic behind
   * for ever, eight per market, months of markets in a map. Publishing to it again starts it afresh.
   */
  private forgetIfUnused(topicName: string): void {
    const state = this.topicsByName.get(topicName);
    if (state && state.groups.size === 0 && state.log.length === 0) {
      this.topicsByName.delete(topicName);
      if (this.lastTopic === state) this.lastTopic = null;
    }
  }

  /** @internal The group if it exists (undefined otherwise). */
  existingGroup(topicName: string, groupName: string): GroupState | undefined {
    return this.topicsByName.get(topicName)?.groups.get(groupName);
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
 * per-market topics). A read merges the ready groups by publish order: read by topic instead, a
 * consumer catching up on a backlog would see one topic's latest events before another's older
 * ones, and whoever keeps time by its inputs (the trading node) would judge those stale.
 */
class InMemorySubscription extends SubscriptionBase {
  private readonly groups: GroupState[] = [];
  private readonly groupByTopic = new Map<string, GroupState>();
  /**
   * The ready groups by the publish order of their oldest queued event, as it was when last seen: a
   * group's head only moves later (taken, shed, coalesced away), so a key is at most its group's
   * head and is brought up to date when it reaches the top. A read then costs log(ready groups) per
   * run of one group's events, not a scan of every ready group (hundreds while a burst is queued).
   * Neither it nor `isReady` gives its storage back when every group is read empty.
   */
  private readonly ready = new MinHeap<GroupState>();
  private readonly isReady = new Map<GroupState, boolean>();
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
    this.wake();
  }

  removeTopics(topics: string[]): void {
    for (const t of topics) {
      const group = this.groupByTopic.get(t);
      if (!group) continue;
      this.groupByTopic.delete(t);
      this.groups.splice(this.groups.indexOf(group), 1);
      if (this.isReady.get(group) === true) this.ready.retain((g) => g !== group);
      this.isReady.delete(group);
      group.consumers.delete(this);
      if (group.consumers.size === 0) this.bus.dropGroup(t, this.options.group);
    }
  }

  get caughtUp(): boolean {
    return this.ready.size === 0;
  }

  /** @internal Called by a group whose queue was empty and is not any more. */
  groupReady(group: GroupState): void {
    this.markReady(group);
    this.wake();
  }

  /** @internal Called by a group whose queue was filled again from its topic's retained log (replay). */
  groupRequeued(group: GroupState): void {
    if (this.isReady.get(group) === true) this.ready.retain((g) => g !== group);
    this.isReady.set(group, false);
    if (group.queue.size > 0) this.groupReady(group);
  }

  /** @internal */
  wake(): void {
    this.wakeCurrent?.();
  }

  private markReady(group: GroupState): void {
    if (this.isReady.get(group) === true) return;
    this.isReady.set(group, true);
    this.ready.push(group, group.queue.headOrder());
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

  /**
   * Takes up to `budget` queued events from the ready groups in publish order: each step takes the
   * run of the group whose head is oldest, up to the next oldest head of another group.
   */
  private take(batch: Delivery[], budget: number): void {
    const ready = this.ready;
    const now = this.bus.now();
    while (budget > 0 && ready.size > 0) {
      const first = ready.peek()!;
      const order = first.queue.headOrder();
      if (order !== ready.peekKey()) {
        // Its head moved on since it was keyed (or it was emptied by shedding): key it again.
        if (order === Number.POSITIVE_INFINITY) {
          ready.pop();
          this.isReady.set(first, false);
        } else ready.increaseTopKey(order);
        continue;
      }
      ready.pop();
      // Another group's key is at most its head, so the run may stop early; never late.
      const nextOrder = ready.peekKey();
      while (budget > 0) {
        const item = first.queue.takeOneBefore(nextOrder);
        if (item === undefined) break;
        const delivery = new PendingDelivery(first.topic, item.order, item.event, 1, this.options.consumer, now, first);
        first.deliver(delivery);
        batch.push(delivery);
        budget--;
      }
      if (first.queue.size === 0) this.isReady.set(first, false);
      else ready.push(first, first.queue.headOrder());
    }
  }

  /** Entries another consumer of the group left unacknowledged beyond the idle time. */
  private reclaim(): Delivery[] {
    const out: Delivery[] = [];
    const now = this.bus.now();
    if (now < this.nextReclaimAt) return out;
    this.nextReclaimAt = now + Math.min(this.bus.claimIntervalMs, this.bus.claimIdleMs);
    for (const group of this.groups) group.reclaim(this.options.consumer, now, this.bus.claimIdleMs, out);
    return out;
  }

  protected ackIds(deliveries: readonly Delivery[]): undefined {
    // A topic removed since its delivery is acknowledged in its group all the same (never re-created: that would queue its whole log again).
    for (const d of deliveries) (this.groupByTopic.get(d.topic) ?? this.bus.existingGroup(d.topic, this.options.group))?.ack(d);
  }

  protected async onClose(): Promise<void> {
    for (const g of this.groups) g.consumers.delete(this);
    this.wake();
  }
}
