import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createMetrics } from '../../src/adapters/metrics/metrics.ts';
import { registerExecutionMetrics } from '../../src/adapters/metrics/execution-metrics.ts';
import { DaemonObserver } from '../../src/apps/daemon/observer.ts';
import type { MarketSpec } from '../../src/domain/trading/market-spec.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { seededRng } from '../../src/domain/util/random.ts';

const DAY_MS = 86_400_000;

/** The series the alerting rules and dashboard read from the observer (daily loss, nowcast vs price). */
describe('operator metrics from the event stream', () => {
  const setup = () => {
    const clock = new VirtualClock(10 * DAY_MS + 1_000);
    const metrics = createMetrics();
    const observer = new DaemonObserver({ market: 15_000 }, metrics);
    const events = new EventFactory(clock, ulidGenerator(seededRng(7)));
    const value = async (name: string, labels: Record<string, string> = {}) =>
      (await metrics.registry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
    const position = (token: string, realized: number, fees: number, unrealized: number) =>
      observer.emit(events.make('POSITION', { shares: 1, avg_cost: 0.5, realized_pnl: realized, unrealized_pnl: unrealized, fees_paid: fees, by_strategy: {} }, { token_id: token }));
    return { clock, metrics, observer, events, value, position };
  };

  // daily_loss_usdc is the risk engine's own figure, read at scrape time (test/trading/position-marks.test.ts).
  it('net PnL: realized - fees + unrealized over the latest position of every token', async () => {
    const { value, position } = setup();
    position('a', 2, 0.5, 1);
    position('b', -4, 0.5, 0);
    expect(await value('pnl_net_usdc')).toBeCloseTo(-2, 9);
    position('b', -4, 0.5, 1); // the same position re-marked
    expect(await value('pnl_net_usdc')).toBeCloseTo(-1, 9);
  });

  it('nowcast fair value per token, and the book mid only of tokens that have one', async () => {
    const { observer, events, value } = setup();
    const best = (token: string, bid: number, ask: number) =>
      observer.emit(events.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: bid, best_bid_size: 10, best_ask: ask, best_ask_size: 10, updates_coalesced: 0 }, { token_id: token }));
    best('yes', 0.4, 0.5); // before any policy: not exported
    expect(await value('book_mid', { token_id: 'yes' })).toBeUndefined();
    observer.emit(events.make('POLICY', { fair_value: { yes: 0.62, no: 0.38 }, edge_threshold: 0.02, max_position_usdc: 25, max_order_usdc: 5, source: 'nowcast', valid_until_ms: 0 }, { market_id: 'm' }));
    best('yes', 0.4, 0.5);
    best('other', 0.1, 0.2);
    expect(await value('fair_value', { token_id: 'yes', source: 'nowcast' })).toBe(0.62);
    expect(await value('book_mid', { token_id: 'yes' })).toBeCloseTo(0.45, 9);
    expect(await value('book_mid', { token_id: 'other' })).toBeUndefined();
  });

  it('prices, probabilities and USDC amounts are written at 6 decimals: no float noise, nothing a scraper needs lost', async () => {
    const { metrics, observer, events, position } = setup();
    // 1 − 0.21276 and (0.1 + 0.12) / 2 are 0.7872399999999999 and 0.11000000000000001 as floats.
    observer.emit(events.make('POLICY', { fair_value: { yes: 0.21276, no: 1 - 0.21276, fine: 0.123457 }, edge_threshold: 0.02, max_position_usdc: 25, max_order_usdc: 5, source: 'nowcast', valid_until_ms: 0 }, { market_id: 'm' }));
    observer.emit(events.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: 0.1, best_bid_size: 10, best_ask: 0.12, best_ask_size: 10, updates_coalesced: 0 }, { token_id: 'no' }));
    observer.emit(events.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: 0.1234, best_bid_size: 10, best_ask: 0.1235, best_ask_size: 10, updates_coalesced: 0 }, { token_id: 'fine' }));
    observer.emit(events.make('TRUTH_STATE', { state: 'LIVE', confidence: 0.1 + 0.2 } as never, { match_id: 'match-1' }));
    position('a', 0.1, 0, 0.2);
    metrics.dailyLossUsdc.set(0.33524250000000055);
    const text = await metrics.registry.metrics();
    const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual(expect.arrayContaining([
      'fair_value{token_id="no",source="nowcast"} 0.78724',
      'fair_value{token_id="fine",source="nowcast"} 0.123457',
      'book_mid{token_id="no"} 0.11',
      'book_mid{token_id="fine"} 0.12345',
      'truth_confidence{match_id="match-1"} 0.3',
      'pnl_net_usdc 0.3',
      'daily_loss_usdc 0.335243',
    ]));
    // No value anywhere in the exposition ends in a run of float noise.
    expect(lines.filter((l) => /\.\d*(0{6,}|9{6,})\d+$/.test(l))).toEqual([]);
  });

  it('histogram sums are written without float noise (prom-client adds observations as floats)', async () => {
    const metrics = createMetrics();
    // 0.1 + 0.2 is 0.30000000000000004 and 0.7 + 0.1 is 0.7999999999999999 as floats.
    metrics.stageLatencyMs.observe({ stage: 'frame_to_book' }, 0.1);
    metrics.stageLatencyMs.observe({ stage: 'frame_to_book' }, 0.2);
    metrics.orderPlaceLatencyMs.observe(0.7);
    metrics.orderPlaceLatencyMs.observe(0.1);
    metrics.orderFillLatencyMs.observe(1.1);
    metrics.orderFillLatencyMs.observe(2.2);
    metrics.slippageBps.observe(0.1);
    metrics.slippageBps.observe(0.2);
    const lines = (await metrics.registry.metrics()).split('\n').filter((l) => l.includes('_sum'));
    expect(lines).toEqual(expect.arrayContaining([
      'stage_latency_ms_sum{stage="frame_to_book"} 0.3',
      'order_place_latency_ms_sum 0.8',
      'order_fill_latency_ms_sum 3.3',
      'slippage_bps_sum 0.3',
    ]));
    const sum = (await metrics.stageLatencyMs.get()).values.find((v) => v.metricName === 'stage_latency_ms_sum');
    expect(sum?.value).toBe(0.3);
  });

  it('a settled market that leaves the universe takes its token and match series with it, its PnL stays', async () => {
    const { observer, events, value, position } = setup();
    observer.emit(events.make('POLICY', { fair_value: { yes: 0.62, no: 0.38 }, edge_threshold: 0.02, max_position_usdc: 25, max_order_usdc: 5, source: 'nowcast', valid_until_ms: 0 }, { market_id: 'm' }));
    observer.emit(events.make('POLICY', { fair_value: { yes: 0.6 }, edge_threshold: 0.02, max_position_usdc: 25, max_order_usdc: 5, source: 'truth', valid_until_ms: 0 }, { market_id: 'm' }));
    observer.emit(events.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: 0.4, best_bid_size: 10, best_ask: 0.5, best_ask_size: 10, updates_coalesced: 0 }, { token_id: 'yes' }));
    observer.emit(events.make('TRUTH_STATE', { state: 'FINAL', confidence: 0.99 } as never, { match_id: 'match-1' }));
    position('yes', 1.5, 0.1, 0);
    expect(await value('truth_confidence', { match_id: 'match-1' })).toBe(0.99);
    observer.retireMarket({ spec: { market_id: 'm', yes_token: 'yes', no_token: 'no' } as MarketSpec, match_id: 'match-1', station_id: null }, []);
    for (const source of ['nowcast', 'truth']) expect(await value('fair_value', { token_id: 'yes', source }), source).toBeUndefined();
    expect(await value('fair_value', { token_id: 'no', source: 'nowcast' })).toBeUndefined();
    expect(await value('book_mid', { token_id: 'yes' })).toBeUndefined();
    expect(await value('truth_confidence', { match_id: 'match-1' })).toBeUndefined();
    expect(await value('pnl_net_usdc')).toBeCloseTo(1.4, 9);
  });

  it('a match keeps its truth_confidence series while any market of it is live, and loses it with the last one', async () => {
    const { observer, events, value } = setup();
    const market = (id: string, match_id: string | null) => ({ spec: { market_id: id, yes_token: `${id}-yes`, no_token: `${id}-no` } as MarketSpec, match_id, station_id: null });
    const [winner, map1, other] = [market('winner', 'match-1'), market('map1', 'match-1'), market('other', 'match-2')];
    observer.emit(events.make('TRUTH_STATE', { state: 'LIVE', confidence: 0.8 } as never, { match_id: 'match-1' }));
    // The map market settles first (the universe's markets still hold every market): the match winner still trades on the truth.
    observer.retireMarket(map1, [winner, map1, other]);
    expect(await value('truth_confidence', { match_id: 'match-1' })).toBe(0.8);
    // The trading side retires the map market again later, its sibling still live.
    observer.retireMarket(map1, [winner, other]);
    expect(await value('truth_confidence', { match_id: 'match-1' })).toBe(0.8);
    observer.retireMarket(winner, [winner, map1, other]);
    expect(await value('truth_confidence', { match_id: 'match-1' })).toBeUndefined();
  });

  it('a retired market\'s positions give way to the retired markets\' one position: its PnL counted once, as after a restart', async () => {
    const { observer, events, value } = setup();
    const position = (market: string, token: string, realized: number, fees: number) =>
      observer.emit(events.make('POSITION', { shares: 0, avg_cost: 0, realized_pnl: realized, unrealized_pnl: 0, fees_paid: fees, by_strategy: {} }, { market_id: market, token_id: token }));
    position('m', 'yes', 2, 0.25);
    position('m', 'no', -0.5, 0.25);
    position('open', 'o', 1, 0);
    expect(observer.realizedPnl()).toBeCloseTo(2.5, 9);
    observer.emit(events.make('ALERT', { severity: 'info', code: 'MARKET_RETIRED', message: 'm: resolved and settled, left the trading side' }, { market_id: 'm' }));
    position('_retired', '_retired', 1.5, 0.5);
    expect(observer.realizedPnl()).toBeCloseTo(2.5, 9);
    expect(await value('pnl_net_usdc')).toBeCloseTo(2, 9);
    // A trading restart in the same process publishes the same one position again: nothing counted twice.
    position('_retired', '_retired', 1.5, 0.5);
    expect(await value('pnl_net_usdc')).toBeCloseTo(2, 9);
  });

  it('forgets the oldest finished orders past 10,000, and counts each order once while it is tracked', () => {
    const { observer, events } = setup();
    const update = (id: string, status: string) =>
      observer.emit(events.make('ORDER_UPDATE', { client_order_id: id, status, price: 0.5, size: 10, filled_size: 0, side: 'BUY', strategy: 'temporal', order_type: 'GTC' } as never, { market_id: 'm', token_id: 'yes' }));
    update('open-1', 'open');
    for (let i = 0; i < 10_050; i++) {
      update(`o-${i}`, 'pending');
      update(`o-${i}`, 'canceled');
    }
    update('open-1', 'open');
    expect(observer.counters.orders).toBe(10_051);
    const tracked = (observer as unknown as { orders: Map<string, unknown> }).orders;
    expect(tracked.size).toBe(10_001);
    // The open order is never forgotten; the oldest finished ones are.
    expect(tracked.has('open-1')).toBe(true);
    expect(tracked.has('o-0')).toBe(false);
    expect(tracked.has('o-10049')).toBe(true);
  });
});

describe('metric names', () => {
  it('every counter ends in _total (Prometheus naming: rate() and increase() expect it)', async () => {
    // The daemon's own and, with real execution, the adapter's (registered on the same registry).
    const { registry } = createMetrics();
    registerExecutionMetrics(registry, () => ({ placed: 0, rejected: 0, in_flight: 0, heartbeat_misses: 0, reconcile_breaks: 0, fail_closed: 0 }));
    // As Prometheus reads them: the exposition's TYPE lines.
    const counters = [...(await registry.metrics()).matchAll(/^# TYPE (\S+) counter$/gm)].map((m) => m[1]!);
    expect(counters).toContain('reconcile_mismatch_total');
    expect(counters.filter((n) => !n.endsWith('_total'))).toEqual([]);
  });

  it('a reconciliation break counts in reconcile_mismatch_total', async () => {
    const metrics = createMetrics();
    const observer = new DaemonObserver({ market: 15_000 }, metrics);
    const events = new EventFactory(new VirtualClock(DAY_MS), ulidGenerator(seededRng(7)));
    observer.emit(events.make('ALERT', { severity: 'critical', code: 'RECONCILE_BREAK', message: 'venue holds an unknown order' }));
    observer.emit(events.make('ALERT', { severity: 'warn', code: 'CONTROL_REFUSED', message: 'not a reconciliation' }));
    expect(await metrics.registry.metrics()).toMatch(/^reconcile_mismatch_total 1$/m);
  });
});
