import { realMarketOf, type RealAdapterDeps, type RealAdapterStats, type RealAlert, type RealMarket, type RealPlaceRequest } from './real-types.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { backoffDelayMs } from '../../domain/retry/backoff.ts';
import type { PositionView, VenueOrderView } from '../../domain/trading/reconcile.ts';
import { seededRng, type Rng } from '../../domain/util/random.ts';
import type { CancelAck, ExecutionAdapter, ExecutionEvent, FillAnswer, PlaceOrderAck } from './execution-adapter.ts';
import type { RealAdapterContext } from './real-adapter-context.ts';
import { RealCancels } from './real-cancels.ts';
import { HeartbeatChain } from './real-heartbeats.ts';
import { RealOrderPlacement } from './real-placement.ts';
import { readFillAnswers, reconcileAtStart, resyncFromVenue, type ReconcileDeps, type StartupReport } from './real-reconcile.ts';
import { RealOrderTracker, type AdoptableOrder, type OwnMatch, type TrackedOrder } from './real-tracker.ts';
import type { VenuePosition } from './real-clob-session.ts';
import { UserChannel } from './real-user-channel.ts';
import { positionViews, venueOrderViews } from './real-venue-views.ts';

/** Reads of the positions at most, while FAILED answers keep arriving during them. */
const POSITION_READS = 3;

export type { RealAdapterDeps, RealAdapterStats, RealAlert, RealMarket, RealPlaceRequest } from './real-types.ts';

/**
 * The real execution adapter on Polymarket's CLOB V2, behind the interface paper implements.
 * Placing is real-placement.ts (rounding from what helios knows of the market, never a /tick-size
 * read; the outcome policy of real-outcome.ts), canceling real-cancels.ts; lifecycle and fills are
 * real-tracker.ts; the user channel and REST resyncs feed the tracker; heartbeats keep resting
 * orders alive and fail closed when they stop.
 */
export class ClobExecutionAdapter implements ExecutionAdapter {
  readonly kind = 'real' as const;
  readonly tracker: RealOrderTracker;
  readonly heartbeats: HeartbeatChain;
  readonly stats: RealAdapterStats = { posts: 0, retries: 0, in_flight_resolved: 0, balance_refreshes: 0, resigned: 0, fail_closed: 0, resyncs: 0, placed: 0, rejected: 0, heartbeat_misses: 0, unknown_orders: 0 };
  private readonly markets = new Map<string, RealMarket>();
  private readonly listeners = new Set<(e: ExecutionEvent) => void>();
  private readonly rng: Rng;
  private readonly placement: RealOrderPlacement;
  private readonly ctx: RealAdapterContext;
  private readonly cancels: RealCancels;
  private channel: UserChannel | null = null;
  private closedReason: string | null = null;
  private adoptSeq = 0;
  /**
   * Each token's average cost per share as the venue last reported a position in it: a SELL that
   * empties the position takes it along, so its FAILED gives the shares back at their cost.
   */
  private readonly avgCost = new Map<string, number>();
  /** Fills an earlier process gave up on, as its record names them (`<venue order id>:<trade id>`). */
  private readonly givenUpEarlier: ReadonlySet<string>;
  /** SELL fills' costs an earlier process recorded, named alike. */
  private readonly sellCostsEarlier: ReadonlyMap<string, number>;
  /** Fills an earlier process recorded as awaiting their answer, named alike. */
  private readonly awaitingEarlier: readonly string[];
  /** Each record's content as last written, so that a fill event that changes none writes nothing. */
  private readonly savedRecords = new Map<string, string>();

  constructor(private readonly deps: RealAdapterDeps) {
    this.rng = deps.rng ?? seededRng(1);
    this.givenUpEarlier = new Set(deps.givenUpStore?.load() ?? []);
    this.sellCostsEarlier = deps.sellCostStore?.load() ?? new Map();
    this.awaitingEarlier = deps.awaitingStore?.load() ?? [];
    this.tracker = new RealOrderTracker({
      emit: (e) => this.emit(e),
      feeFor: (t) => this.markets.get(t)?.fee ?? { rate: 0, exponent: 1, taker_only: true },
      nowSeconds: () => Math.floor(deps.clock.now() / 1000),
      expirationBufferS: deps.cfg.expiration_buffer_s,
      givenUpEarlier: this.givenUpEarlier,
      avgCostOf: (t) => this.avgCost.get(t),
      sellCostsEarlier: this.sellCostsEarlier,
    });
    this.heartbeats = new HeartbeatChain({
      clock: deps.clock,
      intervalMs: deps.cfg.heartbeat.interval_ms,
      maxMisses: deps.cfg.heartbeat.max_misses,
      beat: (id) => deps.session.heartbeat(id),
      onMiss: (misses, err) => {
        this.stats.heartbeat_misses++;
        this.alert({ severity: 'warning', code: 'HEARTBEAT_MISSED', message: `heartbeat ${misses} missed: ${(err as Error).message}` });
      },
      onFailClosed: (reason) => void this.failClosed(reason),
    });
    const ctx: RealAdapterContext = (this.ctx = {
      deps,
      tracker: this.tracker,
      stats: this.stats,
      marketOfToken: (t) => this.markets.get(t),
      marketById: (id) => [...this.markets.values()].find((x) => x.market_id === id),
      closedReason: () => this.closedReason,
      alert: (a) => this.alert(a),
      refreshHeartbeats: () => this.refreshHeartbeats(),
      reconcileDeps: () => this.reconcileDeps(),
      sleep: (ms) => new Promise((resolve) => deps.clock.setTimeout(() => resolve(), ms)),
      backoffMs: (attempt) => backoffDelayMs(attempt, { initialMs: deps.cfg.backoff.initial_ms, maxMs: deps.cfg.backoff.max_ms, multiplier: 2, jitter: 0.2 }, this.rng()),
    });
    this.placement = new RealOrderPlacement(ctx);
    this.cancels = new RealCancels(ctx, this.placement);
  }

  registerMarket(m: RealMarket): void {
    for (const t of m.tokens) this.markets.set(t, m);
  }

  registerSpec(spec: MarketSpec): void {
    this.registerMarket(realMarketOf(spec));
  }

  /**
   * A market the trading side retired: its finished orders (their answers too) and answered fills,
   * its tokens and their average costs, and a halt it was under (nothing will trade it again; a
   * retired market named among the halted ones for the life of the process would mislead), are let go of.
   */
  forgetMarket(marketId: string, tokens: readonly string[]): void {
    this.placement.forget(this.tracker.forgetMarket(marketId));
    this.placement.clearHalt(marketId);
    for (const t of tokens) {
      if (this.markets.get(t)?.market_id === marketId) this.markets.delete(t);
      this.avgCost.delete(t);
    }
  }

  subscribe(listener: (event: ExecutionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Start-up: reconcile with the venue (trading must not start when this throws), then follow the user channel. */
  async start(): Promise<StartupReport> {
    const report = await reconcileAtStart(this.reconcileDeps());
    // Those carried again stay recorded; the rest were answered meanwhile (or are no longer read).
    this.saveGivenUp();
    this.saveSellCosts();
    this.saveAwaiting();
    let connected!: () => void;
    const first = new Promise<void>((resolve) => (connected = resolve));
    this.channel = new UserChannel({
      url: this.deps.userWsUrl,
      creds: this.deps.session.apiCreds,
      clock: this.deps.clock,
      rng: this.rng,
      pingIntervalMs: this.deps.cfg.user_channel.ping_interval_ms,
      reconnectInitialMs: this.deps.cfg.user_channel.reconnect_initial_ms,
      reconnectMaxMs: this.deps.cfg.user_channel.reconnect_max_ms,
      onEvent: (m) => this.onUserEvent(m),
      onConnected: (reconnect) => {
        connected();
        if (reconnect) void this.resync().catch((err) => this.deps.logger.warn({ err: (err as Error).message }, 'resync after reconnect failed'));
      },
      onDisconnected: (why) => this.alert({ severity: 'warning', code: 'USER_CHANNEL_DOWN', message: why }),
    });
    this.channel.start();
    // Trading needs the order stream: no connection within the request timeout and start-up fails.
    let timer: unknown = null;
    try {
      await Promise.race([first, new Promise((_, reject) => (timer = this.deps.clock.setTimeout(() => reject(new Error(`user channel ${this.deps.userWsUrl} did not connect within ${this.deps.cfg.request_timeout_ms} ms`)), this.deps.cfg.request_timeout_ms)))]);
    } catch (err) {
      this.stop();
      throw err;
    } finally {
      this.deps.clock.clearTimeout(timer);
    }
    this.refreshHeartbeats();
    return report;
  }

  stop(): void {
    this.channel?.stop();
    this.heartbeats.stop();
  }

  get userChannel(): UserChannel | null {
    return this.channel;
  }

  /** Fills' answers the tracker holds; one still awaiting its answer is read again from the venue (what it says comes on the stream). */
  fillAnswers = (fillIds: readonly string[]): Promise<FillAnswer[]> => readFillAnswers(this.reconcileDeps(), fillIds);

  giveUpFillAnswer(fillId: string): void {
    this.tracker.giveUpAnswer(fillId);
    this.saveGivenUp();
  }

  isFillAnswerGivenUp(fillId: string): boolean {
    return this.tracker.isAnswerGivenUp(fillId);
  }

  /** Reads open orders and recent trades by REST (after a reconnect, or when asked). */
  async resync(): Promise<void> {
    this.stats.resyncs++;
    await resyncFromVenue(this.reconcileDeps());
    this.refreshHeartbeats();
  }

  /** Orders sent and not yet settled by an answer, the user channel or a venue read. */
  inFlight(): number {
    return this.tracker.live().filter((o) => o.status === 'pending' && o.venueId !== null).length;
  }

  get failedClosed(): string | null {
    return this.closedReason;
  }

  haltedMarkets(): Record<string, string> {
    return this.placement.haltedMarkets();
  }

  /** After an operator fixed the balance or the venue's record of a missing trade: the market may trade again. */
  clearHalt(marketId: string): void {
    this.placement.clearHalt(marketId);
  }

  placeOrder(req: RealPlaceRequest): Promise<PlaceOrderAck> {
    return this.placement.placeOrder(req);
  }

  /** Several orders, sent in batches of at most max_batch; each keeps the single-order policy. */
  placeOrders(reqs: readonly RealPlaceRequest[]): Promise<PlaceOrderAck[]> {
    return this.placement.placeOrders(reqs);
  }

  cancelOrder(clientOrderId: string): Promise<CancelAck> {
    return this.cancels.cancelOrder(clientOrderId);
  }

  /** Cancels every order of the key at the venue (kill switch, SIGTERM, failing closed). */
  cancelAll(): Promise<string[]> {
    return this.cancels.cancelAll();
  }

  cancelMarket(marketId: string): Promise<string[]> {
    return this.cancels.cancelMarket(marketId);
  }

  async fetchOpenOrders(): Promise<VenueOrderView[]> {
    return venueOrderViews(await this.deps.session.openOrders(), this.tracker, (t) => this.markets.get(t)?.market_id);
  }

  /**
   * The venue's positions with the fills they hold still awaiting their answer. A FAILED heard while
   * the positions were read may or may not be in them: they are read again (a few times at most),
   * so the shares and the fills named as awaiting agree.
   */
  async fetchPositions(): Promise<PositionView[]> {
    for (let attempt = 1; ; attempt++) {
      const failedBefore = this.tracker.failedCount;
      const rows = await this.deps.session.positions();
      this.notePositions(rows);
      if (this.tracker.failedCount === failedBefore || attempt === POSITION_READS) return positionViews(rows, this.tracker.awaiting());
    }
  }

  /** No new orders from now on (shutting down); what rests stays until canceled. */
  refuseNew(reason: string): void {
    this.closedReason ??= reason;
  }

  /** No new orders, every resting order canceled, a global HALT alert. */
  async failClosed(reason: string): Promise<void> {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.stats.fail_closed++;
    this.heartbeats.stop();
    this.alert({ severity: 'critical', code: 'EXECUTION_FAIL_CLOSED', message: `execution failed closed: ${reason}` });
    try {
      await this.cancelAll();
      // The venue's own dead-man switch may have canceled them first: its record says.
      await this.resync();
    } catch (err) {
      this.deps.logger.error({ err: (err as Error).message }, 'cancel-all while failing closed did not go through; the venue cancels when heartbeats stop');
    }
  }

  /** A venue order helios did not place: tracked under a client id of its own (strategy `reconciled`). */
  adopt(v: AdoptableOrder): TrackedOrder {
    return this.tracker.adopt(v, this.venueClientId(v.id), this.markets.get(v.asset_id)?.market_id ?? v.asset_id);
  }

  /** An empty position reports no cost: the last one known is kept for the sells that emptied it. */
  private notePositions(rows: readonly VenuePosition[]): void {
    for (const p of rows) if (Number(p.size) > 1e-9 && Number(p.avgPrice) > 0) this.avgCost.set(String(p.asset), Number(p.avgPrice));
  }

  /** Kept for the next process, which carries these fills again from the venue under new client ids. */
  private saveGivenUp(): void {
    try {
      this.deps.givenUpStore?.save(this.tracker.givenUpTrades());
    } catch (err) {
      this.deps.logger.error({ err: (err as Error).message }, 'could not record the fills given up on: a new process would wait for them again');
    }
  }

  /** Kept for the next process, which finds no cost at the venue for a position a sell emptied. */
  private saveSellCosts(): void {
    const store = this.deps.sellCostStore;
    if (!store) return;
    const costs = this.tracker.sellCosts();
    this.saveWhenChanged('sell costs', JSON.stringify([...costs]), () => store.save(costs), 'could not record the costs of the sells awaiting their answer: a new process would give the shares of one that FAILED back at cost 0');
  }

  /** Kept for the next process, which reads a fill's trade by id once it is older than the lookback. */
  private saveAwaiting(): void {
    const store = this.deps.awaitingStore;
    if (!store) return;
    const trades = this.tracker.awaitingTrades();
    this.saveWhenChanged('awaiting fills', trades.join(','), () => store.save(trades), 'could not record the fills awaiting their answer: a new process after trades_lookback_s would not read them');
  }

  /** A record written only when its content (`text`) changed since it was last written; a failed write is logged and tried again next time. */
  private saveWhenChanged(record: string, text: string, write: () => void, failure: string): void {
    if (this.savedRecords.get(record) === text) return;
    try {
      write();
      this.savedRecords.set(record, text);
    } catch (err) {
      this.deps.logger.error({ err: (err as Error).message }, failure);
    }
  }

  private onUserEvent(m: Record<string, unknown>): void {
    if (m.event_type === 'order') this.tracker.onVenueOrder(m as never);
    else if (m.event_type === 'trade') this.tracker.onVenueTrade(m as never);
    this.refreshHeartbeats();
  }

  private reconcileDeps(): ReconcileDeps {
    return {
      session: this.deps.session,
      tracker: this.tracker,
      cfg: this.deps.cfg,
      clock: this.deps.clock,
      adopt: (v: AdoptableOrder) => this.adopt(v),
      sawPositions: (rows: readonly VenuePosition[]) => this.notePositions(rows),
      recordedTrades: () => [...this.givenUpEarlier, ...this.sellCostsEarlier.keys(), ...this.awaitingEarlier].map((k) => k.slice(k.lastIndexOf(':') + 1)),
      carry: (m: OwnMatch) => this.tracker.carry(m, () => this.venueClientId(m.order_id), this.markets.get(m.asset_id)?.market_id ?? m.asset_id),
      alert: (a: RealAlert) => this.alert(a),
      marketOfToken: (t) => this.markets.get(t)?.market_id,
      haltMarket: (marketId, reason) => this.placement.halt(marketId, reason),
      pause: (attempt) => this.ctx.sleep(this.ctx.backoffMs(attempt)),
    };
  }

  /** The client id a venue order helios did not place here is tracked under. */
  private venueClientId(venueId: string): string {
    return `venue-${++this.adoptSeq}-${venueId.slice(2, 10)}`;
  }

  private refreshHeartbeats(): void {
    if (this.deps.heartbeats === false) return;
    this.heartbeats.ensure(this.tracker.live().length > 0);
  }

  private alert(a: RealAlert): void {
    if (a.code === 'UNKNOWN_VENUE_ORDER') this.stats.unknown_orders++;
    this.deps.logger[a.severity === 'critical' ? 'error' : 'warn']({ code: a.code, market_id: a.market_id }, a.message);
    this.deps.onAlert?.(a);
  }

  private emit(e: ExecutionEvent): void {
    // Recorded before the ledger hears of the sell, so no later crash leaves it booked without its cost.
    if (e.kind === 'fill' && e.fill.side === 'SELL') this.saveSellCosts();
    // Named as it matches (a crash right after loses no name) and let go of as its answer comes.
    if (e.kind === 'fill') this.saveAwaiting();
    for (const l of this.listeners) l(e);
  }
}
