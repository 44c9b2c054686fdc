import { describe, expect, it, vi } from 'vitest';
import { YES, rigPerTest, type AdapterRig } from './support.ts';

const rigs = rigPerTest();

/** An order resting at the venue that this process did not place (an earlier run, another tool). */
async function foreignOrder(x: AdapterRig): Promise<string> {
  const p = await x.session.prepare({ tokenId: YES, side: 'BUY', price: 0.3, size: 10, type: 'GTC', expiration: 0, tick: '0.01', negRisk: false }, false);
  await x.session.postOrder(p);
  return p.id;
}

describe('start-up reconciliation', () => {
  it('cancels venue orders helios did not place when configured to', async () => {
    const rig = await rigs.standIn();
    const a = await rigs.adapter(rig, { reconcile: { unknown_orders: 'cancel', trades_lookback_s: 3600, missing_trade_reads: 3 } });
    const id = await foreignOrder(a);
    const report = await a.adapter.start();
    expect(report).toMatchObject({ open_orders: 1, canceled: [id], adopted: [], collateral_usdc: 1000 });
    expect(rig.standIn.venue.openOrders(a.session.apiCreds.key)).toEqual([]);
    expect(a.alerts.map((x) => x.code)).toContain('UNKNOWN_VENUE_ORDER');
  });

  it('adopts them when configured to: they show under a client id of their own', async () => {
    const rig = await rigs.standIn();
    const a = await rigs.adapter(rig, { reconcile: { unknown_orders: 'adopt', trades_lookback_s: 3600, missing_trade_reads: 3 } });
    await foreignOrder(a);
    const report = await a.adapter.start();
    expect(report.adopted).toHaveLength(1);
    const open = await a.adapter.fetchOpenOrders();
    expect(open).toEqual([{ client_order_id: report.adopted[0], market_id: 'm1', token_id: YES, side: 'BUY', price: 0.3, size: 10, filled_size: 0 }]);
    expect(a.adapter.tracker.get(report.adopted[0]!)!.req.strategy).toBe('reconciled');
  });

  it('an adopted order partly filled before: its filled size is the venue\'s, not that plus its trades again', async () => {
    const rig = await rigs.standIn();
    const a = await rigs.adapter(rig, { reconcile: { unknown_orders: 'adopt', trades_lookback_s: 3600, missing_trade_reads: 3 } });
    const id = await foreignOrder(a);
    rig.standIn.venue.fillResting(id, 4);
    const report = await a.adapter.start();
    const adopted = a.adapter.tracker.get(report.adopted[0]!)!;
    expect([adopted.status, adopted.filled]).toEqual(['partially_filled', 4]);
    // Its fill still awaits its answer: the position names it once.
    expect((await a.adapter.fetchPositions()).flatMap((p) => p.awaiting ?? []).map((f) => f.size)).toEqual([4]);
    // A later fill adds only itself.
    rig.standIn.venue.fillResting(id, 3);
    await vi.waitFor(() => expect(adopted.filled).toBe(7));
    expect(adopted.status).toBe('partially_filled');
  });

  it('start-up fails (trading must not start) when the venue cannot be read or the user channel cannot connect', async () => {
    const rig = await rigs.standIn();
    const a = await rigs.adapter(rig, { request_timeout_ms: 500 });
    rig.standIn.inject('GET /data/orders', { kind: 'status', status: 500, error: 'down' });
    await expect(a.adapter.start()).rejects.toThrow(/GET \/data\/orders/);
    a.adapter.stop();
    const dead = await rigs.adapter(rig, { request_timeout_ms: 500 }, undefined, 'ws://127.0.0.1:1/ws/user');
    await expect(dead.adapter.start()).rejects.toThrow(/user channel .* did not connect/);
  });

  it('a periodic open-order check shows an order helios does not know under its venue id, unadopted', async () => {
    const rig = await rigs.standIn();
    const a = await rigs.adapter(rig);
    const id = await foreignOrder(a);
    expect((await a.adapter.fetchOpenOrders()).map((o) => [o.client_order_id, o.market_id])).toEqual([[`venue:${id}`, 'm1']]);
    expect(a.adapter.tracker.all()).toEqual([]);
  });

  it('positions, with the average price paid (their cost), come from the Data API of the funds address, with the fills they hold still awaiting an answer', async () => {
    const rig = await rigs.standIn();
    const a = await rigs.adapter(rig);
    await a.adapter.placeOrder({ client_order_id: 'p1', market_id: 'm1', token_id: YES, side: 'BUY', order_type: 'FOK', price: 0.42, size: 10, strategy: 'temporal', expires_at_ms: null });
    const [trade] = [...rig.standIn.venue.trades.keys()];
    await vi.waitFor(() => expect(a.adapter.tracker.unansweredTrade(`p1:${trade}`)).toBe(trade));
    const awaiting = [{ fill_id: `p1:${trade}`, client_order_id: 'p1', side: 'BUY', price: 0.42, size: 10 }];
    expect(await a.adapter.fetchPositions()).toEqual([{ token_id: YES, shares: 10, avg_cost: 0.42, awaiting }]);
    // Once confirmed (read by REST here: this adapter follows no user channel), the position holds nothing awaiting.
    rig.standIn.venue.settle(trade!, 'CONFIRMED');
    await a.adapter.resync();
    expect(a.adapter.tracker.unansweredTrade(`p1:${trade}`)).toBeNull();
    expect(await a.adapter.fetchPositions()).toEqual([{ token_id: YES, shares: 10, avg_cost: 0.42 }]);
  });
});
