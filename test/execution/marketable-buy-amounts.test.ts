import { describe, expect, it, vi } from 'vitest';
import { createSigner, orderBuilder, signOrder } from '../../src/adapters/execution/real-signing.ts';
import { RealOrderTracker } from '../../src/adapters/execution/real-tracker.ts';
import { book as l2, bookSignal } from '../trading/support.ts';
import { FEE, NO, TEST_ADDRESS, TEST_KEY, YES, book, limitOrder, pairRuntimeOn, req, rigPerTest } from './support.ts';

/**
 * A marketable BUY is signed as the venue's market order: dollars to spend (whole cents) and the
 * shares those buy at the limit. What helios records of the order must be exactly what it signs,
 * or the venue fills fewer shares than helios waits for (19.76 at 0.08: $1.58, 19.75 shares).
 */
const rigs = rigPerTest();

async function sign(over: Parameters<typeof limitOrder>[0]) {
  const { wallet } = createSigner(TEST_KEY);
  return signOrder({ builder: orderBuilder(wallet, 137, 0, ''), chainId: 137, version: 2 }, limitOrder(over));
}

describe('signing a marketable order: the amounts are exactly the recorded size', () => {
  it.each([
    // [price, tick, size, dollars signed]
    [0.08, '0.01', 19.75, 1.58],
    [0.07, '0.01', 21, 1.47],
    [0.13, '0.01', 15, 1.95],
    [0.4025, '0.0025', 40, 16.1],
    [0.333, '0.001', 10, 3.33],
  ] as const)('a FOK BUY at %s (tick %s) of %s shares spends $%s for exactly those shares', async (price, tick, size, dollars) => {
    const signed = await sign({ type: 'FOK', price, tick, size });
    expect([signed.makerAmount, signed.takerAmount]).toEqual([String(Math.round(dollars * 1e6)), String(Math.round(size * 1e6))]);
  });

  it.each([
    [0.08, 19.76],
    [0.07, 21.42],
    [0.13, 15.38],
  ])('refuses to sign a FAK BUY at %s of %s shares, whose dollars are not whole cents', async (price, size) => {
    await expect(sign({ type: 'FAK', price, size })).rejects.toThrow(/not whole cents/);
  });

  it('a marketable SELL names its shares, as recorded', async () => {
    const signed = await sign({ type: 'FOK', side: 'SELL', price: 0.08, size: 19.76 });
    expect(signed.makerAmount).toBe('19760000');
  });
});

describe('a marketable order the venue has finished is finished here', () => {
  const tracker = () => {
    const events: Array<{ status: string; reason: string | null }> = [];
    const t = new RealOrderTracker({ emit: (e) => (e.kind === 'order' ? events.push({ status: e.update.status, reason: e.update.reason ?? null }) : undefined), feeFor: () => FEE, nowSeconds: () => 1_000, expirationBufferS: 60 });
    return { t, events };
  };
  const trade = (id: string, order: string, size: number) => ({ id, status: 'MATCHED', taker_order_id: order, size: String(size), price: '0.08' });

  it('MATCHED for less than the recorded size (heard before its trade): the remainder is canceled once the trade is in', () => {
    const { t, events } = tracker();
    const o = t.add(req({ order_type: 'FOK', price: 0.08, size: 19.76 }));
    t.bind(o, '0xa');
    t.onVenueOrder({ id: '0xa', status: 'MATCHED', size_matched: '19.75' });
    expect(o.status).toBe('pending');
    t.onVenueTrade(trade('t1', '0xa', 19.75));
    expect([o.status, o.filled]).toEqual(['canceled', 19.75]);
    expect(events.at(-1)!.reason).toMatch(/matched 19\.75 of 19\.76/);
  });

  it('MATCHED heard after its trades finishes the order at once; a full match is filled', () => {
    const { t } = tracker();
    const short = t.add(req({ order_type: 'FAK', price: 0.08, size: 19.76 }));
    t.bind(short, '0xs');
    t.onVenueTrade(trade('t1', '0xs', 19.75));
    expect(short.status).toBe('partially_filled');
    t.onVenueOrder({ id: '0xs', status: 'MATCHED', size_matched: '19.75' });
    expect(short.status).toBe('canceled');
    const full = t.add(req({ order_type: 'FOK', price: 0.08, size: 19.75 }));
    t.bind(full, '0xf');
    t.onVenueOrder({ id: '0xf', status: 'MATCHED', size_matched: '19.75' });
    t.onVenueTrade(trade('t2', '0xf', 19.75));
    expect(full.status).toBe('filled');
  });
});

describe('a pair whose legs are not whole cents at their limits, on the stand-in CLOB', () => {
  it('fills exactly what helios records, and the next reconciliation finds no break', async () => {
    const rig = await rigs.standIn({ autoSettleMs: 5 });
    rig.books.set(YES, book(0.07, 0.08, 100, 1));
    rig.books.set(NO, book(0.19, 0.2, 100, 1));
    const a = await rigs.adapter(rig);
    // 19.76 shares a leg: $1.5808 and $3.952, neither whole cents.
    const { cfg, clock, runtime } = await pairRuntimeOn(a, 19.76);
    runtime.onBook(bookSignal(YES, l2([[0.07, 100]], [[0.08, 100]]), clock.now()));
    runtime.onBook(bookSignal(NO, l2([[0.19, 100]], [[0.2, 100]]), clock.now()));
    await vi.waitFor(() => expect(a.adapter.tracker.all().length).toBe(2));
    await vi.waitFor(() => expect(Object.values(runtime.marketSnapshot('m1')!.context.orders).map((o) => o.status)).toEqual(['filled', 'filled']));
    const orders = Object.values(runtime.marketSnapshot('m1')!.context.orders);
    expect(orders.map((o) => [o.size, o.filled_size])).toEqual([
      [19.75, 19.75],
      [19.75, 19.75],
    ]);
    expect([YES, NO].map((t) => rig.standIn.venue.position(TEST_ADDRESS, t))).toEqual([19.75, 19.75]);
    clock.advanceBy(cfg.execution.reconcile.interval_ms + 1000);
    expect((await runtime.reconcile()).breaks).toEqual([]);
    runtime.stop();
  });
});
