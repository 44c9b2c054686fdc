import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  bucketPartitionProblem,
  outcomeForToken,
  parseEsportsEvent,
  parseGammaDate,
  parseGammaEvent,
  parseGammaMarket,
  parseTemperatureBucket,
  parseTemperatureEvent,
  parseTemperatureEventSlug,
  parseTemperatureRule,
  temperatureEventSlug,
  wundergroundStation,
  tokenForOutcome,
  type DiscoveryResult,
  type EventInfo,
} from '../../src/domain/discovery/index.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const local = (name: string): unknown => JSON.parse(readFileSync(path.join(HERE, '../fixtures/market', name), 'utf8'));
type Raw = Record<string, unknown> & { markets: Array<Record<string, unknown>> };
/** A fresh copy of the synthetic NYC event (tests mutate it). */
const nycRaw = (): Raw => (local('gamma-event-nyc-highest-2026-06-12.json') as Raw[])[0]!;
const londonRaw = (): Raw => local('gamma-event-london-highest-2026-06-12.json') as Raw;

function value<T>(r: DiscoveryResult<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

function event(raw: unknown): EventInfo {
  return value(parseGammaEvent(raw));
}

function refusal(raw: Raw): string {
  const r = parseTemperatureEvent(event(raw));
  expect(r.ok).toBe(false);
  return r.ok ? '' : r.error.code;
}

describe('Gamma markets and events', () => {
  it('maps condition id ↔ token ids ↔ outcomes from the JSON-encoded string fields', () => {
    const ev = event(nycRaw());
    expect(ev.rejected_markets).toEqual([]);
    const m = ev.markets[0]!;
    const raw = nycRaw().markets[0]!;
    const tokens = JSON.parse(raw.clobTokenIds as string) as string[];
    expect(m.condition_id).toBe(raw.conditionId);
    expect(m.outcomes).toEqual([
      { name: 'Yes', token_id: tokens[0], price: 0.05 },
      { name: 'No', token_id: tokens[1], price: 0.95 },
    ]);
    expect(tokenForOutcome(m, 'No')).toBe(tokens[1]);
    expect(outcomeForToken(m, tokens[0]!)).toBe('Yes');
    expect(outcomeForToken(m, 'other')).toBeNull();
    expect(m).toMatchObject({
      tick_size: 0.001,
      min_order_size: 5,
      neg_risk: true,
      fees_enabled: true,
      fee_type: 'weather_fees',
      fee_schedule: { rate: 0.05, exponent: 1, taker_only: true },
      rebate_rate: 0.25,
      start_ms: Date.UTC(2026, 5, 10, 16, 3, 11, 812),
      end_ms: Date.UTC(2026, 5, 13, 12),
      accepting_orders: true,
    });
    expect(ev.tags.map((t) => t.label)).toEqual(['Highest temperature', 'Weather']);
  });

  it('refuses markets it cannot map, with a typed reason, and keeps the rest of the event', () => {
    const raw = nycRaw();
    raw.markets[1]!.clobTokenIds = '[]';
    raw.markets[2]!.outcomes = '["Yes"]';
    raw.markets[3]!.outcomes = 'Yes, No';
    raw.markets[4]!.endDate = 'tomorrow';
    const ev = event(raw);
    expect(ev.rejected_markets.map((r) => [r.index, r.error.code])).toEqual([
      [1, 'missing_tokens'],
      [2, 'length_mismatch'],
      [3, 'invalid_json_field'],
      [4, 'invalid_date'],
    ]);
    expect(ev.markets).toHaveLength(7);
    expect(parseGammaMarket({ conditionId: 5 })).toMatchObject({ ok: false, error: { code: 'invalid_shape' } });
    expect(parseGammaMarket('nope')).toMatchObject({ ok: false, error: { code: 'invalid_shape' } });
  });

  it('reads the Gamma date forms', () => {
    expect(parseGammaDate('2026-04-05T21:10:00Z')).toBe(Date.UTC(2026, 3, 5, 21, 10));
    expect(parseGammaDate('2026-04-05T14:02:57.37498Z')).toBe(Date.UTC(2026, 3, 5, 14, 2, 57, 374));
    expect(parseGammaDate('2026-04-05 15:10:00+00')).toBe(Date.UTC(2026, 3, 5, 15, 10));
    expect(parseGammaDate('2026-04-05T10:00:00-05:00')).toBe(Date.UTC(2026, 3, 5, 15));
    expect(parseGammaDate('2026-04-05')).toBe(Date.UTC(2026, 3, 5));
    expect(parseGammaDate(null)).toBeNull();
    expect(parseGammaDate('2026-02-30')).toBeUndefined();
    expect(parseGammaDate('April 5')).toBeUndefined();
  });
});

describe('temperature buckets', () => {
  it.each([
    ['81°F or below', { unit: 'F', lo: null, hi: 81 }],
    ['82-83°F', { unit: 'F', lo: 82, hi: 83 }],
    ['100°F or higher', { unit: 'F', lo: 100, hi: null }],
    ['21°C', { unit: 'C', lo: 21, hi: 21 }],
    ['20°C or below', { unit: 'C', lo: null, hi: 20 }],
    ['-5°C or below', { unit: 'C', lo: null, hi: -5 }],
    ['-4--3°F', { unit: 'F', lo: -4, hi: -3 }],
    ['25F or below', { unit: 'F', lo: null, hi: 25 }],
    ['26–27 °F', { unit: 'F', lo: 26, hi: 27 }],
  ])('%s', (title, expected) => {
    expect(parseTemperatureBucket(title)).toEqual({ label: title.trim(), ...expected });
  });

  it.each(['82-83', '83-82°F', '81°F or less', 'between 82 and 83°F', '82.5°F', '', 'Yes'])('refuses %j', (title) => {
    expect(parseTemperatureBucket(title)).toBeNull();
  });

  it('checks that buckets partition the integers', () => {
    const b = (...titles: string[]) => titles.map((t) => parseTemperatureBucket(t)!);
    expect(bucketPartitionProblem(b('83-84°F', '81°F or below', '85°F or higher', '82°F'))).toBeNull();
    expect(bucketPartitionProblem(b('81°F or below', '83-84°F', '85°F or higher'))).toMatch(/gap or overlap/);
    expect(bucketPartitionProblem(b('81°F or below', '81-84°F', '85°F or higher'))).toMatch(/gap or overlap/);
    expect(bucketPartitionProblem(b('81°F or below', '82-84°F'))).toMatch(/not open above/);
    expect(bucketPartitionProblem(b('82-84°F', '85°F or higher'))).toMatch(/not open below/);
    expect(bucketPartitionProblem(b('27°C or below', '28°C or higher'))).toBeNull();
    expect(bucketPartitionProblem(b('81°F or below', '82°C or higher'))).toMatch(/mix units/);
    expect(bucketPartitionProblem([])).toBe('no buckets');
  });
});

describe('temperature rules', () => {
  const VERSION_A =
    'This market will resolve to the temperature range that contains the highest temperature recorded at the LaGuardia Airport Station in degrees Fahrenheit on 21 Feb \'26. ' +
    'The resolution source for this market will be information from Wunderground, specifically the highest temperature recorded for all times on this day by the Forecast for the LaGuardia Airport Station once information is finalized, available here: https://www.wunderground.com/history/daily/us/ny/new-york-city/KLGA. ' +
    'This market can not resolve to "Yes" until all data for this date has been finalized. The resolution source for this market measures temperatures to whole degrees Fahrenheit (eg, 21°F).';

  it('reads version A (Wunderground, finalized data)', () => {
    expect(value(parseTemperatureRule(VERSION_A))).toEqual({
      metric: 'highest',
      unit: 'F',
      station_name: 'LaGuardia Airport Station',
      station_id: 'KLGA',
      source: 'wunderground',
      source_url: 'https://www.wunderground.com/history/daily/us/ny/new-york-city/KLGA',
      whole_degrees: true,
      finality: 'data_finalized',
      fallback_url: null,
    });
  });

  it('reads version B (next-day first data point) and the NOAA template with its Wunderground fallback', () => {
    const nyc = value(parseTemperatureRule(nycRaw().description as string));
    expect(nyc).toMatchObject({ station_id: 'KLGA', unit: 'F', source: 'wunderground', finality: 'next_day_first_datapoint' });
    const london = value(parseTemperatureRule(londonRaw().description as string));
    expect(london).toMatchObject({
      metric: 'highest',
      unit: 'C',
      station_name: 'London City Airport Station',
      station_id: 'EGLC',
      source: 'noaa',
      source_url: 'https://www.weather.gov/wrh/timeseries?site=EGLC',
      fallback_url: 'https://www.wunderground.com/history/daily/gb/london/EGLC',
      finality: 'unstated',
    });
  });

  it('takes the Wunderground station from the end of the path, not from a four-letter city word before it', () => {
    for (const [url, station] of [
      ['https://www.wunderground.com/history/daily/it/rome/LIRF', 'LIRF'],
      ['https://www.wunderground.com/history/daily/hk/hong-kong/VHHH', 'VHHH'],
      ['https://www.wunderground.com/history/daily/us/fl/fort-lauderdale/KFLL', 'KFLL'],
      ['https://www.wunderground.com/history/daily/no/oslo/ENGM/date/2026-3-4', 'ENGM'],
      ['https://www.wunderground.com/history/daily/KLGA/date/2024-1-1', 'KLGA'],
    ] as const) {
      expect(wundergroundStation(url), url).toBe(station);
      expect(value(parseTemperatureRule(VERSION_A.replace('https://www.wunderground.com/history/daily/us/ny/new-york-city/KLGA', url))).station_id, url).toBe(station);
    }
    expect(parseTemperatureRule(VERSION_A.replace('/us/ny/new-york-city/KLGA', '/us/ny/new-york-city'))).toMatchObject({ ok: false, error: { code: 'unknown_rule_text' } });
  });

  it('refuses rule text it does not understand', () => {
    for (const text of [
      'This market will resolve to the temperature range.',
      VERSION_A.replace(/https:\/\/www\.wunderground\.com\S+/, 'the Wunderground site.'),
      VERSION_A.replace('whole degrees Fahrenheit', 'whole degrees Celsius'),
      VERSION_A + ' See also https://www.weather.gov/wrh/timeseries?site=KLGA.',
      VERSION_A + ' This market can not resolve until the first data point for the following date has been published.',
    ]) {
      expect(parseTemperatureRule(text)).toMatchObject({ ok: false, error: { code: 'unknown_rule_text' } });
    }
  });
});

describe('temperature events', () => {
  it('maps the NYC daily-high event: sorted buckets partitioning the integers, Yes/No tokens, rules', () => {
    const t = value(parseTemperatureEvent(event(nycRaw())));
    expect(t).toMatchObject({ slug: 'highest-temperature-in-nyc-on-june-12-2026', metric: 'highest', city_slug: 'nyc', date: { year: 2026, month: 6, day: 12 }, unit: 'F', neg_risk: true });
    expect(t.rule.station_id).toBe('KLGA');
    expect(t.buckets.map((b) => [b.label, b.lo, b.hi])).toEqual([
      ['81°F or below', null, 81],
      ...Array.from({ length: 9 }, (_, i) => [`${82 + 2 * i}-${83 + 2 * i}°F`, 82 + 2 * i, 83 + 2 * i]),
      ['100°F or higher', 100, null],
    ]);
    for (const b of t.buckets) {
      expect(b.yes_token_id).toBe(tokenForOutcome(b.market, 'Yes'));
      expect(b.no_token_id).toBe(tokenForOutcome(b.market, 'No'));
      expect(b.condition_id).toBe(b.market.condition_id);
    }
  });

  it('maps a 1 °C event settled by NOAA', () => {
    const t = value(parseTemperatureEvent(event(londonRaw())));
    expect(t.unit).toBe('C');
    expect(t.rule.source).toBe('noaa');
    expect(t.buckets.map((b) => b.label)).toEqual(['20°C or below', ...Array.from({ length: 9 }, (_, i) => `${21 + i}°C`), '30°C or higher']);
    expect(t.buckets.every((b) => b.market.tick_size === 0.01)).toBe(true);
  });

  it('refuses an event whose buckets, rules or markets are not understood', () => {
    const grammar = nycRaw();
    grammar.markets[3]!.groupItemTitle = '84 to 85°F';
    expect(refusal(grammar)).toBe('unknown_bucket_grammar');

    const gap = nycRaw();
    gap.markets = gap.markets.filter((m) => m.groupItemTitle !== '90-91°F');
    expect(refusal(gap)).toBe('not_a_partition');

    const overlap = nycRaw();
    overlap.markets.find((m) => m.groupItemTitle === '90-91°F')!.groupItemTitle = '89-91°F';
    expect(refusal(overlap)).toBe('not_a_partition');

    const rules = nycRaw();
    rules.description = 'This market will resolve to the temperature range.';
    for (const m of rules.markets) m.description = rules.description;
    expect(refusal(rules)).toBe('unknown_rule_text');

    const unit = nycRaw();
    for (const m of unit.markets) m.groupItemTitle = (m.groupItemTitle as string).replace('°F', '°C');
    expect(refusal(unit)).toBe('unit_mismatch');

    const tokens = nycRaw();
    tokens.markets[0]!.clobTokenIds = null;
    expect(refusal(tokens)).toBe('missing_tokens');

    const outcomes = nycRaw();
    outcomes.markets[0]!.outcomes = '["Over", "Under"]';
    expect(refusal(outcomes)).toBe('not_yes_no_market');

    const lowest = nycRaw();
    lowest.slug = 'lowest-temperature-in-nyc-on-june-12-2026';
    expect(refusal(lowest)).toBe('unknown_rule_text');

    const other = nycRaw();
    other.slug = 'will-it-rain-in-nyc';
    expect(refusal(other)).toBe('not_temperature_event');
  });

  it('builds slugs by city and date, with or without the year', () => {
    expect(temperatureEventSlug({ metric: 'highest', city_slug: 'nyc', date: '2026-06-12', with_year: true })).toBe('highest-temperature-in-nyc-on-june-12-2026');
    expect(temperatureEventSlug({ metric: 'highest', city_slug: 'nyc', date: '2026-01-26', with_year: false })).toBe('highest-temperature-in-nyc-on-january-26');
    expect(temperatureEventSlug({ metric: 'lowest', city_slug: 'buenos-aires', date: '2028-02-29', with_year: true })).toBe('lowest-temperature-in-buenos-aires-on-february-29-2028');
    expect(() => temperatureEventSlug({ metric: 'highest', city_slug: 'nyc', date: '2026-02-29', with_year: true })).toThrow(RangeError);
    expect(() => temperatureEventSlug({ metric: 'highest', city_slug: 'New York', date: '2026-06-12', with_year: true })).toThrow(RangeError);
    expect(parseTemperatureEventSlug('lowest-temperature-in-buenos-aires-on-february-29-2028')).toEqual({ metric: 'lowest', city_slug: 'buenos-aires', date: { year: 2028, month: 2, day: 29 } });
    expect(parseTemperatureEventSlug('highest-temperature-in-nyc-on-january-26')).toEqual({ metric: 'highest', city_slug: 'nyc', date: { year: null, month: 1, day: 26 } });
    expect(parseTemperatureEventSlug('highest-temperature-in-nyc-on-smarch-26')).toBeNull();
  });
});

describe('esports events', () => {
  const ml = (extra: Record<string, unknown> = {}) => ({
    conditionId: '0xml',
    slug: 'cs2-aaa-bbb-2026-04-05',
    outcomes: '["Alpha", "Beta"]',
    clobTokenIds: '["11", "12"]',
    sportsMarketType: 'moneyline',
    groupItemTitle: 'Match Winner',
    gameStartTime: '2026-04-05 15:10:00+00',
    gameId: 77,
    ...extra,
  });
  const matchEvent = (markets: unknown[]) => ({ id: 'e1', slug: 'cs2-aaa-bbb-2026-04-05', title: 'Counter-Strike: Alpha vs Beta (BO3)', markets });

  it('finds the teams from the moneyline and marks which markets have team outcomes', () => {
    const e = value(
      parseEsportsEvent(
        event(
          matchEvent([
            { conditionId: '0xh', outcomes: '["Alpha", "Beta"]', clobTokenIds: '["21", "22"]', sportsMarketType: 'map_handicap', line: '-1.5' },
            ml(),
            { conditionId: '0xt', outcomes: '["Over", "Under"]', clobTokenIds: '["31", "32"]', sportsMarketType: 'totals', line: 2.5 },
          ]),
        ),
      ),
    );
    expect(e).toMatchObject({ game: 'cs2', teams: ['Alpha', 'Beta'], game_start_ms: Date.UTC(2026, 3, 5, 15, 10), game_id: '77' });
    expect(e.markets.map((m) => [m.kind, m.line, m.team_outcomes])).toEqual([
      ['moneyline', null, true],
      ['map_handicap', -1.5, true],
      ['totals', 2.5, false],
    ]);
  });

  it('refuses events without exactly one two-team moneyline', () => {
    expect(parseEsportsEvent(event(matchEvent([])))).toMatchObject({ ok: false, error: { code: 'no_moneyline' } });
    expect(parseEsportsEvent(event(matchEvent([ml(), ml({ conditionId: '0xml2' })])))).toMatchObject({ ok: false, error: { code: 'no_moneyline' } });
    expect(parseEsportsEvent(event(matchEvent([ml({ outcomes: '["Yes", "No"]' })])))).toMatchObject({ ok: false, error: { code: 'not_esports_event' } });
    expect(parseEsportsEvent(event(matchEvent([ml({ outcomes: '["Alpha", "Alpha"]' })])))).toMatchObject({ ok: false, error: { code: 'not_esports_event' } });
  });
});

const present = requireSharedFixtures('polymarket');

describe.skipIf(!present)('discovery on real Gamma answers (../shared/fixtures/polymarket)', () => {
  const real = (rel: string): unknown => JSON.parse(readFileSync(sharedFixture('polymarket', 'nautilus_trader', rel), 'utf8'));

  it('maps real markets: binary Up/Down, closed, legacy scalar', () => {
    const btc = value(parseGammaMarket(real('crates_test_data/gamma_market.json')));
    expect(btc.outcomes.map((o) => o.name)).toEqual(['Up', 'Down']);
    expect(btc.outcomes.every((o) => /^\d{60,}$/.test(o.token_id))).toBe(true);
    expect(btc).toMatchObject({ tick_size: 0.01, min_order_size: 5, neg_risk: false, fees_enabled: true, end_ms: Date.UTC(2026, 2, 12, 9, 25) });
    const closed = value(parseGammaMarket(real('crates_test_data/gamma_market_closed_binary_accepting_false.json')));
    expect(closed).toMatchObject({ closed: true, closed_ms: Date.UTC(2026, 2, 19, 23, 20, 15), tick_size: 0.001 });
    const legacy = value(parseGammaMarket(real('crates_test_data/gamma_market_closed_nonbinary_legacy.json')));
    expect(legacy.outcomes.map((o) => o.name)).toEqual(['Long', 'Short']);
    expect(legacy.tick_size).toBeNull();
    // Trimmed answers that drop `outcomes` cannot be mapped.
    expect(parseGammaMarket(real('http_responses/market_slug.json'))).toMatchObject({ ok: false, error: { code: 'length_mismatch' } });
  });

  it('maps a real neg-risk event with its markets', () => {
    const list = real('crates_test_data/gamma_event.json') as unknown[];
    const ev = event(list[0]);
    expect(ev).toMatchObject({ slug: 'democratic-presidential-nominee-2028', neg_risk: true, rejected_markets: [] });
    expect(ev.markets.length).toBeGreaterThan(0);
    expect(ev.markets.every((m) => m.outcomes.length === 2 && m.neg_risk)).toBe(true);
    expect(ev.tags.length).toBeGreaterThan(0);
  });

  it('refuses the real (trimmed) NYC weather event: no tokens, no rule text', () => {
    const ev = event(real('http_responses/event.json'));
    expect(ev.slug).toBe('highest-temperature-in-nyc-on-january-26');
    expect(ev.rejected_markets.map((r) => r.error.code)).toEqual(['missing_tokens', 'missing_tokens', 'missing_tokens']);
    expect(parseTemperatureEvent(ev)).toMatchObject({ ok: false, error: { code: 'missing_tokens' } });
    expect(parseTemperatureRule(ev.description!)).toMatchObject({ ok: false, error: { code: 'unknown_rule_text' } });
    expect(parseTemperatureEventSlug(ev.slug!)).toEqual({ metric: 'highest', city_slug: 'nyc', date: { year: null, month: 1, day: 26 } });
  });

  it('maps the real CS2 match (team-name outcomes) from its moneyline market', () => {
    const market = real('crates_test_data/gamma_market_sports_market_money_line.json') as Record<string, unknown> & { events: Array<Record<string, unknown>> };
    const e = value(parseEsportsEvent(event({ ...market.events[0], markets: [market] })));
    expect(e).toMatchObject({ slug: 'cs2-faze-ill-2026-04-05', game: 'cs2', teams: ['FaZe', 'illwill'], game_start_ms: Date.UTC(2026, 3, 5, 15, 10), game_id: '1427074' });
    expect(e.moneyline.market).toMatchObject({ tick_size: 0.001, neg_risk: false, fee_schedule: { rate: 0.03, exponent: 1, taker_only: true }, resolution_source: 'https://hltv.org' });
    expect(e.moneyline.team_outcomes).toBe(true);
  });
});
