import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { YES, fills, req, rigPerTest, statuses } from './support.ts';

/**
 * helios's real adapter on a market whose matching the venue delays (Polymarket's sports markets,
 * `seconds_delay`): a marketable order answered "delayed" is open until the venue matches it —
 * its heartbeats run meanwhile, it can be canceled, its fills after the delay are booked, and the
 * venue lists it, so reconciliation finds it where helios has it.
 */
const rigs = rigPerTest();
const DELAY_S = 2;
const BEATS = { heartbeat: { interval_ms: 20, max_misses: 3 } };

async function delayedMarket() {
  // The venue's clock is virtual: the delay is over when the test says so.
  const venueClock = new VirtualClock(Date.now());
  const rig = await rigs.standIn({ clock: venueClock, secondsDelay: DELAY_S });
  return { venueClock, rig, a: await rigs.adapter(rig, BEATS) };
}

describe('real adapter: orders the venue delays', () => {
  it('an order answered "delayed" is open (not left pending) and can be canceled while it waits, even when the user channel said nothing', async () => {
    const { venueClock, rig, a } = await delayedMarket();
    // No user channel (start() not called): the POST answer is all helios hears of it.
    const r = req({ order_type: 'FAK', price: 0.43, size: 20 });
    const ack = await a.adapter.placeOrder(r);
    expect(ack).toMatchObject({ accepted: true });
    expect(rig.standIn.venue.delayedOrders()).toBe(1);
    expect(statuses(a.events, r.client_order_id)).toEqual(['pending', 'open']);
    await vi.waitFor(() => expect(a.adapter.heartbeats.beats).toBeGreaterThan(0));
    expect(await a.adapter.cancelOrder(r.client_order_id)).toMatchObject({ ok: true });
    expect(statuses(a.events, r.client_order_id).at(-1)).toBe('canceled');
    venueClock.advanceBy(DELAY_S * 1000);
    expect(rig.standIn.venue.trades.size).toBe(0);
    expect(ack.accepted && rig.standIn.venue.orders.get(ack.venue_order_id)?.status).toBe('CANCELED');
  });

  it('while DELAYED it is listed at the venue as helios has it and heartbeats run; the fill after the delay is booked and the order done', async () => {
    const { venueClock, rig, a } = await delayedMarket();
    await a.adapter.start();
    // $8.60 at up to 0.43: 20.47 shares at the 0.42 asks once matched.
    const r = req({ order_type: 'FAK', price: 0.43, size: 20 });
    await a.adapter.placeOrder(r);
    await vi.waitFor(() => expect(statuses(a.events, r.client_order_id)).toEqual(['pending', 'open']));
    expect(await a.adapter.fetchOpenOrders()).toEqual([{ client_order_id: r.client_order_id, market_id: 'm1', token_id: YES, side: 'BUY', price: 0.43, size: 20, filled_size: 0 }]);
    const beatsBefore = a.adapter.heartbeats.beats;
    await vi.waitFor(() => expect(a.adapter.heartbeats.beats).toBeGreaterThan(beatsBefore + 1));
    expect(rig.standIn.venue.liveHeartbeats()).toBe(1);
    expect(fills(a.events, r.client_order_id)).toEqual([]);

    venueClock.advanceBy(DELAY_S * 1000);
    await vi.waitFor(() => expect(statuses(a.events, r.client_order_id).at(-1)).toBe('filled'));
    const [f] = fills(a.events, r.client_order_id);
    expect(f).toMatchObject({ status: 'MATCHED', price: 0.42, liquidity: 'taker' });
    expect(f!.size).toBeCloseTo(8.6 / 0.42, 2);
    expect(await a.adapter.fetchOpenOrders()).toEqual([]);
    const positions = await a.adapter.fetchPositions();
    expect(positions.map((p) => [p.token_id, Math.round(p.shares * 100) / 100])).toEqual([[YES, Math.round((8.6 / 0.42) * 100) / 100]]);
    expect(a.alerts).toEqual([]);
  });
});
