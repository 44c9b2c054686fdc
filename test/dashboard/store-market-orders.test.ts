import { describe, expect, it } from 'vitest';
// @ts-expect-error the dashboard's browser module is plain JavaScript without types
import { applyFrame, createStore, marketOrders } from '../../src/apps/dashboard/web/store.js';

/**
 * The market view paints a market's ladders (our resting orders) and its order list on every
 * change: it reads that market's orders from an index kept as ORDER_UPDATEs fold, not every order
 * the page ever saw, and a market the trading side retired takes its orders, books and tape with it
 * (no view lists it any more), so a page open for weeks does not hold every order of every market.
 */
describe('dashboard store: orders by market', () => {
  it('lists a market\'s orders alone, first seen first, each as its latest update; a retired market\'s go', () => {
    const store = createStore();
    let seq = 0;
    const frame = (type: string, payload: Record<string, unknown>, ids: Record<string, string>) =>
      applyFrame(store, { type, payload, event_id: `e${++seq}`, correlation_id: `c${seq}`, ts_ingest: 1_000 + seq, ...ids });
    const order = (id: string, market: string, token: string, status: string, filled = 0) =>
      frame('ORDER_UPDATE', { client_order_id: id, venue_order_id: null, status, side: 'BUY', order_type: 'GTC', price: 0.4, size: 10, filled_size: filled, strategy: 'temporal', reason: null }, { market_id: market, token_id: token });
    const book = (market: string, token: string) =>
      frame('L2_SNAPSHOT', { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.39, 10]], asks: [[0.41, 10]], best_bid: 0.39, best_ask: 0.41, mid: 0.4, spread: 0.02, microprice: null, imbalance: null, hash: null }, { market_id: market, token_id: token });
    for (const [m, y, n] of [['m1', 'Y1', 'N1'], ['m2', 'Y2', 'N2']]) {
      book(m!, y!);
      book(m!, n!);
      frame('TRADE', { price: 0.4, size: 3, side: 'SELL' }, { market_id: m!, token_id: y! });
    }
    order('a', 'm1', 'Y1', 'pending');
    order('b', 'm2', 'Y2', 'pending');
    order('c', 'm1', 'N1', 'pending');
    order('a', 'm1', 'Y1', 'open');
    order('b', 'm2', 'Y2', 'filled', 10);
    order('a', 'm1', 'Y1', 'partially_filled', 4);
    const rows = (m: string) => [...marketOrders(store, m)].map((o: { client_order_id: string; status: string; history: string[] }) => `${o.client_order_id} ${o.status} ${o.history.join('>')}`);
    expect(rows('m1')).toEqual(['a partially_filled pending>open>partially_filled', 'c pending pending']);
    expect(rows('m2')).toEqual(['b filled pending>filled']);
    expect(rows('m3')).toEqual([]);
    // Each entry is the order the page holds by id.
    for (const o of marketOrders(store, 'm1')) expect(store.orders.get(o.client_order_id)).toBe(o);

    frame('ALERT', { severity: 'info', code: 'MARKET_RETIRED', message: 'm2: resolved and settled' }, { market_id: 'm2' });
    expect(rows('m2')).toEqual([]);
    expect([...store.orders.keys()].sort()).toEqual(['a', 'c']);
    expect([...store.books.keys()].sort()).toEqual(['N1', 'Y1']);
    expect([...store.tape.keys()]).toEqual(['Y1']);
    // Its late frames keep nothing of it; the live market's go on.
    book('m2', 'Y2');
    frame('TRADE', { price: 0.4, size: 1, side: 'BUY' }, { market_id: 'm2', token_id: 'Y2' });
    expect([...store.books.keys()].sort()).toEqual(['N1', 'Y1']);
    expect([...store.tape.keys()]).toEqual(['Y1']);
    order('c', 'm1', 'N1', 'canceled');
    expect(rows('m1')).toEqual(['a partially_filled pending>open>partially_filled', 'c canceled pending>canceled']);
    // Orders are counted as placed whatever became of their market.
    expect(store.counts.orders).toBe(3);
  });
});
