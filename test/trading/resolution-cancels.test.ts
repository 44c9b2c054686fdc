import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { OrderIntent } from '../../src/domain/trading/orders.ts';
import type { MarketInputEvent, MarketTradingEvent } from '../../src/machines/market-trading/events.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { book, bookSignal, defaultSections, spec } from './support.ts';

const T0 = 1_700_000_000_000;

/**
 * A market's resolution arriving while it has orders at the venue. The resolution moves it through
 * FINALIZING straight into RESOLVED in one step; the orders must still be cancelled on the way: a
 * resting buy left at the venue can be filled on the losing token after the outcome is known, and
 * the settled ledger no longer books a new fill (the loss would be invisible), nor would the market
 * ever count as settled for good (the runtime never retires it).
 */
describe('a market resolved with orders live cancels them on its way to RESOLVED', () => {
  it('sends a cancel for every live order when MARKET_RESOLVED arrives in a trading state', () => {
    const cfg = defaultSections().trading;
    const clock = new VirtualClock(T0);
    const dispatched: Array<readonly OrderIntent[]> = [];
    const states: string[] = [];
    const machine = marketTradingMachine.provide({
      actions: {
        dispatch: (_a, p) => dispatched.push(p.intents),
        notify: (_a, p) => {
          if (p.kind === 'state') states.push(p.state);
        },
      },
    });
    const input = { spec: spec({ strategies: { pair_arb: true, temporal: false } }), cfg, now_ms: T0, synced: true, watchdog: 'parent' as const };
    const actor = createActor(machine, { clock, input }).start();
    const send = (e: MarketInputEvent) => actor.send({ ...e, now_ms: clock.now() } as MarketTradingEvent);
    send({ type: 'BOOK', signal: bookSignal('Y', book([[0.44, 100]], [[0.45, 100]]), clock.now()), partner: bookSignal('N', book([[0.44, 100]], [[0.45, 100]]), clock.now()) });
    const [yes, no] = dispatched[0]!.map((i) => i.client_order_id);
    // YES rests at the venue; NO's answer is still on its way.
    send({ type: 'ORDER_UPDATE', update: { client_order_id: yes!, status: 'open', filled_size: 0 } });
    clock.advanceBy(10);
    send({ type: 'MARKET_RESOLVED', winning_token_id: 'Y' });

    expect(states).toEqual(['IDLE', 'BUILDING_PAIR', 'FINALIZING', 'RESOLVED']);
    expect(dispatched.slice(1).flat().map((i) => [i.kind, i.client_order_id])).toEqual([
      ['cancel', yes],
      ['cancel', no],
    ]);
    const orders = actor.getSnapshot().context.orders;
    expect([orders[yes!]!.cancel_requested, orders[no!]!.cancel_requested]).toEqual([true, true]);
    // The cancels' answers end the orders: the market is then settled for good.
    send({ type: 'ORDER_UPDATE', update: { client_order_id: yes!, status: 'canceled', filled_size: 0 } });
    send({ type: 'ORDER_UPDATE', update: { client_order_id: no!, status: 'canceled', filled_size: 0 } });
    expect(Object.values(actor.getSnapshot().context.orders).map((o) => o.status)).toEqual(['canceled', 'canceled']);
    actor.stop();
  });
});
