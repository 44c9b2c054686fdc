import type { ExecutionConfig } from '../../config/sections/trading.ts';
import type { L2Book } from '../../domain/book/l2-book.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { OrderSide } from '../../domain/trading/book-view.ts';
import { fillFee, type FeeSchedule, type Liquidity } from '../../domain/trading/fees.ts';
import { marketBuyDollars, spendsAll, walkAskDollars } from '../../domain/trading/market-buy.ts';
import { isMarketable, isTerminal, type OrderStatus } from '../../domain/trading/orders.ts';
import type { PositionView, VenueOrderView } from '../../domain/trading/reconcile.ts';
import { levelSize, TakenLiquidity, takerLevels } from '../../domain/trading/paper-liquidity.ts';
import type { PaperHolding } from '../../domain/trading/carried-state.ts';
import { checkMinimumSize, isValidPrice, snapShares } from '../../domain/trading/ticks.ts';
import { seededRng, type Rng } from '../../domain/util/random.ts';
import type { CancelAck, ExecutionAdapter, ExecutionEvent, FillAnswer, PlaceOrderAck, PlaceOrderRequest } from './execution-adapter.ts';
import { availableLevels, matchTrade, shrinkQueue, walkLevels, type PriceLevel, type TradePrint } from './paper-matching.ts';

export interface PaperMarket {
  market_id: string;
  tokens: readonly string[];
  tick_size: number;
  min_order_size: number;
  fee: FeeSchedule;
}

/**
 * What the paper venue reads from a token's book, wherever that book comes from (the feed's live
 * book, or one derived from bus events): levels only, best first.
 */
export type PaperBook = Pick<L2Book, 'topN' | 'levelCount'>;

/** The book source the venue matches against. */
export type PaperBookSource = (tokenId: string) => PaperBook | undefined | null;

export interface PaperDeps {
  clock: Clock;
  cfg: ExecutionConfig['paper'];
  bookFor: PaperBookSource;
  rng?: Rng;
  /** What the account holds already: a previous session's holdings on the same data directory. */
  holdings?: readonly PaperHolding[];
}

interface PaperOrder {
  req: PlaceOrderRequest;
  venue_order_id: string;
  status: OrderStatus;
  filled: number;
  queue_ahead: number;
  /** Queue taken off by level updates and not yet explained by a print (see paper-matching). */
  credit: number;
  seq: number;
  fillCount: number;
  ack: Promise<PlaceOrderAck>;
  expiry: unknown;
}

interface PositionDelta {
  token: string;
  shares: number;
  cost: number;
}

const EPS = 1e-9;
const NONE_RESTING: readonly PaperOrder[] = Object.freeze([]);

/**
 * A first-class paper venue. Orders reach it after a configurable latency on the injected clock;
 * marketable orders walk the live mirrored book and pay taker fees (a BUY spends its signed dollars
 * there, as the venue fills it: domain/trading/market-buy.ts); resting orders queue behind
 * the size already at their price and fill only from trades (paper-matching.ts). Fills are MATCHED,
 * then CONFIRMED after a delay, or FAILED with a seeded probability (then reversed).
 */
export class PaperExecutionAdapter implements ExecutionAdapter {
  readonly kind = 'paper' as const;
  private readonly markets = new Map<string, PaperMarket>();
  private readonly orders = new Map<string, PaperOrder>();
  /**
   * Per token, its orders not known to be finished, in placement order: what `restingOrders` reads
   * on every book change of the token, instead of every order the venue ever took (a day's orders
   * of every market). An order never rests again once finished, so finished ones are dropped as
   * they are found.
   */
  private readonly unfinishedByToken = new Map<string, PaperOrder[]>();
  private readonly positions = new Map<string, { shares: number; cost: number }>();
  /** Matched fills awaiting their answer: what they changed, and their FAILED event should they fail. */
  private readonly unconfirmed = new Map<string, { delta: PositionDelta; failed: FillAnswer }>();
  /** The answer each fill got, by fill id: a listener that missed one reads it again (fillAnswers). */
  private readonly answers = new Map<string, FillAnswer>();
  /**
   * What our marketable orders took at each level: skipped by later orders until the venue's book
   * shows those shares gone (the level shrinks) — the venue never saw our paper orders, so a
   * refresh of the same book is not new liquidity (the soak's referee checks fills by this rule).
   */
  private readonly consumed = new TakenLiquidity();
  private readonly listeners = new Set<(e: ExecutionEvent) => void>();
  private readonly rng: Rng;
  private nextSeq = 0;

  constructor(private readonly deps: PaperDeps) {
    this.rng = deps.rng ?? seededRng(deps.cfg.seed);
    for (const h of deps.holdings ?? []) this.positions.set(h.token_id, { shares: h.shares, cost: h.cost });
  }

  registerMarket(m: PaperMarket): void {
    for (const t of m.tokens) this.markets.set(t, m);
  }

  /**
   * A resolved market the trading side retired (settled, no order live, no fill unanswered): its
   * shares were redeemed at resolution (the ledger settled them), so the venue drops them, its
   * finished orders and what it took of its books.
   */
  forgetMarket(marketId: string, tokens: readonly string[]): void {
    const gone = new Set(tokens);
    for (const [id, o] of this.orders) if (gone.has(o.req.token_id) && isTerminal(o.status)) this.orders.delete(id);
    for (const t of tokens) {
      if (this.markets.get(t)?.market_id === marketId) this.markets.delete(t);
      for (const [id, a] of this.answers) if (a.token_id === t) this.answers.delete(id);
      this.positions.delete(t);
      this.consumed.forget(t);
      // Drops its finished orders from the index (no book change of it will read them again).
      this.unfinished(t);
    }
  }

  subscribe(listener: (event: ExecutionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  placeOrder(req: PlaceOrderRequest): Promise<PlaceOrderAck> {
    const existing = this.orders.get(req.client_order_id);
    if (existing) return existing.ack.then((a) => (a.accepted ? { ...a, duplicate: true } : a));
    const seq = this.nextSeq++;
    const order: PaperOrder = {
      req: { ...req },
      venue_order_id: `paper-${seq}`,
      status: 'pending',
      filled: 0,
      queue_ahead: 0,
      credit: 0,
      seq,
      fillCount: 0,
      ack: Promise.resolve({ accepted: false, client_order_id: req.client_order_id, reason: 'unset' }),
      expiry: null,
    };
    this.orders.set(req.client_order_id, order);
    const unfinished = this.unfinishedByToken.get(req.token_id);
    if (unfinished) unfinished.push(order);
    else this.unfinishedByToken.set(req.token_id, [order]);
    this.emitOrder(order, null);
    order.ack = new Promise((resolve) => {
      this.deps.clock.setTimeout(() => resolve(this.arrive(order)), this.deps.cfg.order_latency_ms);
    });
    return order.ack;
  }

  cancelOrder(clientOrderId: string): Promise<CancelAck> {
    return new Promise((resolve) => {
      this.deps.clock.setTimeout(() => resolve(this.cancelNow(clientOrderId, 'canceled by request')), this.deps.cfg.cancel_latency_ms);
    });
  }

  async fetchOpenOrders(): Promise<VenueOrderView[]> {
    return this.openOrdersNow();
  }

  async fetchPositions(): Promise<PositionView[]> {
    return this.positionsNow();
  }

  /** Synchronous views (the async fetches return these). */
  openOrdersNow(): VenueOrderView[] {
    const out: VenueOrderView[] = [];
    for (const o of this.orders.values()) {
      if (o.status !== 'open' && o.status !== 'partially_filled') continue;
      const m = this.markets.get(o.req.token_id);
      out.push({ client_order_id: o.req.client_order_id, market_id: m?.market_id ?? o.req.market_id, token_id: o.req.token_id, side: o.req.side, price: o.req.price, size: o.req.size, filled_size: o.filled });
    }
    return out.sort((a, b) => a.client_order_id.localeCompare(b.client_order_id));
  }

  positionsNow(): PositionView[] {
    return [...this.positions.entries()]
      .filter(([, p]) => Math.abs(p.shares) > EPS)
      .map(([token_id, p]) => ({ token_id, shares: p.shares, avg_cost: p.shares > EPS ? p.cost / p.shares : 0 }))
      .sort((a, b) => a.token_id.localeCompare(b.token_id));
  }

  /** Every holding with its cost basis, by token: what the next session on this data directory starts with. */
  holdings(): PaperHolding[] {
    return [...this.positions.entries()]
      .filter(([, p]) => Math.abs(p.shares) > EPS)
      .map(([token_id, p]) => ({ token_id, shares: p.shares, cost: p.cost }))
      .sort((a, b) => a.token_id.localeCompare(b.token_id));
  }

  orderState(clientOrderId: string): { status: OrderStatus; filled: number; queue_ahead: number } | null {
    const o = this.orders.get(clientOrderId);
    return o ? { status: o.status, filled: o.filled, queue_ahead: o.queue_ahead } : null;
  }

  /**
   * The book changed: a level that shrank shows what we took there gone for real (that much is
   * free again); no queue can be longer than its level.
   */
  onBookUpdated(tokenId: string): void {
    const book = this.deps.bookFor(tokenId);
    this.consumed.onBook(tokenId, (side) => (book ? opposite(book, side) : []));
    for (const o of this.restingOrders(tokenId)) {
      const size = book ? levelSize(ownSide(book, o.req.side), o.req.price) : 0;
      const q = shrinkQueue(o.queue_ahead, o.credit, size);
      o.queue_ahead = q.queue_ahead;
      o.credit = q.credit;
    }
  }

  /** A print on the tape: traded volume consumes queues and fills resting orders behind them. */
  onTrade(tokenId: string, trade: TradePrint): void {
    const resting = this.restingOrders(tokenId);
    if (!resting.length) return;
    const match = matchTrade(
      resting.map((o) => ({ id: o.req.client_order_id, side: o.req.side, price: o.req.price, remaining: snapShares(o.req.size - o.filled), queue_ahead: o.queue_ahead, credit: o.credit, seq: o.seq })),
      trade,
    );
    for (const [id, q] of Object.entries(match.queueAhead)) {
      const o = this.orders.get(id);
      if (o) {
        o.queue_ahead = q;
        o.credit = match.credit[id] ?? o.credit;
      }
    }
    for (const f of match.fills) {
      const o = this.orders.get(f.id)!;
      this.fill(o, o.req.price, f.size, 'maker');
      this.emitOrder(o, null);
    }
  }

  // ---- venue internals -----------------------------------------------------------------------

  /** In placement order. Read on every book change of every token: no array when none rests. */
  private restingOrders(tokenId: string): readonly PaperOrder[] {
    let out: PaperOrder[] | null = null;
    for (const o of this.unfinished(tokenId)) if (o.status === 'open' || o.status === 'partially_filled') (out ??= []).push(o);
    return out ?? NONE_RESTING;
  }

  /** The token's orders not finished, in placement order; the finished ones found are dropped from the index. */
  private unfinished(tokenId: string): readonly PaperOrder[] {
    const list = this.unfinishedByToken.get(tokenId);
    if (list === undefined) return NONE_RESTING;
    let kept = 0;
    for (const o of list) if (!isTerminal(o.status)) list[kept++] = o;
    list.length = kept;
    if (kept === 0) this.unfinishedByToken.delete(tokenId);
    return list;
  }

  private reject(o: PaperOrder, reason: string): PlaceOrderAck {
    o.status = 'rejected';
    this.emitOrder(o, reason);
    return { accepted: false, client_order_id: o.req.client_order_id, reason };
  }

  private arrive(o: PaperOrder): PlaceOrderAck {
    const req = o.req;
    if (o.status !== 'pending') return { accepted: false, client_order_id: req.client_order_id, reason: `order already ${o.status}` };
    const m = this.markets.get(req.token_id);
    if (!m) return this.reject(o, `unknown token ${req.token_id}`);
    if (!isValidPrice(req.price, m.tick_size)) return this.reject(o, `price ${req.price} invalid for tick ${m.tick_size}`);
    const marketable = isMarketable(req.order_type);
    const size = checkMinimumSize(req.size, req.price, marketable, m.min_order_size);
    if (!size.ok) return this.reject(o, size.reason);
    if (req.order_type === 'GTD' && (req.expires_at_ms === null || req.expires_at_ms <= this.deps.clock.now())) return this.reject(o, 'GTD expiration in the past');
    const book = this.deps.bookFor(req.token_id);
    if (!book) return this.reject(o, 'no book for token');

    const levels = opposite(book, req.side);
    const takenAt = (price: number) => this.consumed.takenAt(req.token_id, req.side, price);
    // A marketable BUY spends its signed dollars at the asks' prices, as the venue fills it.
    const dollars = marketable && req.side === 'BUY' ? marketBuyDollars(req.size, req.price) : null;
    const takes = dollars !== null ? walkAskDollars(availableLevels(levels, takenAt), req.price, dollars) : walkLevels(levels, takenAt, req.size, req.price, req.side);
    const filledAll = dollars !== null ? spendsAll(takes, dollars) : takes.reduce((s, t) => s + t.size, 0) + EPS >= req.size;
    const ack: PlaceOrderAck = { accepted: true, client_order_id: req.client_order_id, venue_order_id: o.venue_order_id, duplicate: false };

    if (req.order_type === 'FOK' && !filledAll) {
      o.status = 'canceled';
      this.emitOrder(o, 'FOK order could not be fully filled');
      return ack;
    }
    o.status = 'open';
    for (const t of takes) {
      this.consumed.take(req.token_id, req.side, t.price, t.size, levelSize(levels, t.price));
      this.fill(o, t.price, t.size, 'taker');
    }
    if (o.filled + EPS >= req.size) {
      this.emitOrder(o, null);
      return ack;
    }
    if (marketable) {
      o.status = o.filled > EPS ? 'partially_filled' : 'open';
      this.emitOrder(o, null);
      o.status = 'canceled';
      this.emitOrder(o, 'FAK remainder canceled');
      return ack;
    }
    // Rests: behind everything already displayed at its price.
    o.queue_ahead = levelSize(ownSide(book, req.side), req.price);
    this.emitOrder(o, null);
    if (req.order_type === 'GTD' && req.expires_at_ms !== null) {
      o.expiry = this.deps.clock.setTimeout(() => this.expire(o), Math.max(0, req.expires_at_ms - this.deps.clock.now()));
    }
    return ack;
  }

  private expire(o: PaperOrder): void {
    if (o.status !== 'open' && o.status !== 'partially_filled') return;
    o.status = 'expired';
    this.emitOrder(o, 'GTD expired');
  }

  private cancelNow(id: string, reason: string): CancelAck {
    const o = this.orders.get(id);
    if (!o) return { ok: false, client_order_id: id, reason: 'unknown order', benign: false };
    if (isTerminal(o.status)) return { ok: false, client_order_id: id, reason: 'already canceled or matched', benign: true };
    if (o.status === 'pending') return { ok: false, client_order_id: id, reason: 'order not yet live', benign: false };
    o.status = 'canceled';
    if (o.expiry !== null) this.deps.clock.clearTimeout(o.expiry);
    this.emitOrder(o, reason);
    return { ok: true, client_order_id: id };
  }

  private fill(o: PaperOrder, price: number, size: number, liquidity: Liquidity): void {
    const m = this.markets.get(o.req.token_id)!;
    o.filled = snapShares(o.filled + size);
    // A marketable BUY's dollars may buy more than its size at cheaper asks: that is its fill.
    if (o.filled + EPS >= o.req.size) {
      o.filled = Math.max(o.filled, o.req.size);
      o.status = 'filled';
    } else o.status = 'partially_filled';
    const fillId = `${o.req.client_order_id}-f${o.fillCount++}`;
    const fee = fillFee(size, price, liquidity, m.fee);
    const delta = this.applyPosition(o.req.token_id, o.req.side, price, size);
    const base = { client_order_id: o.req.client_order_id, fill_id: fillId, side: o.req.side, price, size, fee_usdc: fee, liquidity, strategy: o.req.strategy };
    this.unconfirmed.set(fillId, { delta, failed: { kind: 'fill', market_id: m.market_id, token_id: o.req.token_id, fill: { ...base, status: 'FAILED' } } });
    this.emit({ kind: 'fill', market_id: m.market_id, token_id: o.req.token_id, fill: { ...base, status: 'MATCHED' } });
    this.deps.clock.setTimeout(() => {
      const u = this.unconfirmed.get(fillId);
      if (!u) return;
      this.unconfirmed.delete(fillId);
      const failed = this.rng() < this.deps.cfg.fail_probability;
      if (!failed) {
        this.answer({ kind: 'fill', market_id: m.market_id, token_id: o.req.token_id, fill: { ...base, status: 'CONFIRMED' } });
        return;
      }
      this.revertPosition(u.delta);
      this.answer(u.failed);
      this.failUndeliverableSells(o.req.token_id);
    }, this.deps.cfg.confirm_delay_ms);
  }

  /**
   * A failed buy whose shares were already sold: those sells (unconfirmed, latest first) cannot
   * settle either, so they fail with it and no position goes short (the ledger does the same).
   */
  private failUndeliverableSells(token: string): void {
    const ids = [...this.unconfirmed.keys()].filter((id) => this.unconfirmed.get(id)!.delta.token === token && this.unconfirmed.get(id)!.delta.shares < 0).reverse();
    for (const id of ids) {
      if ((this.positions.get(token)?.shares ?? 0) >= -EPS) break;
      const u = this.unconfirmed.get(id)!;
      this.unconfirmed.delete(id);
      this.revertPosition(u.delta);
      this.answer(u.failed);
    }
  }

  async fillAnswers(fillIds: readonly string[]): Promise<FillAnswer[]> {
    return fillIds.flatMap((id) => this.answers.get(id) ?? []);
  }

  private answer(a: FillAnswer): void {
    this.answers.set(a.fill.fill_id, a);
    this.emit(a);
  }

  private applyPosition(token: string, side: OrderSide, price: number, size: number): PositionDelta {
    const p = this.positions.get(token) ?? { shares: 0, cost: 0 };
    const avg = p.shares > EPS ? p.cost / p.shares : 0;
    const delta: PositionDelta = side === 'BUY' ? { token, shares: size, cost: size * price } : { token, shares: -size, cost: -size * avg };
    this.positions.set(token, { shares: snapShares(p.shares + delta.shares), cost: p.cost + delta.cost });
    return delta;
  }

  private revertPosition(d: PositionDelta): void {
    const p = this.positions.get(d.token) ?? { shares: 0, cost: 0 };
    this.positions.set(d.token, { shares: p.shares - d.shares, cost: p.cost - d.cost });
  }

  private emitOrder(o: PaperOrder, reason: string | null): void {
    const m = this.markets.get(o.req.token_id);
    this.emit({
      kind: 'order',
      market_id: m?.market_id ?? o.req.market_id,
      token_id: o.req.token_id,
      update: {
        client_order_id: o.req.client_order_id,
        venue_order_id: o.status === 'pending' ? null : o.venue_order_id,
        status: o.status,
        side: o.req.side,
        order_type: o.req.order_type,
        price: o.req.price,
        size: o.req.size,
        filled_size: o.filled,
        strategy: o.req.strategy,
        reason,
      },
    });
  }

  private emit(e: ExecutionEvent): void {
    for (const l of this.listeners) l(e);
  }
}

function opposite(book: PaperBook, side: OrderSide): readonly PriceLevel[] {
  return takerLevels(book, side);
}

function ownSide(book: PaperBook, side: OrderSide): readonly PriceLevel[] {
  const top = book.topN(book.levelCount(side));
  return side === 'BUY' ? top.bids : top.asks;
}
