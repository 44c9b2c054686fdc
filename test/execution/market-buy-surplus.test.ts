import { describe, expect, it, vi } from 'vitest';
import { sharesByToken, tokenHolding } from '../../src/domain/trading/pnl-ledger.ts';
import { PRICE_UNITS_PER_ONE, TrueBook } from '../../src/sim/venue/true-book.ts';
import { book as l2, bookSignal } from '../trading/support.ts';
import { RealOrderTracker } from '../../src/adapters/execution/real-tracker.ts';
import { FEE, NO, TEST_ADDRESS, YES, book, fills, pairRuntimeOn, req, rigPerTest } from './support.ts';

/**
 * A marketable BUY is the venue's market order: dollars to spend, capped at the limit. The
 * exchange fills the taker at the makers' prices and hands it every share they deliver
 * (ctf-exchange Trading.sol `_matchOrders`: `_updateTakingWithSurplus`), so asks below the limit
 * buy more shares than helios recorded as the order's size. The trades are the truth.
 */
const rigs = rigPerTest();

/** The venue's asks for YES as [price, shares] levels (helios still sees 0.08); its bid sits a tick under the best. */
function asks(levels: ReadonlyArray<readonly [number, number]>): TrueBook {
  const b = new TrueBook();
  for (const [price, shares] of levels) b.set('SELL', Math.round(price * PRICE_UNITS_PER_ONE), shares * 100);
  b.set('BUY', Math.round((levels[0]![0] - 0.01) * PRICE_UNITS_PER_ONE), 10_000);
  return b;
}

describe('a marketable BUY the venue fills below its limit, on the stand-in CLOB', () => {
  // $1.58 signed: 19.75 shares at helios's 0.08 limit.
  it.each([
    // [case, order type, venue asks, shares the venue hands over, dollars it takes, trades]
    ['one level at 0.07', 'FOK', [[0.07, 100]], 22.571429, 1.58, 1],
    ['a first level alone beyond the recorded size, then a second (one trade, two makers)', 'FOK', [[0.06, 25], [0.07, 100]], 26.142857, 1.58, 1],
    ['a FAK whose cheap asks run out below its dollars (the rest killed)', 'FAK', [[0.06, 21], [0.09, 100]], 21, 1.26, 1],
  ] as const)('%s: the order ends, positions and cost are the venue’s, and reconciliation finds no break', async (_case, type, levels, shares, dollars, trades) => {
    const rig = await rigs.standIn({ autoSettleMs: 5 });
    rig.books.set(YES, asks(levels));
    rig.books.set(NO, book(0.19, 0.2, 100, 1));
    const a = await rigs.adapter(rig);
    const { cfg, clock, runtime } = await pairRuntimeOn(a, 19.75, type);
    runtime.onBook(bookSignal(YES, l2([[0.07, 100]], [[0.08, 100]]), clock.now()));
    runtime.onBook(bookSignal(NO, l2([[0.19, 100]], [[0.2, 100]]), clock.now()));
    await vi.waitFor(() => expect(a.adapter.tracker.all().length).toBeGreaterThanOrEqual(2));
    const yesId = a.adapter.tracker.all().find((o) => o.req.token_id === YES)!.req.client_order_id;
    await vi.waitFor(() => expect(fills(a.events, yesId).filter((f) => f.status === 'CONFIRMED')).toHaveLength(trades));
    expect(rig.standIn.venue.position(TEST_ADDRESS, YES)).toBeCloseTo(shares, 6);
    const yesOrder = () => runtime.marketSnapshot('m1')!.context.orders[yesId]!;
    await vi.waitFor(() => expect(['filled', 'canceled']).toContain(yesOrder().status));
    expect(yesOrder().filled_size).toBeCloseTo(shares, 6);
    const matched = fills(a.events, yesId).filter((f) => f.status === 'MATCHED');
    expect(matched.reduce((s, f) => s + f.size, 0)).toBeCloseTo(shares, 6);
    expect(matched.reduce((s, f) => s + f.size * f.price, 0)).toBeCloseTo(dollars, 6);
    const ledger = runtime.marketSnapshot('m1')!.context.ledger;
    expect(sharesByToken(ledger)[YES]).toBeCloseTo(rig.standIn.venue.position(TEST_ADDRESS, YES), 6);
    // What the ledger paid for YES is what the venue took, not the shares at the limit.
    expect(tokenHolding(ledger, YES).cost).toBeCloseTo(dollars, 6);
    clock.advanceBy(cfg.execution.reconcile.interval_ms + 1000);
    expect((await runtime.reconcile()).breaks).toEqual([]);
    expect(a.adapter.tracker.live().map((o) => o.req.client_order_id)).not.toContain(yesId);
    runtime.stop();
  });
});

describe('a FOK pair leg whose size reaches past cheaper asks, on the stand-in CLOB', () => {
  // 20 YES reach 0.07 (10 at 0.06, 10 at 0.07: $1.30), but a FOK at 0.07 signs $1.40, which the asks
  // up to 0.07 cannot take: the venue kills it and the NO leg is left naked. At 0.08 ($1.60) they can.
  it('the leg is sent at the limit whose asks take its dollars: both legs fill and the pair is not left naked', async () => {
    const rig = await rigs.standIn({ autoSettleMs: 5 });
    const yesAsks: Array<[number, number]> = [[0.06, 10], [0.07, 10], [0.08, 100]];
    rig.books.set(YES, asks(yesAsks));
    rig.books.set(NO, book(0.19, 0.2, 100, 1));
    const a = await rigs.adapter(rig);
    const { clock, runtime } = await pairRuntimeOn(a, 20, 'FOK');
    runtime.onBook(bookSignal(YES, l2([[0.05, 100]], yesAsks), clock.now()));
    runtime.onBook(bookSignal(NO, l2([[0.19, 100]], [[0.2, 100]]), clock.now()));
    await vi.waitFor(() => expect(a.adapter.tracker.all().length).toBeGreaterThanOrEqual(2));
    const yesOrder = a.adapter.tracker.all().find((o) => o.req.token_id === YES)!;
    // Signed for what the 20 shares cost ($1.30: 16.25 at 0.08), which the asks up to 0.08 take.
    expect([yesOrder.req.order_type, yesOrder.req.price, yesOrder.req.size]).toEqual(['FOK', 0.08, 16.25]);
    const yesId = yesOrder.req.client_order_id;
    await vi.waitFor(() => expect(runtime.marketSnapshot('m1')!.context.orders[yesId]!.status).toBe('filled'));
    // $1.30: 10 at 0.06 and 10 at 0.07 (signed at 20, $1.60 bought 3.75 more at 0.08).
    expect(rig.standIn.venue.position(TEST_ADDRESS, YES)).toBeCloseTo(20, 6);
    await vi.waitFor(() => expect(rig.standIn.venue.position(TEST_ADDRESS, NO)).toBeCloseTo(20, 6));
    // The runtime hears the NO fill over the user channel, a moment after the venue booked it.
    await vi.waitFor(() => expect(runtime.marketSnapshot('m1')!.context.nakedSinceMs).toBeNull());
    runtime.stop();
  });
});

describe('the venue says MATCHED before the trade of a market BUY that bought more than recorded', () => {
  // Which unit the venue's size_matched of a market BUY is in is not established (its original_size
  // echoes the signed dollars: nautilus_trader original_size_to_shares): either way the order ends
  // filled with the trade's shares once the trade is in, and not before.
  it.each([
    ['shares', '22.571429'],
    ['dollars', '1.58'],
  ])('size_matched in %s', (_unit, sizeMatched) => {
    const t = new RealOrderTracker({ emit: () => undefined, feeFor: () => FEE, nowSeconds: () => 1_000, expirationBufferS: 60 });
    const o = t.add(req({ order_type: 'FOK', price: 0.08, size: 19.75 }));
    t.bind(o, '0xm');
    t.onVenueOrder({ id: '0xm', status: 'MATCHED', size_matched: sizeMatched });
    expect(o.status).toBe('pending');
    t.onVenueTrade({ id: 't1', status: 'MATCHED', taker_order_id: '0xm', size: '22.571429', price: '0.07' });
    expect([o.status, o.filled]).toEqual(['filled', 22.571429]);
    expect(t.live()).toEqual([]);
  });
});
