import { realMarketOf, type RealAdapterDeps, type RealAdapterStats, type RealAlert, type RealMarket, type RealPlaceRequest } from './real-types.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { backoffDelayMs } from '../../domain/retry/backoff.ts';
import { isMarketable, isTerminal } from '../../domain/trading/orders.ts';
import type { PositionView, VenueOrderView } from '../../domain/trading/reconcile.ts';
import { checkMinimumSize, roundLimit, roundSizeDown } from '../../domain/trading/ticks.ts';
import { seededRng, type Rng } from '../../domain/util/random.ts';
import { HttpError } from '../http/request-json.ts';
import type { CancelAck, ExecutionAdapter, ExecutionEvent, FillAnswer, PlaceOrderAck } from './execution-adapter.ts';
import type { PostAnswer, PreparedOrder } from './real-clob-session.ts';
import { HeartbeatChain } from './real-heartbeats.ts';
import { classifyPostError, classifyVenueMessage, isBenignCancelReason, type PostVerdict } from './real-outcome.ts';
import { checkInFlight, readFillAnswers, readTrade, reconcileAtStart, resyncFromVenue, type StartupReport } from './real-reconcile.ts';
import { tickName } from './real-signing.ts';
import { RealOrderTracker, type AdoptableOrder, type TrackedOrder } from './real-tracker.ts';
import { UserChannel } from './real-user-channel.ts';

export type { RealAdapterDeps, RealAdapterStats, RealAlert, RealMarket, RealPlaceRequest } from './real-types.ts';

/**
 * The real execution adapter on Polymarket's CLOB V2, behind the interface paper implements.
 * Prices and sizes are rounded from what helios knows of the market (never a /tick-size read);
 * the outcome policy is real-outcome.ts; lifecycle and fills are real-tracker.ts; the user
 * channel and REST resyncs feed the tracker; heartbeats keep resting orders alive and fail
 * closed when they stop.
 */
export class ClobExecutionAdapter implements ExecutionAdapter {
  readonly kind = 'real' as const;
  readonly tracker: RealOrderTracker;
  readonly heartbeats: HeartbeatChain;
  readonly stats: RealAdapterStats = { posts: 0, retries: 0, in_flight_resolved: 0, balance_refreshes: 0, resigned: 0, fail_closed: 0, resyncs: 0, placed: 0, rejected: 0, heartbeat_misses: 0, unknown_orders: 0 };
  private readonly markets = new Map<string, RealMarket>();
  private readonly acks = new Map<string, Promise<PlaceOrderAck>>();
  /** Orders whose answer was lost, until the venue's record settled them. */
  private readonly settling = new Map<string, Promise<void>>();
  private readonly halted = new Map<string, string>();
  private readonly listeners = new Set<(e: ExecutionEvent) => void>();
  private readonly rng: Rng;
  private channel: UserChannel | null = null;
  private closedReason: string | null = null;
  private adoptSeq = 0;

  constructor(private readonly deps: RealAdapterDeps) {
    this.rng = deps.rng ?? seededRng(1);
    this.tracker = new RealOrderTracker({
      emit: (e) => this.emit(e),
      feeFor: (t) => this.markets.get(t)?.fee ?? { rate: 0, exponent: 1, taker_only: true },
      nowSeconds: () => Math.floor(deps.clock.now() / 1000),
      expirationBufferS: deps.cfg.expiration_buffer_s,
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
  }

  registerMarket(m: RealMarket): void {
    for (const t of m.tokens) this.markets.set(t, m);
  }

  registerSpec(spec: MarketSpec): void {
    this.registerMarket(realMarketOf(spec));
  }

  subscribe(listener: (event: ExecutionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Start-up: reconcile with the venue (trading must not start when this throws), then follow the user channel. */
  async start(): Promise<StartupReport> {
    const report = await reconcileAtStart(this.reconcileDeps());
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

  /** Reads open orders and recent trades by REST (after a reconnect, or when asked). */
  async resync(): Promise<void> {
    this.stats.resyncs++;
    await resyncFromVenue(this.reconcileDeps());
    this.refreshHeartbeats();
  }

  /** Orders sent and not yet settled by an answer, the user channel or a venue read. */
  inFlight(): number {
    return this.tracker.all().filter((o) => o.status === 'pending' && o.venueId !== null).length;
  }

  private count(a: PlaceOrderAck): PlaceOrderAck {
    if (a.accepted) this.stats.placed++;
    else this.stats.rejected++;
    return a;
  }

  get failedClosed(): string | null {
    return this.closedReason;
  }

  haltedMarkets(): Record<string, string> {
    return Object.fromEntries([...this.halted.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** After an operator fixed the balance: the market may trade again. */
  clearHalt(marketId: string): void {
    this.halted.delete(marketId);
  }

  placeOrder(req: RealPlaceRequest): Promise<PlaceOrderAck> {
    const existing = this.acks.get(req.client_order_id);
    if (existing) return existing.then((a) => (a.accepted ? { ...a, duplicate: true } : a));
    const ack = this.place(req).then((a) => this.count(a));
    this.acks.set(req.client_order_id, ack);
    return ack;
  }

  /** Several orders, sent in batches of at most max_batch; each keeps the single-order policy. */
  async placeOrders(reqs: readonly RealPlaceRequest[]): Promise<PlaceOrderAck[]> {
    const fresh = reqs.filter((r) => !this.acks.has(r.client_order_id));
    const prepared: Array<{ o: TrackedOrder; p: PreparedOrder; resolve: (a: PlaceOrderAck) => void }> = [];
    for (const r of fresh) {
      let resolve!: (a: PlaceOrderAck) => void;
      this.acks.set(r.client_order_id, new Promise((res) => (resolve = res)));
      const ready = await this.admit(r);
      if ('accepted' in ready) resolve(this.count(ready));
      else prepared.push({ ...ready, resolve: (a) => resolve(this.count(a)) });
    }
    for (let i = 0; i < prepared.length; i += this.deps.cfg.max_batch) {
      const batch = prepared.slice(i, i + this.deps.cfg.max_batch);
      this.stats.posts++;
      let answers: PostAnswer[] | null = null;
      try {
        answers = await this.deps.session.postOrders(batch.map((b) => b.p));
      } catch (err) {
        // The whole batch: each order keeps the single-order policy with its own signed payload.
        for (const b of batch) b.resolve(await this.afterVerdict(b.o, b.p, verdictOf(err), { attempts: 1, refreshed: false, resigned: false }));
        continue;
      }
      for (const [k, b] of batch.entries()) {
        const a = answers[k];
        b.resolve(a && a.success ? this.onPosted(b.o, b.p, a) : await this.afterVerdict(b.o, b.p, classifyVenueMessage(a?.errorMsg ?? 'no answer for this order in the batch'), { attempts: 1, refreshed: false, resigned: false }));
      }
    }
    return Promise.all(reqs.map((r) => this.acks.get(r.client_order_id)!));
  }

  async cancelOrder(clientOrderId: string): Promise<CancelAck> {
    const o = this.tracker.get(clientOrderId);
    if (!o) {
      // A venue order helios did not place (fetchOpenOrders names it `venue:<id>`): canceled by its venue id.
      if (clientOrderId.startsWith(VENUE_PREFIX)) return this.cancelAtVenue(clientOrderId, clientOrderId.slice(VENUE_PREFIX.length), null);
      return this.refuseCancel(clientOrderId, 'unknown order');
    }
    // In flight: a cancel could overtake the order itself and find nothing, then the order lands. It
    // waits for the answer (or the venue's record of a lost one): refused at once, a cancel the
    // caller repeats would count as the venue refusing cancels and trip the market's breaker.
    if (!o.venueId || o.status === 'pending') {
      await this.acks.get(clientOrderId)?.catch(() => undefined);
      await this.settling.get(clientOrderId);
    }
    if (isTerminal(o.status)) return { ok: false, client_order_id: clientOrderId, reason: 'already canceled or matched', benign: true };
    if (!o.venueId || o.status === 'pending') return this.refuseCancel(clientOrderId, 'order not yet live');
    return this.cancelAtVenue(clientOrderId, o.venueId, o);
  }

  private async cancelAtVenue(clientOrderId: string, venueId: string, o: TrackedOrder | null): Promise<CancelAck> {
    try {
      const r = await this.deps.session.cancel([venueId]);
      if (r.canceled.includes(venueId)) {
        if (o) this.tracker.setStatus(o, 'canceled', 'canceled by request');
        this.refreshHeartbeats();
        return { ok: true, client_order_id: clientOrderId };
      }
      const why = r.not_canceled[venueId] ?? 'not canceled';
      return { ok: false, client_order_id: clientOrderId, reason: why, benign: isBenignCancelReason(why) };
    } catch (err) {
      return { ok: false, client_order_id: clientOrderId, reason: (err as Error).message, benign: false };
    }
  }

  /**
   * A refusal decided here, answered after a backoff step: a caller that asks again at once on a
   * refusal (the market actor does) would otherwise spin on promises that never yield to IO.
   */
  private async refuseCancel(clientOrderId: string, reason: string): Promise<CancelAck> {
    await this.sleep(Math.max(1, this.deps.cfg.backoff.initial_ms));
    return { ok: false, client_order_id: clientOrderId, reason, benign: false };
  }

  /** Cancels every order of the key at the venue (kill switch, SIGTERM, failing closed). */
  async cancelAll(): Promise<string[]> {
    const r = await this.deps.session.cancelAll();
    for (const id of r.canceled) {
      const o = this.tracker.getByVenue(id);
      if (o) this.tracker.setStatus(o, 'canceled', 'cancel-all');
    }
    this.refreshHeartbeats();
    return r.canceled;
  }

  async cancelMarket(marketId: string): Promise<string[]> {
    const m = [...this.markets.values()].find((x) => x.market_id === marketId);
    if (!m) return [];
    const r = await this.deps.session.cancelMarket({ market: m.condition_id });
    for (const id of r.canceled) {
      const o = this.tracker.getByVenue(id);
      if (o) this.tracker.setStatus(o, 'canceled', 'canceled by market');
    }
    this.refreshHeartbeats();
    return r.canceled;
  }

  async fetchOpenOrders(): Promise<VenueOrderView[]> {
    const open = await this.deps.session.openOrders();
    const out: VenueOrderView[] = [];
    for (const v of open) {
      // An order helios does not know shows under its venue id: the runtime's check reports it unknown (a break).
      const o = this.tracker.getByVenue(v.id);
      const market = o?.req.market_id ?? this.markets.get(v.asset_id)?.market_id ?? v.asset_id;
      out.push({ client_order_id: o?.req.client_order_id ?? `${VENUE_PREFIX}${v.id}`, market_id: market, token_id: v.asset_id, side: v.side === 'SELL' ? 'SELL' : 'BUY', price: Number(v.price), size: Number(v.original_size), filled_size: Number(v.size_matched) });
    }
    return out.sort((a, b) => a.client_order_id.localeCompare(b.client_order_id));
  }

  async fetchPositions(): Promise<PositionView[]> {
    const rows = await this.deps.session.positions();
    return rows
      .filter((p) => Math.abs(Number(p.size)) > 1e-9)
      .map((p) => ({ token_id: String(p.asset), shares: Number(p.size), avg_cost: Number(p.avgPrice) || 0 }))
      .sort((a, b) => a.token_id.localeCompare(b.token_id));
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

  // ---- placing -------------------------------------------------------------------------------

  private async place(req: RealPlaceRequest): Promise<PlaceOrderAck> {
    const ready = await this.admit(req);
    if ('accepted' in ready) return ready;
    return this.submit(ready.o, ready.p, { attempts: 0, refreshed: false, resigned: false });
  }

  /** Local refusals (never sent), rounding, signing; the order is tracked under its venue id from here on. */
  private async admit(req: RealPlaceRequest): Promise<PlaceOrderAck | { o: TrackedOrder; p: PreparedOrder }> {
    const refuse = (reason: string): PlaceOrderAck => {
      const { post_only: _p, ...plain } = req;
      const o = this.tracker.get(req.client_order_id) ?? this.tracker.add(plain);
      this.tracker.setStatus(o, 'rejected', reason);
      return { accepted: false, client_order_id: req.client_order_id, reason };
    };
    if (this.closedReason !== null) return refuse(`execution failed closed: ${this.closedReason}`);
    const m = this.markets.get(req.token_id);
    if (!m) return refuse(`unknown token ${req.token_id}`);
    const halt = this.halted.get(m.market_id);
    if (halt) return refuse(`market halted: ${halt}`);
    const tick = tickName(m.tick_size);
    if (!tick) return refuse(`tick ${m.tick_size} is not one the venue uses`);
    const price = roundLimit(req.side, req.price, m.tick_size);
    const size = roundSizeDown(req.size);
    const sized = checkMinimumSize(size, price, isMarketable(req.order_type), m.min_order_size);
    if (!sized.ok) return refuse(sized.reason);
    let expiration = 0;
    if (req.order_type === 'GTD') {
      if (req.expires_at_ms === null || req.expires_at_ms <= this.deps.clock.now()) return refuse('GTD expiration in the past');
      expiration = Math.ceil(req.expires_at_ms / 1000) + this.deps.cfg.expiration_buffer_s;
    }
    const { post_only: _p, ...plain } = req;
    const o = this.tracker.add({ ...plain, price, size });
    try {
      const p = await this.deps.session.prepare({ tokenId: req.token_id, side: req.side, price, size, type: req.order_type, expiration, tick, negRisk: m.neg_risk }, req.post_only === true);
      this.tracker.bind(o, p.id);
      return { o, p };
    } catch (err) {
      return refuse(`signing failed: ${(err as Error).message}`);
    }
  }

  private async submit(o: TrackedOrder, p: PreparedOrder, st: Attempt): Promise<PlaceOrderAck> {
    this.stats.posts++;
    try {
      const a = await this.deps.session.postOrder(p);
      if (a.success) return this.onPosted(o, p, a);
      return this.afterVerdict(o, p, classifyVenueMessage(a.errorMsg ?? 'refused without a reason'), { ...st, attempts: st.attempts + 1 });
    } catch (err) {
      return this.afterVerdict(o, p, verdictOf(err), { ...st, attempts: st.attempts + 1 });
    }
  }

  private onPosted(o: TrackedOrder, p: PreparedOrder, a: PostAnswer): PlaceOrderAck {
    const id = a.orderID || p.id;
    if (id !== o.venueId) this.tracker.bind(o, id);
    const s = (a.status ?? '').toLowerCase();
    if (s === 'live' || s === 'matched') this.tracker.setStatus(o, o.filled > 0 ? 'partially_filled' : 'open', null);
    // The user channel may have missed them (not yet subscribed, or down): read the trades once, without waiting.
    for (const t of a.tradeIDs ?? []) void this.followTrade(t);
    this.refreshHeartbeats();
    return { accepted: true, client_order_id: o.req.client_order_id, venue_order_id: id, duplicate: false };
  }

  private async afterVerdict(o: TrackedOrder, p: PreparedOrder, v: PostVerdict, st: Attempt): Promise<PlaceOrderAck> {
    const id = o.req.client_order_id;
    const accepted: PlaceOrderAck = { accepted: true, client_order_id: id, venue_order_id: p.id, duplicate: false };
    switch (v.kind) {
      case 'rejected':
        this.tracker.setStatus(o, 'rejected', v.reason);
        return { accepted: false, client_order_id: id, reason: v.reason };
      case 'killed':
        this.tracker.setStatus(o, 'canceled', v.reason);
        return accepted;
      case 'retry': {
        if (st.attempts < this.deps.cfg.backoff.max_attempts) {
          this.stats.retries++;
          await this.sleep(this.backoffMs(st.attempts));
          return this.submit(o, p, st);
        }
        if (v.proven) return this.afterVerdict(o, p, { kind: 'rejected', reason: `gave up after ${st.attempts} attempts: ${v.reason}` }, st);
        return this.afterVerdict(o, p, { kind: 'unknown', reason: v.reason }, st);
      }
      case 'balance': {
        if (!st.refreshed) {
          this.stats.balance_refreshes++;
          try {
            await this.deps.session.refreshBalance();
          } catch (err) {
            this.deps.logger.warn({ err: (err as Error).message }, 'balance refresh failed');
          }
          return this.submit(o, p, { ...st, refreshed: true });
        }
        const market = o.req.market_id;
        this.halted.set(market, v.reason);
        this.alert({ severity: 'critical', code: 'MARKET_HALTED_BALANCE', message: `${market}: ${v.reason} after a balance refresh; market halted`, market_id: market });
        this.tracker.setStatus(o, 'rejected', v.reason);
        return { accepted: false, client_order_id: id, reason: v.reason };
      }
      case 'version': {
        if (st.resigned) return this.afterVerdict(o, p, { kind: 'rejected', reason: v.reason }, st);
        this.stats.resigned++;
        try {
          await this.deps.session.refreshVersion();
          const again = await this.deps.session.prepare(await this.resignInput(o), p.postOnly);
          this.tracker.bind(o, again.id);
          return this.submit(o, again, { ...st, resigned: true });
        } catch (err) {
          return this.afterVerdict(o, p, { kind: 'rejected', reason: `re-signing failed: ${(err as Error).message}` }, st);
        }
      }
      case 'duplicate':
      case 'unknown':
        this.alert({ severity: 'warning', code: 'ORDER_IN_FLIGHT', message: `${id}: ${v.reason}; settling it from the venue`, market_id: o.req.market_id });
        this.settling.set(id, this.settleInFlight(o, 1).finally(() => this.settling.delete(id)));
        return accepted;
    }
  }

  private async resignInput(o: TrackedOrder) {
    const m = this.markets.get(o.req.token_id)!;
    const expiration = o.req.order_type === 'GTD' && o.req.expires_at_ms !== null ? Math.ceil(o.req.expires_at_ms / 1000) + this.deps.cfg.expiration_buffer_s : 0;
    return { tokenId: o.req.token_id, side: o.req.side, price: o.req.price, size: o.req.size, type: o.req.order_type, expiration, tick: tickName(m.tick_size)!, negRisk: m.neg_risk };
  }

  /** An order with no answer: the venue's own record decides (never a second send). */
  private async settleInFlight(o: TrackedOrder, attempt: number): Promise<void> {
    if (o.status !== 'pending' || !o.venueId) return;
    const settled = await checkInFlight(this.reconcileDeps(), o).catch((err: Error) => {
      this.deps.logger.warn({ err: err.message, client_order_id: o.req.client_order_id }, 'in-flight order check failed');
      return false;
    });
    if (!settled && attempt < this.deps.cfg.backoff.max_attempts) {
      await this.sleep(this.backoffMs(attempt));
      return this.settleInFlight(o, attempt + 1);
    }
    // Not at the venue after every check: it never arrived (the venue knows no order it did not answer for).
    if (!settled) this.tracker.setStatus(o, 'canceled', 'not found at the venue after the request was lost');
    this.stats.in_flight_resolved++;
    this.refreshHeartbeats();
  }

  private async followTrade(tradeId: string): Promise<void> {
    await readTrade(this.reconcileDeps(), tradeId).catch((err: Error) => this.deps.logger.warn({ err: err.message, trade_id: tradeId }, 'trade read after a match failed; the user channel or reconciliation settles it'));
  }

  private backoffMs(attempt: number): number {
    return backoffDelayMs(attempt, { initialMs: this.deps.cfg.backoff.initial_ms, maxMs: this.deps.cfg.backoff.max_ms, multiplier: 2, jitter: 0.2 }, this.rng());
  }

  // ---- venue events --------------------------------------------------------------------------

  private onUserEvent(m: Record<string, unknown>): void {
    if (m.event_type === 'order') this.tracker.onVenueOrder(m as never);
    else if (m.event_type === 'trade') this.tracker.onVenueTrade(m as never);
    this.refreshHeartbeats();
  }

  /** A venue order helios did not place: tracked under a client id of its own (strategy `reconciled`). */
  adopt(v: AdoptableOrder): TrackedOrder {
    return this.tracker.adopt(v, `venue-${++this.adoptSeq}-${v.id.slice(2, 10)}`, this.markets.get(v.asset_id)?.market_id ?? v.asset_id);
  }

  private reconcileDeps() {
    return { session: this.deps.session, tracker: this.tracker, cfg: this.deps.cfg, clock: this.deps.clock, adopt: (v: AdoptableOrder) => this.adopt(v), alert: (a: RealAlert) => this.alert(a) };
  }

  private refreshHeartbeats(): void {
    if (this.deps.heartbeats === false) return;
    this.heartbeats.ensure(this.tracker.live().length > 0);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.deps.clock.setTimeout(() => resolve(), ms));
  }

  private alert(a: RealAlert): void {
    if (a.code === 'UNKNOWN_VENUE_ORDER') this.stats.unknown_orders++;
    this.deps.logger[a.severity === 'critical' ? 'error' : 'warn']({ code: a.code, market_id: a.market_id }, a.message);
    this.deps.onAlert?.(a);
  }

  private emit(e: ExecutionEvent): void {
    for (const l of this.listeners) l(e);
  }
}

/** How fetchOpenOrders names a venue order helios did not place. */
const VENUE_PREFIX = 'venue:';

interface Attempt {
  attempts: number;
  refreshed: boolean;
  resigned: boolean;
}

function verdictOf(err: unknown): PostVerdict {
  return err instanceof HttpError ? classifyPostError(err) : { kind: 'unknown', reason: (err as Error).message ?? String(err) };
}
