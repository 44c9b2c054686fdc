import { DailyLoss, type DailyBaseline } from './daily-loss.ts';
import type { RiskConfig } from '../../config/sections/trading.ts';
import type { OrderSide } from './book-view.ts';
import type { GlobalRiskState } from './signals.ts';

/**
 * Pre-trade risk and kill switches, on the submit path for every order (cancels never pass here).
 * Global trading state ACTIVE / REDUCING / HALTED, per-market circuit breakers, an order-rate
 * limit, open-order caps (market, total), notional caps (order, market, total), a daily-loss kill,
 * drawdown-based size scaling and a cool-down after any kill. Pure: time comes in as arguments; changes are queued for `drain()`.
 */
export interface OrderCheck {
  client_order_id: string;
  market_id: string;
  side: OrderSide;
  price: number;
  size: number;
  /**
   * Lowers the worst case (a sell of shares held, or a buy completing a hedged pair): allowed while
   * REDUCING and exempt from notional caps.
   */
  reduces: boolean;
  /**
   * Buys a missing leg of a partial neg-risk set (only while the whole set stays profitable, within
   * its time bound): it adds cost (the notional caps apply) but lowers the event's worst case, so
   * the open-order caps never refuse it and REDUCING lets it through (a half-built set is riskier).
   */
  completes_set?: boolean;
  /** Worst taker fee of the order: notional caps count what the order can cost, fee included. */
  fee_usdc?: number;
}

/** A daily-loss kill ends by itself at the UTC day's rollover; an operator's (any other halt) only by a resume. */
export type KillKind = 'manual' | 'daily_loss';

export type RiskVerdict = { ok: true } | { ok: false; reason: string };

export type RiskChange =
  | { scope: 'global'; state: GlobalRiskState; reason: string | null; size_scale: number }
  | { scope: 'market'; market_id: string; tripped: boolean; reason: string | null };

interface MarketBreaker {
  rejects: number;
  cancelFailures: number;
  trippedUntil: number | null;
  reason: string | null;
}

interface Reservation {
  market_id: string;
  price: number;
  remaining: number;
}


export class RiskEngine {
  private global: GlobalRiskState = 'ACTIVE';
  private reason: string | null = null;
  private killedAt: number | null = null;
  private killKind: KillKind | null = null;
  /**
   * The UTC day the daily loss last reached its limit: no resume lifts a halt that day, whatever
   * halt is in force — an operator's over a daily-loss kill (as a restart restores it) included.
   */
  private dailyLimitDay: number | null = null;
  private scale = 1;
  private readonly breakers = new Map<string, MarketBreaker>();
  private readonly reservations = new Map<string, Reservation>();
  private readonly positionCost = new Map<string, number>();
  private submits: number[] = [];
  private readonly dailyLoss = new DailyLoss();
  private peakPnl = 0;
  private lastPnl = 0;
  private lastDailyLoss = 0;
  private publishedScale = 1;
  private readonly outbox: RiskChange[] = [];

  constructor(private readonly cfg: RiskConfig) {}

  get state(): GlobalRiskState {
    return this.global;
  }

  get sizeScale(): number {
    return this.scale;
  }

  get haltReason(): string | null {
    return this.reason;
  }

  /** The kind of the kill in force (null: none), which the kill switch keeps across restarts. */
  get haltKind(): KillKind | null {
    return this.killKind;
  }

  /** The UTC day the daily loss last reached its limit (null: never), kept with the kill switch too. */
  get dailyLimitReachedDay(): number | null {
    return this.dailyLimitDay;
  }

  /** The net PnL lost since the UTC day began, as the daily-loss kill last compared it (≥ 0). */
  get dailyLossUsdc(): number {
    return Math.max(0, this.lastDailyLoss);
  }

  drain(): RiskChange[] {
    return this.outbox.splice(0, this.outbox.length);
  }

  // ---- pre-trade -----------------------------------------------------------------------------

  checkOrder(o: OrderCheck, nowMs: number): RiskVerdict {
    if (this.global === 'HALTED') return { ok: false, reason: `trading halted: ${this.reason ?? 'kill switch'}` };
    if (this.global === 'REDUCING' && !o.reduces && !o.completes_set) return { ok: false, reason: 'reducing only' };
    if (this.isTripped(o.market_id, nowMs)) return { ok: false, reason: `circuit breaker open: ${this.breakers.get(o.market_id)?.reason ?? ''}` };
    if (this.reservations.has(o.client_order_id)) return { ok: false, reason: 'duplicate client order id' };
    this.submits = this.submits.filter((t) => nowMs - t < this.cfg.rate_limit.window_ms);
    if (this.submits.length >= this.cfg.rate_limit.max_orders) return { ok: false, reason: 'order rate limit' };
    if (!o.reduces) {
      const crowded = o.completes_set ? null : this.openOrderCapRefusal(o.market_id);
      if (crowded) return { ok: false, reason: crowded };
      const notional = o.price * o.size + (o.fee_usdc ?? 0);
      if (notional > this.cfg.max_order_usdc + 1e-9) return { ok: false, reason: `order notional ${notional.toFixed(2)} > ${this.cfg.max_order_usdc}` };
      if (this.marketExposure(o.market_id) + notional > this.cfg.max_market_usdc + 1e-9) return { ok: false, reason: 'market notional cap' };
      if (this.totalExposure() + notional > this.cfg.max_total_usdc + 1e-9) return { ok: false, reason: 'total notional cap' };
      this.reserve(o, notional, o.size);
    }
    this.submits.push(nowMs);
    return { ok: true };
  }

  /**
   * Orders of one decision (the two legs of a pair), all or none: if any is refused, the ones
   * already accepted are taken back, so that no leg goes out alone.
   */
  checkOrders(orders: readonly OrderCheck[], nowMs: number): RiskVerdict {
    const accepted: OrderCheck[] = [];
    for (const o of orders) {
      const v = this.checkOrder(o, nowMs);
      if (!v.ok) {
        for (const a of accepted) {
          this.reservations.delete(a.client_order_id);
          this.submits.pop();
        }
        return { ok: false, reason: orders.length > 1 ? `${o.client_order_id}: ${v.reason}` : v.reason };
      }
      accepted.push(o);
    }
    return { ok: true };
  }

  /**
   * An order found working at the venue that never passed `checkOrder` (a rebuild adopted it): what
   * it can still buy counts against the caps from now on, whatever they leave, until it ends.
   */
  adopt(o: OrderCheck, filledSize: number): void {
    if (o.reduces || this.reservations.has(o.client_order_id)) return;
    this.reserve(o, o.price * o.size + (o.fee_usdc ?? 0), Math.max(0, o.size - filledSize));
  }

  /**
   * The open-order caps count risk's reservations: orders that add risk, passed (or adopted) and
   * not yet terminal. Reducing orders hold none, so they neither count nor are refused here.
   */
  private openOrderCapRefusal(marketId: string): string | null {
    const { max_open_orders_per_market: perMarket, max_open_orders: total } = this.cfg;
    let inMarket = 0;
    for (const r of this.reservations.values()) if (r.market_id === marketId) inMarket += 1;
    if (inMarket >= perMarket) return `open orders in market ${inMarket} ≥ risk.max_open_orders_per_market ${perMarket}`;
    if (this.reservations.size >= total) return `open orders ${this.reservations.size} ≥ risk.max_open_orders ${total}`;
    return null;
  }

  private reserve(o: OrderCheck, notional: number, remaining: number): void {
    this.reservations.set(o.client_order_id, { market_id: o.market_id, price: o.size > 0 ? notional / o.size : o.price, remaining });
  }

  /** Filled shares move from the reservation into the position (see setPositionCost). */
  onOrderProgress(clientOrderId: string, filledSize: number, size: number, terminal: boolean): void {
    const r = this.reservations.get(clientOrderId);
    if (!r) return;
    if (terminal) this.reservations.delete(clientOrderId);
    else r.remaining = Math.max(0, size - filledSize);
  }

  /** The cost basis of what a market holds, from its ledger. */
  setPositionCost(marketId: string, costUsdc: number): void {
    this.positionCost.set(marketId, Math.max(0, costUsdc));
  }

  marketExposure(marketId: string): number {
    let e = this.positionCost.get(marketId) ?? 0;
    for (const r of this.reservations.values()) if (r.market_id === marketId) e += r.price * r.remaining;
    return e;
  }

  totalExposure(): number {
    let e = 0;
    for (const v of this.positionCost.values()) e += v;
    for (const r of this.reservations.values()) e += r.price * r.remaining;
    return e;
  }

  /**
   * A market that left for good: its breaker goes, and its position cost once nothing is held
   * (what a departed market still holds keeps counting against the caps).
   */
  forgetMarket(marketId: string): void {
    this.breakers.delete(marketId);
    if ((this.positionCost.get(marketId) ?? 0) <= 1e-9) this.positionCost.delete(marketId);
  }

  // ---- circuit breakers ----------------------------------------------------------------------

  isTripped(marketId: string, nowMs: number): boolean {
    const b = this.breakers.get(marketId);
    return !!b && b.trippedUntil !== null && nowMs < b.trippedUntil;
  }

  onReject(marketId: string, nowMs: number): void {
    const b = this.breaker(marketId);
    b.rejects += 1;
    if (b.rejects >= this.cfg.breakers.max_consecutive_rejects) this.trip(marketId, `${b.rejects} consecutive rejects`, nowMs);
  }

  onAccepted(marketId: string): void {
    this.breaker(marketId).rejects = 0;
  }

  onCancelResult(marketId: string, ok: boolean, nowMs: number): void {
    const b = this.breaker(marketId);
    b.cancelFailures = ok ? 0 : b.cancelFailures + 1;
    if (b.cancelFailures >= this.cfg.breakers.max_cancel_failures) this.trip(marketId, `${b.cancelFailures} cancel failures`, nowMs);
  }

  onOrderLatency(marketId: string, latencyMs: number, nowMs: number): void {
    if (latencyMs > this.cfg.breakers.max_order_latency_ms) this.trip(marketId, `order latency ${Math.round(latencyMs)} ms`, nowMs);
  }

  private breaker(marketId: string): MarketBreaker {
    let b = this.breakers.get(marketId);
    if (!b) {
      b = { rejects: 0, cancelFailures: 0, trippedUntil: null, reason: null };
      this.breakers.set(marketId, b);
    }
    return b;
  }

  private trip(marketId: string, reason: string, nowMs: number): void {
    const b = this.breaker(marketId);
    const wasOpen = b.trippedUntil !== null;
    b.trippedUntil = nowMs + this.cfg.cool_down_ms;
    b.reason = reason;
    b.rejects = 0;
    b.cancelFailures = 0;
    if (!wasOpen) this.outbox.push({ scope: 'market', market_id: marketId, tripped: true, reason });
  }

  // ---- kill switch, daily loss, drawdown -----------------------------------------------------

  /**
   * `dailyLimitDay`: a kill a previous process left on (the kill switch restores it) remembers the
   * day its daily loss reached the limit, even if the loss carried in has since recovered below it.
   */
  kill(reason: string, nowMs: number, kind: KillKind = 'manual', dailyLimitDay?: number): void {
    if (dailyLimitDay !== undefined) this.dailyLimitDay = Math.max(this.dailyLimitDay ?? dailyLimitDay, dailyLimitDay);
    this.killedAt = nowMs;
    this.killKind = kind;
    this.setGlobal('HALTED', reason);
  }

  /** Manual resume; refused during the cool-down, and on a UTC day the daily loss reached its limit. */
  resume(nowMs: number): RiskVerdict {
    if (this.global !== 'HALTED') return { ok: true };
    if (this.killedAt !== null && nowMs - this.killedAt < this.cfg.cool_down_ms) {
      return { ok: false, reason: `cool-down in progress (${Math.ceil((this.killedAt + this.cfg.cool_down_ms - nowMs) / 1000)} s left)` };
    }
    if (this.dailyLimitDay === DailyLoss.dayOf(nowMs)) return { ok: false, reason: 'daily loss limit still breached today' };
    this.killedAt = null;
    this.killKind = null;
    this.setGlobal(this.drawdownState(), null);
    return { ok: true };
  }

  /** Where today's loss counts from (null before any net PnL): kept across restarts. */
  get dailyBaseline(): DailyBaseline | null {
    return this.dailyLoss.baseline;
  }

  /** A restarted process keeps counting the day's loss from where the previous one's day began. */
  restoreDailyBaseline(b: DailyBaseline): void {
    this.dailyLoss.restore(b);
  }

  /**
   * The highest net PnL fed (onPnl) since the carried state began, 0 then (nothing traded yet):
   * drawdown is measured from it, so it is kept across restarts on the same basis as the net.
   */
  get peakNetPnl(): number {
    return this.peakPnl;
  }

  /** A restarted process measures drawdown from the peak the previous one reached. */
  restorePeak(peakNetPnl: number): void {
    this.peakPnl = Math.max(this.peakPnl, peakNetPnl);
  }

  /** Net PnL across all markets (realized − fees + unrealized), fed after fills and marks. */
  onPnl(netPnl: number, nowMs: number): void {
    const loss = this.dailyLoss.update(netPnl, nowMs);
    this.lastDailyLoss = loss;
    this.lastPnl = netPnl;
    this.peakPnl = Math.max(this.peakPnl, netPnl);
    const dd = this.peakPnl - netPnl;
    const d = this.cfg.drawdown;
    const span = Math.max(1e-9, d.reducing_usdc - d.start_usdc);
    this.scale = dd <= d.start_usdc ? 1 : Math.max(d.min_scale, 1 - ((dd - d.start_usdc) / span) * (1 - d.min_scale));
    if (loss >= this.cfg.daily_loss_limit_usdc) this.dailyLimitDay = this.dailyLoss.day;
    if (loss >= this.cfg.daily_loss_limit_usdc && this.global !== 'HALTED') {
      this.kill(`daily loss ${loss.toFixed(2)} ≥ ${this.cfg.daily_loss_limit_usdc}`, nowMs, 'daily_loss');
      return;
    }
    if (this.global !== 'HALTED') {
      const next = this.drawdownState();
      this.setGlobal(next, next === 'REDUCING' ? `drawdown ≥ ${d.reducing_usdc} USDC` : null);
    }
  }

  private drawdownState(): GlobalRiskState {
    const dd = this.peakPnl - this.lastPnl;
    return this.cfg.drawdown.reducing_usdc > 0 && dd >= this.cfg.drawdown.reducing_usdc ? 'REDUCING' : 'ACTIVE';
  }

  /**
   * When `poll` next changes anything, time alone passing: the first breaker cool-down to end, or
   * when a daily-loss kill can be lifted (its day over and its cool-down too). Null: nothing
   * changes with time alone.
   */
  nextTimedChange(): number | null {
    let at: number | null = null;
    for (const b of this.breakers.values()) if (b.trippedUntil !== null && (at === null || b.trippedUntil < at)) at = b.trippedUntil;
    if (this.dailyKillInForce()) {
      const lift = Math.max(DailyLoss.startOf(this.dailyLimitDay! + 1), (this.killedAt ?? 0) + this.cfg.cool_down_ms);
      if (at === null || lift < at) at = lift;
    }
    return at;
  }

  private dailyKillInForce(): boolean {
    return this.global === 'HALTED' && this.killKind === 'daily_loss' && this.dailyLimitDay !== null;
  }

  /** Time-driven changes: breakers whose cool-down ended, a daily-loss kill at day rollover. */
  poll(nowMs: number): void {
    for (const id of [...this.breakers.keys()].sort()) {
      const b = this.breakers.get(id)!;
      if (b.trippedUntil !== null && nowMs >= b.trippedUntil) {
        b.trippedUntil = null;
        b.reason = null;
        this.outbox.push({ scope: 'market', market_id: id, tripped: false, reason: null });
      }
    }
    // Keyed on the day the limit was reached, not the day of the latest net PnL: a mark of the new
    // day arriving before this poll moves the latter, and the kill would never lift.
    if (this.dailyKillInForce() && DailyLoss.dayOf(nowMs) > this.dailyLimitDay!) this.resume(nowMs);
  }

  private setGlobal(state: GlobalRiskState, reason: string | null): void {
    if (state === this.global && reason === this.reason && Math.abs(this.scale - this.publishedScale) < 0.01) return;
    this.global = state;
    this.reason = reason;
    this.publishedScale = this.scale;
    this.outbox.push({ scope: 'global', state, reason, size_scale: this.scale });
  }
}
