import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { ClobSession } from '../../src/adapters/execution/real-clob-session.ts';
import { ClobInjector } from '../../src/apps/soak/clob-injector.ts';
import { TEST_ADDRESS, TEST_KEY, VirtualClock, limitOrder, realConfig, startStandIn, type StandInRig } from '../execution/support.ts';

/**
 * The soak's CLOB fault injector on a market whose matching the venue delays (the soak's esports
 * markets): a lost answer is the class `clob_timeout_after_fill` when its order filled, which a
 * DELAYED order does only after the delay.
 */
let rig: StandInRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

describe('ClobInjector', () => {
  it('a lost answer on an order still DELAYED is judged once the venue matched it: the class happened, not armed again', async () => {
    const clock = new VirtualClock(Date.now());
    rig = await startStandIn({ clock, secondsDelay: 2 });
    const injector = new ClobInjector(rig.standIn, TEST_ADDRESS, 2);
    injector.arm('clob_timeout_after_fill');
    const s = await ClobSession.open(realConfig(rig.url, { request_timeout_ms: 300 }), { privateKey: TEST_KEY }, new SystemClock());
    // The venue takes the order, then never answers.
    await expect(s.postOrder(await s.prepare(limitOrder({ price: 0.43, size: 20, type: 'FAK' }), false))).rejects.toThrow();
    const [order] = rig.standIn.venue.orders.values();
    expect(order?.status).toBe('DELAYED');
    injector.poll();
    expect(injector.injected().clob_timeout_after_fill).toBe(0);
    expect(injector.detail()).toMatchObject({ lost_answers_on_unfilled_orders: 0 });
    clock.advanceBy(2000);
    expect(order!.size_matched).toBeGreaterThan(0);
    expect(injector.injected().clob_timeout_after_fill).toBe(1);
    expect(injector.pending()).toEqual([]);
    expect(rig.standIn.pendingFaults('POST /order')).toBe(0);
  });
});
