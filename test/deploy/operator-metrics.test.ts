import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createMetrics } from '../../src/adapters/metrics/metrics.ts';
import { DaemonObserver } from '../../src/apps/daemon/observer.ts';
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
    return { clock, observer, events, value, position };
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
});
