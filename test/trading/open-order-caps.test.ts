import { describe, expect, it } from 'vitest';
import { riskSection } from '../../src/config/sections/trading.ts';
import { RiskEngine, type OrderCheck } from '../../src/domain/trading/risk-engine.ts';
import { book, defaultSections, flush, rig, spec, startPairFirstChunk, truthSignal } from './support.ts';

const cfg = defaultSections();

/** Caps of 2 per market and 3 in all; the rate limit and notional caps out of the way. */
function engine(perMarket = 2, total = 3): RiskEngine {
  return new RiskEngine({ ...cfg.risk, max_open_orders_per_market: perMarket, max_open_orders: total, rate_limit: { max_orders: 1000, window_ms: 1 } });
}

const buy = (id: string, market: string, over: Partial<OrderCheck> = {}): OrderCheck => ({ client_order_id: id, market_id: market, side: 'BUY', price: 0.1, size: 5, reduces: false, ...over });

describe('risk: open-order caps', () => {
  it('refuses an order that adds risk beyond the per-market or the total cap, and frees a slot when an order ends', () => {
    const r = engine();
    expect(r.checkOrder(buy('a', 'm1'), 0).ok).toBe(true);
    expect(r.checkOrder(buy('b', 'm1'), 0).ok).toBe(true);
    expect(r.checkOrder(buy('c', 'm1'), 0)).toEqual({ ok: false, reason: 'open orders in market 2 ≥ risk.max_open_orders_per_market 2' });
    expect(r.checkOrder(buy('d', 'm2'), 0).ok).toBe(true);
    expect(r.checkOrder(buy('e', 'm3'), 0)).toEqual({ ok: false, reason: 'open orders 3 ≥ risk.max_open_orders 3' });
    // A partial fill keeps the order open; only a terminal update frees its slot.
    r.onOrderProgress('a', 2, 5, false);
    expect(r.checkOrder(buy('f', 'm3'), 0).ok).toBe(false);
    r.onOrderProgress('a', 5, 5, true);
    expect(r.checkOrder(buy('g', 'm3'), 0).ok).toBe(true);
  });

  it('never refuses a reducing order (a sell of shares held, a buy completing a naked leg) and does not count it', () => {
    const r = engine(2, 2);
    expect(r.checkOrder(buy('a', 'm1'), 0).ok).toBe(true);
    expect(r.checkOrder(buy('b', 'm1'), 0).ok).toBe(true);
    expect(r.checkOrder(buy('sell', 'm1', { side: 'SELL', reduces: true }), 0).ok).toBe(true);
    expect(r.checkOrder(buy('complete', 'm1', { reduces: true }), 0).ok).toBe(true);
    expect(r.checkOrder(buy('entry', 'm2'), 0)).toEqual({ ok: false, reason: 'open orders 2 ≥ risk.max_open_orders 2' });
    r.onOrderProgress('a', 0, 5, true);
    // The two reducing orders still open take no slot: one entry fits again.
    expect(r.checkOrder(buy('c', 'm1'), 0).ok).toBe(true);
  });

  it('never refuses a leg completing a partial neg-risk set, which still counts once placed', () => {
    const r = engine(2, 2);
    r.checkOrder(buy('a', 'm1'), 0);
    r.checkOrder(buy('b', 'm2'), 0);
    expect(r.checkOrder(buy('leg', 'm3', { completes_set: true }), 0).ok).toBe(true);
    r.onOrderProgress('a', 0, 5, true);
    r.onOrderProgress('b', 0, 5, true);
    expect(r.checkOrder(buy('c', 'm4'), 0).ok).toBe(true);
    expect(r.checkOrder(buy('d', 'm5'), 0).ok).toBe(false);
  });

  it('counts adopted venue orders, and takes back a pair\'s first leg when its second is over the cap', () => {
    const r = engine(3, 10);
    r.adopt(buy('venue-1', 'm1'), 0);
    r.adopt(buy('venue-2', 'm1'), 0);
    expect(r.checkOrders([buy('yes', 'm1'), buy('no', 'm1')], 0)).toEqual({ ok: false, reason: 'no: open orders in market 3 ≥ risk.max_open_orders_per_market 3' });
    // The first leg's reservation went with the refusal: one single order still fits.
    expect(r.checkOrder(buy('one', 'm1'), 0).ok).toBe(true);
  });
});

describe('config: risk open-order caps', () => {
  const risk = () => structuredClone(cfg.risk) as Record<string, unknown>;

  it('ships caps above what the strategies keep open (3 per market, a set of 11 legs)', () => {
    expect(cfg.risk.max_open_orders_per_market).toBeGreaterThanOrEqual(3);
    expect(cfg.risk.max_open_orders).toBeGreaterThanOrEqual(11);
  });

  it('refuses a per-market cap above the total, one below a pair, and a missing cap, naming the key', () => {
    const above = riskSection.safeParse({ ...risk(), max_open_orders_per_market: 60, max_open_orders: 50 });
    expect(above.success).toBe(false);
    expect(above.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['max_open_orders_per_market', 'at most risk.max_open_orders (50): the per-market cap lies within the total']]);
    const single = riskSection.safeParse({ ...risk(), max_open_orders_per_market: 1 });
    expect(single.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['max_open_orders_per_market', 'at least 2: a pair chunk sends its two legs together']]);
    const { max_open_orders: _gone, ...missing } = risk();
    expect(riskSection.safeParse(missing).error!.issues.map((i) => i.path.join('.'))).toEqual(['max_open_orders']);
    expect(riskSection.safeParse({ ...risk(), max_open_order: 5 }).success).toBe(false);
  });
});

describe('runtime: open-order caps across markets deciding in the same turn', () => {
  it('rests entries in as many markets as the total cap allows; the next is refused by risk with the reason', async () => {
    const r = rig({ tune: (c) => {
      c.risk.max_open_orders = 2;
      c.risk.max_open_orders_per_market = 2;
      c.trading.orders.resting_type = 'GTC';
    } });
    const ids = ['m1', 'm2', 'm3'];
    for (const id of ids) r.runtime.addMarket(spec({ market_id: id, yes_token: `Y${id}`, no_token: `N${id}`, fair_source: { kind: 'truth', outcome_by_token: { [`Y${id}`]: 'teamA', [`N${id}`]: 'teamB' } }, strategies: { pair_arb: false, temporal: true } }), { synced: true });
    await r.runtime.start();
    // Each market's fair 0.64 and books as in startRestingEdgeEntry: a resting YES bid at 0.56 has the edge.
    for (const id of ids) {
      r.runtime.send(id, { type: 'TRUTH', truth: truthSignal('live', 0.64), ts_ms: r.clock.now() });
      r.setBook(`Y${id}`, book([[0.55, 40]], [[0.6, 100]]));
      r.setBook(`N${id}`, book([[0.37, 40]], [[0.45, 100]]));
    }
    r.clock.advanceBy(100);
    await flush();
    const orders = ids.flatMap((id) => Object.values(r.runtime.marketSnapshot(id)!.context.orders));
    expect(orders.filter((o) => o.status === 'open')).toHaveLength(2);
    const refused = orders.filter((o) => o.status === 'rejected');
    // The market refused asks again on its next decision, refused alike (and counted towards its breaker).
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((o) => `${o.market_id}: ${o.reason}`))).toEqual(new Set(['m3: risk: open orders 2 ≥ risk.max_open_orders 2']));
    expect(r.paper.openOrdersNow()).toHaveLength(2);
    r.runtime.stop();
  });

  it('places an order that reduces a position with the open-order caps full: the buy closing a naked pair leg', async () => {
    const r = rig({ tune: (c) => {
      c.risk.max_open_orders = 4;
      c.risk.max_open_orders_per_market = 4;
    } });
    await startPairFirstChunk(r, { synced: true });
    // The venue's NO book moved away before the entry reached it: YES fills, NO is killed unfilled.
    r.books.set('N', book([[0.44, 100]], [[0.9, 100]]));
    r.clock.advanceBy(100);
    await flush();
    const orders = () => Object.values(r.runtime.marketSnapshot('m1')!.context.orders);
    expect(orders().map((o) => [o.token_id, o.status, o.filled_size])).toEqual([['Y', 'filled', 10], ['N', 'canceled', 0]]);
    // Orders found at the venue (adopted: they count) fill the market's cap and the total.
    for (let i = 0; i < 4; i++) r.risk.adopt({ client_order_id: `venue-${i}`, market_id: 'm1', side: 'BUY', price: 0.01, size: 1, reduces: false }, 0);
    expect(r.risk.checkOrder({ client_order_id: 'entry', market_id: 'm1', side: 'BUY', price: 0.4, size: 10, reduces: false }, r.clock.now())).toEqual({ ok: false, reason: 'open orders in market 4 ≥ risk.max_open_orders_per_market 4' });
    // NO is offered again where completing locks a profit: the naked YES leg is closed regardless.
    r.setBook('N', book([[0.39, 100]], [[0.4, 100]]));
    r.setBook('Y', book([[0.44, 100]], [[0.45, 100]]));
    r.clock.advanceBy(100);
    await flush();
    expect(orders().slice(2).map((o) => [o.token_id, o.side, o.size, o.price, o.status, o.reason])).toEqual([['N', 'BUY', 10, 0.4, 'filled', null]]);
    expect(r.paper.positionsNow().map((p) => [p.token_id, p.shares])).toEqual([['N', 10], ['Y', 10]]);
    r.runtime.stop();
  });
});
