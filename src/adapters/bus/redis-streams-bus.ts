import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { BoundedQueue, countingOverflowHooks, Settler, type OverflowHooks, type QueuedEvent } from './bounded-queue.ts';
import { zeroBusStats, type BusCloseReport, type BusHealth, type BusHooks, type BusStats, type EventBus, type SubscribeOptions, type Subscription } from './event-bus.ts';
import { AcknowledgedWrites } from './acknowledged-writes.ts';
import { EntryTrim } from './entry-trim.ts';
import { fairShares } from './fair-share.ts';
import { HealthProbe } from './health-probe.ts';
import { backoff, newClient, type RedisClient } from './redis-client.ts';
import { RedisSubscription } from './redis-subscription.ts';
import { groupBacklogEvents, retainedEvents } from './stream-backlog.ts';
import { encodeEntry } from './stream-entry.ts';
import { StreamExpiry } from './stream-expiry.ts';
import { policyForTopic, type BusConfig } from './topic-policies.ts';

/**
 * Redis Streams behind the EventBus contract: each flush writes one entry per topic holding all the
 * events it took for that topic (one XADD per topic, pipelined: node-redis sends the commands issued
 * in one tick together; up to `publish_batch` events a flush, shared fairly among the topics, see
 * fairShares), trimmed with `MAXLEN ~` so a topic keeps about `max_len` events; XREADGROUP
 * with BLOCK, XACK once every event of an entry is acknowledged,
 * XAUTOCLAIM of entries left pending by a dead consumer, reconnection with backoff. Published
 * events wait in a bounded per-topic queue (the backpressure point) while the server is slow or
 * down, and are re-sent after a failure; consumer dedup absorbs the resulting duplicates. After a
 * reconnect, never-drop entries the server acknowledged but lost (restarted without them) are sent
 * again before anything newer (see AcknowledgedWrites). The server's health is probed with PING, so
 * a frozen server shows as down. A stream nobody writes expires on the server, and the producer
 * forgets the topic (see StreamExpiry): a market that left holds no memory anywhere for long.
 */
export class RedisStreamsBus implements EventBus {
  readonly kind = 'redis' as const;
  private readonly queues = new Map<string, BoundedQueue>();
  private readonly trim = new EntryTrim();
  private readonly expiry: StreamExpiry;
  private readonly counters: BusStats = zeroBusStats();
  private readonly overflow: OverflowHooks;
  private readonly acknowledged: AcknowledgedWrites;
  private flushing = false;
  private flushScheduled = false;
  /** Which waiting topic (by position) is first to get what a fair split leaves over; moves on with each flush. */
  private flushTurn = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  /** Events of the batch being sent: taken from their queue, not yet acknowledged. */
  private inFlight = 0;
  /** Set on every reconnect: what the server lost is repaired before the next send. */
  private repairPending = false;
  private readonly probe: HealthProbe;
  private drainWaiters: Array<() => void> = [];
  private closed = false;
  private readonly subscriptions = new Set<RedisSubscription>();

  private constructor(
    readonly config: BusConfig,
    readonly url: string,
    readonly clock: Clock,
    readonly hooks: BusHooks,
    readonly client: RedisClient,
  ) {
    this.overflow = countingOverflowHooks(this.counters, (topic, event) => this.hooks.onHalt?.(topic, event));
    this.acknowledged = new AcknowledgedWrites(config.redis_resend_entries);
    this.expiry = new StreamExpiry(config.redis_idle_stream_ttl_ms);
    this.probe = new HealthProbe(client, config);
  }

  /** Connects and resolves once the server answered (tests, tools); the daemon uses `open`. */
  static async connect(config: BusConfig, url: string, clock: Clock, hooks: BusHooks = {}): Promise<RedisStreamsBus> {
    const bus = RedisStreamsBus.open(config, url, clock, hooks);
    try {
      await bus.whenConnected(config.startup_timeout_ms);
    } catch (err) {
      await bus.close({ timeoutMs: 0 });
      throw err;
    }
    return bus;
  }

  /**
   * A bus whose connection is made in the background: publishing queues until the server answers,
   * `health()` says why it is down meanwhile, `whenConnected` bounds the wait.
   */
  static open(config: BusConfig, url: string, clock: Clock, hooks: BusHooks = {}): RedisStreamsBus {
    let bus: RedisStreamsBus | undefined;
    const client = newClient(
      config,
      url,
      (e) => {
        bus?.probe.failed(e);
        hooks.onError?.(e);
      },
      () => {
        if (!bus) return;
        bus.counters.reconnects++;
        // From here, not from when the server's PING is answered (onReady): a write sent in between,
        // once the connection is ready, went out before the repair and landed ahead of what it re-sends.
        bus.repairPending = true;
      },
      () =>
        bus?.probe.connectionReady(
          (reconnect) => bus?.onReady(reconnect),
          (err) => hooks.onError?.(err),
        ),
    );
    bus = new RedisStreamsBus(config, url, clock, hooks, client);
    // Failures are reported through 'error' and retried by the reconnect strategy.
    client.connect().catch(() => undefined);
    return bus;
  }

  /** Resolves when the server first answered; rejects with a clear message after `timeoutMs`. */
  whenConnected(timeoutMs: number): Promise<void> {
    return this.probe.whenUp(timeoutMs, this.url);
  }

  health(): BusHealth {
    return this.probe.health();
  }

  /** The server answers on a new connection (see HealthProbe.connectionReady). */
  private onReady(reconnect: boolean): void {
    if (reconnect) {
      this.repairPending = true;
      // A server that restarted without its data recreates streams without their TTL.
      this.expiry.refreshDue();
      if (this.retryTimer) {
        clearTimeout(this.retryTimer);
        this.retryTimer = null;
      }
    }
    this.issueJoins();
    for (const sub of this.subscriptions) sub.connectionBack();
    this.scheduleFlush();
  }

  /** Groups subscribed while the server was unreachable are created before anything is published to them. */
  private issueJoins(): void {
    for (const sub of this.subscriptions) sub.issueJoins();
  }

  key(topic: string): string {
    return `${this.config.stream_prefix}:${topic}`;
  }

  topicOfKey(key: string): string {
    return key.slice(this.config.stream_prefix.length + 1);
  }

  publish(topic: string, events: readonly HeliosEvent[]): Promise<void> {
    if (this.closed || events.length === 0) return Promise.resolve();
    const settler = new Settler(events.length);
    const queue = this.queueOf(topic);
    for (const e of events) queue.push(e, settler);
    this.scheduleFlush();
    return settler.done;
  }

  private queueOf(topic: string): BoundedQueue {
    let queue = this.queues.get(topic);
    if (!queue) {
      queue = new BoundedQueue(topic, policyForTopic(this.config, topic), this.overflow);
      this.queues.set(topic, queue);
    }
    return queue;
  }

  /**
   * On a microtask: publishes made in the same synchronous run share one flush, and the XADDs are
   * queued in node-redis before this turn ends (it writes its queue on setImmediate; a flush
   * deferred to setImmediate as well cost a second turn). Publishes arriving while a batch is in
   * flight wait for it and go out together in the next one (see `flush`).
   */
  private scheduleFlush(): void {
    if (this.closed || this.flushScheduled || this.flushing || this.retryTimer) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.closed) return;
    this.flushing = true;
    try {
      for (let sent = false; ; sent = true) {
        // After a send, what waits goes out one check phase later: producers resumed by its
        // acknowledgement add to the batch first (one entry of ~publish_batch, not a small entry
        // taken before they ran and a large one after).
        if (sent) await afterIo();
        if (this.repairPending && !(await this.repair())) return this.retryLater();
        this.forgetIdleTopics();
        const batch = this.takeBatch();
        if (batch.length === 0) break;
        if (!(await this.send(batch))) return this.retryLater();
        this.failures = 0;
      }
    } finally {
      this.flushing = false;
    }
    if (!this.retryTimer) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Up to `publish_batch` events, split fairly among the topics with events waiting (see
   * fairShares): a topic published to behind another's backlog is written within a few flushes.
   */
  private takeBatch(): Array<{ topic: string; items: QueuedEvent[] }> {
    const waiting: Array<[string, BoundedQueue]> = [];
    for (const entry of this.queues) if (entry[1].size > 0) waiting.push(entry);
    const { shares, nextTurn } = fairShares(waiting.map(([, queue]) => queue.size), this.config.publish_batch, this.flushTurn);
    this.flushTurn = nextTurn;
    const batch: Array<{ topic: string; items: QueuedEvent[] }> = [];
    waiting.forEach(([topic, queue], i) => {
      if (shares[i]! > 0) batch.push({ topic, items: queue.take(shares[i]!) });
    });
    return batch;
  }

  private retryLater(): void {
    if (this.closed) return;
    this.failures++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.scheduleFlush();
    }, backoff(this.config, this.failures));
  }

  /**
   * Producer-side state of topics nobody wrote for a whole TTL (a market that left): memory stays
   * bounded however many markets came and went. A topic with events queued is still in use.
   */
  private forgetIdleTopics(): void {
    for (const topic of this.expiry.takeIdle(this.clock.monotonicNow())) {
      if ((this.queues.get(topic)?.size ?? 0) > 0) continue;
      this.queues.delete(topic);
      this.trim.forget(topic);
      this.acknowledged.forget(topic);
    }
  }

  /** @internal Topics the producer holds state for (queues, re-sendable entries, TTL refreshes). */
  producerTopics(): { queues: number; acknowledged: number; expiry: number } {
    return { queues: this.queues.size, acknowledged: this.acknowledged.topics, expiry: this.expiry.size };
  }

  /**
   * Puts what a restarted server lost back at the front of its topic's queue, oldest first. What
   * may have expired instead (idle past its TTL) is not what a restart lost: never re-sent.
   */
  private async repair(): Promise<boolean> {
    try {
      this.acknowledged.forgetBefore(this.clock.monotonicNow() - this.expiry.mayExpireAfterMs);
      const lost = await this.acknowledged.takeLost(this.client, (t) => this.key(t));
      this.repairPending = false;
      for (const { topic, events } of lost) {
        this.counters.resent += events.length;
        this.hooks.onError?.(new Error(`redis lost ${events.length} acknowledged entr${events.length === 1 ? 'y' : 'ies'} of ${topic} (restarted without them): sending them again`));
        this.queueOf(topic).unshift(events.map((event) => ({ event, settler: null, superseded: false, key: null, id: '', order: 0 })));
      }
      return true;
    } catch (err) {
      this.hooks.onError?.(new Error(`checking what the server kept failed, will retry: ${(err as Error).message}`));
      return false;
    }
  }

  /**
   * Sends one pipelined batch, one entry per topic; an entry is all or nothing, so a failed one goes
   * back to the front of its topic's queue whole.
   */
  private async send(batch: Array<{ topic: string; items: QueuedEvent[] }>): Promise<boolean> {
    this.issueJoins();
    const now = this.clock.monotonicNow();
    const writes = batch.map(({ topic, items }) => {
      const events = items.map((item) => item.event);
      const maxLen = this.trim.entriesToKeep(topic, policyForTopic(this.config, topic).max_len, events.length);
      const key = this.key(topic);
      const added = this.client.sendCommand(['XADD', key, 'MAXLEN', '~', String(maxLen), '*', ...encodeEntry(events)]);
      // Behind the XADD in the same pipeline, so it finds the stream that XADD may have created.
      if (this.expiry.written(topic, now)) {
        (this.client.sendCommand(['PEXPIRE', key, String(this.config.redis_idle_stream_ttl_ms)]) as Promise<unknown>).catch(() => this.expiry.refreshDue(topic));
      }
      return { topic, items, events, maxLen, added };
    });
    let allOk = true;
    for (const { items } of batch) this.inFlight += items.length;
    for (const { topic, items, events, maxLen, added } of writes) {
      let id: string;
      try {
        id = String(await added);
      } catch (err) {
        this.inFlight -= items.length;
        allOk = false;
        this.expiry.refreshDue(topic);
        this.hooks.onError?.(new Error(`XADD to ${topic} failed, will retry: ${(err as Error)?.message ?? err}`));
        this.queues.get(topic)!.unshift(items);
        continue;
      }
      this.inFlight -= items.length;
      for (const item of items) item.settler?.settle();
      if (policyForTopic(this.config, topic).overflow === 'halt') this.acknowledged.record(topic, id, events, maxLen, now);
      this.counters.published += items.length;
    }
    return allOk;
  }

  subscribe(options: SubscribeOptions): Subscription {
    const sub = new RedisSubscription(this, options);
    this.subscriptions.add(sub);
    return sub;
  }

  /** @internal */
  forget(sub: RedisSubscription): void {
    this.subscriptions.delete(sub);
  }

  /** @internal */
  reportMalformed(topic: string, id: string, reason: string, sample: string): void {
    this.counters.malformed++;
    this.hooks.onMalformed?.({ topic, id, reason, sample: sample.slice(0, 200) });
  }

  /**
   * In events, as the contract counts (an entry may hold several). A group's count is exact for
   * this bus's consumers; what consumers on other connections acknowledged of an entry still
   * waiting on other events of its own counts as not acknowledged until the entry is.
   */
  async backlog(topic: string, group?: string): Promise<number> {
    const key = this.key(topic);
    if (group === undefined) return retainedEvents(this.client, key);
    let groups: unknown[];
    try {
      groups = (await this.client.sendCommand(['XINFO', 'GROUPS', key])) as unknown[];
    } catch {
      return 0;
    }
    for (const g of groups) {
      const info = toRecord(g);
      if (info.name !== group) continue;
      let settledHere = 0;
      for (const sub of this.subscriptions) if (sub.group === group) settledHere += sub.settledWaiting(topic);
      return groupBacklogEvents(this.client, key, info, settledHere);
    }
    return 0;
  }

  async topics(): Promise<string[]> {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = (await this.client.sendCommand(['SCAN', cursor, 'MATCH', `${this.config.stream_prefix}:*`, 'TYPE', 'stream', 'COUNT', '1000'])) as [string, string[]];
      cursor = next;
      for (const k of keys) out.push(this.topicOfKey(k));
    } while (cursor !== '0');
    return out.sort();
  }

  stats(): BusStats {
    return { ...this.counters };
  }

  pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.size;
    return n + this.inFlight;
  }

  drain(): Promise<void> {
    if (this.pending() === 0 && !this.flushing && !this.retryTimer) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.scheduleFlush();
    });
  }

  /**
   * Waits up to `timeoutMs` (default 2 s) for what is queued to reach the server, then closes the
   * connections, by force when the server does not answer (frozen, or gone). Returns how many
   * published events never reached it.
   */
  async close(opts: { timeoutMs?: number } = {}): Promise<BusCloseReport> {
    if (this.closed) return { undelivered: 0 };
    const timeoutMs = opts.timeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([this.drain(), expired]);
    const undelivered = this.pending();
    this.closed = true;
    this.probe.stop();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await Promise.race([Promise.all([...this.subscriptions].map((s) => s.close())), expired]);
    if (timer) clearTimeout(timer);
    if (this.client.isReady && undelivered === 0) {
      await Promise.race([this.client.quit(), new Promise((r) => setTimeout(r, Math.min(timeoutMs, 1_000)))]).catch(() => undefined);
    }
    if (this.client.isOpen) this.client.destroy();
    return { undelivered };
  }
}

function afterIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function toRecord(flat: unknown): Record<string, unknown> {
  if (!Array.isArray(flat)) return (flat ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

