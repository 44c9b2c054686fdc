import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../src/domain/trading/orders.ts';
import { book, flush, rig, startEdgeMarket } from './support.ts';

/**
 * A market resolved while an order of it was live cancels it on the way; when that cancel is
 * rejected, or the order never hears its end, reconciliation closes the order out from the venue's
 * open orders (the runtime's own tick, on the virtual clock): an order the venue still lists is
 * cancelled again, one it no longer lists is done. Only then is the market settled for good and
 * retired; before, it and an order record claiming to be live stayed for the life of the process.
 */
function resolvedWithOneOrder(opts: { venueLosesOrder: boolean }) {
  const r = rig({
    tune: (cfg) => {
      cfg.trading.orders.resting_type = 'GTC';
      cfg.trading.resolved_market_retention_ms = 0;
    },
  });
  if (opts.venueLosesOrder) {
    // The venue acknowledges the order and then never knows of it (a lost request): no update ever comes.
    r.paper.placeOrder = async (req) => ({ accepted: true, client_order_id: req.client_order_id, venue_order_id: 'lost', duplicate: false });
  }
  const cancel = r.paper.cancelOrder.bind(r.paper);
  let rejectNext = true;
  // The venue rejects the cancel sent at resolution (busy); it takes the next one.
  r.paper.cancelOrder = async (id) => {
    if (!rejectNext) return cancel(id);
    rejectNext = false;
    return { ok: false, client_order_id: id, reason: 'venue busy', benign: false };
  };
  return r;
}

async function placeRestingBuyThenResolve(r: ReturnType<typeof rig>): Promise<OrderRecord> {
  // Fair 0.64: a bid one tick up at 0.56 rests (as in runtime.test.ts's resting-order case).
  await startEdgeMarket(r, { fair: 0.64, yes: book([[0.55, 40]], [[0.6, 100]]), no: book([[0.37, 40]], [[0.45, 100]]), afterMs: 100 });
  const [order] = Object.values(r.runtime.marketSnapshot('m1')!.context.orders);
  expect(order).toMatchObject({ token_id: 'Y', side: 'BUY', order_type: 'GTC' });
  r.runtime.send('m1', { type: 'MARKET_RESOLVED', winning_token_id: 'N' });
  r.clock.advanceBy(100);
  await flush();
  expect(r.runtime.marketSnapshot('m1')!.state).toBe('RESOLVED');
  // The cancel went and was rejected: the order is still live here.
  const mine = r.runtime.marketSnapshot('m1')!.context.orders[order!.client_order_id]!;
  expect(['pending', 'open']).toContain(mine.status);
  return order!;
}

/** Runs the runtime's tick (reconciles every 10 s, settles after 5 s of grace) for `ms`. */
async function runFor(r: ReturnType<typeof rig>, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 500) {
    r.clock.advanceBy(500);
    await flush();
  }
}

describe('a resolved market whose order hears no end is closed out by reconciliation and retires', () => {
  it('cancels again an order the venue still lists after its resolution cancel was rejected', async () => {
    const r = resolvedWithOneOrder({ venueLosesOrder: false });
    const order = await placeRestingBuyThenResolve(r);
    expect(r.paper.openOrdersNow().map((o) => o.client_order_id)).toEqual([order.client_order_id]);
    await runFor(r, 25_000);
    expect(r.paper.openOrdersNow()).toEqual([]);
    expect(r.paper.orderState(order.client_order_id)!.status).toBe('canceled');
    expect(r.runtime.marketIds()).toEqual([]);
    const retired = r.sink.events.filter((e) => e.type === 'ALERT' && e.payload.code === 'MARKET_RETIRED');
    expect(retired.map((e) => e.market_id)).toEqual(['m1']);
    expect(r.risk.totalExposure()).toBe(0);
    r.runtime.stop();
  });

  it('closes out an order the venue no longer lists, frees what risk reserved for it, and says so', async () => {
    const r = resolvedWithOneOrder({ venueLosesOrder: true });
    const order = await placeRestingBuyThenResolve(r);
    expect(r.risk.totalExposure()).toBeGreaterThan(0);
    expect(r.paper.openOrdersNow()).toEqual([]);
    await runFor(r, 25_000);
    expect(r.runtime.marketIds()).toEqual([]);
    const alerts = r.sink.events.flatMap((e) => (e.type === 'ALERT' && ['ORDER_CLOSED_OUT', 'MARKET_RETIRED'].includes(e.payload.code) ? [{ ...e.payload, market_id: e.market_id }] : []));
    expect(alerts.map((a) => [a.code, a.market_id])).toEqual([
      ['ORDER_CLOSED_OUT', 'm1'],
      ['MARKET_RETIRED', 'm1'],
    ]);
    expect(alerts[0]!.message).toContain(order.client_order_id);
    expect(r.risk.totalExposure()).toBe(0);
    r.runtime.stop();
  });
});

describe('a resolved market whose order the venue never lets go', () => {
  it('raises one critical ORDER_CANCEL_STUCK after execution.reconcile.max_cancel_retries re-sent cancels, and keeps cancelling', async () => {
    const r = rig({
      tune: (cfg) => {
        cfg.trading.orders.resting_type = 'GTC';
        cfg.trading.resolved_market_retention_ms = 0;
        cfg.execution.reconcile.max_cancel_retries = 3;
      },
    });
    // The venue rejects every cancel (its order book locked, say) and keeps listing the order.
    let cancels = 0;
    r.paper.cancelOrder = async (id) => {
      cancels++;
      return { ok: false, client_order_id: id, reason: 'venue busy', benign: false };
    };
    const order = await placeRestingBuyThenResolve(r);
    const stuck = () => r.sink.events.flatMap((e) => (e.type === 'ALERT' && e.payload.code === 'ORDER_CANCEL_STUCK' ? [{ ...e.payload, market_id: e.market_id }] : []));
    // Reconciliation every 10 s: two re-sent cancels are below the limit of three.
    await runFor(r, 25_000);
    const resentBelowLimit = cancels - 1;
    expect(resentBelowLimit).toBe(2);
    expect(stuck()).toEqual([]);
    await runFor(r, 40_000);
    expect(cancels - 1).toBeGreaterThanOrEqual(5);
    expect(stuck()).toHaveLength(1);
    expect(stuck()[0]).toMatchObject({ severity: 'critical', market_id: 'm1' });
    expect(stuck()[0]!.message).toContain(order.client_order_id);
    expect(stuck()[0]!.message).toContain('3 times');
    // Still there, still cancelling: the market cannot settle while the venue holds its order.
    expect(r.paper.openOrdersNow().map((o) => o.client_order_id)).toEqual([order.client_order_id]);
    expect(r.runtime.marketIds()).toEqual(['m1']);
    r.runtime.stop();
  });
});

describe('a venue order on a resolved market that the market never placed', () => {
  /** Resolves m1 with none of its own orders live, then an order nobody here placed rests on its YES token. */
  async function resolvedThenOrderByHand(tune: (cfg: ReturnType<typeof rig>['cfg']) => void = () => {}) {
    const r = rig({
      tune: (cfg) => {
        cfg.trading.resolved_market_retention_ms = 0;
        tune(cfg);
      },
    });
    await startEdgeMarket(r, { fair: 0.5, yes: book([[0.44, 40]], [[0.56, 100]]), no: book([[0.44, 40]], [[0.56, 100]]), afterMs: 100 });
    expect(Object.values(r.runtime.marketSnapshot('m1')!.context.orders)).toEqual([]);
    // Placed by hand on the same key (or left by an earlier session): the venue rests it, the market knows nothing of it.
    const ack = r.paper.placeOrder({ client_order_id: 'by-hand-1', market_id: 'm1', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.3, size: 10, strategy: 'temporal', expires_at_ms: null });
    r.clock.advanceBy(500);
    await flush();
    expect((await ack).accepted).toBe(true);
    r.runtime.send('m1', { type: 'MARKET_RESOLVED', winning_token_id: 'N' });
    r.clock.advanceBy(100);
    await flush();
    expect(r.runtime.marketSnapshot('m1')!.state).toBe('RESOLVED');
    expect(r.paper.openOrdersNow().map((o) => o.client_order_id)).toEqual(['by-hand-1']);
    return r;
  }
  const alertsOf = (r: ReturnType<typeof rig>, code: string) => r.sink.events.flatMap((e) => (e.type === 'ALERT' && e.payload.code === code ? [{ ...e.payload, market_id: e.market_id }] : []));

  it('is cancelled by reconciliation with a warn UNKNOWN_VENUE_ORDER naming it, and only then does the market retire', async () => {
    const r = await resolvedThenOrderByHand();
    await runFor(r, 25_000);
    expect(r.paper.orderState('by-hand-1')!.status).toBe('canceled');
    expect(r.paper.openOrdersNow()).toEqual([]);
    const unknown = alertsOf(r, 'UNKNOWN_VENUE_ORDER');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ severity: 'warn', market_id: 'm1' });
    expect(unknown[0]!.message).toContain('by-hand-1');
    const order = (code: string) => r.sink.events.findIndex((e) => e.type === 'ALERT' && e.payload.code === code);
    expect(order('MARKET_RETIRED')).toBeGreaterThan(order('UNKNOWN_VENUE_ORDER'));
    expect(r.runtime.marketIds()).toEqual([]);
    r.runtime.stop();
  });

  it('has its cancel re-sent like the market\'s own, and one ORDER_CANCEL_STUCK after max_cancel_retries; the market stays meanwhile', async () => {
    const r = await resolvedThenOrderByHand((cfg) => {
      cfg.execution.reconcile.max_cancel_retries = 2;
    });
    const cancelled: string[] = [];
    r.paper.cancelOrder = async (id) => {
      cancelled.push(id);
      return { ok: false, client_order_id: id, reason: 'venue busy', benign: false };
    };
    await runFor(r, 45_000);
    expect(cancelled.length).toBeGreaterThanOrEqual(3);
    expect(new Set(cancelled)).toEqual(new Set(['by-hand-1']));
    const stuck = alertsOf(r, 'ORDER_CANCEL_STUCK');
    expect(stuck).toHaveLength(1);
    expect(stuck[0]).toMatchObject({ severity: 'critical', market_id: 'm1' });
    expect(stuck[0]!.message).toContain('by-hand-1');
    expect(alertsOf(r, 'UNKNOWN_VENUE_ORDER')).toHaveLength(1);
    expect(r.runtime.marketIds()).toEqual(['m1']);
    r.runtime.stop();
  });
});
