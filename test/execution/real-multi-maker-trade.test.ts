import { describe, expect, it, vi } from 'vitest';
import { fillFee } from '../../src/domain/trading/fees.ts';
import { RealOrderTracker, takerLegs } from '../../src/adapters/execution/real-tracker.ts';
import type { ExecutionEvent } from '../../src/adapters/execution/execution-adapter.ts';
import { FEE, NO, TEST_ADDRESS, YES, fills, req, rigPerTest } from './support.ts';

/**
 * One taker order matching several makers is one trade at the venue: `size` all the taker's
 * shares, `price` the taker's limit, each maker's own price and matched_amount in maker_orders
 * (docs.polymarket.com Get Trades; nautilus_trader make_composite_trade_id: "Polymarket sends one
 * trade message with a single ID for all fills"). The taker paid each maker its price.
 */
const rigs = rigPerTest();

describe('a taker order that takes three ask levels, on the stand-in CLOB', () => {
  // YES asks 100 at 0.42, 0.43 and 0.44; a FAK BUY of 250 at 0.44 signs $110: $42 and $43 take the
  // first two levels at their prices, and the $25 left buys 56.818182 shares at 0.44.
  const levels = [
    [0.42, 100],
    [0.43, 100],
    [0.44, 56.818182],
  ] as const;
  const shares = levels.reduce((s, [, n]) => s + n, 0);
  const paid = levels.reduce((s, [p, n]) => s + p * n, 0);

  it('the venue sends one trade (one fill on the user channel, one row from GET /data/trades) with a maker order per level', async () => {
    const { rig, a } = await rigs.setup();
    await a.adapter.start();
    const r = req({ order_type: 'FAK', price: 0.44, size: 250 });
    expect(await a.adapter.placeOrder(r)).toMatchObject({ accepted: true });
    await vi.waitFor(() => expect(fills(a.events, r.client_order_id)).toHaveLength(1));
    const rest = await a.session.trades(0);
    expect(rest).toHaveLength(1);
    const [t] = rest;
    expect([t!.trader_side, t!.side, Number(t!.price), Number(t!.size)]).toEqual(['TAKER', 'BUY', 0.44, shares]);
    expect(t!.maker_orders.map((m) => [Number(m.price), Number(m.matched_amount), m.side])).toEqual(levels.map(([p, n]) => [p, n, 'SELL']));
    expect(rig.standIn.venue.balance(TEST_ADDRESS)).toBeCloseTo(1000 - paid, 6);
  });

  it('helios books the taker fill at what it paid the makers: all the shares, their cost, the fee maker by maker', async () => {
    const { rig, a } = await rigs.setup();
    await a.adapter.start();
    const r = req({ order_type: 'FAK', price: 0.44, size: 250 });
    await a.adapter.placeOrder(r);
    await vi.waitFor(() => expect(fills(a.events, r.client_order_id)).toHaveLength(1));
    const [f] = fills(a.events, r.client_order_id);
    expect(f!.size).toBeCloseTo(shares, 6);
    expect(f!.size * f!.price).toBeCloseTo(paid, 6);
    expect(f!.fee_usdc).toBeCloseTo(levels.reduce((s, [p, n]) => s + fillFee(n, p, 'taker', FEE), 0), 5);
    // What the venue holds: the shares, and the collateral the makers took.
    expect(rig.standIn.venue.position(TEST_ADDRESS, YES)).toBeCloseTo(f!.size, 6);
    expect(1000 - rig.standIn.venue.balance(TEST_ADDRESS)).toBeCloseTo(f!.size * f!.price, 6);
  });

  it('a FAILED multi-maker trade gives back everything it took at the venue', async () => {
    const { rig, a } = await rigs.setup();
    await a.adapter.start();
    const r = req({ order_type: 'FAK', price: 0.44, size: 250 });
    await a.adapter.placeOrder(r);
    await vi.waitFor(() => expect(fills(a.events, r.client_order_id)).toHaveLength(1));
    rig.standIn.venue.settle([...rig.standIn.venue.trades.keys()][0]!, 'FAILED');
    await vi.waitFor(() => expect(fills(a.events, r.client_order_id).map((x) => x.status)).toEqual(['MATCHED', 'FAILED']));
    expect(rig.standIn.venue.position(TEST_ADDRESS, YES)).toBeCloseTo(0, 6);
    expect(rig.standIn.venue.balance(TEST_ADDRESS)).toBeCloseTo(1000, 6);
  });
});

describe('takerLegs: the taker side of a venue trade', () => {
  it('a maker holding the complementary token sold at 1 − its price (a BUY matched with a BUY of the other outcome)', () => {
    const legs = takerLegs({
      id: 't',
      status: 'MATCHED',
      taker_order_id: '0xt',
      asset_id: YES,
      size: '15',
      price: '0.45',
      maker_orders: [
        { order_id: '0xa', matched_amount: '10', price: '0.44', asset_id: YES },
        { order_id: '0xb', matched_amount: '5', price: '0.55', asset_id: NO },
      ],
    });
    expect(legs).toEqual([
      { size: 10, price: 0.44 },
      { size: 5, price: 0.45 },
    ]);
  });

  it('a trade that names no makers is its own one leg (size at price)', () => {
    const events: ExecutionEvent[] = [];
    const t = new RealOrderTracker({ emit: (e) => events.push(e), feeFor: () => FEE, nowSeconds: () => 1_000, expirationBufferS: 60 });
    t.bind(t.add(req({ order_type: 'FAK', price: 0.5, size: 10 })), '0xo');
    t.onVenueTrade({ id: 't1', status: 'MATCHED', taker_order_id: '0xo', size: '10', price: '0.5', maker_orders: [] });
    expect(fills(events)).toMatchObject([{ size: 10, price: 0.5, fee_usdc: fillFee(10, 0.5, 'taker', FEE) }]);
  });
});
