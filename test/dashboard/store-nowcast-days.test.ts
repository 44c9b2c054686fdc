import { describe, expect, it } from 'vitest';
// @ts-expect-error the dashboard's browser modules are plain JavaScript without types
import { applyFrame, createStore, seedMarkets } from '../../src/apps/dashboard/web/store.js';
// @ts-expect-error the dashboard's browser modules are plain JavaScript without types
import { nowcastPanels } from '../../src/apps/dashboard/web/nowcast-days.js';
// @ts-expect-error the dashboard's browser modules are plain JavaScript without types
import { marketLabel } from '../../src/apps/dashboard/web/format.js';
import { RecentEvents } from '../../src/apps/dashboard/recent-events.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { testFactory } from '../support/events.ts';

/**
 * After noon at a station its next day's buckets are listed beside the current day's, with the same
 * labels: the page keeps a nowcast per (station, judge day) and pairs each day's buckets with that
 * day's markets only.
 */

const LABELS = ['38-39°F', '40-41°F'];
const bucketMarket = (station: string, label: string, judge_day: string | null) => ({
  market_id: `${station}:${judge_day ?? 'undated'}:${label}`,
  label,
  judge_day,
  station_id: station,
  match_id: null,
  fair_source: 'nowcast',
  yes_token: `y:${station}:${judge_day}:${label}`,
  no_token: `n:${station}:${judge_day}:${label}`,
  state: 'IDLE',
  halt_causes: [],
});

type Panel = { station_id: string; judge_day: string; nowcast: { confidence: number }; markets: Map<string, { market_id: string }> };
const shown = (store: unknown) => (nowcastPanels(store) as Panel[]).map((p) => ({ station: p.station_id, day: p.judge_day, confidence: p.nowcast.confidence, markets: Object.fromEntries([...p.markets].map(([l, m]) => [l, m.market_id])) }));

describe('nowcasts of two judge days of a station', () => {
  const { factory } = testFactory(3);
  const nowcast = (station: string, judge_day: string, confidence: number) =>
    factory.make(
      'NOWCAST',
      { judge_day, max_so_far_f: 40, distribution: [[40, 1]], buckets: LABELS.map((label, i) => ({ label, lo_f: 38 + 2 * i, hi_f: 39 + 2 * i, p: 0.5 })), peak_time_bins: [], confidence, qc_gate: 'open', inputs: [] },
      { station_id: station },
    );
  const fold = (store: unknown, ev: HeliosEvent) => applyFrame(store, structuredClone(ev));

  it('keeps the newest nowcast of each day, one panel per day in order, each paired with its own day\'s markets', () => {
    const store = createStore();
    seedMarkets(store, [...LABELS.map((l) => bucketMarket('KLGA', l, '2026-12-09')), ...LABELS.map((l) => bucketMarket('KLGA', l, '2026-12-08'))]);
    fold(store, nowcast('KLGA', '2026-12-09', 0.1));
    fold(store, nowcast('KLGA', '2026-12-08', 0.2));
    fold(store, nowcast('KLGA', '2026-12-09', 0.3));
    const byDay = (day: string) => Object.fromEntries(LABELS.map((l) => [l, `KLGA:${day}:${l}`]));
    expect(shown(store)).toEqual([
      { station: 'KLGA', day: '2026-12-08', confidence: 0.2, markets: byDay('2026-12-08') },
      { station: 'KLGA', day: '2026-12-09', confidence: 0.3, markets: byDay('2026-12-09') },
    ]);
    // What the world view reads: the station's newest nowcast of any day.
    expect(store.stations.get('KLGA').nowcast.confidence).toBe(0.3);
    // Two days' rows of one label read apart.
    expect(marketLabel(store.markets.get('KLGA:2026-12-08:40-41°F'))).toBe('40-41°F · 12-08');
    expect(marketLabel({ label: '40-41°F', judge_day: null })).toBe('40-41°F');

    // The resolved day's markets retire one by one: its panel stays while one is listed.
    const retire = (id: string) => fold(store, factory.make('ALERT', { severity: 'info', code: 'MARKET_RETIRED', message: `${id} retired` }, { market_id: id }));
    retire('KLGA:2026-12-08:38-39°F');
    expect(shown(store).map((p) => [p.day, Object.keys(p.markets)])).toEqual([
      ['2026-12-08', ['40-41°F']],
      ['2026-12-09', LABELS],
    ]);
    retire('KLGA:2026-12-08:40-41°F');
    expect(shown(store).map((p) => p.day)).toEqual(['2026-12-09']);
    // A nowcast of a day no market of the station is for (the day after, before its buckets are listed) has no panel.
    fold(store, nowcast('KLGA', '2026-12-10', 0.4));
    expect(shown(store).map((p) => p.day)).toEqual(['2026-12-09']);
  });

  it('shows the newest day of a station without dated markets, its undated buckets paired with it', () => {
    const store = createStore();
    seedMarkets(store, LABELS.map((l) => bucketMarket('KORD', l, null)));
    fold(store, nowcast('KNYC', '2026-12-08', 0.5)); // no markets at all
    fold(store, nowcast('KORD', '2026-12-09', 0.6));
    fold(store, nowcast('KORD', '2026-12-08', 0.7));
    expect(shown(store)).toEqual([
      { station: 'KNYC', day: '2026-12-08', confidence: 0.5, markets: {} },
      { station: 'KORD', day: '2026-12-09', confidence: 0.6, markets: Object.fromEntries(LABELS.map((l) => [l, `KORD:undated:${l}`])) },
    ]);
    // An undated bucket pairs with a dated station's every day, after that day's own market of its label.
    seedMarkets(store, [bucketMarket('KORD', '38-39°F', '2026-12-09')]);
    expect(shown(store)).toEqual([
      { station: 'KNYC', day: '2026-12-08', confidence: 0.5, markets: {} },
      { station: 'KORD', day: '2026-12-09', confidence: 0.6, markets: { '38-39°F': 'KORD:2026-12-09:38-39°F', '40-41°F': 'KORD:undated:40-41°F' } },
    ]);
  });

  it('keeps a bounded number of days per station, dropping the oldest', () => {
    const store = createStore();
    for (let d = 1; d <= 9; d++) fold(store, nowcast('KLGA', `2026-12-0${d}`, d / 10));
    expect([...store.stations.get('KLGA').nowcasts.keys()].sort()).toEqual(['2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07', '2026-12-08', '2026-12-09']);
  });

  it('a page opened now gets the newest nowcast of each day of a station from the recent past', () => {
    const recent = new RecentEvents();
    const sent = [nowcast('KLGA', '2026-12-08', 0.1), nowcast('KLGA', '2026-12-09', 0.2), nowcast('KLGA', '2026-12-08', 0.3), nowcast('KLGA', '2026-12-09', 0.4)];
    for (const e of sent) recent.emit(e);
    expect(recent.snapshot().map((e) => e.event_id)).toEqual([sent[2]!.event_id, sent[3]!.event_id]);
  });
});
