import { describe, expect, it } from 'vitest';
import { pairMarket as market } from './support.ts';

/** The naked leg may wait longer than the books live here: no pulse would be due for it first. */
const pairMarket = () => market((cfg) => (cfg.pair_arb.naked_leg_max_ms = 60_000));

describe('a market decides on an order event with the halt causes as of that event', () => {
  /**
   * Both legs of a chunk fill; YES's order update and fill come at once, NO's both late. In
   * between a fresh book prices a second chunk the pair cannot take while NO is in flight. That
   * book then ages past the staleness bound and NO's late news arrives before any pulse: the pair
   * is balanced and wants its next chunk.
   */
  it('a late fill of the other leg on books gone stale halts the pair instead of buying a chunk on them', () => {
    const m = pairMarket();
    m.books(0.45, 0.45);
    expect(m.actor.getSnapshot().value).toBe('BUILDING_PAIR');
    const [entry] = m.dispatched;
    expect(entry!.map((i) => (i.kind === 'place' ? [i.token_id, i.side, i.size, i.price] : null))).toEqual([
      ['Y', 'BUY', 10, 0.45],
      ['N', 'BUY', 10, 0.45],
    ]);
    const [yes, no] = entry!.map((i) => i.client_order_id);
    m.clock.advanceBy(5);
    m.filled(yes!, 10);
    m.fill(yes!, 'Y', 10, 0.45);
    m.clock.advanceBy(95);
    m.books(0.4, 0.55);
    expect(m.actor.getSnapshot().context.plan.note).toBe('orders in flight');
    expect(m.dispatched).toHaveLength(1);

    // The books are now one millisecond past the bound: nothing may be bought on them.
    m.clock.advanceBy(m.cfg.staleness.book_stale_ms + 1);
    m.filled(no!, 10);
    m.fill(no!, 'N', 10, 0.45);
    expect(m.dispatched.slice(1)).toEqual([]);
    const snap = m.actor.getSnapshot();
    expect(snap.context.halt).toEqual(['stale_book']);
    expect(snap.value).toBe('HALT');
  });

  it.each(['ORDER_UPDATE', 'FILL', 'CANCEL_REJECTED'] as const)('%s after the books aged halts the market at its own time', (type) => {
    const m = pairMarket();
    m.books(0.45, 0.45);
    const [yes] = m.dispatched[0]!.map((i) => i.client_order_id);
    m.clock.advanceBy(m.cfg.staleness.book_stale_ms + 1);
    if (type === 'ORDER_UPDATE') m.send({ type, update: { client_order_id: yes!, status: 'open', filled_size: 0 } });
    else if (type === 'FILL') m.fill(yes!, 'Y', 5, 0.45);
    else m.send({ type, client_order_id: yes!, reason: 'too late' });
    const snap = m.actor.getSnapshot();
    expect(snap.context.now_ms).toBe(m.clock.now());
    expect(snap.context.halt).toEqual(['stale_book']);
    expect(snap.value).toBe('HALT');
  });
});
