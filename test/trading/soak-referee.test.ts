import { describe, expect, it } from 'vitest';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { SoakReferee, type RefereeMarket } from '../../src/domain/soak/referee.ts';
import { testFactory } from '../support/events.ts';
import { WEATHER_FEE } from './support.ts';

/** Issue #20: the soak referee's trading checks, naked legs beyond the bound and paper overfills. */
const MARKETS: RefereeMarket[] = [{ market_id: 'm', yes_token: 'Y', no_token: 'N', fair_source: 'none', match_id: null, station_id: null, fee: WEATHER_FEE }];
const THRESHOLDS = { book_stale_ms: 10_000, truth_stale_ms: 15_000, nowcast_stale_ms: 900_000, naked_leg_max_ms: 5_000 };

function harness() {
  const { clock, factory } = testFactory();
  const events: HeliosEvent[] = [];
  let n = 0;
  const top = (token: string, ask: number, askSize: number) =>
    events.push(factory.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: ask - 0.01, best_bid_size: 100, best_ask: ask, best_ask_size: askSize, updates_coalesced: 1 }, { market_id: 'm', token_id: token }));
  const buy = (token: string, price: number, size: number, status: 'MATCHED' | 'FAILED' = 'MATCHED', fillId?: string) => {
    const id = `o${n++}`;
    events.push(
      factory.make(
        'ORDER_UPDATE',
        { client_order_id: id, venue_order_id: null, status: 'pending', side: 'BUY', order_type: 'FAK', price, size, filled_size: 0, strategy: 'pair_arb', reason: null },
        { market_id: 'm', token_id: token },
      ),
    );
    events.push(
      factory.make(
        'FILL',
        { client_order_id: id, fill_id: fillId ?? `${id}-f0`, status, side: 'BUY', price, size, fee_usdc: 0.1, liquidity: 'taker', strategy: 'pair_arb' },
        { market_id: 'm', token_id: token },
      ),
    );
    return `${id}-f0`;
  };
  const fillAgain = (orderId: string, token: string, size: number) =>
    events.push(
      factory.make(
        'FILL',
        { client_order_id: orderId, fill_id: `${orderId}-f9`, status: 'MATCHED', side: 'BUY', price: 0.45, size, fee_usdc: 0.1, liquidity: 'taker', strategy: 'pair_arb' },
        { market_id: 'm', token_id: token },
      ),
    );
  /** One order's update and its fill as separate events, as the venue sends them (the fill may come 10–50 s later). */
  const update = (id: string, token: string, status: 'pending' | 'filled' | 'canceled', filled: number, orderType: 'FAK' | 'GTC' = 'FAK') =>
    events.push(
      factory.make(
        'ORDER_UPDATE',
        { client_order_id: id, venue_order_id: null, status, side: 'BUY', order_type: orderType, price: 0.45, size: 10, filled_size: filled, strategy: 'pair_arb', reason: null },
        { market_id: 'm', token_id: token },
      ),
    );
  const fill = (id: string, token: string, size: number, price = 0.45, fillId = `${id}-f0`) =>
    events.push(
      factory.make(
        'FILL',
        { client_order_id: id, fill_id: fillId, status: 'MATCHED', side: 'BUY', price, size, fee_usdc: 0.1, liquidity: 'taker', strategy: 'pair_arb' },
        { market_id: 'm', token_id: token },
      ),
    );
  const state = (s: string) => events.push(factory.make('MARKET_STATE', { state: s, previous: null, reason: null }, { market_id: 'm' }));
  const judge = () => {
    const r = new SoakReferee(MARKETS, THRESHOLDS);
    events.forEach((event, i) => r.observe({ instance: 0, seq: i + 1, event }));
    return r.finish();
  };
  return { clock, top, buy, update, fill, fillAgain, state, judge };
}

describe('soak referee: trading checks', () => {
  it('a leg naked longer than the bound is a violation; one closed in time, or while halted, is not', () => {
    const h = harness();
    h.buy('Y', 0.45, 10);
    h.clock.advanceBy(3_000);
    h.buy('N', 0.45, 10); // closed after 3 s
    h.clock.advanceBy(1_000);
    h.buy('Y', 0.45, 10);
    h.clock.advanceBy(2_000);
    h.state('HALT'); // 2 s naked, then halted for a minute: not counted
    h.clock.advanceBy(60_000);
    h.state('BUILDING_PAIR');
    h.clock.advanceBy(4_000);
    h.buy('N', 0.45, 10); // 4 s since the halt ended
    h.clock.advanceBy(1_000);
    h.buy('Y', 0.45, 10);
    h.clock.advanceBy(7_000);
    h.buy('N', 0.45, 10); // 7 s: a violation
    const v = h.judge();
    expect(v.naked_legs).toBe(1);
    expect(v.max_naked_leg_ms).toBe(7_000);
    expect(v.order_overfills).toBe(0);
  });

  it('a failed fill that leaves a leg naked starts the clock too', () => {
    const h = harness();
    h.buy('Y', 0.45, 10);
    const f = h.buy('N', 0.45, 10);
    h.buy('N', 0.45, 10, 'FAILED', f);
    h.clock.advanceBy(6_000);
    h.top('Y', 0.46, 100); // the journal's last event: an open naked leg counts up to it
    expect(h.judge()).toMatchObject({ naked_legs: 1, max_naked_leg_ms: 6_000 });
  });

  it('judges legs as trading does: shares an order update reports matched count before their fill arrives, once', () => {
    const h = harness();
    h.buy('Y', 0.45, 10);
    h.clock.advanceBy(1_000);
    h.update('no', 'N', 'pending', 0);
    h.update('no', 'N', 'filled', 10); // the venue says NO matched: the pair is whole
    h.clock.advanceBy(30_000);
    h.fill('no', 'N', 10); // its trade message, 30 s later
    h.clock.advanceBy(10_000);
    h.top('Y', 0.46, 100);
    expect(h.judge()).toMatchObject({ naked_legs: 0, max_naked_leg_ms: 1_000 });
  });

  it('a leg whose partner the venue reports unmatched is still naked', () => {
    const h = harness();
    h.buy('Y', 0.45, 10);
    h.clock.advanceBy(1_000);
    h.update('no', 'N', 'pending', 0);
    h.update('no', 'N', 'canceled', 0);
    h.clock.advanceBy(6_000);
    h.top('Y', 0.46, 100);
    expect(h.judge()).toMatchObject({ naked_legs: 1, max_naked_leg_ms: 7_000 });
  });

  it("a fill heard before its order's first update (placed by an earlier process) counts once when the update comes", () => {
    const h = harness();
    h.fill('yes', 'Y', 10);
    h.clock.advanceBy(1_000);
    h.update('yes', 'Y', 'filled', 10);
    h.clock.advanceBy(1_000);
    h.buy('N', 0.45, 10);
    h.clock.advanceBy(10_000);
    h.top('Y', 0.46, 100);
    expect(h.judge()).toMatchObject({ naked_legs: 0, max_naked_leg_ms: 2_000 });
  });

  // Fills beyond what the book offered are judged against the trading node's own books (its
  // dispatch log), not the journal's throttled tops: test/soak/paper-fills.test.ts.
  it('fills adding up to more than their order are an overfill', () => {
    const h = harness();
    const f = h.buy('Y', 0.45, 10);
    h.buy('N', 0.45, 10);
    expect(h.judge().order_overfills).toBe(0);
    h.fillAgain(f.replace('-f0', ''), 'Y', 1);
    expect(h.judge().order_overfills).toBe(1);
  });

  it('a marketable BUY is bounded by its dollars: the venue fills it at cheaper asks with more shares than its size', () => {
    const h = harness();
    // A FAK BUY of 10 at 0.45 signs $4.50: 6 shares at 0.40 and 5 at 0.42 spend it, 11 shares.
    h.update('b', 'Y', 'pending', 0);
    h.fill('b', 'Y', 6, 0.4, 'b-f0');
    h.fill('b', 'Y', 5, 0.42, 'b-f1');
    expect(h.judge().order_overfills).toBe(0);
    h.fill('b', 'Y', 0.1, 0.4, 'b-f2'); // $0.04 more than it signed
    expect(h.judge().order_overfills).toBe(1);
  });

  it('a resting BUY is still bounded by its shares, whatever it paid', () => {
    const h = harness();
    h.update('g', 'Y', 'pending', 0, 'GTC');
    h.fill('g', 'Y', 10.5, 0.4);
    expect(h.judge().order_overfills).toBe(1);
  });
});
