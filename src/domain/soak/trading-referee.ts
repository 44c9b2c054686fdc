import type { HeliosEvent } from '../events/catalog.ts';
import { pairImbalance, type LegHolding } from '../trading/pair-arb.ts';

/**
 * The trading half of the soak referee (issue #20), from the journal alone: pair-arbitrage legs
 * left naked longer than the bound, and paper fills beyond what the book offered. A naked leg is
 * judged as the market actor judges it (pairImbalance over pair_arb fills: MATCHED counts, FAILED
 * takes back), timed from the fill that opened it to the one that closed it, with time in HALT not
 * counted (a halted market may not trade). A paper overfill is an order filled beyond its size, or
 * taker fills at the best level beyond the size it showed: the venue never sees paper orders, so a
 * level only frees what we took when it shrinks (the paper venue's rule), and a level that grows
 * offers the growth. Deeper levels are not in the journal's BEST_PRICE and are not judged.
 */
export interface TradingRefereeVerdict {
  naked_legs: number;
  /** Longest naked leg seen, in ms (HALT time excluded). */
  max_naked_leg_ms: number;
  paper_overfills: number;
}

export interface TradingRefereeMarket {
  market_id: string;
  yes_token: string;
  no_token: string;
}

interface PairState {
  yes: LegHolding;
  no: LegHolding;
  nakedSince: number | null;
  halted: boolean;
}

interface TopLevel {
  price: number | null;
  shown: number;
  taken: number;
  /** Taker fills since the last BEST_PRICE: judged on the next, which may show growth they used. */
  pending: number;
}

const EPS = 1e-6;

export class TradingReferee {
  private readonly markets = new Map<string, TradingRefereeMarket>();
  private pairs = new Map<string, PairState>();
  private matched = new Map<string, { token: string; side: 'BUY' | 'SELL'; price: number; size: number; fee: number }>();
  private orders = new Map<string, { size: number; filled: number; flagged: boolean }>();
  private tops = new Map<string, { BUY: TopLevel; SELL: TopLevel }>();
  private lastTs = 0;
  readonly verdict: TradingRefereeVerdict = { naked_legs: 0, max_naked_leg_ms: 0, paper_overfills: 0 };

  /** `nakedLegMaxMs`: the longest a leg may stay naked, the trading bound plus an order's round trip. */
  constructor(
    markets: readonly TradingRefereeMarket[],
    private readonly nakedLegMaxMs: number,
  ) {
    for (const m of markets) this.markets.set(m.market_id, m);
  }

  /** Events of one process in journal order; `newInstance` when the process changed (state restarts). */
  observe(e: HeliosEvent, newInstance: boolean): void {
    if (newInstance) this.closeInstance();
    this.lastTs = Math.max(this.lastTs, e.ts_ingest);
    switch (e.type) {
      case 'BEST_PRICE':
        if (e.token_id) {
          this.onTop(e.token_id, 'BUY', e.payload.best_ask, e.payload.best_ask_size ?? 0);
          this.onTop(e.token_id, 'SELL', e.payload.best_bid, e.payload.best_bid_size ?? 0);
        }
        return;
      case 'MARKET_STATE':
        if (e.market_id) this.onState(e.market_id, e.payload.state, e.ts_ingest);
        return;
      case 'ORDER_UPDATE':
        if (!this.orders.has(e.payload.client_order_id)) this.orders.set(e.payload.client_order_id, { size: e.payload.size, filled: 0, flagged: false });
        return;
      case 'FILL':
        this.onFill(e);
        return;
      default:
    }
  }

  finish(): TradingRefereeVerdict {
    this.closeInstance();
    return this.verdict;
  }

  private closeInstance(): void {
    for (const [token, sides] of this.tops) for (const side of ['BUY', 'SELL'] as const) this.judgeTop(token, sides[side]);
    for (const p of this.pairs.values()) this.endNaked(p, this.lastTs);
    this.pairs = new Map();
    this.matched = new Map();
    this.orders = new Map();
    this.tops = new Map();
  }

  private pair(marketId: string): PairState {
    let p = this.pairs.get(marketId);
    if (!p) {
      p = { yes: { shares: 0, cost: 0, fees: 0 }, no: { shares: 0, cost: 0, fees: 0 }, nakedSince: null, halted: false };
      this.pairs.set(marketId, p);
    }
    return p;
  }

  private onState(marketId: string, state: string, ts: number): void {
    const p = this.pair(marketId);
    const halted = state === 'HALT';
    if (halted && !p.halted) this.endNaked(p, ts);
    p.halted = halted;
    this.track(p, ts);
  }

  private onFill(e: Extract<HeliosEvent, { type: 'FILL' }>): void {
    const f = e.payload;
    const token = e.token_id ?? '';
    if (f.status === 'MATCHED') {
      const o = this.orders.get(f.client_order_id);
      if (o) {
        o.filled += f.size;
        if (!o.flagged && o.filled > o.size + EPS) {
          o.flagged = true;
          this.verdict.paper_overfills++;
        }
      }
      const top = this.topFor(token)[f.side];
      if (f.liquidity === 'taker' && top.price !== null && Math.abs(f.price - top.price) < 1e-9) top.pending += f.size;
    }
    if (f.strategy !== 'pair_arb' || !e.market_id) return;
    const m = this.markets.get(e.market_id);
    if (!m || (token !== m.yes_token && token !== m.no_token)) return;
    let sign = 0;
    if (f.status === 'MATCHED') {
      this.matched.set(f.fill_id, { token, side: f.side, price: f.price, size: f.size, fee: f.fee_usdc });
      sign = 1;
    } else if (f.status === 'FAILED' && this.matched.delete(f.fill_id)) sign = -1;
    else this.matched.delete(f.fill_id);
    if (!sign) return;
    const p = this.pair(e.market_id);
    const leg = token === m.yes_token ? 'yes' : 'no';
    const dir = f.side === 'BUY' ? 1 : -1;
    const h = p[leg];
    p[leg] = { shares: h.shares + sign * dir * f.size, cost: h.cost + sign * dir * f.size * f.price, fees: h.fees + sign * f.fee_usdc };
    this.track(p, e.ts_ingest);
  }

  /** Starts or ends the naked episode after a change (paused while halted). */
  private track(p: PairState, ts: number): void {
    const naked = pairImbalance(p.yes, p.no) !== null;
    if (naked && !p.halted) {
      if (p.nakedSince === null) p.nakedSince = ts;
    } else this.endNaked(p, ts);
  }

  private endNaked(p: PairState, ts: number): void {
    if (p.nakedSince === null) return;
    const ms = ts - p.nakedSince;
    p.nakedSince = null;
    this.verdict.max_naked_leg_ms = Math.max(this.verdict.max_naked_leg_ms, ms);
    if (ms > this.nakedLegMaxMs) this.verdict.naked_legs++;
  }

  private topFor(token: string): { BUY: TopLevel; SELL: TopLevel } {
    let t = this.tops.get(token);
    if (!t) {
      t = { BUY: { price: null, shown: 0, taken: 0, pending: 0 }, SELL: { price: null, shown: 0, taken: 0, pending: 0 } };
      this.tops.set(token, t);
    }
    return t;
  }

  /** A new best level for orders of `side` (a BUY takes the ask). */
  private onTop(token: string, side: 'BUY' | 'SELL', price: number | null, size: number): void {
    const top = this.topFor(token)[side];
    if (price === null || top.price === null || Math.abs(price - top.price) > 1e-9) {
      this.judgeTop(token, top);
      top.price = price;
      top.shown = price === null ? 0 : size;
      top.taken = 0;
      return;
    }
    if (size > top.shown) top.shown = size;
    this.judgeTop(token, top);
    if (size < top.shown) {
      top.taken = Math.max(0, top.taken - (top.shown - size));
      top.shown = size;
    }
  }

  private judgeTop(_token: string, top: TopLevel): void {
    if (top.pending <= 0) return;
    top.taken += top.pending;
    top.pending = 0;
    if (top.price !== null && top.taken > top.shown + EPS) {
      this.verdict.paper_overfills++;
      top.taken = top.shown;
    }
  }
}
