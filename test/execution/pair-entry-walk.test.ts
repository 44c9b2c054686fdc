import { describe, expect, it, vi } from 'vitest';
import { sharesByToken } from '../../src/domain/trading/pnl-ledger.ts';
import { book as l2, bookSignal } from '../trading/support.ts';
import { NO, TEST_ADDRESS, YES, bookWithAsks, pairRuntimeOn, rigPerTest } from './support.ts';

/**
 * A pair entry's legs are marketable BUYs, which the venue fills as market orders: size × limit
 * dollars at the makers' prices. Legs that walk several ask levels, signed at the pair size, bought
 * on past it with what the cheaper levels left over, each by another amount: the pair entered
 * naked (here 309.38 YES against 304.84 NO, $1.41 of YES over), and a repair order had to close
 * it. Signed for what each walk costs, both legs buy the pair size.
 */
const rigs = rigPerTest();
const YES_ASKS: ReadonlyArray<readonly [number, number]> = [[0.3, 100], [0.31, 100], [0.32, 1000]];
const NO_ASKS: ReadonlyArray<readonly [number, number]> = [[0.6, 150], [0.62, 1000]];

describe('a pair entry whose legs walk several ask levels, on the stand-in CLOB', () => {
  it.each(['FAK', 'FOK'] as const)('%s legs buy the pair size each and no repair order follows', async (type) => {
    const rig = await rigs.standIn({ autoSettleMs: 5 });
    rig.books.set(YES, bookWithAsks(0.29, YES_ASKS));
    rig.books.set(NO, bookWithAsks(0.59, NO_ASKS));
    const a = await rigs.adapter(rig);
    const { cfg, clock, runtime } = await pairRuntimeOn(a, 300, type, (c) => {
      Object.assign(c.risk, { max_order_usdc: 300, max_market_usdc: 1000, max_total_usdc: 2000 });
      Object.assign(c.trading.pair_arb, { max_leg_imbalance_usdc: 300, max_leg_imbalance_shares: 1000 });
    });
    const signal = () => {
      runtime.onBook(bookSignal(YES, l2([[0.29, 100]], YES_ASKS.map(([p, s]) => [p, s])), clock.now()));
      runtime.onBook(bookSignal(NO, l2([[0.59, 100]], NO_ASKS.map(([p, s]) => [p, s])), clock.now()));
    };
    signal();
    const orders = () => a.adapter.tracker.all();
    await vi.waitFor(() => expect(orders()).toHaveLength(2));
    const legs = orders().map((o) => o.req);
    // Signed below the pair size at the walks' last levels: for what 300 shares of each cost.
    expect(legs.map((l) => [l.token_id, l.price])).toEqual([[YES, 0.32], [NO, 0.62]]);
    for (const l of legs) expect(l.size).toBeLessThan(300);
    const status = (id: string) => runtime.marketSnapshot('m1')!.context.orders[id]?.status;
    await vi.waitFor(() => expect(legs.map((l) => status(l.client_order_id))).toEqual(['filled', 'filled']));
    const yes = rig.standIn.venue.position(TEST_ADDRESS, YES);
    const no = rig.standIn.venue.position(TEST_ADDRESS, NO);
    // Each leg at least the pair size, over it by less than a whole-cent step (0.25 at 0.32, 0.5 at 0.62).
    expect(yes).toBeGreaterThanOrEqual(300 - 1e-6);
    expect(no).toBeGreaterThanOrEqual(300 - 1e-6);
    expect(yes - 300).toBeLessThan(0.25);
    expect(no - 300).toBeLessThan(0.5);
    // The books again, past the naked-leg bound: the pair is locked, with no third order.
    const held = () => sharesByToken(runtime.marketSnapshot('m1')!.context.ledger);
    await vi.waitFor(() => expect([held()[YES], held()[NO]]).toEqual([expect.closeTo(yes, 6), expect.closeTo(no, 6)]));
    clock.advanceBy(cfg.trading.pair_arb.naked_leg_max_ms + 1000);
    signal();
    await vi.waitFor(() => expect(runtime.marketSnapshot('m1')!.state).toBe('LOCKED_PAIR'));
    expect(runtime.marketSnapshot('m1')!.context.nakedSinceMs).toBeNull();
    expect(orders()).toHaveLength(2);
    runtime.stop();
  });
});
