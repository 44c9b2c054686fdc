import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { ClobSession } from '../../src/adapters/execution/real-clob-session.ts';
import type { UserEvent } from '../../src/sim/clob/clob-venue.ts';
import { PRICE_UNITS_PER_ONE } from '../../src/sim/venue/true-book.ts';
import { FINE, TEST_ADDRESS, TEST_KEY, VirtualClock, YES, limitOrder, realConfig, startStandIn, type StandInRig } from './support.ts';
import { tickName } from '../../src/adapters/execution/real-signing.ts';
import { loadConfig } from '../../src/config/load.ts';
import { clobMarketsOf } from '../../src/sim/clob/crowd-stand-in.ts';
import { daemonSimUniverse } from '../../src/sim/clob/stand-in-venue.ts';

/**
 * The matching delay Polymarket puts on sports markets (`seconds_delay`): an order that would
 * match is accepted DELAYED and matched against the book as it is once the delay is over, on the
 * stand-in's own clock (virtual here, so nothing waits).
 */
let rig: StandInRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

const DELAY_S = 3;
const units = (price: number) => Math.round(price * PRICE_UNITS_PER_ONE);

async function delayedRig() {
  const clock = new VirtualClock(Date.now());
  rig = await startStandIn({ clock, secondsDelay: DELAY_S });
  const s = await ClobSession.open(realConfig(rig.url), { privateKey: TEST_KEY }, new SystemClock());
  const events: UserEvent[] = [];
  rig.standIn.venue.onUserEvent((_a, e) => events.push(e));
  const orderEvents = (id: string) => events.flatMap((e) => (e.event_type === 'order' && e.order.id === id ? [`${e.type} ${e.order.status}`] : []));
  return { clock, rig, s, events, orderEvents };
}

describe('stand-in CLOB: a market with a matching delay', () => {
  it('accepts a marketable order DELAYED (open, listed, no trade) and matches it against the book as it is after the delay', async () => {
    const { clock, rig, s, orderEvents } = await delayedRig();
    // $21.50 signed (50 at 0.43): at the book of now it would take 51.19 shares at 0.42.
    const a = await s.postOrder(await s.prepare(limitOrder({ price: 0.43, size: 50, type: 'FAK' }), false));
    expect(a).toMatchObject({ success: true, status: 'delayed', tradeIDs: [] });
    expect(orderEvents(a.orderID!)).toEqual(['PLACEMENT DELAYED']);
    expect((await s.openOrders()).map((o) => [o.id, o.status])).toEqual([[a.orderID, 'DELAYED']]);
    // The crowd takes the 0.42 asks meanwhile.
    rig.books.get(YES)!.set('SELL', units(0.42), 0);
    clock.advanceBy(DELAY_S * 1000 - 1);
    expect(rig.standIn.venue.trades.size).toBe(0);
    clock.advanceBy(1);
    const trades = [...rig.standIn.venue.trades.values()];
    expect(trades.map((t) => [t.price, t.size, t.trader_side])).toEqual([[0.43, 50, 'TAKER']]);
    expect(orderEvents(a.orderID!)).toEqual(['PLACEMENT DELAYED', 'UPDATE MATCHED']);
    expect(rig.standIn.venue.orders.get(a.orderID!)!.status).toBe('MATCHED');
    expect(rig.standIn.venue.position(TEST_ADDRESS, YES)).toBeCloseTo(50, 6);
    expect(await s.openOrders()).toEqual([]);
    expect(rig.standIn.venue.delayedAccepted).toBe(1);
  });

  it('an order that would not match rests LIVE at once; markets without a delay match at once', async () => {
    const { rig, s } = await delayedRig();
    expect(await s.postOrder(await s.prepare(limitOrder({ price: 0.35 }), false))).toMatchObject({ status: 'live' });
    const fine = await s.postOrder(await s.prepare(limitOrder({ tokenId: FINE, price: 0.4025, size: 20, tick: tickName(0.0025)!, type: 'FOK' }), false));
    expect(fine).toMatchObject({ status: 'matched' });
    expect(fine.tradeIDs).toHaveLength(1);
    expect(rig.standIn.venue.delayedOrders()).toBe(0);
    expect(rig.standIn.venue.delayedAccepted).toBe(0);
  });

  it('after the delay, a FOK that can no longer fill in full is canceled as the venue kills it; a GTC that finds nothing rests LIVE', async () => {
    const { clock, rig, s, orderEvents } = await delayedRig();
    const fok = await s.postOrder(await s.prepare(limitOrder({ price: 0.42, size: 50, type: 'FOK' }), false));
    const gtc = await s.postOrder(await s.prepare(limitOrder({ price: 0.42, size: 10 }), false));
    expect([fok.status, gtc.status]).toEqual(['delayed', 'delayed']);
    rig.books.get(YES)!.set('SELL', units(0.42), 0);
    clock.advanceBy(DELAY_S * 1000);
    expect(orderEvents(fok.orderID!)).toEqual(['PLACEMENT DELAYED', 'CANCELLATION CANCELED']);
    expect(orderEvents(gtc.orderID!)).toEqual(['PLACEMENT DELAYED', 'UPDATE LIVE']);
    expect(rig.standIn.venue.trades.size).toBe(0);
    expect(rig.standIn.venue.balance(TEST_ADDRESS)).toBe(1000);
    expect((await s.openOrders()).map((o) => [o.id, o.status])).toEqual([[gtc.orderID, 'LIVE']]);
  });

  it('a simulated universe delays its esports (sports) markets only, as Polymarket sets seconds_delay on sports markets', () => {
    const universe = daemonSimUniverse(loadConfig({ env: {} }).config, Date.now());
    const markets = clobMarketsOf(universe, 2);
    const esports = universe.markets.filter((m) => m.match_id !== null);
    expect(esports.length).toBeGreaterThan(0);
    expect(esports.length).toBeLessThan(universe.markets.length);
    for (const m of universe.markets) {
      for (const t of [m.spec.yes_token, m.spec.no_token]) expect(markets.get(t)?.seconds_delay, m.spec.market_id).toBe(m.match_id !== null ? 2 : undefined);
    }
    expect([...clobMarketsOf(universe).values()].filter((m) => m.seconds_delay !== undefined)).toEqual([]);
  });

  it('a DELAYED order can be canceled while it waits, and is then never matched', async () => {
    const { clock, rig, s, orderEvents } = await delayedRig();
    const a = await s.postOrder(await s.prepare(limitOrder({ price: 0.43, size: 20, type: 'FAK' }), false));
    expect(rig.standIn.venue.delayedOrders()).toBe(1);
    expect(await s.cancel([a.orderID!])).toMatchObject({ canceled: [a.orderID] });
    expect(rig.standIn.venue.delayedOrders()).toBe(0);
    clock.advanceBy(DELAY_S * 1000 * 2);
    expect(rig.standIn.venue.trades.size).toBe(0);
    expect(orderEvents(a.orderID!)).toEqual(['PLACEMENT DELAYED', 'CANCELLATION CANCELED']);
    // Canceling it again is what the venue answers for an order already done.
    expect(await s.cancel([a.orderID!])).toMatchObject({ canceled: [], not_canceled: { [a.orderID!]: 'already canceled or matched' } });
  });
});
