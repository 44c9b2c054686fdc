import { createClient } from 'redis';
import { heliosEventSchema, type HeliosEvent } from '../../domain/events/catalog.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { serializeEnvelope } from '../../domain/util/stable-json.ts';
import { BoundedQueue, countingOverflowHooks, Settler, type OverflowHooks, type QueuedEvent } from './bounded-queue.ts';
import { zeroBusStats, type BusHooks, type BusStats, type Delivery, type EventBus, type SubscribeOptions, type Subscription } from './event-bus.ts';
import { SubscriptionBase } from './subscription-base.ts';
import { policyForTopic, type BusConfig } from './topic-policies.ts';

type Client = ReturnType<typeof createClient>;
type StreamEntry = [id: string, fields: string[] | null];
type StreamReply = Array<[key: string, entries: StreamEntry[]]> | null;

const FIELD = 'e';

function backoff(config: BusConfig, attempt: number): number {
  return Math.min(config.reconnect_min_ms * 2 ** Math.min(attempt, 16), config.reconnect_max_ms);
}

function newClient(config: BusConfig, url: string, onError: (e: Error) => void, onReconnect: () => void): Client {
  const client = createClient({
    url,
    socket: { reconnectStrategy: (retries: number) => backoff(config, retries), connectTimeout: 5_000 },
  });
  client.on('error', onError);
  client.on('reconnecting', onReconnect);
  return client;
}

/**
 * Redis Streams behind the EventBus contract: XADD with count-based `MAXLEN ~` trimming in pipelined
 * batches (node-redis pipelines the commands issued in one tick), XREADGROUP with BLOCK, XACK,
 * XAUTOCLAIM of entries left pending by a dead consumer, reconnection with backoff. Published
 * events wait in a bounded per-topic queue (the backpressure point) while the server is slow or
 * down, and are re-sent after a failure; consumer dedup absorbs the resulting duplicates.
 */
export class RedisStreamsBus implements EventBus {
  readonly kind = 'redis' as const;
  private readonly queues = new Map<string, BoundedQueue>();
  private readonly counters: BusStats = zeroBusStats();
  private readonly overflow: OverflowHooks;
  private flushing = false;
  private flushScheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private drainWaiters: Array<() => void> = [];
  private closed = false;
  private readonly subscriptions = new Set<RedisSubscription>();

  private constructor(
    readonly config: BusConfig,
    readonly url: string,
    readonly clock: Clock,
    readonly hooks: BusHooks,
    readonly client: Client,
  ) {
    this.overflow = countingOverflowHooks(this.counters, (topic, event) => this.hooks.onHalt?.(topic, event));
  }

  static async connect(config: BusConfig, url: string, clock: Clock, hooks: BusHooks = {}): Promise<RedisStreamsBus> {
    let bus: RedisStreamsBus | undefined;
    const client = newClient(
      config,
      url,
      (e) => hooks.onError?.(e),
      () => {
        if (bus) bus.counters.reconnects++;
      },
    );
    bus = new RedisStreamsBus(config, url, clock, hooks, client);
    await client.connect();
    return bus;
  }

  key(topic: string): string {
    return `${this.config.stream_prefix}:${topic}`;
  }

  topicOfKey(key: string): string {
    return key.slice(this.config.stream_prefix.length + 1);
  }

  publish(topic: string, events: readonly HeliosEvent[]): Promise<void> {
    if (this.closed || events.length === 0) return Promise.resolve();
    let queue = this.queues.get(topic);
    if (!queue) {
      queue = new BoundedQueue(topic, policyForTopic(this.config, topic), this.overflow);
      this.queues.set(topic, queue);
    }
    const settler = new Settler(events.length);
    for (const e of events) queue.push(e, settler);
    this.scheduleFlush();
    return settler.done;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing || this.retryTimer) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        const batch: Array<{ topic: string; items: QueuedEvent[] }> = [];
        let budget = this.config.publish_batch;
        for (const [topic, queue] of this.queues) {
          if (budget <= 0) break;
          if (queue.size === 0) continue;
          const items = queue.take(budget);
          budget -= items.length;
          batch.push({ topic, items });
        }
        if (batch.length === 0) break;
        const ok = await this.send(batch);
        if (!ok) {
          this.failures++;
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            this.scheduleFlush();
          }, backoff(this.config, this.failures));
          return;
        }
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

  /** Sends one pipelined batch; on failure puts the unsent suffix of each topic back, in order. */
  private async send(batch: Array<{ topic: string; items: QueuedEvent[] }>): Promise<boolean> {
    const results = batch.map(({ topic, items }) => {
      const key = this.key(topic);
      const maxLen = String(policyForTopic(this.config, topic).max_len);
      return items.map((item) =>
        this.client.sendCommand(['XADD', key, 'MAXLEN', '~', maxLen, '*', FIELD, serializeEnvelope(item.event)]),
      );
    });
    let allOk = true;
    for (let b = 0; b < batch.length; b++) {
      const { topic, items } = batch[b]!;
      const settled = await Promise.allSettled(results[b]!);
      const firstFail = settled.findIndex((r) => r.status === 'rejected');
      const sent = firstFail < 0 ? items.length : firstFail;
      for (let i = 0; i < sent; i++) items[i]!.settler?.settle();
      this.counters.published += sent;
      if (firstFail >= 0) {
        allOk = false;
        const reason = (settled[firstFail] as PromiseRejectedResult).reason as Error;
        this.hooks.onError?.(new Error(`XADD to ${topic} failed, will retry: ${reason?.message ?? reason}`));
        this.queues.get(topic)!.unshift(items.slice(firstFail));
      }
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

  async backlog(topic: string, group?: string): Promise<number> {
    const key = this.key(topic);
    if (group === undefined) return Number(await this.client.sendCommand(['XLEN', key]));
    let groups: unknown[];
    try {
      groups = (await this.client.sendCommand(['XINFO', 'GROUPS', key])) as unknown[];
    } catch {
      return 0;
    }
    for (const g of groups) {
      const info = toRecord(g);
      if (info.name !== group) continue;
      const pending = Number(info.pending ?? 0);
      const lag = info.lag === null || info.lag === undefined ? Number(await this.client.sendCommand(['XLEN', key])) : Number(info.lag);
      return pending + lag;
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

  drain(): Promise<void> {
    const pending = [...this.queues.values()].some((q) => q.size > 0);
    if (!pending && !this.flushing && !this.retryTimer) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.scheduleFlush();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.race([this.drain(), new Promise((r) => setTimeout(r, 2_000))]);
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    if (this.client.isOpen) await this.client.quit().catch(() => this.client.destroy());
  }
}

function toRecord(flat: unknown): Record<string, unknown> {
  if (!Array.isArray(flat)) return (flat ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

class RedisSubscription extends SubscriptionBase {
  private readonly keys: string[] = [];
  private readonly reader: Client;
  private connected = false;
  private needInit = true;
  private readingOwnPending = true;
  private lastClaim = Number.NEGATIVE_INFINITY;
  private failures = 0;
  /** Processed entries whose XACK the server did not take (it was down). */
  private unacked: Delivery[] = [];

  constructor(
    private readonly bus: RedisStreamsBus,
    private readonly options: SubscribeOptions,
  ) {
    super(bus.config.dedup_window);
    // Blocking reads need a connection of their own.
    this.reader = newClient(bus.config, bus.url, () => {}, () => {});
    this.addTopics(options.topics);
  }

  addTopics(topics: string[]): void {
    for (const t of topics) {
      const key = this.bus.key(t);
      if (!this.keys.includes(key)) this.keys.push(key);
    }
    this.keys.sort();
    this.needInit = true;
  }

  protected async pull(): Promise<Delivery[]> {
    for (;;) {
      if (this.closed) return [];
      try {
        if (!this.connected) {
          await this.reader.connect();
          this.connected = true;
        }
        if (this.needInit) {
          await this.ensureGroups();
          this.needInit = false;
          this.readingOwnPending = true;
        }
        if (this.unacked.length) await this.resendAcks();
        if (this.keys.length === 0) {
          await new Promise((r) => setTimeout(r, this.bus.config.block_ms));
          continue;
        }
        const claimed = await this.autoclaim();
        if (claimed.length) return claimed;
        if (this.readingOwnPending) {
          const own = await this.read('0', false);
          if (own.length) return own;
          this.readingOwnPending = false;
        }
        const fresh = await this.read('>', true);
        this.failures = 0;
        if (fresh.length) return fresh;
      } catch (err) {
        if (this.closed) return [];
        this.failures++;
        this.bus.hooks.onError?.(new Error(`consumer ${this.options.consumer}: ${(err as Error).message}; retrying`));
        this.needInit = true;
        await new Promise((r) => setTimeout(r, backoff(this.bus.config, this.failures)));
      }
    }
  }

  private async ensureGroups(): Promise<void> {
    const start = this.options.start === 'latest' ? '$' : '0';
    for (const key of this.keys) {
      try {
        await this.bus.client.sendCommand(['XGROUP', 'CREATE', key, this.options.group, start, 'MKSTREAM']);
      } catch (err) {
        if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
      }
    }
  }

  private async read(id: '0' | '>', block: boolean): Promise<Delivery[]> {
    const args = ['XREADGROUP', 'GROUP', this.options.group, this.options.consumer, 'COUNT', String(this.bus.config.read_batch)];
    if (block) args.push('BLOCK', String(this.bus.config.block_ms));
    args.push('STREAMS', ...this.keys, ...this.keys.map(() => id));
    const reply = (await this.reader.sendCommand(args)) as StreamReply;
    return this.decode(reply, id === '0' ? 2 : 1);
  }

  private async autoclaim(): Promise<Delivery[]> {
    const now = this.bus.clock.now();
    if (now - this.lastClaim < this.bus.config.claim_interval_ms) return [];
    this.lastClaim = now;
    const out: Delivery[] = [];
    for (const key of this.keys) {
      const reply = (await this.bus.client.sendCommand([
        'XAUTOCLAIM', key, this.options.group, this.options.consumer, String(this.bus.config.claim_idle_ms), '0-0', 'COUNT', String(this.bus.config.read_batch),
      ])) as [string, StreamEntry[], string[]?];
      out.push(...(await this.decode([[key, reply[1] ?? []]], 2)));
    }
    return out;
  }

  /** Decodes entries at the edge (zod); malformed ones are reported, acknowledged and skipped. */
  private async decode(reply: StreamReply, deliveries: number): Promise<Delivery[]> {
    if (!reply) return [];
    const out: Delivery[] = [];
    const bad: Delivery[] = [];
    for (const [key, entries] of reply) {
      const topic = this.bus.topicOfKey(key);
      for (const [id, fields] of entries) {
        const raw = fields ? fieldValue(fields, FIELD) : undefined;
        const placeholder = { topic, id, event: undefined as unknown as HeliosEvent, deliveries };
        if (raw === undefined) {
          // Trimmed away while pending (fields null), or written by someone else without our field.
          if (fields) this.bus.reportMalformed(topic, id, `no "${FIELD}" field`, JSON.stringify(fields));
          bad.push(placeholder);
          continue;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch (err) {
          this.bus.reportMalformed(topic, id, `invalid JSON: ${(err as Error).message}`, raw);
          bad.push(placeholder);
          continue;
        }
        const result = heliosEventSchema.safeParse(parsed);
        if (!result.success) {
          const issue = result.error.issues[0];
          this.bus.reportMalformed(topic, id, `invalid event at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, raw);
          bad.push(placeholder);
          continue;
        }
        out.push({ topic, id, event: result.data, deliveries });
      }
    }
    if (bad.length) {
      this.stats.malformed += bad.length;
      await this.ackIds(bad);
    }
    return out;
  }

  /**
   * A consumer acknowledges what it has processed; when the server is down the XACK waits here and
   * is sent again before the next read (XACK is idempotent), so an outage neither stops the consumer
   * nor hands it the same entries twice.
   */
  protected async ackIds(deliveries: readonly Delivery[]): Promise<void> {
    try {
      await this.sendAcks(deliveries);
    } catch (err) {
      if (this.closed) return;
      this.unacked.push(...deliveries);
      this.bus.hooks.onError?.(new Error(`consumer ${this.options.consumer}: XACK failed, will retry: ${(err as Error).message}`));
    }
  }

  private async resendAcks(): Promise<void> {
    const pending = this.unacked;
    this.unacked = [];
    try {
      await this.sendAcks(pending);
    } catch (err) {
      this.unacked = pending.concat(this.unacked);
      throw err;
    }
  }

  private async sendAcks(deliveries: readonly Delivery[]): Promise<void> {
    const byTopic = new Map<string, string[]>();
    for (const d of deliveries) {
      const ids = byTopic.get(d.topic) ?? [];
      ids.push(d.id);
      byTopic.set(d.topic, ids);
    }
    await Promise.all(
      [...byTopic].map(([topic, ids]) => this.bus.client.sendCommand(['XACK', this.bus.key(topic), this.options.group, ...ids])),
    );
  }

  protected async onClose(): Promise<void> {
    this.bus.forget(this);
    if (this.reader.isOpen) this.reader.destroy();
  }
}

function fieldValue(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
