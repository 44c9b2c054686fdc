import { describe, expect, it } from 'vitest';
import { RecentEvents } from '../../src/apps/dashboard/recent-events.ts';
import { testFactory } from '../support/events.ts';

describe('RecentEvents (what a page opened now is sent first)', () => {
  it('keeps the newest book per token, a bounded METAR history per station, and emission order', () => {
    const f = testFactory().factory;
    const recent = new RecentEvents();
    const book = (token: string, mid: number) =>
      f.make('L2_SNAPSHOT', { resync_epoch_id: 0, synced: true, tick_size: 0.01, bids: [], asks: [], best_bid: null, best_ask: null, mid, spread: null, microprice: null, imbalance: null, hash: null }, { market_id: 'm1', token_id: token });
    const emitted = [book('t1', 0.1), book('t2', 0.2), book('t1', 0.3)];
    for (const e of emitted) recent.emit(e);
    expect(recent.snapshot().map((e) => e.event_id)).toEqual([emitted[1]!.event_id, emitted[2]!.event_id]);
    for (let i = 0; i < 30; i++) {
      recent.emit(
        f.make(
          'METAR_OBS',
          { raw: `METAR ${i}`, report_type: 'METAR', corrected: false, obs_time_utc: '2026-12-04T10:51:00Z', temp_c: 1, dewpoint_c: 0, precision: 'tenths', temp_f_judge: 34, max6h_c: null, min6h_c: null, max24h_c: null, min24h_c: null, flags: [], judge_day: '2026-12-04', judge_max_so_far_f: 34, official_max_f: null },
          { station_id: 'KLGA' },
        ),
      );
    }
    const metars = recent.snapshot().filter((e) => e.type === 'METAR_OBS');
    expect(metars.map((e) => (e.payload as { raw: string }).raw)).toEqual(Array.from({ length: 24 }, (_, i) => `METAR ${i + 6}`));
    // Every order's updates, not only the newest per token.
    const order = (id: string, status: 'pending' | 'filled') =>
      f.make('ORDER_UPDATE', { client_order_id: id, venue_order_id: null, status, side: 'BUY', order_type: 'FAK', price: 0.2, size: 5, filled_size: 0, strategy: 'temporal', reason: null }, { market_id: 'm1', token_id: 't1' });
    recent.emit(order('a', 'pending'));
    recent.emit(order('b', 'pending'));
    recent.emit(order('a', 'filled'));
    const orders = recent.snapshot().filter((e) => e.type === 'ORDER_UPDATE');
    expect(orders.map((e) => `${(e.payload as { client_order_id: string }).client_order_id}:${(e.payload as { status: string }).status}`)).toEqual(['a:pending', 'b:pending', 'a:filled']);
  });

  it('counts every order and fill of the session though the backlog keeps only the newest; a backward seek starts over', () => {
    const f = testFactory(2).factory;
    const recent = new RecentEvents({ order_updates: 2, fills: 1 });
    expect(recent.totals()).toEqual({ orders: 0, fills: 0, fills_failed: 0, through: null });
    const order = (id: string, status: 'pending' | 'filled') =>
      f.make('ORDER_UPDATE', { client_order_id: id, venue_order_id: null, status, side: 'BUY', order_type: 'FAK', price: 0.2, size: 5, filled_size: 0, strategy: 'temporal', reason: null }, { market_id: 'm1', token_id: 't1' });
    const fill = (id: string, status: 'MATCHED' | 'FAILED' | 'CONFIRMED') =>
      f.make('FILL', { client_order_id: id, fill_id: `${id}-f`, status, side: 'BUY', price: 0.2, size: 5, fee_usdc: 0, liquidity: 'taker', strategy: 'temporal' }, { market_id: 'm1', token_id: 't1' });
    const emitted = ['a', 'b', 'c'].flatMap((id) => [order(id, 'pending'), order(id, 'filled'), fill(id, 'MATCHED'), fill(id, id === 'b' ? 'FAILED' : 'CONFIRMED')]);
    for (const e of emitted) recent.emit(e);
    expect(recent.snapshot().filter((e) => e.type === 'ORDER_UPDATE')).toHaveLength(2);
    expect(recent.snapshot().filter((e) => e.type === 'FILL')).toHaveLength(1);
    // Three orders (their later updates are no new ones), three MATCHED, one FAILED; through the last of them.
    expect(recent.totals()).toEqual({ orders: 3, fills: 3, fills_failed: 1, through: emitted[10]!.event_id });
    recent.rewind();
    expect(recent.totals()).toEqual({ orders: 0, fills: 0, fills_failed: 0, through: null });
  });
});
