import { describe, expect, it } from 'vitest';
import { matchTrade, type RestingView } from '../../src/adapters/execution/paper-matching.ts';
import { book, flush, rig, spec } from './support.ts';

const resting = (over: Partial<RestingView>): RestingView => ({ id: 'o', side: 'BUY', price: 0.5, remaining: 10, queue_ahead: 0, credit: 0, seq: 0, ...over });

describe('trade prints without an aggressor side (paper matching)', () => {
  it('a print at our price neither fills us nor advances our queue: it may have traded the other side', () => {
    const bid = resting({ id: 'bid', side: 'BUY', price: 0.5, queue_ahead: 0 });
    const ask = resting({ id: 'ask', side: 'SELL', price: 0.5, queue_ahead: 20 });
    const m = matchTrade([bid, ask], { price: 0.5, size: 30, side: null });
    expect(m.fills).toEqual([]);
    expect(m.queueAhead).toEqual({});
    // With the side known, the same print fills the side it hit.
    expect(matchTrade([bid, ask], { price: 0.5, size: 30, side: 'SELL' }).fills).toEqual([{ id: 'bid', size: 10 }]);
  });

  it('a print strictly through our price still fills us (only a seller can print below a resting bid)', () => {
    const m = matchTrade([resting({ id: 'bid', side: 'BUY', price: 0.52, queue_ahead: 100 })], { price: 0.5, size: 4, side: null });
    expect(m.fills).toEqual([{ id: 'bid', size: 4 }]);
  });

  it('the runtime path: a resting bid on the paper venue is not filled by a sideless print at its price', async () => {
    const r = rig();
    r.runtime.addMarket(spec({ strategies: { pair_arb: false, temporal: false } }));
    await r.runtime.start();
    r.books.set('Y', book([[0.5, 50]], [[0.55, 50]]));
    void r.paper.placeOrder({ client_order_id: 'rest-1', market_id: 'm1', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.5, size: 10, strategy: 'temporal', expires_at_ms: null });
    r.clock.advanceBy(100);
    await flush();
    r.paper.onTrade('Y', { price: 0.5, size: 500, side: null });
    r.clock.advanceBy(100);
    await flush();
    expect(r.paper.positionsNow()).toEqual([]);
    r.paper.onTrade('Y', { price: 0.5, size: 500, side: 'SELL' });
    r.clock.advanceBy(100);
    await flush();
    expect(r.paper.positionsNow()).toEqual([{ token_id: 'Y', shares: 10, avg_cost: 0.5 }]);
    r.runtime.stop();
  });
});
