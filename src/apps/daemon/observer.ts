import { killSwitchTrigger } from '../../adapters/metrics/metrics.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { FEED_OF } from '../../domain/health/feeds.ts';
import { StalenessTracker } from '../../domain/health/staleness.ts';
import { isTerminal } from '../../domain/trading/orders.ts';
import type { UniverseMarket } from '../../domain/trading/universe.ts';
import type { Metrics } from '../../adapters/metrics/metrics.ts';
import { StageLatency } from '../../adapters/metrics/stage-latency.ts';

export interface RunCounters {
  orders: number;
  fills: number;
  fills_failed: number;
  resyncs: number;
  gaps: number;
  alerts: number;
  truth_states: number;
  nowcasts: number;
  metar_obs: number;
}

/** Finished orders whose ids, times and prices are kept for late answers (fills after a cancel). */
const FINISHED_ORDERS_TRACKED = 10_000;

/** What the observer keeps of an order it saw placed: for its venue answers' latency and its fills' slippage. */
interface TrackedOrder {
  market_id: string | undefined;
  placedAt: number;
  price: number;
  /** The venue answered it (its placement latency is observed once). */
  acknowledged: boolean;
}

/**
 * Watches everything this process emits (a sink beside the bus): feed staleness, run counters,
 * realized PnL from positions, and the Prometheus metrics that follow from events.
 */
export class DaemonObserver implements EventSink {
  readonly counters: RunCounters = { orders: 0, fills: 0, fills_failed: 0, resyncs: 0, gaps: 0, alerts: 0, truth_states: 0, nowcasts: 0, metar_obs: 0 };
  readonly staleness: StalenessTracker;
  private readonly realizedByToken = new Map<string, number>();
  /** Every order seen placed and not yet forgotten, by client order id. */
  private readonly orders = new Map<string, TrackedOrder>();
  /** Each market's orders in `orders`: forgotten with it when it retires. */
  private readonly ordersOfMarket = new Map<string, Set<string>>();
  private readonly netByToken = new Map<string, number>();
  /**
   * Each market's tokens with a position. A retired market's (ALERT MARKET_RETIRED) are dropped:
   * its PnL is in the retired markets' one position from then on, as after a restart, which
   * carries no retired market's own ledger.
   */
  private readonly positionTokens = new Map<string, Set<string>>();
  /**
   * Orders that reached a final status, oldest first, kept for late answers until their market
   * retires (ALERT MARKET_RETIRED: no order of it live, no fill of it awaiting an answer). A market
   * trading for weeks is bounded too: past FINISHED_ORDERS_TRACKED the oldest are forgotten (their
   * late answers no longer timed).
   */
  private readonly finished = new Set<string>();
  /**
   * Of each match with a market still live, its markets `retireMarket` was told of (settled, or
   * retired from trading): the match's series waits only for the others. A match goes with its
   * series, once none of its markets is live.
   */
  private readonly retiredOfMatch = new Map<string, Set<string>>();
  /** Tokens with a policy fair value, by source: only their mids are exported (book_mid), not every token's. */
  private readonly fairSources = new Map<string, Set<string>>();
  /** Latest measured latency per pipeline stage, ms (source→ingest per feed, decision→order, order→fill). */
  readonly stageLatencyMs: Record<string, number | null> = {};
  /** The hot path's stages (frame → book → BEST_PRICE → decision → order), recorded by the parts that time them. */
  readonly stages: StageLatency;

  constructor(
    thresholds: Record<string, number>,
    private readonly metrics: Metrics,
    stageSamples = 4096,
    /** The feeds this process reads, whose staleness it judges (default: every configured one). */
    judgedFeeds?: () => Iterable<string>,
  ) {
    this.staleness = new StalenessTracker(thresholds, judgedFeeds);
    this.stages = new StageLatency(metrics.stageLatencyMs, stageSamples);
  }

  emit(event: HeliosEvent): void {
    const feed = FEED_OF[event.type];
    if (feed) {
      this.staleness.seen(feed, event.ts_ingest);
      if (event.ts_source !== undefined) {
        const lag = Math.max(0, event.ts_ingest - event.ts_source);
        this.metrics.eventLagMs.set({ source: feed }, lag);
        this.stageLatencyMs[`source_to_ingest_${feed}`] = lag;
      }
    }
    switch (event.type) {
      case 'ORDER_UPDATE': {
        const id = event.payload.client_order_id;
        let order = this.orders.get(id);
        if (!order) {
          order = { market_id: event.market_id, placedAt: event.ts_ingest, price: event.payload.price, acknowledged: false };
          this.orders.set(id, order);
          if (event.market_id !== undefined) this.ordersOfMarket.set(event.market_id, (this.ordersOfMarket.get(event.market_id) ?? new Set()).add(id));
          this.counters.orders++;
          this.metrics.ordersTotal.inc({ strategy: event.payload.strategy });
        }
        // The venue's first answer, whatever it is: a paper order that fills at once goes from
        // pending straight to filled and was never 'open', yet it was placed.
        const status = event.payload.status;
        if (status !== 'pending' && status !== 'rejected' && !order.acknowledged) {
          order.acknowledged = true;
          const latency = event.ts_ingest - order.placedAt;
          this.metrics.orderPlaceLatencyMs.observe(latency);
          this.stageLatencyMs.decision_to_order = latency;
          this.stages.record('decision_to_order', latency);
        }
        if (isTerminal(status)) this.finish(id);
        return;
      }
      case 'FILL': {
        this.metrics.fillsTotal.inc({ status: event.payload.status });
        if (event.payload.status === 'MATCHED') {
          this.counters.fills++;
          const order = this.orders.get(event.payload.client_order_id);
          if (order) {
            this.metrics.orderFillLatencyMs.observe(event.ts_ingest - order.placedAt);
            this.stageLatencyMs.order_to_fill = event.ts_ingest - order.placedAt;
          }
          // Slippage against the order's own price: positive when the fill is worse for us.
          const limit = order?.price;
          if (limit !== undefined && limit > 0) {
            const worse = event.payload.side === 'BUY' ? event.payload.price - limit : limit - event.payload.price;
            this.metrics.slippageBps.observe(Math.max(0, (worse / limit) * 10_000));
          }
        }
        if (event.payload.status === 'FAILED') this.counters.fills_failed++;
        return;
      }
      case 'POSITION':
        if (event.token_id) {
          this.realizedByToken.set(event.token_id, event.payload.realized_pnl);
          this.netByToken.set(event.token_id, event.payload.realized_pnl - event.payload.fees_paid + event.payload.unrealized_pnl);
          if (event.market_id !== undefined) this.positionTokens.set(event.market_id, (this.positionTokens.get(event.market_id) ?? new Set()).add(event.token_id));
          this.exportPnl();
        }
        return;
      case 'POLICY':
        if (event.payload.source === 'manual') return;
        for (const [token, fair] of Object.entries(event.payload.fair_value)) {
          const sources = this.fairSources.get(token) ?? new Set<string>();
          sources.add(event.payload.source);
          this.fairSources.set(token, sources);
          this.metrics.fairValue.set({ token_id: token, source: event.payload.source }, fair);
        }
        return;
      case 'BEST_PRICE':
        if (event.token_id && this.fairSources.has(event.token_id) && event.payload.best_bid !== null && event.payload.best_ask !== null) {
          this.metrics.bookMid.set({ token_id: event.token_id }, (event.payload.best_bid + event.payload.best_ask) / 2);
        }
        return;
      case 'BOOK_RESYNC_START':
        this.counters.resyncs++;
        this.metrics.bookResyncs.inc();
        return;
      case 'GAP_DETECTED':
        this.counters.gaps++;
        return;
      case 'RISK_STATE':
        // A fixed label set: the reason's text stays in the event, never in a series name.
        if (event.payload.state === 'HALTED') this.metrics.killSwitchTriggers.inc({ reason: killSwitchTrigger({ market_id: event.market_id, reason: event.payload.reason }) });
        return;
      case 'ALERT':
        this.counters.alerts++;
        if (event.payload.code === 'RECONCILE_BREAK') this.metrics.reconcileMismatches.inc();
        if (event.payload.code === 'MARKET_RETIRED' && event.market_id !== undefined) this.forgetMarket(event.market_id);
        return;
      case 'TRUTH_STATE':
        this.counters.truth_states++;
        if (event.match_id) this.metrics.truthConfidence.set({ match_id: event.match_id }, event.payload.confidence);
        return;
      case 'NOWCAST':
        this.counters.nowcasts++;
        return;
      case 'METAR_OBS':
        this.counters.metar_obs++;
        return;
      default:
    }
  }

  /**
   * A market that left the universe (settled) or the trading side (retired): its per-token series
   * are removed, so months of discovery do not leave a series per market ever seen, and its match's
   * once no other market of the match in `markets` (the process's live ones) is still live here: a
   * match's markets resolve one by one, and the others still trade on its truth. Its PnL stays in
   * the totals.
   */
  retireMarket(m: UniverseMarket, markets: readonly UniverseMarket[]): void {
    for (const token of [m.spec.yes_token, m.spec.no_token]) {
      for (const source of this.fairSources.get(token) ?? []) this.metrics.fairValue.remove({ token_id: token, source });
      this.fairSources.delete(token);
      this.metrics.bookMid.remove({ token_id: token });
    }
    if (!m.match_id) return;
    const retired = (this.retiredOfMatch.get(m.match_id) ?? new Set<string>()).add(m.spec.market_id);
    if (markets.some((o) => o.match_id === m.match_id && !retired.has(o.spec.market_id))) {
      this.retiredOfMatch.set(m.match_id, retired);
      return;
    }
    this.metrics.truthConfidence.remove({ match_id: m.match_id });
    this.retiredOfMatch.delete(m.match_id);
  }

  private finish(id: string): void {
    this.finished.delete(id);
    this.finished.add(id);
    if (this.finished.size <= FINISHED_ORDERS_TRACKED) return;
    this.forgetOrder(this.finished.values().next().value!);
  }

  private forgetOrder(id: string): void {
    const marketId = this.orders.get(id)?.market_id;
    this.orders.delete(id);
    this.finished.delete(id);
    if (marketId === undefined) return;
    const ids = this.ordersOfMarket.get(marketId);
    ids?.delete(id);
    if (ids?.size === 0) this.ordersOfMarket.delete(marketId);
  }

  /** A market retired by the trading side: nothing of it can come late any more, so its orders and positions go. */
  private forgetMarket(marketId: string): void {
    for (const id of this.ordersOfMarket.get(marketId) ?? []) this.forgetOrder(id);
    for (const token of this.positionTokens.get(marketId) ?? []) {
      this.realizedByToken.delete(token);
      this.netByToken.delete(token);
    }
    this.positionTokens.delete(marketId);
    this.exportPnl();
  }

  /** Net PnL over the latest position of every token (its unrealized part at the report marks). */
  private exportPnl(): void {
    let net = 0;
    for (const v of this.netByToken.values()) net += v;
    this.metrics.pnlNetUsdc.set(net);
  }

  /** Realized PnL summed over tokens (latest position per token), rounded to cents' hundredths. */
  realizedPnl(): number {
    let sum = 0;
    for (const token of [...this.realizedByToken.keys()].sort()) sum += this.realizedByToken.get(token)!;
    return Math.round(sum * 10_000) / 10_000;
  }
}
