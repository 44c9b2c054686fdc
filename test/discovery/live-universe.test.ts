import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { parseGammaEvent, selectOperatingSet, type ScannerPolicy } from '../../src/domain/discovery/index.ts';
import { marketSpecSchema } from '../../src/domain/events/payloads/market.ts';
import { derivePolicy } from '../../src/domain/trading/plan.ts';
import type { NowcastSignal } from '../../src/domain/trading/policy.ts';
import { layoutChanges, matchSpecOf, stationLayouts, tradedMarketOf } from '../../src/runtime/discovery/live-universe.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const read = (p: string) => JSON.parse(readFileSync(path.join(HERE, p), 'utf8'));
const ANY: ScannerPolicy = { any_event: true, temperature: { cities: [], metrics: [], judge_days_ahead: 0, station_tz: { KLGA: 'America/New_York' } }, esports: { games: ['cs2'], leagues: [] }, event_slugs: [], condition_ids: [], min_liquidity: 0, min_volume: 0 };
const selected = () => selectOperatingSet({ events: [parseGammaEvent(read('../fixtures/market/gamma-event-nyc-highest-2026-06-12.json')[0]), parseGammaEvent(read('../fixtures/discovery/gamma-event-cs2-match.json'))], markets: [] }, ANY, 0).markets;

function nowcast(judge_day: string): NowcastSignal {
  return { judge_day, max_so_far_f: 84, distribution: [[85, 1]], buckets: [{ label: '84-85°F', lo_f: 84, hi_f: 85, p: 0.9 }], peak_time_bins: [], confidence: 1, qc_gate: 'open' } as unknown as NowcastSignal;
}

describe('the live universe of discovered markets', () => {
  const { config } = loadConfig({ env: {} });

  it('prices a bucket from its station nowcast of its own judge day only', () => {
    const bucket = selected().find((m) => m.temperature?.label === '84-85°F')!;
    const traded = tradedMarketOf(bucket);
    expect(traded).toMatchObject({ station_id: 'KLGA', match_id: null, spec: { tick_size: 0.001, min_order_size: 5, fee: { rate: 0.05 }, event: { neg_risk: true, outcomes: 11 }, fair_source: { kind: 'nowcast', judge_day: '2026-06-12' } } });
    expect(marketSpecSchema.safeParse(traded.spec).success).toBe(true);
    const now = 1_000;
    expect(derivePolicy(traded.spec, nowcast('2026-06-12'), config.trading, 60_000, now)?.fair_value[bucket.yes_token]).toBe(0.9);
    // The same label on another day's nowcast says nothing about this bucket.
    expect(derivePolicy(traded.spec, nowcast('2026-06-13'), config.trading, 60_000, now)).toBeNull();
  });

  it('prices a moneyline from the truth of its match, a standalone market (no bucket set)', () => {
    const ml = selected().find((m) => m.kind === 'esports')!;
    const traded = tradedMarketOf(ml);
    expect(traded).toMatchObject({ match_id: 'pm:cs2-faze-ill-2026-06-12', station_id: null, spec: { event: null, fair_source: { kind: 'truth', outcome_by_token: { '1001': 'FaZe', '1002': 'illwill' } } } });
    expect(matchSpecOf(ml)).toEqual({ match_id: 'pm:cs2-faze-ill-2026-06-12', title: 'cs2', outcomes: ['FaZe', 'illwill'], best_of: null, market_id: ml.condition_id, source_ids: { polymarket_sports: '9001' } });
  });

  it('lays out every open judge day of a station, each over its own buckets sorted from the open-below one', () => {
    const markets = selected();
    const tomorrow = markets.filter((m) => m.temperature).map((m) => ({ ...m, condition_id: m.condition_id + 'x', temperature: { ...m.temperature!, judge_date: '2026-06-13' } }));
    const layouts = stationLayouts([...tomorrow, ...markets]);
    expect(layouts.map((l) => [l.station_id, l.judge_day])).toEqual([
      ['KLGA', '2026-06-12'],
      ['KLGA', '2026-06-13'],
    ]);
    for (const l of layouts) {
      expect(l.buckets[0]).toEqual({ label: '81°F or below', lo_f: null, hi_f: 81 });
      expect(l.buckets).toHaveLength(11);
    }
    const closedToday = markets.map((m) => (m.temperature ? { ...m, closed: true } : m));
    expect(stationLayouts([...tomorrow, ...closedToday]).map((l) => l.judge_day)).toEqual(['2026-06-13']);
  });

  it("keeps a bucket that closed early in its day's layout while the day's other buckets trade", () => {
    const markets = selected();
    const buckets = markets.filter((m) => m.temperature);
    const oneClosed = markets.map((m) => (m === buckets[3] ? { ...m, closed: true } : m));
    const [layout] = stationLayouts(oneClosed);
    expect(layout!.buckets).toEqual(stationLayouts(markets)[0]!.buckets);
    expect(layout!.buckets).toHaveLength(11);
    expect(layoutChanges(stationLayouts(markets), stationLayouts(oneClosed))).toEqual([]);
  });

  it('tells which dated layouts appeared, changed or ended, by station then day', () => {
    const markets = selected();
    const tomorrow = markets.filter((m) => m.temperature).map((m) => ({ ...m, condition_id: m.condition_id + 'x', temperature: { ...m.temperature!, judge_date: '2026-06-13' } }));
    const today = stationLayouts(markets);
    const both = stationLayouts([...tomorrow, ...markets]);
    // The simulated day's undated layout is never discovery's to end.
    const sim = { station_id: 'KORD', judge_day: null, buckets: today[0]!.buckets };
    expect(layoutChanges([sim, ...today], both)).toEqual([{ station_id: 'KLGA', judge_day: '2026-06-13', buckets: both[1]!.buckets }]);
    expect(layoutChanges(both, both)).toEqual([]);
    const closedToday = markets.map((m) => (m.temperature ? { ...m, closed: true } : m));
    expect(layoutChanges(both, stationLayouts([...tomorrow, ...closedToday]))).toEqual([{ station_id: 'KLGA', judge_day: '2026-06-12', buckets: null }]);
  });
});
