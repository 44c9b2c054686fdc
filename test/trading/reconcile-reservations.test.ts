import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../src/adapters/execution/execution-adapter.ts';
import { book, flush, rig, spec, startEdgeMarket } from './support.ts';

describe('a rebuild from the venue and the risk reservations', () => {
  it('frees what risk reserved for a live order the venue no longer lists (its end never heard)', async () => {
    const r = rig();
    r.cfg.trading.orders.resting_type = 'GTC';
    // The venue's answers about `lost` orders never arrive (a user channel that dropped them).
    const lost = new Set<string>();
    const subscribe = r.paper.subscribe.bind(r.paper);
    r.paper.subscribe = (listener) => subscribe((e: ExecutionEvent) => void (lost.has(e.kind === 'order' ? e.update.client_order_id : e.fill.client_order_id) || listener(e)));
    // Fair 0.64: no taker edge at 0.60, a resting bid one tick up at 0.56 has one.
    await startEdgeMarket(r, { fair: 0.64, yes: book([[0.55, 40]], [[0.6, 100]]), no: book([[0.37, 40]], [[0.45, 100]]), afterMs: 100 });
    const order = Object.values(r.runtime.marketSnapshot('m1')!.context.orders).find((o) => o.status === 'open')!;
    expect(r.risk.totalExposure()).toBeCloseTo(order.size * order.price, 9);

    lost.add(order.client_order_id);
    void r.paper.cancelOrder(order.client_order_id);
    r.clock.advanceBy(r.cfg.execution.reconcile.interval_ms + 100);
    await flush();
    const messages = r.sink.events.filter((e) => e.type === 'ALERT').map((e) => (e.payload as { message: string }).message);
    expect(messages).toContain(`m1: order ${order.client_order_id} is live here but not at the venue`);
    expect(r.runtime.marketSnapshot('m1')!.context.orders[order.client_order_id]).toBeUndefined();
    // Nothing is held or working: nothing may count against the caps.
    expect(r.paper.positionsNow()).toEqual([]);
    expect(r.risk.totalExposure()).toBe(0);
    r.runtime.stop();
  });

  it('reserves what an open order it adopts from the venue can buy, until that order ends', async () => {
    const r = rig();
    r.books.set('N', book([[0.49, 100]], [[0.5, 100]]));
    r.runtime.addMarket(spec({ strategies: { pair_arb: false, temporal: false } }));
    await r.runtime.start();
    // An order risk never checked rests at the venue (an earlier process's, or one whose answer was lost).
    void r.paper.placeOrder({ client_order_id: 'external-1', market_id: 'm1', token_id: 'N', side: 'BUY', order_type: 'GTC', price: 0.3, size: 10, strategy: 'temporal', expires_at_ms: null });
    r.clock.advanceBy(100);
    await flush();
    expect(r.risk.totalExposure()).toBe(0);

    const report = await r.runtime.reconcile();
    expect(report.breaks.map((b) => b.mismatches.map((m) => m.kind))).toEqual([['unknown_at_venue']]);
    expect(r.runtime.marketSnapshot('m1')!.context.orders['external-1']?.status).toBe('open');
    // It can still buy 10 at 0.30 (a maker pays no fee here): that counts against the caps.
    expect(r.risk.marketExposure('m1')).toBeCloseTo(3, 9);

    void r.paper.cancelOrder('external-1');
    r.clock.advanceBy(100);
    await flush();
    expect(r.risk.totalExposure()).toBe(0);
    r.runtime.stop();
  });
});
