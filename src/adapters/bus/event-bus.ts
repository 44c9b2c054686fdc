import type { Observable } from 'rxjs';
import type { HeliosEvent } from '../../domain/events/catalog.ts';

/** One event handed to a consumer; acknowledge it with the subscription's `ack`. */
export interface Delivery {
  topic: string;
  /** Stream entry id (Redis `ms-seq`, and `ms-seq:slot` for one event of an entry holding several; in memory a decimal sequence). */
  id: string;
  event: HeliosEvent;
  /** How many times this entry was delivered (> 1 after a reclaim). */
  deliveries: number;
}

export type SubscribeStart = 'earliest' | 'latest' | 'replay';

export interface SubscribeOptions {
  /** Consumer group: every group sees every event; members of a group share them. */
  group: string;
  consumer: string;
  topics: string[];
  /**
   * Where a newly created group starts: the whole retained backlog (default) or only new events.
   * `replay`: the whole retained backlog even when the group exists already (it is moved back to the
   * start of each topic it joins, so what it acknowledged before is delivered again), for a consumer
   * that lost what it had made of its past.
   */
  start?: SubscribeStart;
}

export interface Subscription extends AsyncIterable<Delivery[]> {
  /** The same deliveries as an rxjs Observable (use one style per subscription). */
  observe(): Observable<Delivery>;
  ack(deliveries: readonly Delivery[]): Promise<void>;
  addTopics(topics: string[]): void;
  /**
   * Stops reading these topics (a market that left for good): events published to them from now on
   * are not delivered to this consumer; what it was handed already is still acknowledged as usual.
   */
  removeTopics(topics: string[]): void;
  /**
   * Resolves once the group exists on every topic subscribed so far (in memory: at once). Events
   * published after `subscribe`/`addTopics` returned on the same bus always reach the group; a
   * producer on another connection or process is only ordered after the group once this resolved.
   */
  joined(): Promise<void>;
  /**
   * Nothing published before the last read is still waiting for this consumer on the bus (in
   * memory: exact; Redis: the last read of new entries filled no stream's COUNT). A consumer that
   * keeps time by its inputs only lets time pass without one while this holds: an input still on
   * the bus is older than any tick it would send.
   */
  readonly caughtUp: boolean;
  close(): Promise<void>;
  readonly stats: ConsumerStats;
}

export interface ConsumerStats {
  delivered: number;
  acked: number;
  duplicates: number;
  malformed: number;
  reclaimed: number;
}

export interface BusStats {
  published: number;
  dropped: number;
  coalesced: number;
  halts: number;
  malformed: number;
  reconnects: number;
  /** In memory: estimated bytes of events retained for late readers (0 on Redis, whose server retains). */
  retained_bytes: number;
  /** Redis: acknowledged never-drop entries sent again because a restarted server had lost them. */
  resent: number;
  /** In memory: estimated bytes of events waiting in consumer groups' queues (counted in the same budget). */
  queued_bytes: number;
  /** In memory: retained events evicted, oldest first across topics, to stay within memory_budget_bytes. */
  retention_evicted: number;
  /** In memory: queued events a lagging group lost because the budget was spent (also counted in dropped). */
  shed: number;
}

export function zeroBusStats(): BusStats {
  return { published: 0, dropped: 0, coalesced: 0, halts: 0, malformed: 0, reconnects: 0, retained_bytes: 0, queued_bytes: 0, resent: 0, retention_evicted: 0, shed: 0 };
}

export interface MalformedEntry {
  topic: string;
  id: string;
  reason: string;
  sample: string;
}

/**
 * The one contract both buses honour (InMemoryBus, RedisStreamsBus):
 * - publish appends a batch to a topic; per topic, consumers see events in publish order; it keeps
 *   no reference to the batch array once it returns (a producer may reuse it);
 * - consumer groups with acknowledgement; unacknowledged entries of a dead consumer are reclaimed;
 * - per-topic backpressure: bounded queue + overflow policy (see BoundedQueue);
 * - consumers drop events whose event_id they saw within the dedup window;
 * - publish never rejects: failures are retried, and what policy discards is counted.
 */
export interface EventBus {
  readonly kind: 'in_memory' | 'redis';
  publish(topic: string, events: readonly HeliosEvent[]): Promise<void>;
  subscribe(options: SubscribeOptions): Subscription;
  /** Entries not yet acknowledged by `group` (or retained entries when no group is named). */
  backlog(topic: string, group?: string): Promise<number>;
  /** Topics that have received events, sorted. */
  topics(): Promise<string[]>;
  stats(): BusStats;
  /** Resolves once the transport first answered; rejects with a clear message after `timeoutMs`. */
  whenConnected(timeoutMs: number): Promise<void>;
  /** Whether the transport is reachable and answering now (in memory: always). */
  health(): BusHealth;
  /** Events published but not yet accepted by the transport. */
  pending(): number;
  /** Resolves once everything published so far has been accepted by the transport. */
  drain(): Promise<void>;
  /** Waits up to `timeoutMs` for pending events, then closes; reports what never reached the transport. */
  close(opts?: { timeoutMs?: number }): Promise<BusCloseReport>;
}

export interface BusHealth {
  up: boolean;
  /** Why it is down (the last connection error, or an unanswered PING); null while up. */
  reason: string | null;
  /** Wall time of the last change between up and down. */
  since_ms: number;
}

export interface BusCloseReport {
  /** Published events that never reached the transport (the journal still holds them). */
  undelivered: number;
}

export interface BusHooks {
  /** A control-plane HALT for the market behind an overflowing `halt` topic. */
  onHalt?(topic: string, event: HeliosEvent): void;
  onMalformed?(entry: MalformedEntry): void;
  onError?(error: Error): void;
  /** Worth a line in the log, needs no action (a consumer rejoining a stream that expired while idle). */
  onNotice?(message: string): void;
}
