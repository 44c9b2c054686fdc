import { EntryAcks, slotDeliveryId } from './entry-acks.ts';
import type { Delivery, SubscribeOptions } from './event-bus.ts';
import { backoff, entryMs, newClient, streamGone, type RedisClient, type StreamEntry, type StreamReply } from './redis-client.ts';
import type { RedisStreamsBus } from './redis-streams-bus.ts';
import { ServerAcks, type EntryRef } from './server-acks.ts';
import { decodeEntry } from './stream-entry.ts';
import { SubscriptionBase } from './subscription-base.ts';

const ENTRY_SIZE_SMOOTHING = 0.2;


/**
 * One consumer of a consumer group on Redis Streams (XREADGROUP on a connection of its own). An
 * entry may hold several events: each becomes a delivery of its own, and the entry is acknowledged
 * on the server once all of them are (EntryAcks). While the consumer works on a batch, the next
 * read is already on its way (read-ahead).
 */
export class RedisSubscription extends SubscriptionBase {
  private readonly keys: string[] = [];
  private readonly reader: RedisClient;
  private connected = false;
  private needInit = true;
  private readingOwnPending = true;
  private lastClaim = Number.NEGATIVE_INFINITY;
  private failures = 0;
  /** Ends the wait before the next attempt early: set while the pull loop waits after a failure. */
  private wakeRetry: (() => void) | null = null;
  /** Streams whose group this consumer has not joined yet (a `latest` group starts at '$', a `replay` one is moved back to '0', only then). */
  private readonly unjoined = new Set<string>();
  /** XGROUP CREATE sent and not answered yet, per stream. */
  private readonly joining = new Map<string, Promise<void>>();
  private joinWaiters: Array<() => void> = [];
  private readonly acks: ServerAcks;
  private readonly entryAcks = new EntryAcks();
  /** Running average of events per entry read (sizes the next read). */
  private eventsPerEntry = 1;
  /** The next read, issued when the previous one handed over entries. */
  private readAhead: Promise<StreamReply> | null = null;
  /** A reclaim that fell due while reading ahead, issued beside the read-ahead (not in its way). */
  private claimAhead: Promise<void> | null = null;
  /** What `claimAhead` reclaimed, or how it failed, once answered: taken by the next pull first. */
  private claimedReady: Delivery[] | null = null;
  private claimFailure: unknown = null;
  /** When the read-ahead was sent: whatever it took has waited on this consumer no longer than since. */
  private readAheadSentAt = 0;
  /** A due reclaim could not go beside the read-ahead: the next read waits for it, as without read-ahead. */
  private claimBeforeNextRead = false;
  /** The last read took reclaimed or own pending entries, or filled a stream's COUNT: more may wait. */
  private backlogged = false;

  constructor(
    private readonly bus: RedisStreamsBus,
    private readonly options: SubscribeOptions,
  ) {
    super(bus.config.dedup_window);
    this.acks = new ServerAcks(bus, options.group, options.consumer, () => this.closed);
    // Blocking reads need a connection of their own.
    this.reader = newClient(bus.config, bus.url, () => {}, () => {}, () => this.connectionBack());
    this.addTopics(options.topics);
  }

  addTopics(topics: string[]): void {
    for (const t of topics) {
      const key = this.bus.key(t);
      if (this.keys.includes(key)) continue;
      this.keys.push(key);
      this.unjoined.add(key);
    }
    this.keys.sort();
    this.needInit = true;
    this.issueJoins();
  }

  removeTopics(topics: string[]): void {
    for (const t of topics) {
      const key = this.bus.key(t);
      const i = this.keys.indexOf(key);
      if (i < 0) continue;
      this.keys.splice(i, 1);
      // Never read again: nothing waits for its group to exist.
      this.unjoined.delete(key);
    }
    // A read already on its way may still name them: what it brings of them is acknowledged, not delivered (decode).
    if (this.unjoined.size === 0) this.releaseJoinWaiters();
  }

  /**
   * Sends XGROUP CREATE for the streams not joined yet on the bus's connection, where the bus's
   * XADDs go: the server runs a connection's commands in order, so an event published after
   * `subscribe`/`addTopics` returned lands behind its group. Called here, and by the bus when it
   * connects and before every XADD it sends (the server may have been unreachable at subscribe). A
   * create that failed (connection lost) is sent again then, or by the next pull, which reports it.
   */
  issueJoins(): void {
    if (this.unjoined.size === 0 || this.closed || !this.bus.client.isReady) return;
    for (const key of this.unjoined) this.joinGroup(key).catch(() => undefined);
  }

  override joined(): Promise<void> {
    if (this.unjoined.size === 0 || this.closed) return Promise.resolve();
    const joined = new Promise<void>((resolve) => this.joinWaiters.push(resolve));
    this.issueJoins();
    return joined;
  }

  /**
   * The group on one stream, created where it is missing. A group this consumer already joined can
   * only be missing because the server lost it (restarted without its data): it is recreated at the
   * start of what the stream holds now, which is everything published since, including what the
   * producers re-sent; `latest` applies only the first time.
   */
  private joinGroup(key: string): Promise<void> {
    const inFlight = this.joining.get(key);
    if (inFlight) return inFlight;
    const first = this.unjoined.has(key);
    const start = this.options.start === 'latest' && first ? '$' : '0';
    const created = (this.bus.client.sendCommand(['XGROUP', 'CREATE', key, this.options.group, start, 'MKSTREAM']) as Promise<unknown>).then(
      () => {
        this.expireIdleIfUnset(key);
        this.onJoined(key);
      },
      async (err: Error) => {
        if (!String(err?.message).includes('BUSYGROUP')) throw err;
        // `replay` moves a group that exists already back to the start, once: on the same connection,
        // so an event published after subscribe returned still lands behind it.
        if (this.options.start === 'replay' && first) await this.bus.client.sendCommand(['XGROUP', 'SETID', key, this.options.group, '0']);
        this.onJoined(key);
      },
    );
    const joining = created.finally(() => this.joining.delete(key));
    this.joining.set(key, joining);
    return joining;
  }

  /**
   * A stream a group was just created on gets the idle TTL unless it has one (NX): MKSTREAM makes
   * one nobody has written yet (or one that expired), and a market that left without publishing
   * again would keep it forever. Producers refresh it when they write. NX needs Redis 7; an older
   * server refuses it and the stream lives until a producer writes it.
   */
  private expireIdleIfUnset(key: string): void {
    const ttl = this.bus.config.redis_idle_stream_ttl_ms;
    if (ttl > 0) (this.bus.client.sendCommand(['PEXPIRE', key, String(ttl), 'NX']) as Promise<unknown>).catch(() => undefined);
  }

  private onJoined(key: string): void {
    if (!this.unjoined.delete(key) || this.unjoined.size > 0) return;
    this.releaseJoinWaiters();
  }

  private releaseJoinWaiters(): void {
    const waiters = this.joinWaiters;
    this.joinWaiters = [];
    for (const w of waiters) w();
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
        const claimedAhead = this.takeClaimedReady();
        if (claimedAhead.length) return claimedAhead;
        if (this.readAhead) {
          this.claimBesideReadAhead();
          // Handed over before anything else: it was read first, and the next read must not overtake it.
          const fresh = await this.takeFresh(this.readAhead);
          if (fresh.length) return fresh;
        }
        if (this.claimAhead) {
          await this.claimAhead;
          const claimed = this.takeClaimedReady();
          if (claimed.length) return claimed;
        }
        if (this.needInit) {
          await this.ensureGroups();
          // (Re)joining after a lost connection: XACKs it cut off have failed by now and go out
          // again below, before this consumer's own pending entries are read again.
          await this.acks.answered();
          this.needInit = false;
          this.readingOwnPending = true;
        }
        if (this.acks.failedWaiting) await this.acks.resendFailed();
        if (this.keys.length === 0) {
          await new Promise((r) => setTimeout(r, this.bus.config.block_ms));
          continue;
        }
        const claimed = await this.autoclaim();
        if (claimed.length) {
          this.backlogged = true;
          return claimed;
        }
        if (this.readingOwnPending) {
          const own = await this.read('0', false);
          if (own.length) {
            this.backlogged = true;
            return own;
          }
          this.readingOwnPending = false;
        }
        const fresh = await this.takeFresh(this.readRaw('>', true));
        this.failures = 0;
        if (fresh.length) return fresh;
      } catch (err) {
        this.readAhead = null;
        this.claimAhead = null;
        this.claimedReady = null;
        this.claimFailure = null;
        if (this.closed) return [];
        const message = (err as Error)?.message ?? String(err);
        if (streamGone(message)) {
          // No failure of the server, which answered: the stream expired (idle past its TTL, every
          // entry long read) or the server lost it (restarted without its data). Rejoined after the
          // shortest wait at the start of what the stream holds by then, nothing published since is missed.
          this.failures = 0;
          this.bus.hooks.onNotice?.(`consumer ${this.options.consumer} rejoins group ${this.options.group}: ${message} (an idle stream expired, or the server lost it)`);
        } else this.bus.hooks.onError?.(new Error(`consumer ${this.options.consumer}: ${message}; retrying`));
        this.failures++;
        this.needInit = true;
        await this.retryWait();
      }
    }
  }

  /**
   * The backoff after a failure, cut short when a connection this consumer uses is back: the
   * backoff spaces attempts against a server that is down, and must not delay the first one after
   * it answers again (grown over an outage, it held a shard idle up to reconnect_max_ms longer).
   */
  private retryWait(): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeRetry = null;
        resolve();
      };
      const timer = setTimeout(wake, backoff(this.bus.config, this.failures));
      this.wakeRetry = wake;
    });
  }

  /**
   * The reader's connection, or the bus's (where groups are created), is ready again: the next
   * attempt goes now, and a failure after it waits from the shortest backoff again.
   */
  connectionBack(): void {
    this.failures = 0;
    this.wakeRetry?.();
  }

  /** Every stream's group, created where it is missing (pipelined). */
  private async ensureGroups(): Promise<void> {
    await Promise.all(this.keys.map((key) => this.joinGroup(key)));
  }

  /** Awaits a read of new entries and, when it brought some, sends the next one before decoding. */
  private async takeFresh(reading: Promise<StreamReply>): Promise<Delivery[]> {
    this.readAhead = null;
    const reply = await reading;
    // A stream that filled the read's COUNT (as it stands now: it moves slowly) may hold more.
    const count = this.entriesPerRead();
    this.backlogged = reply?.some(([, entries]) => entries.length >= count) ?? false;
    if (reply?.length) this.startReadAhead();
    return this.decode(reply, 1);
  }

  /**
   * Reads new entries while the consumer is busy with the last batch, so the round trip overlaps
   * its work. Entries it takes are pending on this consumer like any delivered ones: should it
   * close first, they are read again (own pending) or reclaimed by another consumer. Not when
   * the groups need (re)joining: the next pull takes the full path.
   */
  private startReadAhead(): void {
    if (this.closed || this.needInit || this.acks.failedWaiting) return;
    if (this.claimBeforeNextRead) {
      this.claimBeforeNextRead = false;
      return;
    }
    const next = this.readRaw('>', true);
    next.catch(() => undefined); // surfaces when the next pull awaits it
    this.readAheadSentAt = this.bus.clock.now();
    this.readAhead = next;
  }

  /**
   * A reclaim that is due goes out beside the read-ahead (on the bus's connection, behind the
   * XACKs of the batch the consumer just finished) instead of before the next read: waiting for the
   * XAUTOCLAIM and only then reading held every fresh entry back two round trips each interval.
   * Not when the read-ahead's entries may have waited long (a slow consumer): idle by the time the
   * XAUTOCLAIM runs, it would take them back from this very consumer and deliver them twice. Then
   * the reclaim goes before the next read, as it did before reads went ahead.
   */
  private claimBesideReadAhead(): void {
    if (this.claimAhead || !this.claimDue()) return;
    if (this.bus.clock.now() - this.readAheadSentAt >= this.bus.config.claim_idle_ms / 2) {
      this.claimBeforeNextRead = true;
      return;
    }
    // Answered after a failure reset the pull: what it took is this consumer's own pending, read again.
    const claiming: Promise<void> = this.autoclaim().then(
      (claimed) => {
        if (this.claimAhead === claiming) [this.claimAhead, this.claimedReady] = [null, claimed];
      },
      (err: unknown) => {
        if (this.claimAhead === claiming) [this.claimAhead, this.claimFailure] = [null, err ?? new Error('XAUTOCLAIM failed')];
      },
    );
    this.claimAhead = claiming;
  }

  /** What a reclaim issued beside a read-ahead brought, once (marked as a backlog: more may wait); its failure is the pull's. */
  private takeClaimedReady(): Delivery[] {
    const failure = this.claimFailure;
    this.claimFailure = null;
    if (failure !== null) throw failure;
    const claimed = this.claimedReady;
    this.claimedReady = null;
    if (claimed?.length) this.backlogged = true;
    return claimed ?? [];
  }

  private claimDue(): boolean {
    return this.bus.clock.now() - this.lastClaim >= this.bus.config.claim_interval_ms;
  }

  private async read(id: '0' | '>', block: boolean): Promise<Delivery[]> {
    return this.decode(await this.readRaw(id, block), id === '0' ? 2 : 1);
  }

  private readRaw(id: '0' | '>', block: boolean): Promise<StreamReply> {
    const args = ['XREADGROUP', 'GROUP', this.options.group, this.options.consumer, 'COUNT', String(this.entriesPerRead())];
    if (block) args.push('BLOCK', String(this.bus.config.block_ms));
    args.push('STREAMS', ...this.keys, ...this.keys.map(() => id));
    return this.reader.sendCommand(args) as Promise<StreamReply>;
  }

  /**
   * `read_batch` counts events, XREADGROUP's COUNT counts entries: ask for as many entries as hold
   * about `read_batch` events at the average entry size seen so far, so a batch stays the size the
   * consumer was configured for however many events the producers packed per entry.
   */
  private entriesPerRead(): number {
    return Math.max(1, Math.round(this.bus.config.read_batch / this.eventsPerEntry));
  }

  /** One XAUTOCLAIM per stream, pipelined (issued together, answered in one round trip). */
  private async autoclaim(): Promise<Delivery[]> {
    if (!this.claimDue()) return [];
    this.lastClaim = this.bus.clock.now();
    this.claimBeforeNextRead = false;
    const idle = String(this.bus.config.claim_idle_ms);
    const count = String(this.entriesPerRead());
    const replies = await Promise.all(
      this.keys.map((key) => this.bus.client.sendCommand(['XAUTOCLAIM', key, this.options.group, this.options.consumer, idle, '0-0', 'COUNT', count]) as Promise<[string, StreamEntry[], string[]?]>),
    );
    return this.decode(this.keys.map((key, i) => [key, replies[i]![1] ?? []]), 2);
  }

  /**
   * Turns entries into deliveries, one per event. Malformed entries and events are reported and
   * count as acknowledged (an entry nobody can read must not stay pending forever).
   */
  private async decode(reply: StreamReply, deliveries: number): Promise<Delivery[]> {
    if (!reply) return [];
    const out: Delivery[] = [];
    const done: EntryRef[] = [];
    let malformed = 0;
    let entriesSeen = 0;
    let streams = 0;
    /** Each delivery's entry time (ms), to merge the streams' runs by. */
    const times: number[] = [];
    for (const [key, entries] of reply) {
      const topic = this.bus.topicOfKey(key);
      if (!this.keys.includes(key)) {
        // A stream removed while a read naming it was on its way: acknowledged, not delivered.
        for (const [id] of entries) done.push({ topic, id });
        continue;
      }
      entriesSeen += entries.length;
      if (entries.length) streams++;
      for (const [id, fields] of entries) {
        if (!fields) {
          // Trimmed away while it was pending.
          malformed++;
          done.push({ topic, id });
          continue;
        }
        const ms = entryMs(id);
        const { events, problems } = decodeEntry(fields);
        for (const p of problems) this.bus.reportMalformed(topic, id, p.reason, p.sample);
        malformed += problems.length;
        if (events.length <= 1) {
          const event = events[0];
          if (event) {
            out.push({ topic, id, event, deliveries });
            times.push(ms);
          } else done.push({ topic, id });
          continue;
        }
        const unreadable: number[] = [];
        for (let slot = 0; slot < events.length; slot++) {
          const event = events[slot];
          if (!event) unreadable.push(slot);
          // Re-read (own pending after a reconnect): what this consumer acknowledged is not handed over again.
          else if (deliveries === 1 || !this.entryAcks.isSettled(topic, id, slot)) {
            out.push({ topic, id: slotDeliveryId(id, slot), event, deliveries });
            times.push(ms);
          }
        }
        if (this.entryAcks.track(topic, id, events.length, unreadable)) done.push({ topic, id });
      }
    }
    // One read answers stream by stream; merged by entry time, a backlog is caught up in time order
    // (read topic by topic, one topic's latest events would come before another's older ones).
    const merged = streams > 1 ? byEntryTime(out, times) : out;
    if (entriesSeen) this.eventsPerEntry = Math.max(1, this.eventsPerEntry + ENTRY_SIZE_SMOOTHING * ((out.length + malformed) / entriesSeen - this.eventsPerEntry));
    if (malformed) this.stats.malformed += malformed;
    if (done.length) await Promise.race([this.acks.send(done), this.closing]);
    return merged;
  }

  get caughtUp(): boolean {
    return !this.backlogged;
  }

  /** Events acknowledged here whose entries wait on other events of theirs (the bus's backlog). */
  settledWaiting(topic: string): number {
    return this.entryAcks.settledWaiting(topic);
  }

  get group(): string {
    return this.options.group;
  }

  /**
   * A consumer acknowledges what it has processed: the XACK goes out at once, not waited for (see
   * ServerAcks). A consumer that dies before the server took it gets the entry again, as one dying
   * just before acknowledging would.
   */
  protected ackIds(deliveries: readonly Delivery[]): Promise<void> {
    const done: EntryRef[] = [];
    for (const d of deliveries) {
      const entryId = this.entryAcks.settleDelivery(d.topic, d.id);
      if (entryId !== null) done.push({ topic: d.topic, id: entryId });
    }
    if (done.length) this.acks.sendWithoutWaiting(done);
    return Promise.resolve();
  }

  protected async onClose(): Promise<void> {
    this.signalClosed();
    // Nothing more will join: a waiter must not hang on a closed consumer.
    for (const w of this.joinWaiters.splice(0)) w();
    this.bus.forget(this);
    if (this.reader.isOpen) this.reader.destroy();
  }
}

/** The deliveries ordered by their entries' times, in reply order where those are equal. */
function byEntryTime(out: readonly Delivery[], times: readonly number[]): Delivery[] {
  const order = out.map((_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  return order.map((i) => out[i]!);
}
