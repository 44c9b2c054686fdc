import { describe, expect, it } from 'vitest';
import { book, rig, startEdgeMarket } from './support.ts';

describe("an edge entry and risk's per-order cap", () => {
  it('is sized within risk.max_order_usdc when the strategy would stake more, and goes out', async () => {
    // The strategy's caps allow 20 USDC an order; risk allows 5 (the shipped default).
    const r = rig({ tune: (c) => Object.assign(c.trading.temporal, { hard_cap_usdc: 20, kelly_max_fraction: 0.2 }) });
    await startEdgeMarket(r, { fair: 0.8, yes: book([[0.49, 100]], [[0.5, 100]]), no: book([[0.49, 100]], [[0.5, 100]]), afterMs: 100 });
    const orders = Object.values(r.runtime.marketSnapshot('m1')!.context.orders);
    expect(orders.map((o) => o.reason ?? '').filter((reason) => reason.startsWith('risk:'))).toEqual([]);
    expect(orders.map((o) => [o.status, o.price])).toEqual([['filled', 0.5]]);
    const order = orders[0]!;
    expect(order.size * order.price).toBeLessThanOrEqual(r.cfg.risk.max_order_usdc);
    expect(order.size * order.price).toBeGreaterThan(r.cfg.risk.max_order_usdc - 0.5);
    r.runtime.stop();
  });
});
