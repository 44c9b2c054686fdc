import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../src/adapters/execution/execution-adapter.ts';
import { book, flush, rig, startEdgeMarket } from './support.ts';

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
});
