import { Counter, Gauge, Registry } from 'prom-client';
import { BPS_DECIMALS, DecimalGauge, MS_DECIMALS, PROBABILITY_DECIMALS, USDC_DECIMALS } from './decimal-gauge.ts';
import { DecimalHistogram } from './decimal-histogram.ts';

const LATENCY_BUCKETS_MS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/**
 * The label values of `kill_switch_triggers_total`: a fixed set, whatever text a halt carries (a
 * free-text reason per series would grow the registry without bound; the text stays in the event).
 */
export const KILL_SWITCH_TRIGGERS = ['manual', 'daily_loss', 'backpressure', 'circuit_breaker'] as const;
export type KillSwitchTrigger = (typeof KILL_SWITCH_TRIGGERS)[number];

/**
 * What tripped a HALTED risk state: a market-scoped one is a circuit breaker; a global one is the
 * daily-loss kill or the bus backpressure guard by the reasons they write, any other an operator's.
 */
export function killSwitchTrigger(halted: { market_id?: string | undefined; reason: string | null }): KillSwitchTrigger {
  if (halted.market_id !== undefined) return 'circuit_breaker';
  const reason = halted.reason ?? '';
  if (reason.startsWith(DAILY_LOSS_REASON)) return 'daily_loss';
  if (reason.startsWith(BACKPRESSURE_REASON)) return 'backpressure';
  return 'manual';
}

/** How the risk engine's daily-loss kill and the daemon's backpressure halt begin their reasons. */
const DAILY_LOSS_REASON = 'daily loss ';
const BACKPRESSURE_REASON = 'backpressure on ';

/** The daemon's Prometheus metrics, one registry per daemon (tests run several side by side). */
export function createMetrics() {
  const registry = new Registry();
  const m = {
    registry,
    eventLagMs: new Gauge({ name: 'event_lag_ms', help: 'source time to ingest time of the latest event, per source', labelNames: ['source'], registers: [registry] }),
    truthConfidence: new DecimalGauge({ name: 'truth_confidence', help: 'truth engine confidence per match', labelNames: ['match_id'], registers: [registry] }, PROBABILITY_DECIMALS),
    orderPlaceLatencyMs: new DecimalHistogram({ name: 'order_place_latency_ms', help: 'decision to venue acknowledgement', buckets: LATENCY_BUCKETS_MS, registers: [registry] }, MS_DECIMALS),
    stageLatencyMs: new DecimalHistogram({ name: 'stage_latency_ms', help: 'hot-path stage latency: frame_to_book, book_to_best_price, best_price_to_decision, decision_to_order', labelNames: ['stage'], buckets: LATENCY_BUCKETS_MS, registers: [registry] }, MS_DECIMALS),
    orderFillLatencyMs: new DecimalHistogram({ name: 'order_fill_latency_ms', help: 'placement to first fill', buckets: LATENCY_BUCKETS_MS, registers: [registry] }, MS_DECIMALS),
    slippageBps: new DecimalHistogram({ name: 'slippage_bps', help: 'fill price worse than the order price, basis points', buckets: [0, 1, 2, 5, 10, 25, 50, 100, 250, 500], registers: [registry] }, BPS_DECIMALS),
    reconcileMismatches: new Counter({ name: 'reconcile_mismatch_total', help: 'order/position reconciliation mismatches (RECONCILE_BREAK alerts)', registers: [registry] }),
    killSwitchTriggers: new Counter({ name: 'kill_switch_triggers_total', help: 'kill switch and circuit breaker trips', labelNames: ['reason'], registers: [registry] }),
    wsReconnects: new Counter({ name: 'ws_reconnects_total', help: 'market WebSocket reconnects', registers: [registry] }),
    bookResyncs: new Counter({ name: 'book_resyncs_total', help: 'book resyncs of single tokens', registers: [registry] }),
    busBacklog: new Gauge({ name: 'bus_backlog', help: 'entries not yet acknowledged per topic', labelNames: ['topic'], registers: [registry] }),
    eventLoopLagMs: new DecimalGauge({ name: 'event_loop_lag_ms', help: 'event-loop lag p99 over the last interval', registers: [registry] }, MS_DECIMALS),
    feedStalenessMs: new Gauge({ name: 'feed_staleness_ms', help: 'time since the last data per feed', labelNames: ['feed'], registers: [registry] }),
    feedStalenessThresholdMs: new Gauge({ name: 'feed_staleness_threshold_ms', help: 'daemon.staleness_ms per feed: stale beyond it', labelNames: ['feed'], registers: [registry] }),
    ordersTotal: new Counter({ name: 'orders_total', help: 'orders placed', labelNames: ['strategy'], registers: [registry] }),
    fillsTotal: new Counter({ name: 'fills_total', help: 'fills by status', labelNames: ['status'], registers: [registry] }),
    errorsTotal: new Counter({ name: 'errors_total', help: 'errors reported by components', labelNames: ['component'], registers: [registry] }),
    healthReady: new Gauge({ name: 'health_ready', help: '1 while /health reports ready, else 0', registers: [registry] }),
    simClockLagMs: new Gauge({ name: 'sim_clock_lag_ms', help: 'sim mode: virtual ms the simulated clock trails its pace (a scale-out\'s shared timeline at --speed)', registers: [registry] }),
    simClockMaxLagMs: new Gauge({ name: 'sim_clock_max_lag_ms', help: 'daemon.sim.max_lag_ms: behind beyond it', registers: [registry] }),
    booksUnsynced: new Gauge({ name: 'books_unsynced', help: 'tokens this process needs whose book is not synced', registers: [registry] }),
    pnlNetUsdc: new DecimalGauge({ name: 'pnl_net_usdc', help: 'net PnL (realized - fees + unrealized) over all tokens', registers: [registry] }, USDC_DECIMALS),
    dailyLossUsdc: new DecimalGauge({ name: 'daily_loss_usdc', help: 'net PnL lost since the start of the UTC day, at exit-value marks: the figure the daily-loss kill compares (read at scrape time from the trading node)', registers: [registry] }, USDC_DECIMALS),
    dailyLossLimitUsdc: new DecimalGauge({ name: 'daily_loss_limit_usdc', help: 'risk.daily_loss_limit_usdc', registers: [registry] }, USDC_DECIMALS),
    fairValue: new DecimalGauge({ name: 'fair_value', help: 'latest policy fair value per token, by source (nowcast, truth)', labelNames: ['token_id', 'source'], registers: [registry] }, PROBABILITY_DECIMALS),
    bookMid: new DecimalGauge({ name: 'book_mid', help: 'mid of the best bid and ask, for tokens that have a fair value', labelNames: ['token_id'], registers: [registry] }, PROBABILITY_DECIMALS),
    // Wall time on purpose: a service manager's restarts show as changes of this series.
    processStartTime: new Gauge({ name: 'process_start_time_seconds', help: 'start time of the process since the epoch, seconds', registers: [registry] }),
  };
  m.processStartTime.set(Math.round(Date.now() / 1000 - process.uptime()));
  // Every trigger shows from the start (at 0), so the set is visible before the first trip.
  for (const reason of KILL_SWITCH_TRIGGERS) m.killSwitchTriggers.inc({ reason }, 0);
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
