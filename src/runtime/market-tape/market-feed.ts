import type { WebSocket } from 'ws';
import type { MarketResolvedMessage, NewMarketMessage } from '../../domain/market/messages.ts';
import type { MarketTapeConfig } from '../../config/sections/market-tape.ts';
import { bestPriceTriggerLevels } from '../../config/best-price-levels.ts';
import type { MarketBooksOptions } from '../../domain/book/market-books.ts';
import type { TokenBookState } from '../../domain/book/token-book-state.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { DesiredSet } from '../../domain/subscriptions/desired-set.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { hash32, seededRng } from '../../domain/util/random.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import { SubscriptionReconciler, type ReconcileReport, type ReconcilerMetrics } from './reconciler.ts';
import { ClobRestClient, type ClobRestMetrics } from '../../adapters/polymarket/clob-rest-client.ts';
import { ConnectionPool } from '../../adapters/polymarket/connection-pool.ts';
import { MarketConnection, type MarketConnectionInfo } from './market-connection.ts';
import { MalformedFrameReporter } from '../../adapters/polymarket/market-decoder.ts';
import { SubscribeBatch } from '../../adapters/polymarket/subscribe-batch.ts';
import { TapePublisher, type TapePublisherMetrics } from '../../adapters/polymarket/tape-publisher.ts';
import type { StageRecorder } from '../../adapters/metrics/stage-latency.ts';

export interface MarketFeedDeps {
  config: MarketTapeConfig;
  /** The time the feed's events carry (virtual, and accelerated by --speed, in the simulation). */
  clock: Clock;
  /**
   * The sockets' own timers (connect timeout, ping and pong, backoff, resync retries): the network
   * runs in real time however fast the simulation does (a 10 s connect timeout at --speed 60 would
   * give a loopback handshake 167 ms). Defaults to `clock`.
   */
  transportClock?: Clock;
  /** Seed for backoff jitter (per connection, derived from its id) and REST retry jitter. */
  seed: number;
  sink: EventSink;
  events: EventFactory;
  /** The desired token set (in memory, or the Redis SET): the single source of truth. */
  desired: DesiredSet;
  logger?: Logger;
  /** REST client for resyncs; built from the config when absent. */
  rest?: Pick<ClobRestClient, 'getBook' | 'getBooks'>;
  /** Overrides of the integrity options the config sets. */
  booksOptions?: Partial<MarketBooksOptions>;
  /** How sockets are opened (defaults to the `ws` client). */
  openSocket?: (url: string) => WebSocket;
  /** Sees every top-of-book change as the frame that caused it is applied (benchmark probe). */
  onBestChanged?: (token: string) => void;
  /** Whether a BEST_PRICE published now is decided on at once (`TapePublisherOptions.decidedAtOnce`). */
  decidedAtOnce?: () => boolean;
  /** Where the hot-path stages frame → book and book → BEST_PRICE are recorded (the daemon's stage latency). */
  stages?: StageRecorder;
  /** A market appeared or resolved anywhere on the venue (`new_market`, `market_resolved`): discovery rescans. */
  onVenueNotice?: (msg: NewMarketMessage | MarketResolvedMessage) => void;
}

export interface MarketFeedMetrics {
  desired_applied: number;
  assigned: number;
  subscribed: number;
  subscribe_batch_size: number;
  subscribe_batch_halvings: number;
  malformed_frames: number;
  malformed_by_reason: Record<string, number>;
  connections: MarketConnectionInfo[];
  reconciler: ReconcilerMetrics;
  publisher: TapePublisherMetrics;
  rest: ClobRestMetrics | null;
}

/** A change to the desired set announced by whoever owns it (applied at once, set not written). */
export interface DesiredChange {
  subscribe?: readonly string[];
  unsubscribe?: readonly string[];
}

/**
 * The Polymarket market tape: a pool of market-channel connections kept subscribed to the desired
 * token set, books mirrored per connection, outputs on the bus. Construct, `start()`, then drive it
 * with `subscribe`/`unsubscribe` (which also write the desired set) or `applyDesiredChange` (for
 * changes someone else already wrote); `forceReconcile()` backs the daemon's HTTP endpoint.
 */
export class MarketFeed {
  private readonly pool: ConnectionPool<MarketConnection>;
  private readonly publisher: TapePublisher;
  private readonly reporter: MalformedFrameReporter;
  private readonly reconciler: SubscriptionReconciler;
  private readonly batch: SubscribeBatch;
  private readonly rest: Pick<ClobRestClient, 'getBook' | 'getBooks'>;
  private started = false;
  private changesApplied = 0;

  constructor(private readonly deps: MarketFeedDeps) {
    const c = deps.config;
    const log = deps.logger?.child({ component: 'market-feed' });
    this.batch = new SubscribeBatch(c.subscribe_batch_size, c.min_subscribe_batch_size);
    this.publisher = new TapePublisher(deps.sink, deps.events, deps.clock, {
      topLevels: c.top_n_levels,
      imbalanceLevels: c.imbalance_levels,
      emitL2Delta: c.emit_l2_delta,
      snapshotIntervalMs: c.snapshot_interval_ms,
      snapshotSlices: c.snapshot_slices,
      bestPriceFlushMs: c.best_price_flush_ms,
      bestPriceLevels: c.best_price_levels,
      onBestChanged: deps.onBestChanged,
      decidedAtOnce: deps.decidedAtOnce,
      stages: deps.stages,
    });
    this.reporter = new MalformedFrameReporter({
      clock: deps.clock,
      minSampleIntervalMs: c.malformed_sample_interval_ms,
      maxSampleChars: 300,
      onSample: (sample) => log?.warn({ malformed: sample }, 'malformed market frame'),
    });
    this.rest =
      deps.rest ??
      new ClobRestClient({
        baseUrl: c.rest_url,
        clock: deps.clock,
        rng: seededRng(deps.seed ^ hash32('clob-rest')),
        timeoutMs: c.rest_timeout_ms,
        maxAttempts: c.rest_max_attempts,
        backoff: { initialMs: c.rest_backoff_initial_ms, maxMs: c.rest_backoff_max_ms, multiplier: 2, jitter: c.backoff_jitter },
      });
    this.pool = new ConnectionPool(c.max_assets_per_connection, (id) => this.createConnection(id, log));
    this.reconciler = new SubscriptionReconciler(
      deps.desired,
      {
        assigned: () => this.pool.assigned(),
        subscribe: (ids) => void this.pool.add(ids),
        unsubscribe: (ids) => void this.pool.remove(ids),
        repairWire: () => this.repairWire(),
      },
      deps.clock,
      c.reconcile_interval_ms,
      log,
    );
  }

  /** Read the desired set, open the connections it needs, start outputs and the reconciliation loop. */
  async start(): Promise<void> {
    if (this.started) return;
    // Bootstrap from the desired set (not counted as drift); sockets re-read it as they subscribe.
    this.pool.add(await this.deps.desired.members());
    this.started = true;
    this.pool.start();
    this.publisher.start(() => this.books(), (t) => this.book(t));
    this.reconciler.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.reconciler.stop();
    this.publisher.stop();
    this.pool.stop();
  }

  /** Add tokens to the desired set and subscribe them now. */
  async subscribe(ids: readonly string[]): Promise<void> {
    await this.deps.desired.add(ids);
    this.applyDesiredChange({ subscribe: ids });
  }

  /** Remove tokens from the desired set and unsubscribe them now. */
  async unsubscribe(ids: readonly string[]): Promise<void> {
    await this.deps.desired.remove(ids);
    this.applyDesiredChange({ unsubscribe: ids });
  }

  /** A subscribe/unsubscribe event about a desired set someone else maintains: applied at once. */
  applyDesiredChange(change: DesiredChange): void {
    if (change.unsubscribe && change.unsubscribe.length > 0) this.pool.remove(change.unsubscribe);
    if (change.subscribe && change.subscribe.length > 0) this.pool.add(change.subscribe);
    this.changesApplied++;
  }

  forceReconcile(): Promise<ReconcileReport> {
    return this.reconciler.forceReconcile();
  }

  /** Books of every token carried, sorted by token. */
  books(): TokenBookState[] {
    const out: TokenBookState[] = [];
    for (const c of this.pool.connections()) for (const s of c.books.states()) out.push(s);
    return out.sort((a, b) => (a.asset_id < b.asset_id ? -1 : a.asset_id > b.asset_id ? 1 : 0));
  }

  /** The book of one token, from the connection carrying it. */
  book(token: string): TokenBookState | undefined {
    const c = this.pool.connectionOf(token);
    return c?.wire().has(token) ? c.books.books.get(token) : undefined;
  }

  /** Tokens the feed means to carry. */
  assigned(): string[] {
    return [...this.pool.assigned()].sort();
  }

  /** Tokens subscribed on open sockets. */
  subscribed(): string[] {
    return [...this.pool.wire()].sort();
  }

  connections(): MarketConnectionInfo[] {
    return this.pool.connections().map((c) => c.info());
  }

  /** Errors raised by connection actors (never expected; surfaced for supervision and tests). */
  actorErrors(): unknown[] {
    return this.pool.connections().flatMap((c) => c.errors);
  }

  /**
   * Every connection live with exactly its assignment on the wire, every book synced and no resync
   * outstanding: what a checkpoint or a readiness probe waits for.
   */
  isSettled(): boolean {
    for (const c of this.pool.connections()) {
      if (!c.isLive() || c.status() === 'resyncing' || c.books.resyncOutstanding() > 0) return false;
      const wire = c.wire();
      if (wire.size !== c.assigned().size) return false;
      for (const t of c.assigned()) if (!wire.has(t) || !c.books.books.get(t)?.synced) return false;
    }
    return true;
  }

  /** Connections in `failed` are told to try again. */
  retryFailed(): void {
    for (const c of this.pool.connections()) if (c.status() === 'failed') c.retry();
  }

  metrics(): MarketFeedMetrics {
    return {
      desired_applied: this.changesApplied,
      assigned: this.pool.assigned().size,
      subscribed: this.pool.wire().size,
      subscribe_batch_size: this.batch.size,
      subscribe_batch_halvings: this.batch.halvings,
      malformed_frames: this.reporter.total,
      malformed_by_reason: this.reporter.countsByReason(),
      connections: this.connections(),
      reconciler: { ...this.reconciler.metrics },
      publisher: { ...this.publisher.metrics },
      rest: this.rest instanceof ClobRestClient ? { ...this.rest.metrics } : null,
    };
  }

  private createConnection(id: string, logger: Logger | undefined): MarketConnection {
    return new MarketConnection({
      id,
      config: this.deps.config,
      clock: this.deps.transportClock ?? this.deps.clock,
      jitterSeed: this.deps.seed ^ hash32(id),
      batch: this.batch,
      publisher: this.publisher,
      reporter: this.reporter,
      rest: this.rest,
      beforeSubscribe: () => this.reconciler.forceReconcile().then(() => undefined),
      booksOptions: {
        verifyBestPrices: this.deps.config.integrity.verify_best_prices,
        checkTimestampOrder: this.deps.config.integrity.check_timestamp_order,
        verifyBestBidAskEvents: this.deps.config.integrity.verify_best_bid_ask_events,
        bestPriceLevels: bestPriceTriggerLevels(this.deps.config),
        ...this.deps.booksOptions,
      },
      ...(logger ? { logger } : {}),
      ...(this.deps.openSocket ? { openSocket: this.deps.openSocket } : {}),
      ...(this.deps.onVenueNotice ? { onVenueNotice: this.deps.onVenueNotice } : {}),
    });
  }

  private repairWire(): number {
    let drift = 0;
    for (const d of this.pool.wireDrift()) {
      drift += d.missing.length + d.extra.length;
      this.pool.connections().find((c) => c.id === d.connection)?.sync();
    }
    return drift;
  }
}
