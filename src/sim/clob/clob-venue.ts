import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import { marketBuyDollars, spendsAll, walkAskDollars } from '../../domain/trading/market-buy.ts';
import { PRICE_UNITS_PER_ONE, type TrueBook } from '../venue/true-book.ts';
import type { CheckedOrder, ClobMarketInfo, OrderType } from './clob-order-check.ts';

/**
 * The stand-in venue's state: orders, trades, balances and positions per address, matching
 * against the venue simulator's true book (the crowd), the trade lifecycle MATCHED → MINED →
 * CONFIRMED (or RETRYING/FAILED on command), heartbeats that cancel everything when they stop,
 * a balance cache that can go stale, and the matching delay of sports markets (an order that would
 * match waits DELAYED, then meets the book as it is by then). The HTTP/WebSocket face is clob-server.ts.
 */

export type TradeStatus = 'MATCHED' | 'MINED' | 'CONFIRMED' | 'RETRYING' | 'FAILED';

export interface VenueOrder {
  id: string;
  owner: string;
  address: string;
  tokenId: string;
  market: string;
  side: 'BUY' | 'SELL';
  price: number;
  original_size: number;
  size_matched: number;
  order_type: OrderType;
  /** DELAYED: accepted on a market with a matching delay, not yet matched (open: it can be canceled). */
  status: 'LIVE' | 'DELAYED' | 'MATCHED' | 'CANCELED' | 'UNMATCHED';
  created_at: number;
  /** When the venue accepted it (ms on the venue's clock): the soak's referee places it in a daemon's life. */
  accepted_ms: number;
  expiration: number;
  associate_trades: string[];
  /** A market BUY's signed dollars (FOK/FAK): it is done when they are spent, whatever shares they bought. */
  budget_usdc?: number;
  spent_usdc?: number;
}

export interface VenueTrade {
  id: string;
  order_id: string;
  owner: string;
  address: string;
  market: string;
  asset_id: string;
  side: 'BUY' | 'SELL';
  size: number;
  price: number;
  status: TradeStatus;
  match_time: number;
  last_update: number;
  trader_side: 'TAKER' | 'MAKER';
  /**
   * A taker trade's makers, one per order it matched (the crowd's, one per level here): each at its
   * own price. The venue sends one trade per taker match, its `price` the taker's limit, its `size`
   * all the shares (docs.polymarket.com Get Trades: "limit price of taker order"); what the taker
   * paid is in these. A maker trade holds none (its own order is the one maker the owner sees).
   */
  makers?: Array<{ order_id: string; price: number; size: number }>;
  transaction_hash: string;
  /** When it reached each status (ms on the venue's clock). */
  status_ms: Partial<Record<TradeStatus, number>>;
}

export type UserEvent = { event_type: 'order'; type: 'PLACEMENT' | 'UPDATE' | 'CANCELLATION'; order: VenueOrder } | { event_type: 'trade'; trade: VenueTrade };

export interface ClobVenueOptions {
  clock: Clock;
  markets: ReadonlyMap<string, ClobMarketInfo>;
  /** The crowd's book for a token (the venue simulator's true book). */
  bookFor: (tokenId: string) => TrueBook | undefined;
  /** Heartbeats started and none for this long: every open order of the key is canceled. */
  heartbeatTimeoutMs: number;
  /** MATCHED trades move to MINED then CONFIRMED after this long each; null = only on command. */
  autoSettleMs: number | null;
}

export type PlaceResult = { ok: true; order: VenueOrder; tradeIds: string[] } | { ok: false; error: string };

const EPS = 1e-9;

/** A take in price units as the market-buy rule counts it. */
function byPrice(t: { units: number; size: number }): { price: number; size: number } {
  return { price: t.units / PRICE_UNITS_PER_ONE, size: t.size };
}

/** What a trade's shares cost: at its makers' prices when it took several, else at its price. */
function notional(t: Pick<VenueTrade, 'size' | 'price' | 'makers'>): number {
  return t.makers ? t.makers.reduce((s, m) => s + m.size * m.price, 0) : t.size * t.price;
}

/** Still the venue's to match or cancel: resting, or waiting out its market's matching delay. */
function isOpen(o: VenueOrder): boolean {
  return o.status === 'LIVE' || o.status === 'DELAYED';
}

/** Matched in full: a market BUY once its dollars are spent, any other order once its shares are. */
function isDone(o: VenueOrder): boolean {
  return o.budget_usdc !== undefined ? (o.spent_usdc ?? 0) + 1e-6 >= o.budget_usdc : o.size_matched + EPS >= o.original_size;
}

export class ClobVenue {
  readonly orders = new Map<string, VenueOrder>();
  readonly trades = new Map<string, VenueTrade>();
  private readonly collateral = new Map<string, number>();
  private readonly positions = new Map<string, number>();
  /** Each sell trade's average entry price of the position when it matched: what its FAILED gives the shares back at. */
  private readonly sellBasis = new Map<string, number>();
  /**
   * The entry basis (USDC) of the shares each position still holds: buys add what they paid, sells
   * take their shares out at the average, so `/positions` reports the volume-weighted average buy
   * price of what is held, as the real Data API's `avgPrice` does (a sell does not move it).
   */
  private readonly entryCost = new Map<string, number>();
  private readonly staleBalance = new Set<string>();
  private readonly heartbeats = new Map<string, { id: string; timer: TimerHandle }>();
  /** DELAYED orders' matching timers, by order id. */
  private readonly delays = new Map<string, TimerHandle>();
  private readonly scripted: TradeStatus[][] = [];
  private readonly listeners = new Set<(address: string, e: UserEvent) => void>();
  private nextTrade = 0;
  private nextHeartbeat = 0;
  /** Heartbeat-triggered cancel-alls, for tests and the soak's figures. */
  deadManCancels = 0;
  /** Orders refused because the balance cache was stale (the soak counts the injection by it). */
  staleBalanceRefusals = 0;
  /** Submissions of an order the venue already holds (the same signed order sent twice). */
  duplicateSubmissions = 0;
  /** Orders accepted DELAYED by a market's matching delay (the soak's figures). */
  delayedAccepted = 0;

  constructor(private readonly opts: ClobVenueOptions) {}

  onUserEvent(listener: (address: string, e: UserEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  fund(address: string, usdc: number): void {
    this.collateral.set(address.toLowerCase(), usdc);
  }

  balance(address: string): number {
    return this.collateral.get(address.toLowerCase()) ?? 0;
  }

  position(address: string, tokenId: string): number {
    return this.positions.get(`${address.toLowerCase()}|${tokenId}`) ?? 0;
  }

  /** The volume-weighted average price paid for the shares held (0 when none are). */
  avgPrice(address: string, tokenId: string): number {
    const key = `${address.toLowerCase()}|${tokenId}`;
    const shares = this.positions.get(key) ?? 0;
    return shares > EPS ? (this.entryCost.get(key) ?? 0) / shares : 0;
  }

  positionsOf(address: string): Array<{ tokenId: string; shares: number; avgPrice: number }> {
    const prefix = `${address.toLowerCase()}|`;
    return [...this.positions.entries()]
      .filter(([k, v]) => k.startsWith(prefix) && Math.abs(v) > EPS)
      .map(([k, v]) => ({ tokenId: k.slice(prefix.length), shares: v, avgPrice: this.avgPrice(address, k.slice(prefix.length)) }))
      .sort((a, b) => a.tokenId.localeCompare(b.tokenId));
  }

  /** The balance cache lags (after matched buys): orders fail "not enough balance" until an update. */
  makeBalanceStale(address: string): void {
    this.staleBalance.add(address.toLowerCase());
  }

  refreshBalance(address: string): void {
    this.staleBalance.delete(address.toLowerCase());
  }

  /** The statuses the next trades walk through after MATCHED (one list per trade), instead of auto-settling. */
  scriptTrades(...paths: TradeStatus[][]): void {
    this.scripted.push(...paths);
  }

  /** Scripted paths not yet taken by a trade. */
  scriptedPending(): number {
    return this.scripted.length;
  }

  nowSeconds(): number {
    return Math.floor(this.opts.clock.now() / 1000);
  }

  market(tokenId: string): ClobMarketInfo | undefined {
    return this.opts.markets.get(tokenId);
  }

  /** An order the signature and terms checks passed: balance, post-only, matching, resting. */
  place(o: CheckedOrder, ctx: { owner: string; id: string; type: OrderType; postOnly: boolean }): PlaceResult {
    const m = this.opts.markets.get(o.tokenId);
    if (!m) return { ok: false, error: `market not found for token ${o.tokenId}` };
    const id = ctx.id;
    if (this.orders.has(id)) {
      this.duplicateSubmissions++;
      return { ok: false, error: 'order already exists (duplicate)' };
    }
    const addr = o.maker.toLowerCase();
    const needs = o.side === 'BUY' ? o.size * o.price : o.size;
    const has = o.side === 'BUY' ? this.balance(addr) - this.reservedCollateral(addr) : this.position(addr, o.tokenId) - this.reservedShares(addr, o.tokenId);
    if (this.staleBalance.has(addr)) {
      this.staleBalanceRefusals++;
      return { ok: false, error: 'not enough balance / allowance' };
    }
    if (needs > has + EPS) return { ok: false, error: 'not enough balance / allowance' };
    const book = this.opts.bookFor(o.tokenId);
    if (ctx.postOnly && book && this.crossesBook(book, o.side, o.price)) return { ok: false, error: 'invalid post-only order: order crosses book' };
    const order: VenueOrder = {
      id,
      owner: ctx.owner,
      address: addr,
      tokenId: o.tokenId,
      market: m.market,
      side: o.side,
      price: o.price,
      original_size: o.size,
      size_matched: 0,
      order_type: ctx.type,
      status: 'LIVE',
      created_at: this.nowSeconds(),
      accepted_ms: this.opts.clock.now(),
      expiration: o.expiration,
      associate_trades: [],
    };
    // A marketable BUY (FOK/FAK) spends its signed dollars (whole cents) at the makers' prices, as the exchange
    // fills a taker: asks below the limit buy more shares than signed; a FOK is killed when the asks
    // up to the limit cannot take all the dollars.
    const marketBuy = o.side === 'BUY' && (ctx.type === 'FOK' || ctx.type === 'FAK');
    if (marketBuy) order.budget_usdc = marketBuyDollars(o.size, o.price);
    const delayMs = (m.seconds_delay ?? 0) * 1000;
    if (delayMs > 0 && book && this.crossesBook(book, o.side, o.price)) {
      // The venue holds it open and unmatched for the delay; what the book holds then decides.
      order.status = 'DELAYED';
      this.delayedAccepted++;
      this.orders.set(id, order);
      this.emit(addr, { event_type: 'order', type: 'PLACEMENT', order: { ...order } });
      this.delays.set(id, this.opts.clock.setTimeout(() => this.matchDelayed(order), delayMs));
      return { ok: true, order, tradeIds: [] };
    }
    const takes = this.takesFor(order, book);
    const killed = this.killReason(order, takes);
    if (killed) return { ok: false, error: killed };
    this.orders.set(id, order);
    this.emit(addr, { event_type: 'order', type: 'PLACEMENT', order: { ...order } });
    return { ok: true, order, tradeIds: this.execute(order, book, takes) };
  }

  /** A DELAYED order's delay is over: it meets the book as it is now; a FOK or FAK that cannot is canceled, as the venue kills it. */
  private matchDelayed(order: VenueOrder): void {
    this.delays.delete(order.id);
    if (order.status !== 'DELAYED') return;
    order.status = 'LIVE';
    const book = this.opts.bookFor(order.tokenId);
    const takes = this.takesFor(order, book);
    if (this.killReason(order, takes)) return this.cancel(order, 'CANCELLATION');
    // A GTC/GTD that finds nothing to match rests LIVE from here on, and is told so.
    if (takes.length === 0) this.emit(order.address, { event_type: 'order', type: 'UPDATE', order: { ...order } });
    this.execute(order, book, takes);
  }

  /** What an order takes of the book: a market BUY its dollars' worth, any other its shares, up to its limit. */
  private takesFor(order: VenueOrder, book: TrueBook | undefined): Array<{ units: number; size: number }> {
    if (!book) return [];
    return order.budget_usdc !== undefined ? this.walkDollars(book, order.price, order.budget_usdc) : this.walk(book, order.side, order.price, order.original_size);
  }

  /** Why the venue kills a FOK that cannot fill in full, or a FAK that finds nothing; null: it goes on. */
  private killReason(order: VenueOrder, takes: ReadonlyArray<{ units: number; size: number }>): string | null {
    const filledAll = order.budget_usdc !== undefined ? spendsAll(takes.map(byPrice), order.budget_usdc) : takes.reduce((s, t) => s + t.size, 0) + 1e-6 >= order.original_size;
    if (order.order_type === 'FOK' && !filledAll) return "order couldn't be fully filled. FOK orders are fully filled or killed.";
    if (order.order_type === 'FAK' && takes.length === 0) return 'no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.';
    return null;
  }

  /** The takes matched out of the crowd's book (the trades' ids); a FAK's remainder is canceled, the rest rests. */
  private execute(order: VenueOrder, book: TrueBook | undefined, takes: ReadonlyArray<{ units: number; size: number }>): string[] {
    const opposite = order.side === 'BUY' ? 'SELL' : 'BUY';
    const tradeIds: string[] = [];
    const makers: NonNullable<VenueTrade['makers']> = [];
    for (const t of takes) {
      book?.set(opposite, t.units, Math.max(0, book.size(opposite, t.units) - Math.round(t.size * 100)));
      makers.push({ order_id: `crowd-${order.id.slice(-8)}-${makers.length + 1}`, price: t.units / PRICE_UNITS_PER_ONE, size: t.size });
    }
    // One match, one trade, however many makers (levels) it took.
    if (makers.length) tradeIds.push(this.match(order, order.price, Math.round(makers.reduce((s, m) => s + m.size, 0) * 1e6) / 1e6, 'TAKER', makers));
    if (isDone(order)) order.status = 'MATCHED';
    else if (order.order_type === 'FAK') this.cancel(order, 'CANCELLATION');
    return tradeIds;
  }

  /** A counterparty trades against a resting order (what the crowd does at the real venue). */
  fillResting(orderId: string, size: number): string | null {
    const o = this.orders.get(orderId);
    if (!o || o.status !== 'LIVE') return null;
    const take = Math.min(size, o.original_size - o.size_matched);
    if (take <= EPS) return null;
    const id = this.match(o, o.price, take, 'MAKER');
    if (o.size_matched + EPS >= o.original_size) o.status = 'MATCHED';
    return id;
  }

  cancelOrder(id: string, owner: string): string | null {
    const o = this.orders.get(id);
    if (!o || o.owner !== owner) return 'order not found';
    if (!isOpen(o)) return 'already canceled or matched';
    this.cancel(o, 'CANCELLATION');
    return null;
  }

  cancelWhere(owner: string, pred: (o: VenueOrder) => boolean): string[] {
    const out: string[] = [];
    for (const o of this.sortedOrders()) {
      if (o.owner === owner && isOpen(o) && pred(o)) {
        this.cancel(o, 'CANCELLATION');
        out.push(o.id);
      }
    }
    return out;
  }

  openOrders(owner: string): VenueOrder[] {
    return this.sortedOrders().filter((o) => o.owner === owner && isOpen(o));
  }

  tradesOf(owner: string): VenueTrade[] {
    return [...this.trades.values()].filter((t) => t.owner === owner).sort((a, b) => a.match_time - b.match_time || a.id.localeCompare(b.id));
  }

  /** Moves a trade along its lifecycle; FAILED undoes what its match changed. */
  settle(tradeId: string, status: TradeStatus): void {
    const t = this.trades.get(tradeId);
    if (!t || t.status === 'CONFIRMED' || t.status === 'FAILED') return;
    t.status = status;
    t.last_update = this.nowSeconds();
    t.status_ms[status] ??= this.opts.clock.now();
    if (status === 'MINED' || status === 'CONFIRMED') t.transaction_hash = `0x${createHash('sha256').update(t.id).digest('hex')}`;
    if (status === 'FAILED') this.applyTrade(t, -1);
    this.emit(t.address, { event_type: 'trade', trade: { ...t } });
  }

  /** POST /v1/heartbeats: chained ids; the first beat (empty id) starts the dead-man timer. */
  heartbeat(owner: string, id: string): { ok: true; id: string } | { ok: false; error: string } {
    const current = this.heartbeats.get(owner);
    if (current && id !== current.id && id !== '') return { ok: false, error: `Invalid Heartbeat ID ${id}` };
    if (current) this.opts.clock.clearTimeout(current.timer);
    const next = `hb-${++this.nextHeartbeat}`;
    const timer = this.opts.clock.setTimeout(() => {
      this.heartbeats.delete(owner);
      this.deadManCancels++;
      this.cancelWhere(owner, () => true);
    }, this.opts.heartbeatTimeoutMs);
    this.heartbeats.set(owner, { id: next, timer });
    return { ok: true, id: next };
  }

  /** Orders waiting out their market's matching delay. */
  delayedOrders(): number {
    return this.delays.size;
  }

  /** Stops the matching delays' timers (the venue shuts down: what waits is never matched). */
  stop(): void {
    for (const t of this.delays.values()) this.opts.clock.clearTimeout(t);
    this.delays.clear();
  }

  /** Heartbeat chains the venue is timing (a key that beat and has not lapsed). */
  liveHeartbeats(): number {
    return this.heartbeats.size;
  }

  /** GTD orders past their expiration (the venue's one-minute buffer already taken off). */
  expire(bufferSeconds: number): void {
    const now = this.nowSeconds();
    for (const o of this.sortedOrders()) if (isOpen(o) && o.expiration > 0 && o.expiration - bufferSeconds <= now) this.cancel(o, 'CANCELLATION');
  }

  private match(o: VenueOrder, price: number, size: number, side: 'TAKER' | 'MAKER', makers?: VenueTrade['makers']): string {
    const id = `trade-${++this.nextTrade}`;
    const t: VenueTrade = {
      id,
      order_id: o.id,
      owner: o.owner,
      address: o.address,
      market: o.market,
      asset_id: o.tokenId,
      side: o.side,
      size,
      price,
      status: 'MATCHED',
      match_time: this.nowSeconds(),
      last_update: this.nowSeconds(),
      trader_side: side,
      ...(makers ? { makers } : {}),
      transaction_hash: '',
      status_ms: { MATCHED: this.opts.clock.now() },
    };
    this.trades.set(id, t);
    o.size_matched = Math.round((o.size_matched + size) * 1e6) / 1e6;
    if (o.budget_usdc !== undefined) o.spent_usdc = Math.round(((o.spent_usdc ?? 0) + notional(t)) * 1e6) / 1e6;
    o.associate_trades.push(id);
    this.applyTrade(t, 1);
    this.emit(o.address, { event_type: 'order', type: 'UPDATE', order: { ...o, status: isDone(o) ? 'MATCHED' : 'LIVE' } });
    this.emit(o.address, { event_type: 'trade', trade: { ...t } });
    const path = this.scripted.shift();
    if (path) this.runPath(id, path);
    else if (this.opts.autoSettleMs !== null) this.runPath(id, ['MINED', 'CONFIRMED']);
    return id;
  }

  private runPath(id: string, path: TradeStatus[]): void {
    const delay = this.opts.autoSettleMs ?? 0;
    path.forEach((status, i) => this.opts.clock.setTimeout(() => this.settle(id, status), delay * (i + 1)));
  }

  private applyTrade(t: VenueTrade, sign: 1 | -1): void {
    const key = `${t.address}|${t.asset_id}`;
    const dir = t.side === 'BUY' ? 1 : -1;
    const held = this.positions.get(key) ?? 0;
    const cost = this.entryCost.get(key) ?? 0;
    // A buy (or a voided sell) adds shares: at what the buy paid its makers, at the average the sell
    // took them at for a sell given back (the position may be empty by then). A sell (or a voided
    // buy) removes them: at the average for a sell, at what it paid for a buy.
    const delta = sign * dir * t.size;
    const avg = held > EPS ? cost / held : 0;
    if (t.side === 'SELL' && sign === 1) this.sellBasis.set(t.id, avg);
    const paid = notional(t);
    const basis = t.side === 'BUY' ? sign * paid : delta * (sign === 1 ? avg : (this.sellBasis.get(t.id) ?? avg));
    const next = held + delta;
    this.positions.set(key, next);
    this.entryCost.set(key, next > EPS ? Math.max(0, cost + basis) : 0);
    this.collateral.set(t.address, this.balance(t.address) - sign * dir * paid);
  }

  private cancel(o: VenueOrder, type: 'CANCELLATION'): void {
    const delay = this.delays.get(o.id);
    if (delay !== undefined) this.opts.clock.clearTimeout(delay);
    this.delays.delete(o.id);
    o.status = 'CANCELED';
    this.emit(o.address, { event_type: 'order', type, order: { ...o } });
  }

  private reservedCollateral(addr: string): number {
    let s = 0;
    for (const o of this.orders.values()) if (o.address === addr && isOpen(o) && o.side === 'BUY') s += (o.original_size - o.size_matched) * o.price;
    return s;
  }

  private reservedShares(addr: string, token: string): number {
    let s = 0;
    for (const o of this.orders.values()) if (o.address === addr && isOpen(o) && o.side === 'SELL' && o.tokenId === token) s += o.original_size - o.size_matched;
    return s;
  }

  private crossesBook(book: TrueBook, side: 'BUY' | 'SELL', price: number): boolean {
    const units = Math.round(price * PRICE_UNITS_PER_ONE);
    const best = side === 'BUY' ? book.bestAsk() : book.bestBid();
    return best !== null && (side === 'BUY' ? best <= units : best >= units);
  }

  /** Levels of the opposite side an order at `price` takes, best first, up to `size` shares. */
  private walk(book: TrueBook, side: 'BUY' | 'SELL', price: number, size: number): Array<{ units: number; size: number }> {
    const limit = Math.round(price * PRICE_UNITS_PER_ONE);
    const levels = book.levels(side === 'BUY' ? 'SELL' : 'BUY').reverse();
    const out: Array<{ units: number; size: number }> = [];
    let left = Math.round(size * 100);
    for (const [units, hundredths] of levels) {
      if (left <= 0 || (side === 'BUY' ? units > limit : units < limit)) break;
      const take = Math.min(left, hundredths);
      out.push({ units, size: take / 100 });
      left -= take;
    }
    return out;
  }

  /** Ask levels a market BUY of `dollars` capped at `limit` takes, best first (the venue's rule, domain/trading/market-buy.ts). */
  private walkDollars(book: TrueBook, limit: number, dollars: number): Array<{ units: number; size: number }> {
    const asks = book.levels('SELL').reverse().map(([units, hundredths]) => [units / PRICE_UNITS_PER_ONE, hundredths / 100] as const);
    return walkAskDollars(asks, limit, dollars).map((t) => ({ units: Math.round(t.price * PRICE_UNITS_PER_ONE), size: t.size }));
  }

  private sortedOrders(): VenueOrder[] {
    // Insertion order: the order the venue accepted them in.
    return [...this.orders.values()];
  }

  private emit(address: string, e: UserEvent): void {
    for (const l of this.listeners) l(address, e);
  }
}
