import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNowcastModel, writeNowcastModel } from '../../src/adapters/weather/model-store.ts';
import { isoDateAt, parseIsoDate } from '../../src/domain/time/civil.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { JudgeCalendar } from '../../src/domain/weather/judge-calendar.ts';
import type { NowcastCase } from '../../src/domain/weather/nowcast/cases.ts';
import { fitNowcastModel } from '../../src/domain/weather/nowcast/fit.ts';
import { seasonEdgeSplits } from '../../src/domain/weather/nowcast/hour-rows.ts';
import type { NowcastInputs } from '../../src/domain/weather/nowcast/inputs.ts';
import { syntheticInputs } from '../support/nowcast-inputs.ts';
import type { NowcastModel } from '../../src/domain/weather/nowcast/model.ts';
import { NowcastPredictor } from '../../src/domain/weather/nowcast/predict.ts';
import type { ClimatePrior } from '../../src/domain/weather/nowcast/prior.ts';
import { priorCoversYear, seasonalMean } from '../../src/domain/weather/nowcast/prior.ts';
import { chooseRegressors, pairedDifference } from '../../src/domain/weather/nowcast/regressor-choice.ts';
import { CLIMATE_RELATIVE_REGRESSORS, regressorVector, SEASON_REGRESSORS } from '../../src/domain/weather/nowcast/regressors.ts';

const HOUR = 9;

/** A long-record prior (a day for every day of the year) whose seasonal mean is a lopsided cycle (three harmonics), 62 °F on average. */
function prior(): ClimatePrior {
  const anomalies = Array.from({ length: 30 * 365 }, (_, i): [number, number, number] => [(i % 365) + 1, 0, 15]);
  return { station: 'KXYZ', source: 'daily_record', from_day: '1990-01-01', to_day: '2019-12-31', days: anomalies.length, mean_harmonics: [62, -18, -4, 3, 2.5, -1.5, 1], season_days: 15, smoothing_f: 1, anomalies, cv_rps: 3 };
}

function inputs(day: string, tempF: number): NowcastInputs {
  return syntheticInputs(day, HOUR, tempF);
}

/**
 * One 09:00 case a day from 2019-11-01 for eight months: the morning temperature follows the
 * climatological maximum ± 6 °F, and the rest of the day rises by `rise(deficit)` + noise.
 */
function cases(rise: (deficitF: number) => number, seed: number): NowcastCase[] {
  const rng = seededRng(seed);
  const start = parseIsoDate('2019-11-01')!;
  const out: NowcastCase[] = [];
  for (let i = 0; i < 243; i++) {
    const day = isoDateAt((start + i) * 86_400_000);
    const climate = seasonalMean(prior().mean_harmonics, JudgeCalendar.dayOfYear(day));
    const temp = Math.round(climate - 10 + (rng() - 0.5) * 12);
    const future = Math.round(temp + rise(climate - temp) + (rng() - 0.5) * 4);
    const finalMaxF = Math.max(temp, future);
    out.push({ day, dayIndex: start + i, hour: HOUR, inputs: inputs(day, temp), finalMaxF, riseF: finalMaxF - temp, peakHour: 15, futureMaxF: future });
  }
  return out;
}

describe('climate-relative regressors', () => {
  it('measure the temperature and the max so far against the climatological maximum of the date, and are unknown without a prior', () => {
    const i = { ...inputs('2020-07-15', 74), baseF: 78, maxSoFarF: 78 };
    const climate = seasonalMean(prior().mean_harmonics, i.dayOfYear);
    const x = regressorVector(i, CLIMATE_RELATIVE_REGRESSORS, climate);
    expect(x[CLIMATE_RELATIVE_REGRESSORS.indexOf('climate_max_minus_temp_f')]).toBeCloseTo(climate - 74, 9);
    expect(x[CLIMATE_RELATIVE_REGRESSORS.indexOf('climate_max_minus_base_f')]).toBeCloseTo(climate - 78, 9);
    const none = regressorVector(i, CLIMATE_RELATIVE_REGRESSORS, null);
    expect(none[CLIMATE_RELATIVE_REGRESSORS.indexOf('climate_max_minus_temp_f')]).toBeNull();
    expect(CLIMATE_RELATIVE_REGRESSORS).not.toContain('temp_f');
    expect(CLIMATE_RELATIVE_REGRESSORS.some((r) => r.startsWith('season_'))).toBe(false);
  });

  it('hold out as many edge months as the year lacks, at most half the record', () => {
    const all = cases(() => 5, 1);
    const held = (n: number) => {
      const months = [...new Set(all.map((c) => c.day.slice(0, 7)))].slice(0, n);
      const cs = all.filter((c) => months.includes(c.day.slice(0, 7)));
      const splits = seasonEdgeSplits(cs);
      return splits && splits.map((s) => [...new Set(cs.filter((c) => s(c.day)).map((c) => c.day.slice(0, 7)))]);
    };
    expect(held(3)).toBeNull();
    expect(held(4)).toEqual([['2019-11', '2019-12'], ['2020-01', '2020-02']]);
    expect(held(7)).toEqual([['2019-11', '2019-12', '2020-01'], ['2020-03', '2020-04', '2020-05']]);
    expect(held(8)).toEqual([['2019-11', '2019-12', '2020-01', '2020-02'], ['2020-03', '2020-04', '2020-05', '2020-06']]);
  });
});

describe('choosing the regressor set on the season edges', () => {
  it('takes the climate-relative set when the day\'s rise follows the climatological deficit, which the season harmonics only extrapolate', () => {
    const c = chooseRegressors(cases((d) => 0.8 * d, 3), prior(), { lambda: 10, smoothing: 0.7 });
    expect(c.folds).toBe('season_edges');
    expect(c.chosen).toBe('climate_relative');
    expect(c.cv_rps.climate_relative!).toBeLessThan(c.cv_rps.season!);
    expect(c.day_diff! + c.day_diff_se!).toBeLessThan(0);
  });

  it('keeps the season set unless the other wins by more than one standard error of the day-paired difference, and without a prior', () => {
    expect(pairedDifference([-0.2, 0.1, -0.3, 0.2, -0.1, 0.15])).toMatchObject({ better: false });
    const clear = pairedDifference([-1.1, -0.9, -1.2, -0.8, -1.0, -1.0]);
    expect(clear.better).toBe(true);
    expect(clear.mean).toBeCloseTo(-1, 9);
    expect(clear.se).toBeCloseTo(Math.sqrt(0.1 / 5 / 6), 9);
    // Better on average but by less than its standard error: a tie.
    expect(pairedDifference([-3, 2.5, -2, 2.2, -1.5, 1.3])).toMatchObject({ better: false });
    expect(pairedDifference([-5])).toMatchObject({ better: false });
    expect(chooseRegressors(cases(() => 6, 4), undefined, { lambda: 10, smoothing: 0.7 })).toEqual({ chosen: 'season', folds: 'none', cv_rps: {} });
  });

  it('offers the climate-relative set only with a prior that covers the whole year', () => {
    const training = cases((d) => 0.8 * d, 3);
    const partYear = { ...prior(), anomalies: prior().anomalies.filter(([doy]) => doy < 152 || doy > 304) };
    expect(priorCoversYear(prior())).toBe(true);
    expect(priorCoversYear(partYear)).toBe(false);
    expect(chooseRegressors(training, partYear, { lambda: 10, smoothing: 0.7 })).toEqual({ chosen: 'season', folds: 'none', cv_rps: {} });
  });
});

describe('model files across the regressor change', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'helios-nowcast-regressors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = { station: 'KXYZ', tz: 'America/New_York', judgeDay: 'local' as const, blocks: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]], lambdas: [10], smoothings: [0.7], seasonDays: [null], climatologyWeights: [0], riseWidths: [null] };
  const training = cases((d) => 0.8 * d, 5);
  /** A fit as a helios before the leverage wrote it: no `leverage`, residuals without their leverage (and, before 3, without their prediction). */
  const asVersion = (model: NowcastModel, version: 1 | 2 | 3): NowcastModel => ({
    ...model,
    version,
    hours: model.hours.map(({ leverage: _, ...h }) => ({ ...h, residuals: h.residuals.map((r) => (version === 3 ? [r[0], r[1], r[2]!] : [r[0], r[1]]) as [number, number, number] | [number, number]) })),
  });

  it('a fit is written as version 4 (its hours carry their leverage); a version-1 file on the original fifteen regressors still loads and predicts by name', () => {
    const fitted = fitNowcastModel(training, { ...base, regressors: SEASON_REGRESSORS });
    expect(fitted.version).toBe(4);
    expect(fitted.hours.every((h) => h.leverage !== undefined)).toBe(true);
    const file = path.join(dir, 'v1.json');
    writeNowcastModel(file, asVersion(fitted, 1));
    const model = readNowcastModel(file);
    expect(model.version).toBe(1);
    expect(model.regressors).toEqual([...SEASON_REGRESSORS]);
    expect(model.blocks.every((b) => b.regressors === undefined)).toBe(true);
    const f = new NowcastPredictor(model).predict(training[100]!.inputs)!;
    expect(f.usedRegression).toBe(true);
    expect(f.leverage).toBeUndefined();
    expect(f.final.p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('a model whose blocks chose other regressors names them per block and needs its prior; as a version-2 file it still loads', () => {
    const p = prior();
    const model = asVersion(fitNowcastModel(training, { ...base, prior: { prior: p, anomalyMonths: p.anomalies.map(() => '1999-01'), excludeMonths: [] } }), 2);
    expect(model.blocks.map((b) => b.regressor_choice?.chosen)).toEqual(['climate_relative', 'season']);
    expect(model.blocks[0]!.regressors).toEqual([...CLIMATE_RELATIVE_REGRESSORS]);
    expect(model.hours[HOUR]!.means).toHaveLength(CLIMATE_RELATIVE_REGRESSORS.length);
    const file = path.join(dir, 'v2.json');
    writeNowcastModel(file, model);
    expect(new NowcastPredictor(readNowcastModel(file)).predict(training[100]!.inputs)!.usedRegression).toBe(true);
    expect(() => new NowcastPredictor({ ...model, prior: undefined, prior_weights: undefined })).toThrow(/climate-relative regressors must have a prior/);
  });

  it('a model whose pool is weighted by predicted rise predicts from the file, as version 4 and as a version-3 file', () => {
    for (const model of [fitNowcastModel(training, { ...base, regressors: SEASON_REGRESSORS, riseWidths: [3] })].flatMap((m) => [m, asVersion(m, 3)])) {
      expect(model.blocks.some((b) => b.rise_width_f === 3)).toBe(true);
      const file = path.join(dir, `v${model.version}.json`);
      writeNowcastModel(file, model);
      const back = readNowcastModel(file);
      expect(back.version).toBe(model.version);
      expect(new NowcastPredictor(back).predict(training[100]!.inputs)).toEqual(new NowcastPredictor(model).predict(training[100]!.inputs));
    }
  });

  it('refuses a model naming a regressor this version does not know, or a later version, with a clear error', () => {
    const model = fitNowcastModel(training, { ...base, regressors: SEASON_REGRESSORS });
    const unknown: NowcastModel = { ...model, version: 2, blocks: model.blocks.map((b) => ({ ...b, regressors: [...SEASON_REGRESSORS.slice(0, 14), 'cloud_base_ft'] })) };
    expect(() => new NowcastPredictor(unknown)).toThrow(/unknown nowcast regressor "cloud_base_ft"/);
    const file = path.join(dir, 'v5.json');
    writeFileSync(file, JSON.stringify({ ...model, version: 5 }));
    expect(() => readNowcastModel(file)).toThrow(/not a helios nowcast model \(kind helios\.nowcast\.ridge_residual, version 5\)/);
  });
});
