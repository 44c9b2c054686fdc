import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { heliosEventSchema } from '../../domain/events/catalog.ts';
import type { Delivery, SubscribeOptions } from './event-bus.ts';
import { backoff, FIELD, fieldValue, newClient, type RedisClient, type StreamEntry, type StreamReply } from './redis-client.ts';
import type { RedisStreamsBus } from './redis-streams-bus.ts';
import { SubscriptionBase } from './subscription-base.ts';

/** One consumer of a consumer group on Redis Streams (XREADGROUP on a connection of its own). */
export class RedisSubscription extends SubscriptionBase {
  private readonly keys: string[] = [];
  private readonly reader: RedisClient;
  private connected = false;
  private needInit = true;
  private readingOwnPending = true;
  private lastClaim = Number.NEGATIVE_INFINITY;
  private failures = 0;
  /** Streams whose group this consumer has joined. */
  private readonly joined = new Set<string>();
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

  /**
   * Closing ends a pull or an acknowledgement still waiting on the server at once: a frozen server
   * never answers, and a consumer that is stopping must not wait for it (the entries stay pending
   * on the server and are delivered again).
   */
  private signalClosed: () => void = () => {};
  private readonly closing = new Promise<void>((r) => (this.signalClosed = r));

  protected pull(): Promise<Delivery[]> {
    return Promise.race([this.pullFromServer(), this.closing.then((): Delivery[] => [])]);
  }

  private async pullFromServer(): Promise<Delivery[]> {
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

  /**
   * Creates the group where it is missing. A group this consumer already read from can only be
   * missing because the server lost it (restarted without its data): it is recreated at the start
   * of what the stream holds now, which is everything published since, including what the
   * producers re-sent; `latest` applies only the first time.
   */
  private async ensureGroups(): Promise<void> {
    for (const key of this.keys) {
      const start = this.options.start === 'latest' && !this.joined.has(key) ? '$' : '0';
      try {
        await this.bus.client.sendCommand(['XGROUP', 'CREATE', key, this.options.group, start, 'MKSTREAM']);
      } catch (err) {
        if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
      }
      this.joined.add(key);
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
  protected ackIds(deliveries: readonly Delivery[]): Promise<void> {
    return Promise.race([this.ackOnServer(deliveries), this.closing]);
  }

  private async ackOnServer(deliveries: readonly Delivery[]): Promise<void> {
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
    this.signalClosed();
    this.bus.forget(this);
    if (this.reader.isOpen) this.reader.destroy();
  }
}
