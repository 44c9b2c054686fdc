import { describe, expect, it } from 'vitest';
import { RealOrderTracker } from '../../src/adapters/execution/real-tracker.ts';
import { FEE, req } from './support.ts';

/**
 * The real venue's tracker reads its live orders (the heartbeat check on every user-channel message,
 * placement and cancel) and its fills awaiting an answer (recorded on every fill) from indexes kept
 * as orders and fills change, not from everything the process ever tracked: an order still in
 * flight (no venue id yet) is live, a finished one is not, and the order they were tracked in holds
 * across finished ones dropped between them; a fill answered (CONFIRMED or FAILED) awaits no more.
 */
function tracker() {
  return new RealOrderTracker({ emit: () => {}, feeFor: () => FEE, nowSeconds: () => 1_000, expirationBufferS: 60 });
}

const taken = (id: string, status: string, order: string) => ({ id, status, taker_order_id: order, size: '4', price: '0.4' });

describe('real order tracker: live orders and awaiting fills by index', () => {
  it('live orders in the order tracked: in flight included, finished ones out, the rest kept in place', () => {
    const t = tracker();
    const first = t.add(req({ client_order_id: 'a' }));
    t.bind(first, '0xa');
    const inFlight = t.add(req({ client_order_id: 'b' }));
    const third = t.add(req({ client_order_id: 'c' }));
    t.bind(third, '0xc');
    t.onVenueOrder({ id: '0xa', status: 'LIVE' });
    t.onVenueOrder({ id: '0xc', status: 'LIVE' });
    expect(t.live().map((o) => o.req.client_order_id)).toEqual(['a', 'b', 'c']);
    // The first one filled whole, the third canceled: the one in flight alone is live.
    t.onVenueTrade({ ...taken('t1', 'MATCHED', '0xa'), size: '10' });
    t.onVenueOrder({ id: '0xc', status: 'CANCELED' });
    expect(t.live()).toEqual([inFlight]);
    // Read again (the finished ones were dropped from the index): the same answer, and later orders behind.
    const fourth = t.add(req({ client_order_id: 'd' }));
    expect(t.live().map((o) => o.req.client_order_id)).toEqual(['b', 'd']);
    t.bind(inFlight, '0xb');
    t.onVenueOrder({ id: '0xb', status: 'INVALID' });
    expect(t.live()).toEqual([fourth]);
    // Every order is still known by id; the finished ones are live no more.
    expect(t.all().map((o) => `${o.req.client_order_id} ${o.status}`)).toEqual(['a filled', 'b rejected', 'c canceled', 'd pending']);
  });

  it('an order tracked again under the same id is live as the new one, once', () => {
    const t = tracker();
    const old = t.add(req({ client_order_id: 'x', size: 5 }));
    t.add(req({ client_order_id: 'y' }));
    const again = t.add(req({ client_order_id: 'x', size: 7 }));
    expect(t.get('x')).toBe(again);
    expect(t.live().map((o) => [o.req.client_order_id, o.req.size])).toEqual([['y', 10], ['x', 7]]);
    expect(t.live()).not.toContain(old);
  });

  it('fills awaiting their answer: a matched one until CONFIRMED or FAILED, a failure before any match never', () => {
    const t = tracker();
    const o = t.add(req({ client_order_id: 'f', size: 20 }));
    t.bind(o, '0xf');
    for (const id of ['t1', 't2', 't3']) t.onVenueTrade(taken(id, 'MATCHED', '0xf'));
    t.onVenueTrade(taken('t0', 'FAILED', '0xf'));
    expect(t.awaitingTrades()).toEqual(['0xf:t1', '0xf:t2', '0xf:t3']);
    t.onVenueTrade(taken('t2', 'CONFIRMED', '0xf'));
    t.onVenueTrade(taken('t1', 'FAILED', '0xf'));
    expect(t.awaitingTrades()).toEqual(['0xf:t3']);
    expect([...t.awaiting().entries()].map(([token, fs]) => [token, fs.map((f) => f.fill_id)])).toEqual([[o.req.token_id, ['f:t3']]]);
    // A repeat of an answered fill's match changes nothing: it is not awaited again.
    t.onVenueTrade(taken('t2', 'MATCHED', '0xf'));
    t.onVenueTrade(taken('t0', 'MATCHED', '0xf'));
    expect(t.awaitingTrades()).toEqual(['0xf:t3']);
    t.onVenueTrade(taken('t3', 'CONFIRMED', '0xf'));
    expect(t.awaitingTrades()).toEqual([]);
    expect(t.awaiting().size).toBe(0);
  });
});

describe('real order tracker: a retired market let go of', () => {
  it('forgets its finished orders and answered fills, keeps one awaiting an answer, the live ones and other markets\'', () => {
    const events: string[] = [];
    const t = new RealOrderTracker({ emit: (e) => events.push(e.kind === 'fill' ? `${e.fill.fill_id} ${e.fill.status}` : `${e.update.client_order_id} ${e.update.status}`), feeFor: () => FEE, nowSeconds: () => 1_000, expirationBufferS: 60 });
    const placed = (id: string, market: string, size = 4) => {
      const o = t.add(req({ client_order_id: id, market_id: market, size }));
      t.bind(o, `0x${id}`);
      t.onVenueOrder({ id: `0x${id}`, status: 'LIVE' });
      return o;
    };
    placed('a', 'm1');
    placed('b', 'm1');
    placed('c', 'm1');
    const live = placed('d', 'm1');
    placed('e', 'm2');
    t.onVenueTrade(taken('t1', 'MATCHED', '0xa'));
    t.onVenueTrade(taken('t1', 'CONFIRMED', '0xa'));
    t.onVenueOrder({ id: '0xb', status: 'CANCELED' });
    // c's fill never answered: given up, it is carried to the next process by its venue name.
    t.onVenueTrade(taken('t3', 'MATCHED', '0xc'));
    t.giveUpAnswer('c:t3');
    t.onVenueTrade(taken('t5', 'MATCHED', '0xe'));
    t.onVenueTrade(taken('t5', 'CONFIRMED', '0xe'));
    expect(t.answerOf('a:t1')).not.toBeNull();

    expect(t.forgetMarket('m1').sort()).toEqual(['a', 'b']);
    expect(t.all().map((o) => o.req.client_order_id)).toEqual(['c', 'd', 'e']);
    expect(t.getByVenue('0xa')).toBeUndefined();
    expect(t.getByVenue('0xb')).toBeUndefined();
    expect(t.live()).toEqual([live]);
    expect(t.givenUpTrades()).toEqual(['0xc:t3']);
    expect(t.awaitingTrades()).toEqual(['0xc:t3']);
    expect(t.answerOf('a:t1')).toBeNull();
    expect(t.answerOf('e:t5')).not.toBeNull();
    // Late messages of the forgotten orders change nothing and tell nothing; the kept ones still hear theirs.
    const told = events.length;
    t.onVenueTrade(taken('t1', 'CONFIRMED', '0xa'));
    t.onVenueTrade(taken('t2', 'MATCHED', '0xa'));
    t.onVenueOrder({ id: '0xb', status: 'CANCELED' });
    expect(events.length).toBe(told);
    t.onVenueTrade(taken('t3', 'CONFIRMED', '0xc'));
    expect(events.slice(told)).toEqual(['c:t3 CONFIRMED']);
    expect(t.awaitingTrades()).toEqual([]);
    // Now answered, c goes with the market's next forgetting; d is still not finished.
    expect(t.forgetMarket('m1')).toEqual(['c']);
    expect(t.all().map((o) => o.req.client_order_id)).toEqual(['d', 'e']);
  });
});
