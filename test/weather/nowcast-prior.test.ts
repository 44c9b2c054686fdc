import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/domain/util/random.ts';
import { isoDateAt } from '../../src/domain/time/civil.ts';
import { parseIsoDate } from '../../src/domain/time/civil.ts';
import { JudgeCalendar } from '../../src/domain/weather/judge-calendar.ts';
import type { NowcastInputs } from '../../src/domain/weather/nowcast/inputs.ts';
import { parseDailyRecord, type DailyHigh } from '../../src/domain/weather/nowcast/daily-record.ts';
import { evaluatePrior } from '../../src/domain/weather/nowcast/prior-eval.ts';
import { nonIncreasing } from '../../src/domain/weather/nowcast/prior-weights.ts';
import { fitClimatePrior, PriorPredictor, seasonalMean, truncateBelow } from '../../src/domain/weather/nowcast/prior.ts';
import { combineWithPrior, type NowcastForecast } from '../../src/domain/weather/nowcast/predict.ts';
import { rps } from '../../src/domain/weather/nowcast/scores.ts';
import { readDailyRecordFile } from '../../src/adapters/weather/daily-record.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';

const SAMPLE = fileURLToPath(new URL('../fixtures/weather/KXYZ_wu_daily_sample.csv', import.meta.url));

/** A station whose daily max follows a seasonal cycle (52 ± 22 °F, peak late July) with noise wider in winter, peaks mid-afternoon in summer and earlier in winter. */
function syntheticRecord(fromDay: string, days: number, seed: number): DailyHigh[] {
  const rng = seededRng(seed);
  const start = parseIsoDate(fromDay)!;
  const out: DailyHigh[] = [];
  for (let i = 0; i < days; i++) {
    const day = isoDateAt((start + i) * 86_400_000);
    const doy = JudgeCalendar.dayOfYear(day);
    const season = Math.cos((2 * Math.PI * (doy - 205)) / 365.25);
    const noise = (rng() + rng() + rng() - 1.5) * 2 * (7 - 3 * season);
    const peak = 14 + 1.5 * season + (rng() - 0.5) * 3;
    out.push({ day, dayIndex: start + i, maxF: Math.round(52 + 22 * season + noise), peakHour: peak });
  }
  return out;
}

describe('daily-high record', () => {
  it('reads local_date/max_temp/max_temp_times, keeps the first time of the max, drops short days and reports bad lines', () => {
    const read = readDailyRecordFile(SAMPLE);
    expect(read.highs.map((h) => [h.day, h.maxF, h.peakHour])).toEqual([
      ['2021-07-19', 88, 15 + 51 / 60],
      ['2021-07-20', 96, 13 + 14 / 60],
      ['2021-07-24', 81, null],
    ]);
    expect(read.errors.map((e) => e.line)).toEqual([5, 6, 7]);
    expect(read.errors[0]!.error).toMatch(/bad max_temp/);
    expect(read.errors[1]!.error).toMatch(/unit "C"/);
    expect(read.errors[2]!.error).toMatch(/bad date/);
  });

  it('refuses a file without the needed columns', () => {
    const read = parseDailyRecord('date,high\n2021-01-01,40\n');
    expect(read.highs).toEqual([]);
    expect(read.errors[0]!.error).toMatch(/max_temp/);
    expect(readFileSync(SAMPLE, 'utf8').length).toBeGreaterThan(0);
  });
});

describe('climatological prior', () => {
  const record = syntheticRecord('2010-01-01', 8 * 365, 7);
  const train = record.filter((h) => h.day < '2016-01-01');
  const test = record.filter((h) => h.day >= '2016-01-01');
  const prior = fitClimatePrior(train, { station: 'KXYZ', source: 'daily_record' });

  it('follows the seasonal cycle of the record and is sharper than a season-blind climatology on later years', () => {
    expect(prior.days).toBe(train.length);
    expect(prior.to_day).toBe('2015-12-31');
    expect(Math.abs(seasonalMean(prior.mean_harmonics, 205) - 74)).toBeLessThan(1.5);
    expect(Math.abs(seasonalMean(prior.mean_harmonics, 22) - 30)).toBeLessThan(1.5);
    const pp = new PriorPredictor(prior);
    const blind = new PriorPredictor({ ...prior, mean_harmonics: [prior.mean_harmonics[0]!, 0, 0, 0, 0, 0, 0], anomalies: train.map((h) => [JudgeCalendar.dayOfYear(h.day), h.maxF - prior.mean_harmonics[0]!, -1]), season_days: 100_000 });
    let sPrior = 0;
    let sBlind = 0;
    for (const h of test) {
      sPrior += rps(pp.at(JudgeCalendar.dayOfYear(h.day)).final, h.maxF);
      sBlind += rps(blind.at(JudgeCalendar.dayOfYear(h.day)).final, h.maxF);
    }
    expect(sPrior / test.length).toBeLessThan(0.5 * (sBlind / test.length));
  });

  it('scores alone on later years: beats persistence, reliable within 5 pp, peak time sharper than the all-year histogram', () => {
    const e = evaluatePrior(prior, test);
    expect(e.n).toBe(test.length - 1);
    expect(e.in_sample_days).toBe(0);
    expect(e.rps!).toBeLessThan(e.rps_persistence!);
    expect(e.reliability).toHaveLength(10);
    expect(e.reliability_max_gap_pp!).toBeLessThanOrEqual(5);
    expect(e.peak.rps!).toBeLessThan(e.peak.rps_all_year!);
  });

  it('conditions on the max so far and gives the already-seen peak the no-further-rise mass', () => {
    const p = new PriorPredictor(prior).at(205);
    const cut = truncateBelow(p.final, 80)!;
    expect(cut.offset).toBe(80);
    expect(cut.p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(truncateBelow(p.final, 200)).toBeNull();
    const intraday: NowcastForecast = { hour: 15, final: { offset: 80, p: Float64Array.of(0.5, 0.5) }, peakBins: new Array(12).fill(1 / 12), effectiveN: 50, usedRegression: true };
    const inputs = { maxSoFarF: 80, maxSoFarHour: 13.9, localHour: 15, dayOfYear: 205 } as NowcastInputs;
    const mixed = combineWithPrior(intraday, p, inputs, 0.5);
    expect(mixed.final.offset).toBe(80);
    expect(mixed.final.p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    // Prior mass goes nowhere below the max so far, and no peak is placed in a bin already past unless it is the seen one.
    expect(mixed.peakBins.slice(0, 6).every((x, b) => b === 6 || x === intraday.peakBins[b]! * 0.5)).toBe(true);
    expect(mixed.peakBins[6]!).toBeGreaterThan(0.5 / 12);
    expect(mixed.peakBins.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(combineWithPrior(intraday, p, inputs, 0)).toBe(intraday);
  });

  it('makes the prior weights non-increasing through the day (pool-adjacent violators)', () => {
    const close = (a: number[], b: number[]) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i]!, 12));
    close(nonIncreasing([0.3, 0.1, 0.2, 0], [1, 1, 1, 1]), [0.3, 0.15, 0.15, 0]);
    close(nonIncreasing([0, 0.4], [3, 1]), [0.1, 0.1]);
    close(nonIncreasing([0.5, 0.2, 0.1], [1, 1, 1]), [0.5, 0.2, 0.1]);
  });
});

const klga = requireSharedFixtures('real/klga_wu_daily_max_1995-05_2026-04.csv');

describe.skipIf(!klga)('KLGA prior alone on the years after its fit (shared fixture, Weather Underground daily highs)', () => {
  it('fitted up to 2020-09-30, scored on 2020-10 … 2026-04: beats persistence, reliable within 5 pp', () => {
    const { highs, errors } = readDailyRecordFile(sharedFixture('real', 'klga_wu_daily_max_1995-05_2026-04.csv'));
    expect(errors).toEqual([]);
    const prior = fitClimatePrior(
      highs.filter((h) => h.day <= '2020-09-30'),
      { station: 'KLGA', source: 'daily_record' },
    );
    const e = evaluatePrior(
      prior,
      highs.filter((h) => h.day > '2020-09-30'),
    );
    console.info(`KLGA prior alone ${e.from_day}..${e.to_day} (${e.n} days): rps ${e.rps} vs persistence ${e.rps_persistence} (skill ${e.skill_vs_persistence}); worst decile ${e.reliability_max_gap_pp} pp; peak rps ${e.peak.rps} vs all-year ${e.peak.rps_all_year}`);
    expect(e.n).toBeGreaterThan(1900);
    expect(e.in_sample_days).toBe(0);
    expect(e.rps!).toBeLessThan(0.85 * e.rps_persistence!);
    expect(e.reliability_max_gap_pp!).toBeLessThanOrEqual(5);
    expect(e.peak.rps!).toBeLessThan(e.peak.rps_all_year!);
  }, 120_000);
});
