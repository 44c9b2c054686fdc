import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { HttpError } from '../../src/adapters/http/request-json.ts';
import { req, rigPerTest, statuses } from './support.ts';

const rigs = rigPerTest();

describe('heartbeats', () => {
  it('the venue cancels every order of a key whose heartbeats stop, and refuses a broken chain', async () => {
    const clock = new VirtualClock(Date.now());
    const rig = await rigs.standIn({ clock });
    const a = await rigs.adapter(rig, {}, clock);
    const id = await a.session.heartbeat('');
    await expect(a.session.heartbeat('hb-bogus')).rejects.toBeInstanceOf(HttpError);
    await a.session.heartbeat(id);
    const p = await a.session.prepare({ tokenId: rig.books.keys().next().value!, side: 'BUY', price: 0.3, size: 10, type: 'GTC', expiration: 0, tick: '0.01', negRisk: false }, false);
    await a.session.postOrder(p);
    expect(rig.standIn.venue.openOrders(a.session.apiCreds.key)).toHaveLength(1);
    clock.advanceBy(10_000);
    expect(rig.standIn.venue.deadManCancels).toBe(1);
    expect(rig.standIn.venue.openOrders(a.session.apiCreds.key)).toHaveLength(0);
  });

  it('chained beats while an order rests; after max_misses failures the adapter fails closed: cancel-all, alert, no new orders', async () => {
    const clock = new VirtualClock(Date.now());
    const rig = await rigs.standIn({ clock });
    const a = await rigs.adapter(rig, { heartbeat: { interval_ms: 5000, max_misses: 3 } }, clock);
    const r = req();
    await a.adapter.placeOrder(r);
    const hb = a.adapter.heartbeats;
    clock.advanceBy(0);
    await vi.waitFor(() => expect(hb.beats).toBe(1));
    clock.advanceBy(5000);
    await vi.waitFor(() => expect(hb.beats).toBe(2));
    expect(rig.standIn.count('POST /v1/heartbeats')).toBe(2);
    rig.standIn.inject('POST /v1/heartbeats', ...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 500, error: 'down' })));
    for (let miss = 1; miss <= 3; miss++) {
      clock.advanceBy(5000);
      await vi.waitFor(() => expect(hb.misses === miss || a.adapter.failedClosed !== null).toBe(true));
    }
    await vi.waitFor(() => expect(statuses(a.events, r.client_order_id).at(-1)).toBe('canceled'));
    expect(a.adapter.failedClosed).toMatch(/3 heartbeats in a row failed/);
    expect(a.alerts.filter((x) => x.code === 'EXECUTION_FAIL_CLOSED')).toHaveLength(1);
    expect(a.adapter.stats.fail_closed).toBe(1);
    expect(rig.standIn.count('DELETE /cancel-all')).toBe(1);
    const posts = rig.standIn.count('POST /order');
    expect(await a.adapter.placeOrder(req())).toMatchObject({ accepted: false, reason: expect.stringMatching(/failed closed/) });
    expect(rig.standIn.count('POST /order')).toBe(posts);
    // Nothing rests and the chain is dead: no more beats.
    clock.advanceBy(20_000);
    expect(rig.standIn.count('POST /v1/heartbeats')).toBe(5);
  });
});
