import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMetarText } from '../../src/adapters/weather/metar-parser.ts';
import { JudgeCalendar } from '../../src/domain/weather/judge-calendar.ts';
import { buildCases, type NowcastCase } from '../../src/domain/weather/nowcast/cases.ts';
import { fitNowcastModel } from '../../src/domain/weather/nowcast/fit.ts';
import { accumulateResidualRise, newRiseArray, RISE_MAX, RISE_MIN, smoothingTable, SmoothingTable, type NowcastModel } from '../../src/domain/weather/nowcast/model.ts';
import { NowcastPredictor } from '../../src/domain/weather/nowcast/predict.ts';
import { fitClimatePrior, priorCoversYear, PriorPredictor, type ClimatePrior } from '../../src/domain/weather/nowcast/prior.ts';
import type { DailyHigh } from '../../src/domain/weather/nowcast/daily-record.ts';
import { isoDateAt, parseIsoDate } from '../../src/domain/time/civil.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { StationDays } from '../../src/domain/weather/station-days.ts';
import { WorldSimulator } from '../../src/sim/world/world-sim.ts';

/**
 * A fit's every output bit, pinned: the model and its forecasts on a small simulated archive are
 * hashed and compared with the hashes the code produced before the fit was optimized for speed.
 * Speed-ups of the fit (hour-rows.ts, model.ts, fit.ts, …) must keep the same floating-point
 * operations in the same order; a reassociated sum or a cached value computed differently changes
 * a last bit somewhere and the hash with it. A deliberate change of the model changes them too:
 * then update the hashes, and say so in the commit.
 */

const TZ = 'America/New_York';

/** JSON with sorted keys and every number in its shortest exact form (−0, NaN and ±Infinity kept apart). */
function exactJson(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (ArrayBuffer.isView(v)) return exactJson(Array.from(v as unknown as ArrayLike<number>));
  if (Array.isArray(v)) return `[${v.map(exactJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${exactJson(o[k])}`).join(',')}}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function forecastsJson(model: NowcastModel, cases: readonly NowcastCase[]): string {
  const p = new NowcastPredictor(model);
  return cases.map((c) => exactJson({ day: c.day, hour: c.hour, forecast: p.predict(c.inputs), intraday: p.predictIntraday(c.inputs) })).join('\n');
}

/** A long daily record's prior covering the whole year, so the regressor choice on the season edges runs. */
function yearRoundPrior(): { prior: ClimatePrior; anomalyMonths: string[] } {
  const anomalies = Array.from({ length: 10 * 365 }, (_, i): [number, number, number] => [(i % 365) + 1, ((i * 7919) % 13) - 6, 14 + (i % 3)]);
  const prior: ClimatePrior = { station: 'KSIM', source: 'daily_record', from_day: '2010-01-01', to_day: '2019-12-31', days: anomalies.length, mean_harmonics: [60, -17, -4, 2, 1, -1, 0.5], season_days: 20, smoothing_f: 1, anomalies, cv_rps: 3 };
  const anomalyMonths = anomalies.map((_, i) => `${2010 + Math.floor(i / 365)}-${String(1 + Math.floor((i % 365) / 31)).padStart(2, '0')}`);
  return { prior, anomalyMonths };
}

describe('a nowcast fit reproduces its outputs bit for bit (four simulated months)', () => {
  let train: NowcastCase[];
  let scored: NowcastCase[];
  beforeAll(() => {
    const sim = new WorldSimulator({ seed: 5, station: 'KSIM', tz: TZ, pwsIds: [], speciPerHour: 0.05, outlierShare: 0, stuckShare: 0, staleShare: 0, pwsIntervalMs: 300_000 });
    const days = new StationDays(new JudgeCalendar(TZ));
    for (const m of sim.metarsBetween(Date.UTC(2024, 2, 1), Date.UTC(2024, 6, 11))) {
      const r = parseMetarText(m.raw, { refMs: m.obsMs });
      if (r.ok) days.add(r.report);
    }
    // Hours 06–15 only: two blocks fitted whole, two in part, two without a case.
    train = buildCases(days, { toDay: '2024-06-30', hours: [6, 7, 8, 9, 10, 11, 12, 13, 14, 15] });
    scored = buildCases(days, { fromDay: '2024-07-01' });
  });

  it('with a year-round prior: the regressor choice, the settings by coordinate descent, the prior weights and every forecast', () => {
    const { prior, anomalyMonths } = yearRoundPrior();
    expect(priorCoversYear(prior)).toBe(true);
    const model = fitNowcastModel(train, { station: 'KSIM', tz: TZ, judgeDay: 'local', prior: { prior, anomalyMonths, excludeMonths: [] } });
    // Readable first, so a failure says what moved: both regressor sets chosen somewhere, a rise width used.
    expect(model.blocks.map((b) => [b.regressor_choice?.chosen, b.ridge_lambda, b.smoothing_f, b.season_days, b.rise_width_f ?? null, b.climatology_weight])).toEqual([
      ['season', 10, 0.7, null, null, 1],
      ['season', 10, 1, null, null, 0],
      ['climate_relative', 10, 0.7, 40, null, 0.15],
      ['climate_relative', 100, 1, 20, 1.5, 0],
      ['season', 10, 0.7, null, null, 1],
    ]);
    expect(model.fitted.cv_rps).toBe(1.1594);
    expect(sha256(exactJson(model))).toBe('c19f2ec20da273611614f71d6eb11b55372080515c75b8080b616f00a4ed7702');
    expect(sha256(forecastsJson(model, scored))).toBe('2137aad4d6c56492d3046d0ce9660a169c3e9430176d947644993ffcc537f740');
  }, 60_000);

  it('without a prior, on the small grids the nowcast worker fits with', () => {
    const model = fitNowcastModel(train, { station: 'KSIM', tz: TZ, judgeDay: 'local', lambdas: [1, 10], smoothings: [0.5, 1], seasonDays: [40, null], climatologyWeights: [0, 0.2] });
    expect(model.fitted.cv_rps).toBe(1.1895);
    expect(sha256(exactJson(model))).toBe('3f20a0b3549211cc1bb8b7061a9c49c02914d98744af5b85c4acc3fa8356fba4');
    expect(sha256(forecastsJson(model, scored))).toBe('6b80e69c69cf6fad08e5f1ea49c290df297d5ff3ff5f9096ee3fe29647651258');
  }, 60_000);
});

/** Three years of daily highs: a seasonal cycle, weather noise, a peak hour on most days. */
function dailyHighs(): DailyHigh[] {
  const rng = seededRng(17);
  const start = parseIsoDate('2017-01-01')!;
  return Array.from({ length: 3 * 365 }, (_, i): DailyHigh => {
    const day = isoDateAt((start + i) * 86_400_000);
    const season = 60 - 20 * Math.cos((2 * Math.PI * (i + 10)) / 365.25);
    return { day, dayIndex: start + i, maxF: Math.round(season + (rng() - 0.5) * 24), peakHour: rng() < 0.1 ? null : 12 + Math.round(rng() * 60) / 10 };
  });
}

describe('a climatological prior fit reproduces its outputs bit for bit', () => {
  it('on three years of daily highs: the season width and smoothing chosen, its cross-validated RPS, its forecasts', () => {
    const prior = fitClimatePrior(dailyHighs(), { station: 'KSIM', source: 'daily_record' });
    expect([prior.season_days, prior.smoothing_f, prior.cv_rps]).toEqual([90, 1, 3.9708]);
    expect(sha256(exactJson(prior))).toBe('e36b8c5d264ff79646270bd817627d379c913f2ea66615f0ebba3c3f49612aa8');
    const p = new PriorPredictor(prior);
    const forecasts = Array.from({ length: 74 }, (_, i) => exactJson(p.at(1 + 5 * i))).join('\n');
    expect(sha256(forecasts)).toBe('a0cea181adffac93fb8feaf6c689c977552c876a0e84c0114c9e1ed5ed664e51');
  }, 60_000);
});

/** accumulateResidualRise as it was written before it was optimized: one clamped entry at a time. */
function plainResidualRise(out: Float64Array, mass: number, mu: number, residuals: ArrayLike<number>, weights: ArrayLike<number>, weightSum: number, smoothing: number, tempMinusBase: number): void {
  if (!(weightSum > 0) || mass <= 0) return;
  const { reach, width, table } = smoothingTable(smoothing);
  for (let i = 0; i < residuals.length; i++) {
    const w = weights[i]!;
    if (!(w > 0)) continue;
    const v = mu + residuals[i]!;
    const c = Math.round(v);
    const row = Math.round((v - c + 0.5) * SmoothingTable.STEPS) * width;
    const scale = (mass * w) / weightSum;
    for (let k = 0; k < width; k++) {
      let rise = tempMinusBase + c - reach + k;
      if (rise < 0) rise = 0;
      else if (rise > RISE_MAX) rise = RISE_MAX;
      out[rise - RISE_MIN]! += scale * table[row + k]!;
    }
  }
}

describe('the residual pool adds exactly what one clamped kernel entry at a time adds', () => {
  it('for rises inside the range, folded onto zero and capped, fractional temperatures, residuals far out and not finite', () => {
    const residuals = Float64Array.of(-40.3, -7.49, -2.5, -0.5, 0, 0.4999, 1.25, 3.5, 12.71, 58.2, 75, 1e9, -1e9, 2 ** 40 + 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
    const weights = Float64Array.from(residuals, (_, i) => (i % 5 === 3 ? 0 : 0.1 + ((i * 37) % 11) / 7));
    let weightSum = 0;
    for (const w of weights) weightSum += w;
    const finite = (a: Float64Array) => a.map((x, i) => (Number.isFinite(residuals[i]!) ? x : 0));
    let compared = 0;
    for (const mu of [-3.2, 0, 0.5, 2.75, 9.9]) {
      for (const tempMinusBase of [0, -1, -6, -13.5, 0.3, 4, 55]) {
        for (const smoothing of [0.4, 0.7, 1]) {
          for (const w of [weights, finite(weights)]) {
            const expected = newRiseArray();
            const actual = newRiseArray();
            plainResidualRise(expected, 0.85, mu, residuals, w, weightSum, smoothing, tempMinusBase);
            accumulateResidualRise(actual, 0.85, mu, residuals, w, weightSum, smoothing, tempMinusBase);
            for (let r = 0; r < expected.length; r++) expect(Object.is(actual[r], expected[r]), `mu ${mu}, temp − base ${tempMinusBase}, smoothing ${smoothing}, rise ${r + RISE_MIN}: ${actual[r]} vs ${expected[r]}`).toBe(true);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(5 * 7 * 3 * 2);
  });
});
