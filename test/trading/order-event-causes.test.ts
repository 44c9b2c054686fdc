import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { OrderIntent } from '../../src/domain/trading/orders.ts';
import type { MarketInputEvent, MarketTradingEvent } from '../../src/machines/market-trading/events.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { book, bookSignal, defaultSections, spec } from './support.ts';

const T0 = 1_700_000_000_000;

/**
 * A pair-arbitrage market (m1, Y / N) on a virtual clock, pulsed by nobody (watchdog 'parent'
 * with no parent): between its events it is exactly where a sleeping group leaves it, so every
 * decision in these tests is the one its own event's step takes.
 */
function pairMarket() {
  const cfg = defaultSections().trading;
  // The naked leg may wait longer than the books live here: no pulse would be due for it first.
  cfg.pair_arb.naked_leg_max_ms = 60_000;
  const clock = new VirtualClock(T0);
  const dispatched: OrderIntent[][] = [];
  const machine = marketTradingMachine.provide({ actions: { dispatch: (_a, p) => dispatched.push(p.intents) } });
  const input = { spec: spec({ strategies: { pair_arb: true, temporal: false } }), cfg, now_ms: T0, synced: true, watchdog: 'parent' as const };
  const actor = createActor(machine, { clock, input }).start();
  const send = (e: MarketInputEvent) => actor.send({ ...e, now_ms: clock.now() } as MarketTradingEvent);
  const books = (yesAsk: number, noAsk: number) => {
    send({ type: 'BOOK', signal: bookSignal('Y', book([[yesAsk - 0.01, 100]], [[yesAsk, 100]]), clock.now()), partner: bookSignal('N', book([[noAsk - 0.01, 100]], [[noAsk, 100]]), clock.now()) });
  };
  const filled = (client_order_id: string, size: number) => send({ type: 'ORDER_UPDATE', update: { client_order_id, status: 'filled', filled_size: size } });
  const fill = (client_order_id: string, token_id: string, size: number, price: number) =>
    send({ type: 'FILL', fill: { client_order_id, fill_id: `f-${client_order_id}`, token_id, strategy: 'pair_arb', side: 'BUY', price, size, fee_usdc: 0, status: 'MATCHED' } });
  return { cfg, clock, actor, dispatched, send, books, filled, fill };
}

describe('a market decides on an order event with the halt causes as of that event', () => {
  /**
   * Both legs of a chunk fill; YES's fill is booked at once, NO's comes late. In between a fresh
   * book leaves the naked YES leg waiting (completing at 0.55 would lose) and prices a second
   * chunk the pair cannot take while it is naked. That book then ages past the staleness bound
   * and NO's late fill arrives before any pulse: the pair is balanced and wants its next chunk.
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
    m.filled(no!, 10);
    m.fill(yes!, 'Y', 10, 0.45);
    m.clock.advanceBy(95);
    m.books(0.4, 0.55);
    expect(m.actor.getSnapshot().context.plan.note).toMatch(/^naked yes leg/);
    expect(m.dispatched).toHaveLength(1);

    // The books are now one millisecond past the bound: nothing may be bought on them.
    m.clock.advanceBy(m.cfg.staleness.book_stale_ms + 1);
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
