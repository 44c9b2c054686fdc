import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { createMetrics } from '../../src/adapters/metrics/metrics.ts';
import { DaemonContext } from '../../src/apps/daemon/context.ts';
import { DaemonObserver } from '../../src/apps/daemon/observer.ts';
import { loadConfig } from '../../src/config/load.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import type { MarketSpec } from '../../src/domain/trading/market-spec.ts';
import type { UniverseMarket } from '../../src/domain/trading/universe.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { structureSizes } from './support/market-churn.ts';

/**
 * The daemon's observer over a long run of markets that come and go: each is priced (POLICY),
 * places two orders (one filled, one canceled with a fill after the cancel), holds a position, and
 * retires as the daemon retires it (the trading side's ALERT MARKET_RETIRED, then the context's
 * retireMarket with the markets still live). What the observer keeps must be the live markets'
 * only, not everything since the start up to its bounds.
 */

const LIVE_AT_ONCE = 3;
const MARKETS = 400;

function market(i: number): UniverseMarket {
  // Odd markets are esports ones, two markets per match.
  const spec = { market_id: `m${i}`, yes_token: `Y${i}`, no_token: `N${i}` } as MarketSpec;
  return { spec, match_id: i % 2 === 1 ? `x${Math.floor(i / 4)}` : null, station_id: null };
}

describe('the daemon observer over markets that come and go', () => {
  it('keeps only the live markets\' orders, positions, fair values and retirements', async () => {
    const { config, secrets } = loadConfig({ env: {} });
    const clock = new VirtualClock(1_000_000);
    const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
    const ctx = new DaemonContext({ config, secrets, logger, mode: 'live', speed: 1, dataDir: '/nonexistent', inspect: false, role: 'all' }, clock, createMetrics());
    const observer = new DaemonObserver(config.daemon.staleness_ms, ctx.metrics);
    ctx.observer = observer;
    const events = new EventFactory(clock, ulidGenerator(seededRng(3)));
    const order = (m: UniverseMarket, id: string, status: 'pending' | 'open' | 'filled' | 'canceled') =>
      observer.emit(events.make('ORDER_UPDATE', { client_order_id: id, venue_order_id: null, status, side: 'BUY', order_type: 'GTC', price: 0.4, size: 10, filled_size: status === 'filled' ? 10 : 0, strategy: 'temporal', reason: null }, { market_id: m.spec.market_id, token_id: m.spec.yes_token }));
    const fill = (m: UniverseMarket, id: string, fillId: string) =>
      observer.emit(events.make('FILL', { client_order_id: id, fill_id: fillId, status: 'MATCHED', side: 'BUY', price: 0.41, size: 10, fee_usdc: 0, liquidity: 'taker', strategy: 'temporal' }, { market_id: m.spec.market_id, token_id: m.spec.yes_token }));

    const live: UniverseMarket[] = [];
    for (let i = 0; i < MARKETS; i++) {
      const m = market(i);
      ctx.universe.markets.push(m);
      live.push(m);
      clock.advanceBy(1_000);
      observer.emit(events.make('POLICY', { fair_value: { [m.spec.yes_token]: 0.6, [m.spec.no_token]: 0.4 }, edge_threshold: 0.02, max_position_usdc: 25, max_order_usdc: 5, source: 'nowcast', valid_until_ms: 0 }, { market_id: m.spec.market_id }));
      order(m, `${i}-a`, 'pending');
      order(m, `${i}-a`, 'open');
      fill(m, `${i}-a`, `${i}-fa`);
      order(m, `${i}-a`, 'filled');
      order(m, `${i}-b`, 'pending');
      order(m, `${i}-b`, 'canceled');
      // Matched before the cancel reached the venue: answered after it.
      fill(m, `${i}-b`, `${i}-fb`);
      observer.emit(events.make('POSITION', { shares: 10, avg_cost: 0.41, realized_pnl: 0, unrealized_pnl: 0.1, fees_paid: 0, by_strategy: {} }, { market_id: m.spec.market_id, token_id: m.spec.yes_token }));
      if (live.length > LIVE_AT_ONCE) {
        const gone = live.shift()!;
        observer.emit(events.make('ALERT', { severity: 'info', code: 'MARKET_RETIRED', message: `${gone.spec.market_id}: resolved and settled` }, { market_id: gone.spec.market_id }));
        expect(ctx.retireMarket(gone)).toBe(true);
      }
    }

    expect(observer.counters.orders).toBe(2 * MARKETS);
    // Every fill had its order's price to measure slippage against, the one after a cancel too.
    const slippage = (await ctx.metrics.registry.getSingleMetric('slippage_bps')!.get()).values.find((v) => (v as { metricName?: string }).metricName === 'slippage_bps_count');
    expect(slippage?.value).toBe(2 * MARKETS);
    const sizes = structureSizes({ observer });
    const kept = (field: string) => sizes.get(`observer.${field}{}`) ?? 0;
    expect({
      orders: kept('orders'),
      ordersOfMarket: kept('ordersOfMarket'),
      finished: kept('finished'),
      positionTokens: kept('positionTokens'),
      realizedByToken: kept('realizedByToken'),
      fairSources: kept('fairSources'),
      retiredOfMatch: kept('retiredOfMatch'),
    }).toEqual({
      orders: 2 * LIVE_AT_ONCE,
      ordersOfMarket: LIVE_AT_ONCE,
      finished: 2 * LIVE_AT_ONCE,
      positionTokens: LIVE_AT_ONCE,
      realizedByToken: LIVE_AT_ONCE,
      fairSources: 2 * LIVE_AT_ONCE,
      retiredOfMatch: 0,
    });
    // No map of the observer holds more than the live markets account for.
    const largest = Math.max(...[...sizes].filter(([p]) => p.startsWith('observer.') && !p.startsWith('observer.stages') && !p.startsWith('observer.metrics')).map(([, n]) => n));
    expect(largest).toBeLessThanOrEqual(2 * LIVE_AT_ONCE);
  });
});
