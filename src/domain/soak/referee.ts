import type { HeliosEvent } from '../events/catalog.ts';
import type { FeeSchedule } from '../trading/fees.ts';
import { TokenSync } from './token-sync.ts';
import { TradingReferee } from './trading-referee.ts';

/** What the referee needs to know about a traded market. */
export interface RefereeMarket {
  market_id: string;
  yes_token: string;
  no_token: string;
  fair_source: 'truth' | 'nowcast' | 'none';
  match_id: string | null;
  station_id: string | null;
  /** Its fee schedule: shares matched but not heard yet count with their taker fee, as trading counts them. */
  fee: FeeSchedule;
}

export interface RefereeThresholds {
  book_stale_ms: number;
  truth_stale_ms: number;
  nowcast_stale_ms: number;
  /** Longest a pair leg may stay naked (trading bound plus an order's round trip); absent: not judged. */
  naked_leg_max_ms?: number;
}

/** One recorded event of one daemon process ("instance": the soak restarts the daemon). */
export interface RefereeRecord {
  instance: number;
  seq: number;
  event: HeliosEvent;
}

export type Violation = 'orders_while_unsynced' | 'orders_while_stale' | 'orders_while_halted' | 'duplicate_orders';

export interface RefereeVerdict {
  orders: number;
  orders_while_unsynced: number;
  /**
   * Not a violation: orders emitted after the feed had published a resync of their token that the
   * trading node had not consumed yet when it decided them (its dispatch log shows it; without a
   * log, by the order's time, the trading clock its inputs move, being before the resync's). Excused
   * only while the resync was at most book_stale_ms older than the order (without a log: while
   * the order's inputs were at most book_stale_ms behind what its process had published).
   */
  orders_decided_before_resync: number;
  orders_while_stale: number;
  orders_while_halted: number;
  duplicate_orders: number;
  fills_failed: number;
  resyncs: number;
  /** Longest BOOK_RESYNC_START → BOOK_RESYNC_DONE of a token (an unfinished one counts up to its process's end). */
  max_resync_ms: number;
  unfinished_resyncs: number;
  /** Pair legs naked longer than naked_leg_max_ms, and orders filled beyond their size (trading-referee.ts). */
  naked_legs: number;
  max_naked_leg_ms: number;
  order_overfills: number;
  /** The first few violations, for a human to follow up in the journal. */
  examples: Array<{ violation: Violation; instance: number; client_order_id: string; market_id: string | null; detail: string }>;
}

const MAX_EXAMPLES = 20;

interface InstanceState {
  /** The tokens' books as the process published them. */
  books: TokenSync;
  lastBook: Map<string, number>;
  truth: Map<string, { ts: number; state: string; stale: boolean }>;
  nowcast: Map<string, { ts: number; open: boolean }>;
  marketState: Map<string, string>;
  /** Risk HALTED for everything (no market id) or per market (a tripped circuit breaker). */
  riskHalted: boolean;
  marketRiskHalted: Map<string, boolean>;
  resyncStart: Map<string, number>;
  seenOrders: Set<string>;
  lastTs: number;
}

/**
 * Re-derives, from the journal alone and independently of the trading machines, whether any order
 * broke the safety rules: every new order (the first ORDER_UPDATE of a client order id, emitted
 * when the venue adapter received it) is judged against what had been published before it in the
 * same process — the token's book synced (no resync or gap open) and fresh, the market's fair-value
 * input fresh for the temporal strategy, the market not in HALT and risk not HALTED — and its id
 * against every id any process of the soak used before.
 */
export class SoakReferee {
  private readonly markets = new Map<string, RefereeMarket>();
  private readonly idsEver = new Set<string>();
  private readonly trading: TradingReferee;
  private state: InstanceState | null = null;
  private instance = -1;
  readonly verdict: RefereeVerdict = {
    orders: 0,
    orders_while_unsynced: 0,
    orders_decided_before_resync: 0,
    orders_while_stale: 0,
    orders_while_halted: 0,
    duplicate_orders: 0,
    fills_failed: 0,
    resyncs: 0,
    max_resync_ms: 0,
    unfinished_resyncs: 0,
    naked_legs: 0,
    max_naked_leg_ms: 0,
    order_overfills: 0,
    examples: [],
  };

  /**
   * `shutdownAtMs`: per process stopped gracefully, when the stop was asked for. Its feed retires
   * every book as it closes its sockets; those resyncs never finish by design and are not counted.
   * `nodeBookSynced`: per ORDER_UPDATE event id, whether its token was synced in what the trading
   * node had consumed when it decided the order (node-books.ts); absent, the order's time decides.
   */
  constructor(
    markets: readonly RefereeMarket[],
    private readonly thresholds: RefereeThresholds,
    private readonly shutdownAtMs: ReadonlyMap<number, number> = new Map(),
    private readonly nodeBookSynced: ReadonlyMap<string, boolean> = new Map(),
  ) {
    for (const m of markets) this.markets.set(m.market_id, m);
    this.trading = new TradingReferee(markets, thresholds.naked_leg_max_ms ?? Infinity);
  }

  /** Records in (instance, seq) order. */
  observe(record: RefereeRecord): void {
    this.trading.observe(record.event, record.instance !== this.instance);
    if (record.instance !== this.instance) {
      this.closeInstance();
      this.instance = record.instance;
      this.state = freshState();
    }
    const s = this.state!;
    const e = record.event;
    s.lastTs = Math.max(s.lastTs, e.ts_ingest);
    s.books.observe(e);
    switch (e.type) {
      // A quiet book's top does not change, so its freshness is also shown by the tape's periodic
      // snapshot (the trading engine's rule too: either refreshes a book's time).
      case 'BEST_PRICE':
      case 'L2_SNAPSHOT':
        if (e.token_id) s.lastBook.set(e.token_id, e.ts_ingest);
        return;
      case 'BOOK_RESYNC_START':
        if (e.token_id) {
          this.verdict.resyncs++;
          if (!s.resyncStart.has(e.token_id)) s.resyncStart.set(e.token_id, e.ts_ingest);
        }
        return;
      case 'BOOK_RESYNC_DONE':
        if (e.token_id) {
          const start = s.resyncStart.get(e.token_id);
          if (start !== undefined) this.verdict.max_resync_ms = Math.max(this.verdict.max_resync_ms, e.ts_ingest - start);
          s.resyncStart.delete(e.token_id);
        }
        return;
      case 'TRUTH_STATE':
        if (e.match_id) s.truth.set(e.match_id, { ts: e.ts_ingest, state: e.payload.state, stale: e.payload.stale });
        return;
      case 'NOWCAST':
        if (e.station_id) s.nowcast.set(e.station_id, { ts: e.ts_ingest, open: e.payload.qc_gate === 'open' });
        return;
      case 'MARKET_STATE':
        if (e.market_id) s.marketState.set(e.market_id, e.payload.state);
        return;
      case 'RISK_STATE':
        if (e.market_id) s.marketRiskHalted.set(e.market_id, e.payload.state === 'HALTED');
        else s.riskHalted = e.payload.state === 'HALTED';
        return;
      case 'FILL':
        if (e.payload.status === 'FAILED') this.verdict.fills_failed++;
        return;
      case 'ORDER_UPDATE':
        this.judgeOrder(record.instance, s, e);
        return;
      default:
    }
  }

  /** Call once after the last record. */
  finish(): RefereeVerdict {
    Object.assign(this.verdict, this.trading.finish());
    this.closeInstance();
    return this.verdict;
  }

  private closeInstance(): void {
    const s = this.state;
    if (!s) return;
    const shutdown = this.shutdownAtMs.get(this.instance) ?? Infinity;
    for (const start of s.resyncStart.values()) {
      if (start >= shutdown) continue;
      this.verdict.unfinished_resyncs++;
      this.verdict.max_resync_ms = Math.max(this.verdict.max_resync_ms, s.lastTs - start);
    }
    this.state = null;
  }

  private judgeOrder(instance: number, s: InstanceState, e: Extract<HeliosEvent, { type: 'ORDER_UPDATE' }>): void {
    const id = e.payload.client_order_id;
    if (s.seenOrders.has(id)) return;
    s.seenOrders.add(id);
    this.verdict.orders++;
    const market = e.market_id ?? null;
    const flag = (violation: Violation, detail: string) => {
      this.verdict[violation]++;
      if (this.verdict.examples.length < MAX_EXAMPLES) this.verdict.examples.push({ violation, instance, client_order_id: id, market_id: market, detail });
    };
    if (this.idsEver.has(id)) flag('duplicate_orders', 'client order id used before in this soak');
    this.idsEver.add(id);
    const token = e.token_id;
    if (!token) {
      flag('orders_while_unsynced', 'order without a token');
      return;
    }
    const now = e.ts_ingest;
    if (!s.books.isSynced(token)) {
      if (this.decidedBeforeResync(s, e, token)) this.verdict.orders_decided_before_resync++;
      else flag('orders_while_unsynced', `token ${token} not synced`);
    }
    const lastBook = s.lastBook.get(token);
    if (lastBook !== undefined && now - lastBook > this.thresholds.book_stale_ms) flag('orders_while_stale', `book of ${token} ${now - lastBook} ms old`);
    const m = market ? this.markets.get(market) : undefined;
    if (m && e.payload.strategy === 'temporal') {
      const stale = this.fairValueStaleness(s, m, now);
      if (stale) flag('orders_while_stale', stale);
    }
    const state = market ? s.marketState.get(market) : undefined;
    if (s.riskHalted) flag('orders_while_halted', 'risk HALTED');
    else if (market && s.marketRiskHalted.get(market)) flag('orders_while_halted', `risk HALTED for market ${market}`);
    else if (state === 'HALT') flag('orders_while_halted', `market ${market} in HALT`);
  }

  /**
   * The trading node acts on what it has consumed: a resync the feed had published may not have
   * reached it yet (the bus carries it a moment later; or it was later in the batch the node was
   * consuming, as when a reconnect unsyncs every token at once and another market's input makes
   * this market decide). Its dispatch log shows what it had consumed; without that, the order's
   * time being before the resync's shows it. Never for a resync older than a book may be.
   */
  private decidedBeforeResync(s: InstanceState, order: HeliosEvent, token: string): boolean {
    const since = s.books.unsyncedSince(token);
    if (since === undefined) return false;
    const now = order.ts_ingest;
    const nodeSynced = this.nodeBookSynced.get(order.event_id);
    if (nodeSynced !== undefined) return nodeSynced && now - since <= this.thresholds.book_stale_ms;
    return since > now && s.lastTs - now <= this.thresholds.book_stale_ms;
  }

  /** Why the market's fair value was not fit to trade on, or null (the rule of haltCauses). */
  private fairValueStaleness(s: InstanceState, m: RefereeMarket, now: number): string | null {
    if (m.fair_source === 'truth') {
      const t = m.match_id ? s.truth.get(m.match_id) : undefined;
      if (!t) return `no truth state for ${m.match_id}`;
      if (t.state === 'stale' || t.stale) return `truth of ${m.match_id} stale`;
      if (now - t.ts > this.thresholds.truth_stale_ms) return `truth of ${m.match_id} ${now - t.ts} ms old`;
      return null;
    }
    if (m.fair_source === 'nowcast') {
      const n = m.station_id ? s.nowcast.get(m.station_id) : undefined;
      if (!n) return `no nowcast for ${m.station_id}`;
      if (!n.open) return `nowcast of ${m.station_id} gated closed`;
      if (now - n.ts > this.thresholds.nowcast_stale_ms) return `nowcast of ${m.station_id} ${now - n.ts} ms old`;
      return null;
    }
    return 'temporal order on a market without a fair-value source';
  }
}

function freshState(): InstanceState {
  return {
    books: new TokenSync(),
    lastBook: new Map(),
    truth: new Map(),
    nowcast: new Map(),
    marketState: new Map(),
    riskHalted: false,
    marketRiskHalted: new Map(),
    resyncStart: new Map(),
    seenOrders: new Set(),
    lastTs: 0,
  };
}
