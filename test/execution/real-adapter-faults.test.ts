import { describe, expect, it, vi } from 'vitest';
import { TEST_ADDRESS, fills, req, rigPerTest, statuses, type AdapterRig, type StandInRig } from './support.ts';

const { setup } = rigPerTest();

const venueOrders = (r: StandInRig, x: AdapterRig) => [...r.standIn.venue.orders.values()].filter((o) => o.owner === x.session.apiCreds.key);

describe('real adapter: the outcome policy against a misbehaving venue', () => {
  it('425, 429 and 500 back off and resend the same signed order: one order at the venue', async () => {
    const { rig, a } = await setup();
    rig.standIn.inject('POST /order', { kind: 'status', status: 425, error: 'service not ready' }, { kind: 'status', status: 429, error: 'Too Many Requests' }, { kind: 'status', status: 500, error: 'could not run the execution' });
    const ack = await a.adapter.placeOrder(req());
    expect(ack).toMatchObject({ accepted: true });
    expect(rig.standIn.count('POST /order')).toBe(4);
    expect(a.adapter.stats.retries).toBe(3);
    expect(venueOrders(rig, a)).toHaveLength(1);
  });

  it('a 500 after the order was placed: the resend meets the duplicate, and the order is settled from the venue', async () => {
    const { rig, a } = await setup();
    rig.standIn.inject('POST /order', { kind: 'status_after', status: 500, error: 'could not run the execution' });
    const r = req();
    expect(await a.adapter.placeOrder(r)).toMatchObject({ accepted: true });
    await vi.waitFor(() => expect(statuses(a.events, r.client_order_id)).toEqual(['pending', 'open']));
    expect(rig.standIn.count('POST /order')).toBe(2);
    expect(venueOrders(rig, a)).toHaveLength(1);
  });

  it('429 until the attempts run out: rejected, because the venue never took it', async () => {
    const { rig, a } = await setup();
    const many = Array.from({ length: 10 }, () => ({ kind: 'status' as const, status: 429, error: 'Too Many Requests' }));
    rig.standIn.inject('POST /order', ...many);
    const r = req();
    expect(await a.adapter.placeOrder(r)).toMatchObject({ accepted: false });
    expect(statuses(a.events, r.client_order_id).at(-1)).toBe('rejected');
    expect(venueOrders(rig, a)).toHaveLength(0);
  });

  it('an answer lost after the order filled (connection reset): in flight, settled from the venue, never sent twice', async () => {
    const { rig, a } = await setup();
    rig.standIn.inject('POST /order', { kind: 'reset_after' });
    const r = req({ order_type: 'FOK', price: 0.42, size: 10 });
    const ack = await a.adapter.placeOrder(r);
    expect(ack).toMatchObject({ accepted: true });
    await vi.waitFor(() => expect(statuses(a.events, r.client_order_id).at(-1)).toBe('filled'));
    expect(fills(a.events, r.client_order_id).map((f) => [f.status, f.size])).toEqual([['MATCHED', 10]]);
    expect(rig.standIn.count('POST /order')).toBe(1);
    expect(a.alerts.map((x) => x.code)).toContain('ORDER_IN_FLIGHT');
  });

  it('a request that times out after the order rested: in flight until the venue shows it open; a cancel meanwhile waits for that, then cancels', async () => {
    const { rig, a } = await setup({ request_timeout_ms: 300 });
    rig.standIn.inject('POST /order', { kind: 'hang_after' });
    const r = req();
    const placing = a.adapter.placeOrder(r);
    // Asked while the answer is lost: not refused at once (a caller repeating it would trip the
    // cancel-failure breaker), but answered once the venue's record shows the order open.
    const canceling = a.adapter.cancelOrder(r.client_order_id);
    expect(await placing).toMatchObject({ accepted: true });
    expect(await canceling).toMatchObject({ ok: true });
    expect(statuses(a.events, r.client_order_id)).toEqual(['pending', 'open', 'canceled']);
    expect(venueOrders(rig, a).map((o) => o.status)).toEqual(['CANCELED']);
    expect(rig.standIn.count('POST /order')).toBe(1);
  });

  it('a cancel of an order whose lost request never reached the venue answers benignly once that is known', async () => {
    const { rig, a } = await setup();
    rig.standIn.inject('POST /order', ...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 500, error: 'x' })));
    const r = req();
    const placing = a.adapter.placeOrder(r);
    expect(await a.adapter.cancelOrder(r.client_order_id)).toMatchObject({ ok: false, benign: true });
    expect(await placing).toMatchObject({ accepted: true });
    expect(statuses(a.events, r.client_order_id).at(-1)).toBe('canceled');
    expect(rig.standIn.count('DELETE /order')).toBe(0);
  });

  it('a lost request the venue never saw ends canceled as not found, not rejected and not resent', async () => {
    const { rig, a } = await setup();
    rig.standIn.inject('POST /order', { kind: 'status', status: 500, error: 'x' }, { kind: 'status', status: 500, error: 'x' }, { kind: 'status', status: 500, error: 'x' }, { kind: 'status', status: 500, error: 'x' });
    const r = req();
    expect(await a.adapter.placeOrder(r)).toMatchObject({ accepted: true });
    await vi.waitFor(() => expect(statuses(a.events, r.client_order_id).at(-1)).toBe('canceled'));
    expect(rig.standIn.count('POST /order')).toBe(4);
    expect(venueOrders(rig, a)).toHaveLength(0);
  });

  it('a stale balance cache: refreshed once and resent; a real shortfall halts the market with an alert', async () => {
    const { rig, a } = await setup();
    rig.standIn.venue.makeBalanceStale(TEST_ADDRESS);
    expect(await a.adapter.placeOrder(req())).toMatchObject({ accepted: true });
    expect(a.adapter.stats.balance_refreshes).toBe(1);
    expect(rig.standIn.count('GET /balance-allowance/update')).toBe(1);
    rig.standIn.venue.fund(TEST_ADDRESS, 0);
    const r = req();
    expect(await a.adapter.placeOrder(r)).toMatchObject({ accepted: false, reason: 'POST /order: not enough balance / allowance' });
    expect(a.alerts.filter((x) => x.code === 'MARKET_HALTED_BALANCE').map((x) => x.market_id)).toEqual(['m1']);
    const posts = rig.standIn.count('POST /order');
    expect(await a.adapter.placeOrder(req())).toMatchObject({ accepted: false, reason: expect.stringMatching(/market halted/) });
    expect(rig.standIn.count('POST /order')).toBe(posts);
  });

  it('order_version_mismatch: /version re-read and the order re-signed once', async () => {
    const { rig, a } = await setup();
    rig.standIn.version = 3;
    expect(await a.adapter.placeOrder(req())).toMatchObject({ accepted: true });
    expect(a.adapter.stats.resigned).toBe(1);
    expect(a.session.version).toBe(3);
    expect(venueOrders(rig, a)).toHaveLength(1);
  });

  it('a dropped user socket: on reconnect open orders and trades are read by REST, fills missed meanwhile arrive once', async () => {
    const { rig, a } = await setup();
    await a.adapter.start();
    const r = req({ price: 0.4 });
    await a.adapter.placeOrder(r);
    rig.standIn.dropUserSockets();
    const venueId = a.adapter.tracker.get(r.client_order_id)!.venueId!;
    rig.standIn.venue.fillResting(venueId, 4);
    await vi.waitFor(() => expect(a.adapter.stats.resyncs).toBeGreaterThanOrEqual(1));
    await vi.waitFor(() => expect(fills(a.events, r.client_order_id).map((f) => [f.status, f.size, f.liquidity])).toEqual([['MATCHED', 4, 'maker']]));
    expect(statuses(a.events, r.client_order_id).at(-1)).toBe('partially_filled');
  });
});
