import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { GammaClient } from '../../src/adapters/polymarket/gamma-client.ts';
import { HttpError } from '../../src/adapters/http/request-json.ts';
import {
  parseEsportsEvent,
  parseGammaEvent,
  parseGammaMarket,
  parseTemperatureBucket,
  parseTemperatureEvent,
  parseTemperatureRule,
  type DiscoveryResult,
  type MarketInfo,
} from '../../src/domain/discovery/index.ts';
import { deepFreeze, jsonText, mutatedLine, mutatedText, mutatedValue, randomJsonValue, randomText } from './support/mutate.ts';
import { fuzzFixture, fuzzParams, fuzzTimeoutMs, FUZZ_RUNS } from './support/runs.ts';

interface Samples {
  events: Array<Record<string, unknown> & { markets: unknown[] }>;
  rules: string[];
  buckets: string[];
}
const S = fuzzFixture<Samples>('gamma-answers.json');
const MARKETS = S.events.flatMap((e) => e.markets);
const KEYS = ['conditionId', 'clobTokenIds', 'outcomes', 'outcomePrices', 'orderPriceMinTickSize', 'orderMinSize', 'negRisk', 'feeSchedule', 'startDate', 'endDate', 'gameStartTime', 'groupItemTitle', 'sportsMarketType', 'gameId', 'line', 'markets', 'slug', 'description', 'tags'];

/** Every code in DiscoveryErrorCode (src/domain/discovery/result.ts). */
const CODES = new Set([
  'invalid_shape', 'invalid_json_field', 'missing_tokens', 'length_mismatch', 'invalid_date', 'not_temperature_event', 'unknown_rule_text',
  'unknown_bucket_grammar', 'not_a_partition', 'unit_mismatch', 'not_yes_no_market', 'not_esports_event', 'no_moneyline', 'contradictory_market',
]);

function expectTyped<T>(r: DiscoveryResult<T>): r is { ok: true; value: T } {
  if (!r.ok) {
    expect(CODES.has(r.error.code), r.error.code).toBe(true);
    expect(typeof r.error.message).toBe('string');
  }
  return r.ok;
}

const finiteOrNull = (n: number | null) => n === null || Number.isFinite(n);

function expectSaneMarket(m: MarketInfo): void {
  expect(m.condition_id.length).toBeGreaterThan(0);
  expect(m.outcomes.length).toBeGreaterThan(0);
  for (const o of m.outcomes) {
    expect(typeof o.name === 'string' && typeof o.token_id === 'string' && o.token_id !== '').toBe(true);
    expect(finiteOrNull(o.price)).toBe(true);
  }
  for (const n of [m.tick_size, m.min_order_size, m.start_ms, m.end_ms, m.closed_ms, m.game_start_ms, m.group_item_threshold, m.line]) expect(finiteOrNull(n)).toBe(true);
  expect(m.tick_size === null || m.tick_size > 0).toBe(true);
}

function answers(samples: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 1, arbitrary: randomJsonValue }, { weight: 4, arbitrary: mutatedValue(samples, KEYS, false) });
}

describe(`Gamma REST answers (${FUZZ_RUNS} cases per property)`, () => {
  it('parseGammaEvent, then the temperature and esports mappings: a value or a typed refusal, never a throw', () => {
    const accepted = { event: 0, temperature: 0, esports: 0 };
    fc.assert(
      fc.property(answers(S.events), (raw) => {
        const r = parseGammaEvent(deepFreeze(raw));
        expect(parseGammaEvent(raw)).toEqual(r);
        if (!expectTyped(r)) return;
        accepted.event++;
        const e = r.value;
        for (const m of e.markets) expectSaneMarket(m);
        expect(finiteOrNull(e.start_ms) && finiteOrNull(e.end_ms)).toBe(true);
        const t = parseTemperatureEvent(e);
        if (expectTyped(t)) {
          accepted.temperature++;
          for (const b of t.value.buckets) expect(b.lo === null || b.hi === null || b.lo <= b.hi).toBe(true);
        }
        const s = parseEsportsEvent(e);
        if (expectTyped(s)) {
          accepted.esports++;
          expect(s.value.teams[0]).not.toBe(s.value.teams[1]);
        }
      }),
      fuzzParams('gamma-event'),
    );
    // Mutations that keep an event valid (an unknown key, a dropped optional field) must pass.
    expect(accepted.temperature > 0 && accepted.esports > 0, JSON.stringify(accepted)).toBe(true);
  }, fuzzTimeoutMs(40_000));

  it('parseGammaMarket: a mapped market or a typed refusal, never a throw, never writes to its input', () => {
    fc.assert(
      fc.property(answers(MARKETS), (raw) => {
        const r = parseGammaMarket(deepFreeze(raw));
        if (expectTyped(r)) expectSaneMarket(r.value);
        expect(parseGammaMarket(raw)).toEqual(r);
      }),
      fuzzParams('gamma-market'),
    );
  }, fuzzTimeoutMs(30_000));

  it('rule texts and bucket titles: a reading or a refusal, never a throw', () => {
    const text = fc.oneof(mutatedLine(S.rules), randomText, fc.constantFrom(...S.rules));
    const title = fc.oneof(mutatedLine(S.buckets), randomText, fc.constantFrom(...S.buckets));
    fc.assert(
      fc.property(text, title, (t, b) => {
        const rule = parseTemperatureRule(t);
        if (expectTyped(rule)) expect(rule.value.station_id).toMatch(/^[A-Za-z0-9]{4}$/);
        const bucket = parseTemperatureBucket(b);
        if (bucket !== null) {
          expect(bucket.lo === null || Number.isInteger(bucket.lo)).toBe(true);
          expect(bucket.hi === null || Number.isInteger(bucket.hi)).toBe(true);
          expect(['F', 'C']).toContain(bucket.unit);
        }
      }),
      fuzzParams('gamma-rule-bucket'),
    );
  }, fuzzTimeoutMs(30_000));

  it('GammaClient answers with results or fails with HttpError only', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 5, 10));
    const body = fc.oneof(
      { weight: 1, arbitrary: randomText },
      { weight: 2, arbitrary: mutatedValue([S.events, MARKETS.slice(0, 2)], KEYS).map(jsonText) },
      { weight: 1, arbitrary: mutatedText([S.events[1]], KEYS) },
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(200, 200, 200, 404, 429, 500), fc.boolean(), async (text, status, events) => {
        const fetch = (async () => new Response(text, { status })) as typeof globalThis.fetch;
        const client = new GammaClient({ baseUrl: 'http://127.0.0.1:9', clock, rateLimit: { max: 1_000_000_000, windowMs: 1 }, timeoutMs: 1_000, fetch });
        try {
          const results = events ? await client.events({ slug: 'x' }) : await client.markets({ slug: 'x' });
          for (const r of results) expectTyped(r as DiscoveryResult<unknown>);
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(HttpError);
        } finally {
          client.close();
        }
      }),
      fuzzParams('gamma-client'),
    );
  }, fuzzTimeoutMs(30_000));
});
