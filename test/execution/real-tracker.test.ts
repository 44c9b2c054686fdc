import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../src/adapters/execution/execution-adapter.ts';
import { ownMatches, RealOrderTracker } from '../../src/adapters/execution/real-tracker.ts';
import { FEE, req } from './support.ts';

function tracker(now = 1_000) {
  const events: ExecutionEvent[] = [];
  const t = new RealOrderTracker({ emit: (e) => events.push(e), feeFor: () => FEE, nowSeconds: () => now, expirationBufferS: 60 });
  return { t, events };
}

const trade = (id: string, status: string, order: string, maker = false) =>
  maker ? { id, status, taker_order_id: 'someone', size: '5', price: '0.4', maker_orders: [{ order_id: order, matched_amount: '3', price: '0.4' }] } : { id, status, taker_order_id: order, size: '5', price: '0.4' };

describe('real order tracker: venue facts into paper-shaped events', () => {
  it('each trade counts once whatever repeats; FAILED voids only what was counted; MINED and RETRYING wait', () => {
    const { t, events } = tracker();
    const o = t.add(req({ size: 10 }));
    t.bind(o, '0xa');
    for (const s of ['MATCHED', 'MATCHED', 'MINED', 'RETRYING', 'CONFIRMED', 'CONFIRMED']) t.onVenueTrade(trade('t1', s, '0xa'));
    t.onVenueTrade(trade('t2', 'MATCHED', '0xa'));
    t.onVenueTrade(trade('t2', 'FAILED', '0xa'));
    t.onVenueTrade(trade('t2', 'FAILED', '0xa'));
    t.onVenueTrade(trade('t3', 'FAILED', '0xa'));
    const fills = events.flatMap((e) => (e.kind === 'fill' ? [`${e.fill.fill_id.split(':')[1]} ${e.fill.status}`] : []));
    expect(fills).toEqual(['t1 MATCHED', 't1 CONFIRMED', 't2 MATCHED', 't2 FAILED']);
    expect(o.status).toBe('filled');
  });

  it('maker fills come from maker_orders; a GTD canceled past its expiry (venue buffer off) is expired, before it canceled', () => {
    const { t, events } = tracker(1_000);
    const gtd = t.add(req({ order_type: 'GTD', expires_at_ms: 990_000 }));
    t.bind(gtd, '0xg');
    t.onVenueTrade(trade('m1', 'MATCHED', '0xg', true));
    expect(gtd.filled).toBe(3);
    t.onVenueOrder({ id: '0xg', status: 'CANCELED', expiration: 1_050 });
    expect(gtd.status).toBe('expired');
    const early = t.add(req({ order_type: 'GTD' }));
    t.bind(early, '0xe');
    t.onVenueOrder({ id: '0xe', status: 'LIVE' });
    t.onVenueOrder({ id: '0xe', status: "CANCELED_order couldn't be fully filled", expiration: 2_000 });
    expect(early.status).toBe('canceled');
    expect(events.at(-1)).toMatchObject({ kind: 'order', update: { status: 'canceled', reason: "order couldn't be fully filled" } });
  });

  it('an earlier process\'s unsettled trade: the account\'s own part is carried (taker, or its own maker orders only), its answer heard once', () => {
    const { t, events } = tracker();
    const placedHere = t.add(req({ size: 10 }));
    t.bind(placedHere, '0xmine');
    const taker = { id: 'tt', status: 'MATCHED', taker_order_id: '0xold', size: '5', price: '0.4', trader_side: 'TAKER', owner: 'key', asset_id: 'Y', side: 'SELL' };
    const maker = { id: 'tm', status: 'MINED', taker_order_id: '0xother', size: '9', price: '0.4', trader_side: 'MAKER', owner: 'key', asset_id: 'Y', side: 'BUY', maker_orders: [
      { order_id: '0xstranger', owner: 'other-key', matched_amount: '6', price: '0.4', asset_id: 'Y', side: 'BUY' },
      { order_id: '0xold2', owner: 'key', matched_amount: '3', price: '0.41', asset_id: 'Y', side: 'BUY' },
      { order_id: '0xmine', owner: 'key', matched_amount: '2', price: '0.41', asset_id: 'Y', side: 'BUY' },
    ] };
    expect(ownMatches(taker, 'key')).toEqual([{ order_id: '0xold', asset_id: 'Y', side: 'SELL', price: 0.4, size: 5 }]);
    expect(ownMatches(maker, 'key').map((m) => m.order_id)).toEqual(['0xold2', '0xmine']);
    let n = 0;
    for (const trade of [taker, maker]) {
      for (const m of ownMatches(trade, 'key')) t.carry(m, () => `carried-${++n}`, 'm1');
      t.onVenueTrade(trade);
    }
    // Orders tracked otherwise are left as they are; the carried ones are closed, nothing rests.
    expect(t.all().map((o) => [o.req.client_order_id, o.status, o.req.size])).toEqual([[placedHere.req.client_order_id, 'partially_filled', 10], ['carried-1', 'filled', 5], ['carried-2', 'filled', 3]]);
    expect(t.live().map((o) => o.req.client_order_id)).toEqual([placedHere.req.client_order_id]);
    expect([...t.awaiting().get('Y')!].map((f) => `${f.fill_id} ${f.side} ${f.size}`).sort()).toEqual(['carried-1:tt SELL 5', 'carried-2:tm BUY 3']);
    t.onVenueTrade({ ...taker, status: 'FAILED' });
    t.onVenueTrade({ ...maker, status: 'CONFIRMED' });
    t.onVenueTrade({ ...maker, status: 'CONFIRMED' });
    const answers = events.flatMap((e) => (e.kind === 'fill' && e.fill.status !== 'MATCHED' ? [`${e.fill.fill_id} ${e.fill.status}`] : []));
    expect(answers.sort()).toEqual([`${placedHere.req.client_order_id}:tm CONFIRMED`, 'carried-1:tt FAILED', 'carried-2:tm CONFIRMED']);
  });
});
