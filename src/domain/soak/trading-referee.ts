import type { HeliosEvent } from '../events/catalog.ts';
import { pairImbalance, type LegHolding } from '../trading/pair-arb.ts';

/**
 * The trading half of the soak referee (issue #20), from the journal alone: pair-arbitrage legs
 * left naked longer than the bound, and orders filled beyond their size. A naked leg is judged as
 * the market actor judges it (pairImbalance over pair_arb fills: MATCHED counts, FAILED takes
 * back), timed from the fill that opened it to the one that closed it, with time in HALT not
 * counted (a halted market may not trade). Fills beyond what the book offered are judged against
 * the trading node's own books from its dispatch log (paper-fills.ts), not from the journal's
 * throttled best prices, which can miss a level that grew and shrank between two of them.
 */
export interface TradingRefereeVerdict {
  naked_legs: number;
  /** Longest naked leg seen, in ms (HALT time excluded). */
  max_naked_leg_ms: number;
  /** Orders whose MATCHED fills add up to more than their size. */
  order_overfills: number;
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

const EPS = 1e-6;

export class TradingReferee {
  private readonly markets = new Map<string, TradingRefereeMarket>();
  private pairs = new Map<string, PairState>();
  private matched = new Map<string, { token: string; side: 'BUY' | 'SELL'; price: number; size: number; fee: number }>();
  private orders = new Map<string, { size: number; filled: number; flagged: boolean }>();
  private lastTs = 0;
  readonly verdict: TradingRefereeVerdict = { naked_legs: 0, max_naked_leg_ms: 0, order_overfills: 0 };

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
    for (const p of this.pairs.values()) this.endNaked(p, this.lastTs);
    this.pairs = new Map();
    this.matched = new Map();
    this.orders = new Map();
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
          this.verdict.order_overfills++;
        }
      }
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
}
