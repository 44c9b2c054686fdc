import { isMarketable } from '../../domain/trading/orders.ts';
import { checkMinimumSize, roundLimit, roundSizeDown } from '../../domain/trading/ticks.ts';
import { HttpError } from '../http/request-json.ts';
import type { PlaceOrderAck } from './execution-adapter.ts';
import type { RealAdapterContext } from './real-adapter-context.ts';
import type { PostAnswer, PreparedOrder } from './real-clob-session.ts';
import { classifyPostError, classifyVenueMessage, type PostVerdict } from './real-outcome.ts';
import { checkInFlight, readTrade } from './real-reconcile.ts';
import { tickName } from './real-signing.ts';
import type { TrackedOrder } from './real-tracker.ts';
import type { RealPlaceRequest } from './real-types.ts';

/**
 * Placing orders at the real venue, one or in batches: local refusals (never sent), rounding to
 * the tick helios knows, signing, and the outcome policy (real-outcome.ts) for each answer: retry
 * the same signed order, refresh the balance once, re-sign once for a new version, or settle an
 * order whose answer was lost from the venue's record (never a second send). Idempotent by client
 * order id; a balance the venue keeps refusing halts the market.
 */
export class RealOrderPlacement {
  private readonly acks = new Map<string, Promise<PlaceOrderAck>>();
  /** Orders whose answer was lost, until the venue's record settled them. */
  private readonly settling = new Map<string, Promise<void>>();
  private readonly halted = new Map<string, string>();

  constructor(private readonly ctx: RealAdapterContext) {}

  placeOrder(req: RealPlaceRequest): Promise<PlaceOrderAck> {
    const existing = this.acks.get(req.client_order_id);
    if (existing) return existing.then((a) => (a.accepted ? { ...a, duplicate: true } : a));
    const ack = this.place(req).then((a) => this.count(a));
    this.acks.set(req.client_order_id, ack);
    return ack;
  }

  /** Several orders, sent in batches of at most max_batch; each keeps the single-order policy. */
  async placeOrders(reqs: readonly RealPlaceRequest[]): Promise<PlaceOrderAck[]> {
    const { cfg, session } = this.ctx.deps;
    const fresh = reqs.filter((r) => !this.acks.has(r.client_order_id));
    const prepared: Array<{ o: TrackedOrder; p: PreparedOrder; resolve: (a: PlaceOrderAck) => void }> = [];
    for (const r of fresh) {
      let resolve!: (a: PlaceOrderAck) => void;
      this.acks.set(r.client_order_id, new Promise((res) => (resolve = res)));
      const ready = await this.admit(r);
      if ('accepted' in ready) resolve(this.count(ready));
      else prepared.push({ ...ready, resolve: (a) => resolve(this.count(a)) });
    }
    for (let i = 0; i < prepared.length; i += cfg.max_batch) {
      const batch = prepared.slice(i, i + cfg.max_batch);
      this.ctx.stats.posts++;
      let answers: PostAnswer[] | null = null;
      try {
        answers = await session.postOrders(batch.map((b) => b.p));
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

  /** Orders of a market that left for good (finished, never placed again): their answers are not kept any more. */
  forget(clientOrderIds: readonly string[]): void {
    for (const id of clientOrderIds) this.acks.delete(id);
  }

  /** Resolves once the order's post has its answer and, when that was lost, once the venue's record settled it. */
  async answered(clientOrderId: string): Promise<void> {
    await this.acks.get(clientOrderId)?.catch(() => undefined);
    await this.settling.get(clientOrderId);
  }

  haltedMarkets(): Record<string, string> {
    return Object.fromEntries([...this.halted.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** No new order in this market (refused unsent, naming why) until clearHalt. */
  halt(marketId: string, reason: string): void {
    this.halted.set(marketId, reason);
  }

  clearHalt(marketId: string): void {
    this.halted.delete(marketId);
  }

  private count(a: PlaceOrderAck): PlaceOrderAck {
    if (a.accepted) this.ctx.stats.placed++;
    else this.ctx.stats.rejected++;
    return a;
  }

  private async place(req: RealPlaceRequest): Promise<PlaceOrderAck> {
    const ready = await this.admit(req);
    if ('accepted' in ready) return ready;
    return this.submit(ready.o, ready.p, { attempts: 0, refreshed: false, resigned: false });
  }

  /** Local refusals (never sent), rounding, signing; the order is tracked under its venue id from here on. */
  private async admit(req: RealPlaceRequest): Promise<PlaceOrderAck | { o: TrackedOrder; p: PreparedOrder }> {
    const { tracker, deps } = this.ctx;
    const refuse = (reason: string): PlaceOrderAck => {
      const { post_only: _p, ...plain } = req;
      const o = tracker.get(req.client_order_id) ?? tracker.add(plain);
      tracker.setStatus(o, 'rejected', reason);
      return { accepted: false, client_order_id: req.client_order_id, reason };
    };
    const closed = this.ctx.closedReason();
    if (closed !== null) return refuse(`execution failed closed: ${closed}`);
    const m = this.ctx.marketOfToken(req.token_id);
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
      if (req.expires_at_ms === null || req.expires_at_ms <= deps.clock.now()) return refuse('GTD expiration in the past');
      expiration = Math.ceil(req.expires_at_ms / 1000) + deps.cfg.expiration_buffer_s;
    }
    const { post_only: _p, ...plain } = req;
    const o = tracker.add({ ...plain, price, size });
    try {
      const p = await deps.session.prepare({ tokenId: req.token_id, side: req.side, price, size, type: req.order_type, expiration, tick, negRisk: m.neg_risk }, req.post_only === true);
      tracker.bind(o, p.id);
      return { o, p };
    } catch (err) {
      return refuse(`signing failed: ${(err as Error).message}`);
    }
  }

  private async submit(o: TrackedOrder, p: PreparedOrder, st: Attempt): Promise<PlaceOrderAck> {
    this.ctx.stats.posts++;
    try {
      const a = await this.ctx.deps.session.postOrder(p);
      if (a.success) return this.onPosted(o, p, a);
      return this.afterVerdict(o, p, classifyVenueMessage(a.errorMsg ?? 'refused without a reason'), { ...st, attempts: st.attempts + 1 });
    } catch (err) {
      return this.afterVerdict(o, p, verdictOf(err), { ...st, attempts: st.attempts + 1 });
    }
  }

  private onPosted(o: TrackedOrder, p: PreparedOrder, a: PostAnswer): PlaceOrderAck {
    const { tracker } = this.ctx;
    const id = a.orderID || p.id;
    if (id !== o.venueId) tracker.bind(o, id);
    const s = (a.status ?? '').toLowerCase();
    // "delayed": accepted on a market with a matching delay, open until the venue matches it (it can be canceled meanwhile).
    if (s === 'live' || s === 'matched' || s === 'delayed') tracker.setStatus(o, o.filled > 0 ? 'partially_filled' : 'open', null);
    // The user channel may have missed them (not yet subscribed, or down): read the trades once, without waiting.
    for (const t of a.tradeIDs ?? []) void this.followTrade(t);
    this.ctx.refreshHeartbeats();
    return { accepted: true, client_order_id: o.req.client_order_id, venue_order_id: id, duplicate: false };
  }

  private async afterVerdict(o: TrackedOrder, p: PreparedOrder, v: PostVerdict, st: Attempt): Promise<PlaceOrderAck> {
    const { tracker, deps, stats } = this.ctx;
    const id = o.req.client_order_id;
    const accepted: PlaceOrderAck = { accepted: true, client_order_id: id, venue_order_id: p.id, duplicate: false };
    switch (v.kind) {
      case 'rejected':
        tracker.setStatus(o, 'rejected', v.reason);
        return { accepted: false, client_order_id: id, reason: v.reason };
      case 'killed':
        tracker.setStatus(o, 'canceled', v.reason);
        return accepted;
      case 'retry': {
        if (st.attempts < deps.cfg.backoff.max_attempts) {
          stats.retries++;
          await this.ctx.sleep(this.ctx.backoffMs(st.attempts));
          return this.submit(o, p, st);
        }
        if (v.proven) return this.afterVerdict(o, p, { kind: 'rejected', reason: `gave up after ${st.attempts} attempts: ${v.reason}` }, st);
        return this.afterVerdict(o, p, { kind: 'unknown', reason: v.reason }, st);
      }
      case 'balance': {
        if (!st.refreshed) {
          stats.balance_refreshes++;
          try {
            await deps.session.refreshBalance();
          } catch (err) {
            deps.logger.warn({ err: (err as Error).message }, 'balance refresh failed');
          }
          return this.submit(o, p, { ...st, refreshed: true });
        }
        const market = o.req.market_id;
        this.halt(market, v.reason);
        this.ctx.alert({ severity: 'critical', code: 'MARKET_HALTED_BALANCE', message: `${market}: ${v.reason} after a balance refresh; market halted`, market_id: market });
        tracker.setStatus(o, 'rejected', v.reason);
        return { accepted: false, client_order_id: id, reason: v.reason };
      }
      case 'version': {
        if (st.resigned) return this.afterVerdict(o, p, { kind: 'rejected', reason: v.reason }, st);
        stats.resigned++;
        try {
          await deps.session.refreshVersion();
          const again = await deps.session.prepare(await this.resignInput(o), p.postOnly);
          tracker.bind(o, again.id);
          return this.submit(o, again, { ...st, resigned: true });
        } catch (err) {
          return this.afterVerdict(o, p, { kind: 'rejected', reason: `re-signing failed: ${(err as Error).message}` }, st);
        }
      }
      case 'duplicate':
      case 'unknown':
        this.ctx.alert({ severity: 'warning', code: 'ORDER_IN_FLIGHT', message: `${id}: ${v.reason}; settling it from the venue`, market_id: o.req.market_id });
        this.settling.set(id, this.settleInFlight(o, 1).finally(() => this.settling.delete(id)));
        return accepted;
    }
  }

  private async resignInput(o: TrackedOrder) {
    const m = this.ctx.marketOfToken(o.req.token_id)!;
    const expiration = o.req.order_type === 'GTD' && o.req.expires_at_ms !== null ? Math.ceil(o.req.expires_at_ms / 1000) + this.ctx.deps.cfg.expiration_buffer_s : 0;
    return { tokenId: o.req.token_id, side: o.req.side, price: o.req.price, size: o.req.size, type: o.req.order_type, expiration, tick: tickName(m.tick_size)!, negRisk: m.neg_risk };
  }

  /** An order with no answer: the venue's own record decides (never a second send). */
  private async settleInFlight(o: TrackedOrder, attempt: number): Promise<void> {
    if (o.status !== 'pending' || !o.venueId) return;
    const settled = await checkInFlight(this.ctx.reconcileDeps(), o).catch((err: Error) => {
      this.ctx.deps.logger.warn({ err: err.message, client_order_id: o.req.client_order_id }, 'in-flight order check failed');
      return false;
    });
    if (!settled && attempt < this.ctx.deps.cfg.backoff.max_attempts) {
      await this.ctx.sleep(this.ctx.backoffMs(attempt));
      return this.settleInFlight(o, attempt + 1);
    }
    // Not at the venue after every check: it never arrived (the venue knows no order it did not answer for).
    if (!settled) this.ctx.tracker.setStatus(o, 'canceled', 'not found at the venue after the request was lost');
    this.ctx.stats.in_flight_resolved++;
    this.ctx.refreshHeartbeats();
  }

  private async followTrade(tradeId: string): Promise<void> {
    await readTrade(this.ctx.reconcileDeps(), tradeId).catch((err: Error) => this.ctx.deps.logger.warn({ err: err.message, trade_id: tradeId }, 'trade read after a match failed; the user channel or reconciliation settles it'));
  }
}

interface Attempt {
  attempts: number;
  refreshed: boolean;
  resigned: boolean;
}

function verdictOf(err: unknown): PostVerdict {
  return err instanceof HttpError ? classifyPostError(err) : { kind: 'unknown', reason: (err as Error).message ?? String(err) };
}
