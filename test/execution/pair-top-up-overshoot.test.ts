import { describe, expect, it, vi } from 'vitest';
import { book as l2, bookSignal } from '../trading/support.ts';
import { NO, TEST_ADDRESS, YES, bookWithAsks, pairRuntimeOn, rigPerTest } from './support.ts';

/**
 * Topping up a lagging pair leg is a marketable BUY, which the venue fills as a market order: it
 * spends size × limit at the makers' prices. When the top-up walks several ask levels, size × limit
 * is more than walking the missing shares costs, and the dollars left over buy shares the pair does
 * not need: the lagging leg overtakes the other one.
 */
const rigs = rigPerTest();

describe('a pair whose NO leg lags, topped up across several ask levels on the stand-in CLOB', () => {
  it('the top-up buys the missing shares (to a whole-cent step), not size × limit worth of them', async () => {
    const rig = await rigs.standIn({ autoSettleMs: 5 });
    // The chunk: 400 of each. YES fills in full at 0.30; of NO the venue holds 200 at 0.60, so the NO
    // FAK leg fills 200 and NO lags by 200. Above it wait 100 at 0.61 and 1,000 at 0.64.
    rig.books.set(YES, bookWithAsks(0.29, [[0.3, 10_000]]));
    rig.books.set(NO, bookWithAsks(0.59, [[0.6, 200], [0.61, 100], [0.64, 1000]]));
    const a = await rigs.adapter(rig);
    const { clock, runtime } = await pairRuntimeOn(a, 400, 'FAK', (cfg) => {
      Object.assign(cfg.risk, { max_order_usdc: 300, max_market_usdc: 1000, max_total_usdc: 2000 });
      Object.assign(cfg.trading.pair_arb, { max_leg_imbalance_usdc: 300, max_leg_imbalance_shares: 1000 });
    });
    runtime.onBook(bookSignal(YES, l2([[0.29, 100]], [[0.3, 10_000]]), clock.now()));
    runtime.onBook(bookSignal(NO, l2([[0.59, 100]], [[0.6, 1000]]), clock.now()));
    // The NO leg fills 200 and the venue kills the rest; the next book shows what is left above it.
    const noOrders = () => a.adapter.tracker.all().filter((o) => o.req.token_id === NO);
    await vi.waitFor(() => expect(runtime.marketSnapshot('m1')!.context.orders[noOrders()[0]!.req.client_order_id]?.status).toBe('canceled'));
    expect(noOrders()[0]!.filled).toBeCloseTo(200, 6);
    runtime.onBook(bookSignal(NO, l2([[0.59, 100]], [[0.61, 100], [0.64, 1000]]), clock.now()));
    await vi.waitFor(() => expect(noOrders()).toHaveLength(2));
    const topUp = noOrders()[1]!;
    expect(topUp!.req.price).toBe(0.64);
    await vi.waitFor(() => expect(['filled', 'canceled']).toContain(runtime.marketSnapshot('m1')!.context.orders[topUp!.req.client_order_id]?.status));
    const yes = rig.standIn.venue.position(TEST_ADDRESS, YES);
    const no = rig.standIn.venue.position(TEST_ADDRESS, NO);
    expect(yes).toBeCloseTo(400, 6);
    // Walking the 200 missing shares costs $125 (100 at 0.61, 100 at 0.64); size × limit would be
    // $128, 4.69 shares too many. At 0.64 a whole-cent size steps by 0.25 share: at most that much more.
    expect(no - yes).toBeGreaterThanOrEqual(-1e-6);
    expect(no - yes).toBeLessThan(0.25 * (0.64 / 0.61) + 1e-6);
    runtime.stop();
  });
});
