import { describe, expect, it } from 'vitest';
import { parseMetarText } from '../../src/adapters/weather/metar-parser.ts';
import { JudgeCalendar } from '../../src/domain/weather/judge-calendar.ts';
import { buildCases, type NowcastCase } from '../../src/domain/weather/nowcast/cases.ts';
import { fitNowcastModel } from '../../src/domain/weather/nowcast/fit.ts';
import { monthFolds, prepareHour, ridge } from '../../src/domain/weather/nowcast/hour-rows.ts';
import { linearPrediction, regressorsOf, riseWeight, type NowcastModel } from '../../src/domain/weather/nowcast/model.ts';
import { ridgeInverse } from '../../src/domain/weather/nowcast/leverage.ts';
import { outOfFoldModel, type HourFolds } from '../../src/domain/weather/nowcast/out-of-fold-model.ts';
import { NowcastPredictor } from '../../src/domain/weather/nowcast/predict.ts';
import { climateMaxOf, regressorVector } from '../../src/domain/weather/nowcast/regressors.ts';
import { StationDays } from '../../src/domain/weather/station-days.ts';
import { WorldSimulator } from '../../src/sim/world/world-sim.ts';

const TZ = 'America/New_York';

function simulatedCases(): NowcastCase[] {
  const sim = new WorldSimulator({ seed: 7, station: 'KLGA', tz: TZ, pwsIds: [], speciPerHour: 0.05, outlierShare: 0, stuckShare: 0, staleShare: 0, pwsIntervalMs: 300_000 });
  const days = new StationDays(new JudgeCalendar(TZ));
  for (const m of sim.metarsBetween(Date.UTC(2024, 3, 1), Date.UTC(2024, 7, 1))) {
    const r = parseMetarText(m.raw, { refMs: m.obsMs });
    if (r.ok) days.add(r.report);
  }
  return buildCases(days);
}

const cases = simulatedCases();
const fitted = fitNowcastModel(cases, { station: 'KLGA', tz: TZ, judgeDay: 'local' });

function predictedRise(model: NowcastModel, c: NowcastCase): number {
  return linearPrediction(model.hours[c.hour]!, regressorVector(c.inputs, regressorsOf(model, c.hour), climateMaxOf(model.prior, c.inputs.dayOfYear)));
}

describe('the residual pool weighted by the predicted rise', () => {
  it('weighs a residual by a Gaussian of the distance between its case\'s predicted rise and the query\'s; no width (or an older model\'s residual) weighs all alike', () => {
    expect(riseWeight(2, 2, 1.5)).toBe(1);
    expect(riseWeight(3.5, 2, 1.5)).toBeCloseTo(Math.exp(-0.5), 12);
    expect(riseWeight(8, 2, 3)).toBeCloseTo(Math.exp(-2), 12);
    expect(riseWeight(8, 2, null)).toBe(1);
    expect(riseWeight(8, 2, undefined)).toBe(1);
    expect(riseWeight(Number.NaN, 2, 1.5)).toBe(1);
  });

  it('stores each residual with the rise predicted for its case (and its leverage) and chooses the width per block by cross-validation (null among the candidates)', () => {
    for (const h of fitted.hours) for (const r of h.residuals) expect(r.length).toBe(4);
    for (const b of fitted.blocks) expect([null, 1.5, 3, 6]).toContain(b.rise_width_f);
    const without = fitNowcastModel(cases, { station: 'KLGA', tz: TZ, judgeDay: 'local', riseWidths: [null] });
    expect(without.blocks.map((b) => b.rise_width_f)).toEqual(without.blocks.map(() => null));
    // With the kernel among the candidates the month-fold CV score can only be as good or better.
    expect(fitted.fitted.cv_rps).toBeLessThanOrEqual(without.fitted.cv_rps);
  });

  it('forecasts from the residuals of cases that expected a similar rise: far ones no longer widen the distribution', () => {
    const c = cases.find((x) => x.hour === 11 && x.inputs.tempF !== null && x.day.startsWith('2024-06'))!;
    const mu = predictedRise(fitted, c);
    // Half the pool expected the query's rise and erred by nothing, half expected 20 °F more and erred by ±12.
    const pool: Array<[number, number, number]> = [];
    for (let i = 0; i < 40; i++) pool.push(i % 2 === 0 ? [c.inputs.dayOfYear, 0, mu] : [c.inputs.dayOfYear, i % 4 === 1 ? 12 : -12, mu + 20]);
    const withPool = (width: number | null): NowcastModel => ({
      ...fitted,
      blocks: fitted.blocks.map((b) => ({ ...b, rise_width_f: width, season_days: null, climatology_weight: 0 })),
      hours: fitted.hours.map((h) => (h.hour === c.hour ? { ...h, residuals: pool } : h)),
    });
    const narrow = new NowcastPredictor(withPool(1.5)).predictIntraday(c.inputs)!;
    const flat = new NowcastPredictor(withPool(null)).predictIntraday(c.inputs)!;
    expect(flat.effectiveN).toBeCloseTo(40, 6);
    expect(narrow.effectiveN).toBeCloseTo(20, 3);
    const spread = (f: typeof narrow) => {
      let m = 0;
      let v = 0;
      f.final.p.forEach((p, i) => (m += p * (f.final.offset + i)));
      f.final.p.forEach((p, i) => (v += p * (f.final.offset + i - m) ** 2));
      return Math.sqrt(v);
    };
    expect(spread(narrow)).toBeLessThan(2);
    expect(spread(flat)).toBeGreaterThan(5);
  });
});

describe('the prior weights are fitted on out-of-fold forecasts', () => {
  it('the model without a month fold: that month\'s residuals, climatology cases and later peaks out of the pools, its regression refitted without it', () => {
    const foldOfDay = monthFolds(cases);
    const data = fitted.hours.map((_, h) => prepareHour(cases.filter((c) => c.hour === h), foldOfDay, regressorsOf(fitted, h), fitted.prior));
    const folds: HourFolds[] = data.map((d) => ({
      residuals: Int32Array.from(d.cases.flatMap((c, i) => (d.hasTemp[i] && !Number.isNaN(d.y[i]!) ? [d.fold[i]!] : []))),
      laterPeaks: Int32Array.from(d.cases.flatMap((c, i) => (c.riseF > 0 ? [d.fold[i]!] : []))),
    }));
    for (const [h, d] of data.entries()) {
      expect(folds[h]!.residuals.length).toBe(fitted.hours[h]!.residuals.length);
      expect(folds[h]!.laterPeaks.length).toBe(fitted.hours[h]!.later_peaks.length);
      expect(d.cases.length).toBe(fitted.hours[h]!.climatology.length);
    }
    const june = foldOfDay.get('2024-06-15')!;
    const oof = outOfFoldModel(fitted, data, folds, june);
    for (const [h, d] of data.entries()) {
      const full = fitted.hours[h]!;
      const kept = oof.hours[h]!;
      const inJune = (f: Int32Array) => f.reduce((n, x) => n + (x === june ? 1 : 0), 0);
      expect(kept.residuals.length).toBe(full.residuals.length - inJune(folds[h]!.residuals));
      expect(kept.later_peaks.length).toBe(full.later_peaks.length - inJune(folds[h]!.laterPeaks));
      expect(kept.climatology.length).toBe(full.climatology.length - inJune(d.fold));
      const lambda = oof.blocks.find((b) => b.hours.includes(h))!.ridge_lambda;
      expect(kept.coefficients).toEqual(ridge(d, lambda, (i) => d.fold[i] !== june));
      expect(kept.leverage!.inverse).toEqual(ridgeInverse(d, lambda, (i) => d.fold[i] !== june));
    }
    // A June case no longer finds its own residual (nor its month's) in the pool.
    const c = cases.find((x) => x.hour === 12 && x.day === '2024-06-15')!;
    expect(new NowcastPredictor(oof).predictIntraday(c.inputs)!.final).not.toEqual(new NowcastPredictor(fitted).predictIntraday(c.inputs)!.final);
    expect(fitted.hours[c.hour]!.residuals.length).toBeGreaterThan(oof.hours[c.hour]!.residuals.length);
  });
});
