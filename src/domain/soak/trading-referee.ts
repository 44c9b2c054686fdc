import type { HeliosEvent } from '../events/catalog.ts';
import type { FeeSchedule } from '../trading/fees.ts';
import { matchedPairImbalance, ordersHearing } from '../trading/matched-holdings.ts';
import { advanceOrder, isMarketable, isTerminal, newOrderRecord, unheardMatched, type OrderRecord } from '../trading/orders.ts';
import { applyFill, emptyLedger, type Ledger, type LedgerFill } from '../trading/pnl-ledger.ts';

/**
 * The trading half of the soak referee (issue #20), from the journal alone: pair-arbitrage legs
 * left naked longer than the bound, and orders filled beyond their size. A naked leg is judged as
 * the market actor judges it (matchedPairImbalance): the pair_arb fills heard (MATCHED counts,
 * FAILED takes back) plus what the orders' updates report matched beyond them, since the venue's
 * trade message may come 10–50 s after the update that says the order matched. It is timed from
 * the event that opened it to the one that closed it, with time in HALT not counted (a halted
 * market may not trade). Fills beyond what the book offered are judged against the trading
 * node's own books from its dispatch log (paper-fills.ts), not from the journal's throttled best
 * prices, which can miss a level that grew and shrank between two of them.
 */
export interface TradingRefereeVerdict {
  naked_legs: number;
  /** Longest naked leg seen, in ms (HALT time excluded). */
  max_naked_leg_ms: number;
  /**
   * Orders whose MATCHED fills add up to more than their size; a marketable BUY's size is its
   * dollars (size × limit: the venue fills it at the makers' prices, so cheaper asks buy more shares).
   */
  order_overfills: number;
}

export interface TradingRefereeMarket {
  market_id: string;
  yes_token: string;
  no_token: string;
  /** For the taker fee of the shares matched but not heard yet, as trading estimates it. */
  fee: FeeSchedule;
}

interface PairState {
  market: TradingRefereeMarket;
  /** The pair_arb fills heard. */
  ledger: Ledger;
  /** pair_arb orders until they ended with every share they matched heard. */
  orders: Record<string, OrderRecord>;
  /** Orders that ended so: a repeat of their updates changes nothing. */
  done: Set<string>;
  nakedSince: number | null;
  halted: boolean;
}

const EPS = 1e-6;

export class TradingReferee {
  private readonly markets = new Map<string, TradingRefereeMarket>();
  private pairs = new Map<string, PairState>();
  /** Each order's bound and what its MATCHED fills took of it, in shares or (a marketable BUY) dollars. */
  private orders = new Map<string, { bound: number; inDollars: boolean; taken: number; flagged: boolean }>();
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
        if (!this.orders.has(e.payload.client_order_id)) this.orders.set(e.payload.client_order_id, orderBound(e.payload));
        this.onOrderUpdate(e);
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
    this.orders = new Map();
  }

  /** The pair state of a traded market's pair_arb token (undefined: not one). */
  private pairOf(marketId: string | undefined, token: string | undefined): PairState | undefined {
    const m = marketId === undefined ? undefined : this.markets.get(marketId);
    if (!m || (token !== undefined && token !== m.yes_token && token !== m.no_token)) return undefined;
    let p = this.pairs.get(m.market_id);
    if (!p) {
      p = { market: m, ledger: emptyLedger(), orders: {}, done: new Set(), nakedSince: null, halted: false };
      this.pairs.set(m.market_id, p);
    }
    return p;
  }

  private onState(marketId: string, state: string, ts: number): void {
    const p = this.pairOf(marketId, undefined);
    if (!p) return;
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
        o.taken += o.inDollars ? f.size * f.price : f.size;
        if (!o.flagged && o.taken > o.bound + EPS) {
          o.flagged = true;
          this.verdict.order_overfills++;
        }
      }
    }
    const p = f.strategy === 'pair_arb' ? this.pairOf(e.market_id, token) : undefined;
    if (!p) return;
    const fill: LedgerFill & { client_order_id: string } = { ...f, token_id: token, strategy: 'pair_arb' };
    let orders = p.orders;
    // A fill heard before any update of its order (one placed by an earlier process): its record
    // starts here, so that the update's matched shares, when it comes, count this fill as heard.
    if (!orders[f.client_order_id] && !p.done.has(f.client_order_id)) {
      const opened = newOrderRecord({ kind: 'place', client_order_id: f.client_order_id, market_id: p.market.market_id, token_id: token, side: f.side, order_type: 'FAK', price: f.price, size: f.size, strategy: 'pair_arb', expires_at_ms: null }, e.ts_ingest);
      orders = { ...orders, [f.client_order_id]: opened };
    }
    p.orders = ordersHearing(p.ledger, orders, fill);
    p.ledger = applyFill(p.ledger, fill);
    this.settle(p, f.client_order_id);
    this.track(p, e.ts_ingest);
  }

  /** What the venue reports an order matched counts as held from this update on, as trading counts it. */
  private onOrderUpdate(e: Extract<HeliosEvent, { type: 'ORDER_UPDATE' }>): void {
    const u = e.payload;
    const token = e.token_id ?? '';
    const p = u.strategy === 'pair_arb' ? this.pairOf(e.market_id, token) : undefined;
    if (!p || p.done.has(u.client_order_id)) return;
    const known =
      p.orders[u.client_order_id] ??
      newOrderRecord({ kind: 'place', client_order_id: u.client_order_id, market_id: p.market.market_id, token_id: token, side: u.side, order_type: u.order_type, price: u.price, size: u.size, strategy: 'pair_arb', expires_at_ms: null }, e.ts_ingest);
    // The update describes the order (a record its fill opened took the fill's price and size).
    const described = { ...known, order_type: u.order_type, price: u.price, size: u.size };
    p.orders = { ...p.orders, [u.client_order_id]: advanceOrder(described, { client_order_id: u.client_order_id, status: u.status, filled_size: u.filled_size, venue_order_id: u.venue_order_id, reason: u.reason }) };
    this.settle(p, u.client_order_id);
    this.track(p, e.ts_ingest);
  }

  /** An order that ended with every share it matched heard leaves the orders (its fills are in the ledger). */
  private settle(p: PairState, clientOrderId: string): void {
    const o = p.orders[clientOrderId];
    if (!o || !isTerminal(o.status) || unheardMatched(o) > 1e-9) return;
    const { [clientOrderId]: _done, ...rest } = p.orders;
    p.orders = rest;
    p.done.add(clientOrderId);
  }

  /** Starts or ends the naked episode after a change (paused while halted). */
  private track(p: PairState, ts: number): void {
    const naked = matchedPairImbalance(p.ledger, p.orders, p.market) !== null;
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

/**
 * What an order may take: a marketable BUY the dollars it signed (the venue's market order spends
 * them at the makers' prices: asks below the limit buy more shares than its size), any other its shares.
 */
function orderBound(u: { side: 'BUY' | 'SELL'; order_type: string; price: number; size: number }): { bound: number; inDollars: boolean; taken: number; flagged: boolean } {
  const inDollars = u.side === 'BUY' && isMarketable(u.order_type as OrderRecord['order_type']);
  return { bound: inDollars ? u.size * u.price : u.size, inDollars, taken: 0, flagged: false };
}
