import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffOperatingSet, parseGammaEvent, parseGammaMarket, selectOperatingSet, type GammaAnswers, type ScannerPolicy, type SelectedMarket } from '../../src/domain/discovery/index.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
type Raw = Record<string, unknown> & { markets: Array<Record<string, unknown>> };
const nyc = (): Raw => (JSON.parse(readFileSync(path.join(HERE, '../fixtures/market/gamma-event-nyc-highest-2026-06-12.json'), 'utf8')) as Raw[])[0]!;
const london = (): Raw => JSON.parse(readFileSync(path.join(HERE, '../fixtures/market/gamma-event-london-highest-2026-06-12.json'), 'utf8')) as Raw;
const match = (): Raw => JSON.parse(readFileSync(path.join(HERE, '../fixtures/discovery/gamma-event-cs2-match.json'), 'utf8')) as Raw;

/** 2026-06-12 10:00 in New York. */
const NOW = Date.UTC(2026, 5, 12, 14, 0);

const policy = (over: Partial<ScannerPolicy> = {}): ScannerPolicy => ({
  any_event: false,
  temperature: { cities: [{ city_slug: 'nyc', station: 'KLGA' }], metrics: ['highest'], judge_days_ahead: 1, station_tz: { KLGA: 'America/New_York', EGLC: 'Europe/London' } },
  esports: { games: ['cs2'], leagues: [] },
  event_slugs: [],
  condition_ids: [],
  min_liquidity: 0,
  min_volume: 0,
  ...over,
});

const answers = (...events: unknown[]): GammaAnswers => ({ events: events.map(parseGammaEvent), markets: [] });

describe('selectOperatingSet', () => {
  it('selects every bucket of a configured city with its station, judge date, bucket, tokens, tick, minimum and fee', () => {
    const set = selectOperatingSet(answers(nyc()), policy(), NOW);
    expect(set.refused).toEqual([]);
    expect(set.markets).toHaveLength(11);
    const b = set.markets.find((m) => m.temperature?.label === '90-91°F')!;
    expect(b).toMatchObject({
      kind: 'temperature',
      event_slug: 'highest-temperature-in-nyc-on-june-12-2026',
      condition_id: '0x9baaf28228efdf7796c141fdb26a3bcd6e398761c494fbb1cad8a20ca23590b4',
      yes_token: '20550817357051368097672508385228468778610593995202230613193858252304679380531',
      no_token: '10535078080720782068512062709610114782638103374788983315508696381638632150540',
      tick_size: 0.001,
      min_size: 5,
      neg_risk: true,
      fee: { rate: 0.05, exponent: 1, taker_only: true },
      closed: false,
      winner: null,
      event_outcomes: 11,
      tradable: true,
      temperature: { station: 'KLGA', metric: 'highest', judge_date: '2026-06-12', bucket: { low: 90, high: 91, unit: 'F' } },
    });
    expect(set.markets.map((m) => m.condition_id)).toEqual([...set.markets.map((m) => m.condition_id)].sort());
  });

  it('leaves out cities, metrics and judge days outside the policy, silently', () => {
    expect(selectOperatingSet(answers(london()), policy(), NOW)).toEqual({ markets: [], refused: [] });
    expect(selectOperatingSet(answers(nyc()), policy(), Date.UTC(2026, 5, 14, 14)).markets).toEqual([]);
    expect(selectOperatingSet(answers(nyc()), policy(), Date.UTC(2026, 5, 10, 14)).markets).toEqual([]);
    expect(selectOperatingSet(answers(nyc()), policy(), Date.UTC(2026, 5, 11, 14)).markets).toHaveLength(11);
    const lows = policy();
    lows.temperature = { ...lows.temperature, metrics: ['lowest'] };
    expect(selectOperatingSet(answers(nyc()), lows, NOW).markets).toEqual([]);
  });

  it('refuses a city that settles on another station than the configured one', () => {
    const p = policy();
    p.temperature = { ...p.temperature, cities: [{ city_slug: 'nyc', station: 'KJFK' }] };
    const set = selectOperatingSet(answers(nyc()), p, NOW);
    expect(set.markets).toEqual([]);
    expect(set.refused).toMatchObject([{ event_slug: 'highest-temperature-in-nyc-on-june-12-2026', code: 'station_not_watched' }]);
  });

  it('judges every event handed in (any_event) by the watched stations, without the city, metric or judge-day filters', () => {
    const later = Date.UTC(2026, 7, 1, 12);
    expect(selectOperatingSet(answers(london()), policy({ any_event: true }), later).markets).toHaveLength(11);
    const unwatched = policy({ any_event: true });
    unwatched.temperature = { ...unwatched.temperature, station_tz: { KLGA: 'America/New_York' } };
    expect(selectOperatingSet(answers(london()), unwatched, later)).toMatchObject({ markets: [], refused: [{ code: 'station_not_watched', message: expect.stringContaining('EGLC') }] });
    const elsewhere = policy({ any_event: true });
    elsewhere.temperature = { ...elsewhere.temperature, cities: [{ city_slug: 'nyc', station: 'KJFK' }] };
    expect(selectOperatingSet(answers(nyc()), elsewhere, later)).toMatchObject({ markets: [], refused: [{ code: 'station_not_watched', message: expect.stringContaining('KJFK') }] });
  });

  it('refuses, never guesses: rule text, bucket grammar, partition, token count, tick size, fee, neg-risk', () => {
    const cases: Array<[string, (e: Raw) => void]> = [
      ['unknown_rule_text', (e) => {
        e.description = 'Resolves by vibes.';
        for (const m of e.markets) m.description = 'Resolves by vibes.';
      }],
      ['unknown_bucket_grammar', (e) => void (e.markets[0]!.groupItemTitle = 'warm-ish')],
      ['not_a_partition', (e) => void e.markets.splice(3, 1)],
      ['length_mismatch', (e) => void (e.markets[0]!.outcomes = '["Yes","No","Maybe"]')],
      ['tick_size_unknown', (e) => void delete e.markets[2]!.orderPriceMinTickSize],
      ['min_size_unknown', (e) => void delete e.markets[2]!.orderMinSize],
      ['fee_unknown', (e) => void delete e.markets[2]!.feeSchedule],
      ['contradictory_market', (e) => void (e.markets[2]!.negRisk = false)],
    ];
    for (const [code, edit] of cases) {
      const e = nyc();
      edit(e);
      const set = selectOperatingSet(answers(e), policy(), NOW);
      expect({ code, markets: set.markets.length, refused: set.refused.map((r) => r.code) }).toEqual({ code, markets: 0, refused: [code] });
    }
  });

  it('refuses an event two of whose markets name the same token: temperature buckets, a match, any other event', () => {
    const sharing = (e: Raw): Raw => {
      e.markets[1]!.clobTokenIds = e.markets[0]!.clobTokenIds;
      return e;
    };
    const buckets = selectOperatingSet(answers(sharing(nyc())), policy(), NOW);
    expect(buckets.markets).toEqual([]);
    expect(buckets.refused).toMatchObject([{ event_slug: 'highest-temperature-in-nyc-on-june-12-2026', code: 'contradictory_market', message: expect.stringContaining(`both name token ${JSON.parse(nyc().markets[0]!.clobTokenIds as string)[0]}`) }]);
    // The match trades its moneyline only; a handicap naming the moneyline's tokens still contradicts it.
    const game = selectOperatingSet(answers(sharing(match())), policy(), NOW);
    expect(game).toMatchObject({ markets: [], refused: [{ event_slug: 'cs2-faze-ill-2026-06-12', code: 'contradictory_market', message: expect.stringContaining('both name token 1001') }] });
    const other = sharing(match());
    other.slug = 'some-other-event';
    const binary = selectOperatingSet(answers(other), policy({ any_event: true }), NOW);
    expect(binary).toMatchObject({ markets: [], refused: [{ event_slug: 'some-other-event', code: 'contradictory_market' }] });
  });

  it('refuses a malformed answer without losing the rest', () => {
    const set = selectOperatingSet({ events: [parseGammaEvent({ slug: 7, markets: 'no' }), parseGammaEvent(nyc())], markets: [] }, policy(), NOW);
    expect(set.markets).toHaveLength(11);
    expect(set.refused).toMatchObject([{ code: 'invalid_shape' }]);
    // An error body answered with 200 parses (every field is optional) but is no event.
    expect(selectOperatingSet(answers({ error: 'rate limited' }), policy(), NOW).refused).toMatchObject([{ code: 'invalid_shape', message: expect.stringContaining('neither slug nor id') }]);
  });

  it('reports a resolved bucket as closed with its winner, and keeps closed and thin markets out of trading', () => {
    const e = nyc();
    for (const m of e.markets) {
      m.closed = true;
      m.acceptingOrders = false;
      m.outcomePrices = m.groupItemTitle === '90-91°F' ? '["1", "0"]' : '["0", "1"]';
    }
    const set = selectOperatingSet(answers(e), policy(), NOW);
    expect(set.markets.filter((m) => m.winner === true).map((m) => m.temperature!.label)).toEqual(['90-91°F']);
    expect(set.markets.every((m) => m.closed && !m.tradable && m.not_tradable === 'closed')).toBe(true);
    const thin = selectOperatingSet(answers(nyc()), policy({ min_liquidity: 100 }), NOW);
    expect(thin.markets.every((m) => !m.tradable && m.not_tradable === 'below_min_liquidity')).toBe(true);
  });

  it('maps a configured game to its moneyline with teams and match, filtered by league', () => {
    const set = selectOperatingSet(answers(match()), policy(), NOW);
    expect(set.refused).toEqual([]);
    expect(set.markets).toHaveLength(1);
    expect(set.markets[0]).toMatchObject({
      kind: 'esports',
      yes_token: '1001',
      no_token: '1002',
      fee: { rate: 0.03 },
      esports: { teams: ['FaZe', 'illwill'], match_id: 'pm:cs2-faze-ill-2026-06-12', game: 'cs2', game_id: '9001' },
    });
    expect(selectOperatingSet(answers(match()), policy({ esports: { games: ['cs2'], leagues: ['esl-pro-league'] } }), NOW).markets).toEqual([]);
    expect(selectOperatingSet(answers(match()), policy({ esports: { games: ['cs2'], leagues: ['hlc-belgrade'] } }), NOW).markets).toHaveLength(1);
    expect(selectOperatingSet(answers(match()), policy({ esports: { games: ['lol'], leagues: [] } }), NOW).markets).toEqual([]);
  });

  it('takes explicit condition ids from a /markets answer', () => {
    const m = nyc().markets[0]!;
    const set = selectOperatingSet({ events: [], markets: [parseGammaMarket(m)] }, policy({ condition_ids: [m.conditionId as string] }), NOW);
    expect(set.markets).toMatchObject([{ kind: 'binary', condition_id: m.conditionId, yes_token: JSON.parse(m.clobTokenIds as string)[0] }]);
  });
});

describe('diffOperatingSet', () => {
  const set = (): SelectedMarket[] => selectOperatingSet(answers(nyc()), policy(), NOW).markets;

  it('adds tradable markets not held, reports tick and minimum size changes, and closes held markets with the winning token', () => {
    const first = diffOperatingSet(new Map(), set());
    expect(first.added).toHaveLength(11);
    const held = new Map(first.added.map((m) => [m.condition_id, m]));
    expect(diffOperatingSet(held, set())).toEqual({ added: [], closed: [], changed: [] });

    const next = set().map((m, i) => (i === 0 ? { ...m, tick_size: 0.01 } : i === 1 ? { ...m, closed: true, winner: true, tradable: false } : i === 2 ? { ...m, closed: true, winner: null } : m));
    const d = diffOperatingSet(held, next);
    expect(d.added).toEqual([]);
    expect(d.changed).toMatchObject([{ market: { condition_id: next[0]!.condition_id, tick_size: 0.01 }, tick_size_from: 0.001, min_size_from: 5 }]);
    expect(d.closed).toMatchObject([
      { market: { condition_id: next[1]!.condition_id, closed: true }, winning_token: next[1]!.yes_token },
      { market: { condition_id: next[2]!.condition_id }, winning_token: null },
    ]);
  });

  it('keeps a held market the scan did not mention, and never adds a closed one', () => {
    const all = set();
    const held = new Map([[all[0]!.condition_id, all[0]!]]);
    expect(diffOperatingSet(held, []).closed).toEqual([]);
    expect(diffOperatingSet(new Map(), [{ ...all[1]!, closed: true, tradable: false }]).added).toEqual([]);
  });
});
