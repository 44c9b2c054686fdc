import { describe, expect, it } from 'vitest';
import { flush, paperRouterRig } from '../trading/support.ts';

/**
 * The venue changes a market's tick (the market channel's tick_size_change) or Gamma reports a new
 * tick or minimum size (discovery's MARKET_SPEC_CHANGED on the control topic): the market actor
 * prices and sizes its next orders to the new values.
 */
function rig() {
  const { clock, cfg, events, router, runtime, placed } = paperRouterRig();
  /** Both legs offered at `ask` on a `tick` grid: a pair the arb strategy enters. */
  const offer = (tick: number, ask: number) => {
    for (const token of ['Y', 'N']) {
      router.route(
        events.make(
          'L2_SNAPSHOT',
          { resync_epoch_id: 1, synced: true, tick_size: tick, bids: [[ask - tick, 100]], asks: [[ask, 100]], best_bid: ask - tick, best_ask: ask, mid: ask - tick / 2, spread: tick, microprice: null, imbalance: null, hash: null },
          { market_id: 'm1', token_id: token },
        ),
      );
    }
  };
  return { clock, cfg, events, router, runtime, placed, offer };
}

describe('tick and minimum size changes reach the market actor', () => {
  it("the market channel's tick_size_change: the next order is priced on the new tick", async () => {
    const r = rig();
    await r.runtime.start();
    for (const token of ['Y', 'N']) r.router.route(r.events.make('TICK_SIZE_CHANGE', { old_tick_size: 0.01, new_tick_size: 0.001 }, { market_id: 'm1', token_id: token }));
    expect(r.runtime.marketSnapshot('m1')!.context.spec.tick_size).toBe(0.001);
    // The tick change unsynced the books (a halt cause): fresh snapshots, then the cool-down.
    r.offer(0.001, 0.447);
    await r.clock.advanceSettling(r.clock.now() + r.cfg.trading.halt.cool_down_ms + 1);
    r.offer(0.001, 0.447);
    await flush();
    expect(r.placed.length).toBeGreaterThan(0);
    // Bought at the ask on the 0.001 grid, a price the 0.01 grid the market started with cannot hold.
    for (const o of r.placed) expect(o.price).toBe(0.447);
    r.runtime.stop();
  });

  it("discovery's MARKET_SPEC_CHANGED: new tick and minimum size, also for an actor restarted after it", async () => {
    const r = rig();
    await r.runtime.start();
    r.router.route(r.events.make('MARKET_SPEC_CHANGED', { tick_size: 0.001, min_order_size: 15 }, { market_id: 'm1' }));
    expect(r.router.spec('m1')).toMatchObject({ tick_size: 0.001, min_order_size: 15 });
    expect(r.runtime.marketSnapshot('m1')!.context.spec).toMatchObject({ tick_size: 0.001, min_order_size: 15 });
    // Repeated (Gamma says it again next scan): nothing more reaches the actor.
    expect(r.router.route(r.events.make('MARKET_SPEC_CHANGED', { tick_size: 0.001, min_order_size: 15 }, { market_id: 'm1' }))).toBe(false);
    r.offer(0.001, 0.447);
    await flush();
    expect(r.placed.length).toBeGreaterThan(0);
    for (const o of r.placed) expect(o.price).toBe(0.447);
    r.runtime.stop();
  });
});
