import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { EventWindowManager, spreadRegime, type WindowRules } from '../../src/domain/storage/windows.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { l2Snapshot, metarPayload, T0 } from './support/synthetic.ts';
import { WINDOW_DEFAULTS } from './support/recorder.ts';

// The shared defaults with distinct durations and depth thresholds, so each rule's own value shows.
const RULES: WindowRules = { ...WINDOW_DEFAULTS, spread_regime_ms: 30_000, depth_levels: 5, depth_min_size: 200, depth_cliff_ms: 45_000 };

function setup(rules: Partial<WindowRules> = {}) {
  const clock = new VirtualClock(T0);
  const f = new EventFactory(clock, ulidGenerator(seededRng(3)));
  const wm = new EventWindowManager({ ...RULES, ...rules });
  const at = (ms: number) => clock.advanceTo(T0 + ms);
  const feed = (e: HeliosEvent) => wm.observe(e, e.ts_ingest);
  return { clock, f, wm, at, feed };
}

describe('event window manager', () => {
  it('a new METAR opens a global window for metar_ms; every event inside gets its id; it closes at its exact end', () => {
    const { f, wm, at, feed } = setup();
    at(1_000);
    const opened = feed(f.make('METAR_OBS', metarPayload('2026-01-29T16:51:00Z', 5), { station_id: 'KLGA' }));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ kind: 'open', at: T0 + 1_000, window: { trigger: 'metar', scope: 'global', until_ms: T0 + 121_000, station_id: 'KLGA' } });
    const id = opened[0]!.window.window_id;
    at(60_000);
    const trade = f.make('TRADE', { price: 0.4, size: 1, side: 'BUY', fee_rate_bps: 0 }, { market_id: 'm', token_id: 't' });
    expect(feed(trade)).toEqual([]);
    expect(wm.windowFor(trade)?.window_id).toBe(id);
    expect(wm.windowFor(f.make('HEALTH', { ready: true, staleness_ms: {}, stage_latency_ms: {}, event_loop_lag_ms: 0, bus_backlog: {}, reconnects: 0, resyncs: 0 }))?.window_id).toBe(id);
    const closed = wm.advance(T0 + 200_000);
    expect(closed).toEqual([{ kind: 'close', at: T0 + 121_000, window: expect.objectContaining({ window_id: id }) }]);
    expect(wm.windowFor(trade)).toBeUndefined();
  });

  it('a second METAR while the window is open extends it under the same id', () => {
    const { f, wm, at, feed } = setup();
    at(0);
    const id = feed(f.make('METAR_OBS', metarPayload('2026-01-29T16:51:00Z', 5), { station_id: 'KLGA' }))[0]!.window.window_id;
    at(100_000);
    expect(feed(f.make('METAR_OBS', metarPayload('2026-01-29T16:59:00Z', 5), { station_id: 'KLGA' }))).toEqual([]);
    expect(wm.active()).toEqual([expect.objectContaining({ window_id: id, until_ms: T0 + 220_000 })]);
  });

  it('QC turning to outlier_likely opens a 120 s window; staying outlier_likely does not', () => {
    const { f, at, feed } = setup();
    at(0);
    expect(feed(f.make('QC_STATE', { state: 'degraded', previous: 'ok', reason: 'x' }, { station_id: 'KLGA' }))).toEqual([]);
    const t = feed(f.make('QC_STATE', { state: 'outlier_likely', previous: 'degraded', reason: 'z>4' }, { station_id: 'KLGA' }));
    expect(t[0]).toMatchObject({ kind: 'open', window: { trigger: 'qc_outlier', until_ms: T0 + 120_000 } });
    at(200_000);
    const again = feed(f.make('QC_STATE', { state: 'outlier_likely', previous: 'outlier_likely', reason: 'still' }, { station_id: 'KLGA' }));
    expect(again.map((x) => x.kind)).toEqual(['close']);
  });

  it('a mid move of more than shock_ticks within the lookback opens a window scoped to the token', () => {
    const { f, wm, at, feed } = setup();
    for (let s = 0; s < 5; s++) {
      at(s * 1000);
      expect(feed(f.make('L2_SNAPSHOT', l2Snapshot(0.4), { market_id: 'm', token_id: 'a' }))).toEqual([]);
    }
    // 3 ticks exactly is not "more than 3"
    at(5_500);
    expect(feed(f.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: 0.43, best_bid_size: 1, best_ask: 0.44, best_ask_size: 1, updates_coalesced: 1 }, { market_id: 'm', token_id: 'a' }))).toEqual([]);
    at(5_900);
    const t = feed(f.make('L2_DELTA', { resync_epoch_id: 1, side: 'BUY', price: 0.44, size: 5, best_bid: 0.44, best_ask: 0.45 }, { market_id: 'm', token_id: 'a' }));
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ kind: 'open', window: { trigger: 'mid_shock', scope: 'token:a', token_id: 'a', until_ms: T0 + 65_900 } });
    const other = f.make('TRADE', { price: 0.5, size: 1, side: null, fee_rate_bps: null }, { market_id: 'm', token_id: 'b' });
    expect(wm.windowFor(other)).toBeUndefined();
    const mine = f.make('TRADE', { price: 0.5, size: 1, side: null, fee_rate_bps: null }, { market_id: 'm', token_id: 'a' });
    expect(wm.windowFor(mine)?.window_id).toBe(t[0]!.window.window_id);
  });

  it('a slow drift of the same size over more than the lookback is not a shock', () => {
    const { f, at, feed } = setup();
    const opens: string[] = [];
    for (let s = 0; s <= 10; s++) {
      at(s * 1000);
      const mid = 0.4 + s * 0.01;
      for (const t of feed(f.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: mid - 0.005, best_bid_size: 1, best_ask: mid + 0.005, best_ask_size: 1, updates_coalesced: 1 }, { token_id: 'a' }))) {
        opens.push(t.window.trigger);
      }
    }
    expect(opens).toEqual([]);
  });

  it('spread regime changes (normal → wide, → one-sided) open a window; the first observation does not', () => {
    const { f, at, feed } = setup();
    const bp = (bid: number | null, ask: number | null) =>
      f.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: bid, best_bid_size: 1, best_ask: ask, best_ask_size: 1, updates_coalesced: 1 }, { token_id: 'a' });
    at(0);
    expect(feed(bp(0.4, 0.42))).toEqual([]);
    at(10_000);
    const t = feed(bp(0.4, 0.46));
    expect(t[0]).toMatchObject({ window: { trigger: 'spread_regime', until_ms: T0 + 40_000 } });
    expect(spreadRegime(null, 0.01, RULES)).toBe('one_sided');
    expect(spreadRegime(0, 0.01, RULES)).toBe('locked');
    expect(spreadRegime(0.02, 0.01, RULES)).toBe('normal');
    expect(spreadRegime(0.05, 0.01, RULES)).toBe('wide');
  });

  it('a depth cliff (top-N size under the floor, or halved since the last snapshot) opens a window', () => {
    const { f, at, feed } = setup();
    at(0);
    expect(feed(f.make('L2_SNAPSHOT', l2Snapshot(0.4, 0.01, 10, 100), { token_id: 'a' }))).toEqual([]);
    at(1_000);
    expect(feed(f.make('L2_SNAPSHOT', l2Snapshot(0.4, 0.01, 10, 90), { token_id: 'a' }))).toEqual([]);
    at(2_000);
    const t = feed(f.make('L2_SNAPSHOT', l2Snapshot(0.4, 0.01, 10, 30), { token_id: 'a' }));
    expect(t[0]).toMatchObject({ window: { trigger: 'depth_cliff', scope: 'token:a', until_ms: T0 + 47_000 } });
  });

  it('thresholds come from the rules: a higher shock threshold ignores the same move', () => {
    const { f, at, feed } = setup({ shock_ticks: 10 });
    at(0);
    feed(f.make('L2_SNAPSHOT', l2Snapshot(0.4), { token_id: 'a' }));
    at(500);
    expect(feed(f.make('L2_SNAPSHOT', l2Snapshot(0.5), { token_id: 'a' }))).toEqual([]);
  });

  it('a token window takes precedence over the global one for that token; closeAll ends everything', () => {
    const { f, wm, at, feed } = setup();
    at(0);
    feed(f.make('L2_SNAPSHOT', l2Snapshot(0.4), { token_id: 'a' }));
    const g = feed(f.make('METAR_OBS', metarPayload('2026-01-29T16:51:00Z', 5), { station_id: 'KLGA' }))[0]!.window.window_id;
    at(400);
    const s = feed(f.make('L2_SNAPSHOT', l2Snapshot(0.5), { token_id: 'a' }))[0]!.window.window_id;
    expect(wm.windowFor(f.make('TRADE', { price: 1, size: 1, side: null, fee_rate_bps: null }, { token_id: 'a' }))?.window_id).toBe(s);
    expect(wm.windowFor(f.make('TRADE', { price: 1, size: 1, side: null, fee_rate_bps: null }, { token_id: 'b' }))?.window_id).toBe(g);
    const closed = wm.closeAll(T0 + 5_000);
    expect(closed.map((c) => [c.window.window_id, c.at])).toEqual([
      [g, T0 + 5_000],
      [s, T0 + 5_000],
    ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)));
    expect(wm.active()).toEqual([]);
  });

  it("a retired market's books are no longer tracked; another market's keep their history", () => {
    const { f, wm, at, feed } = setup();
    const best = (market: string, token: string, bid: number) => f.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: bid, best_bid_size: 1, best_ask: bid + 0.01, best_ask_size: 1, updates_coalesced: 1 }, { market_id: market, token_id: token });
    at(0);
    for (const [m, t] of [['m1', 'a'], ['m1', 'b'], ['m2', 'c']] as const) feed(best(m, t, 0.4));
    expect(wm.booksTracked).toBe(3);
    at(100);
    expect(feed(f.make('ALERT', { severity: 'info', code: 'MARKET_RETIRED', message: 'm1: resolved and settled' }, { market_id: 'm1' }))).toEqual([]);
    expect(wm.booksTracked).toBe(1);
    // Another alert of a market changes nothing.
    feed(f.make('ALERT', { severity: 'warn', code: 'MARKET_REBUILT', message: 'm2: rebuilt' }, { market_id: 'm2' }));
    expect(wm.booksTracked).toBe(1);
    // The same 5-tick move within the lookback: a shock on m2's token, which kept its mids; a late
    // frame of the retired market's token starts a track of its own, with no mid to compare.
    at(500);
    expect(feed(best('m2', 'c', 0.45))).toEqual([expect.objectContaining({ kind: 'open', window: expect.objectContaining({ trigger: 'mid_shock', token_id: 'c' }) })]);
    expect(feed(best('m1', 'a', 0.45))).toEqual([]);
    expect(wm.booksTracked).toBe(2);
  });
});
