import { describe, expect, it } from 'vitest';
import { isoDateAt, parseIsoDate } from '../../src/domain/time/civil.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import type { NowcastCase } from '../../src/domain/weather/nowcast/cases.ts';
import { fitNowcastModel } from '../../src/domain/weather/nowcast/fit.ts';
import { monthFolds, prepareHour, type HourRows } from '../../src/domain/weather/nowcast/hour-rows.ts';
import type { NowcastInputs } from '../../src/domain/weather/nowcast/inputs.ts';
import { syntheticInputs } from '../support/nowcast-inputs.ts';
import { foldLeverages, leverageAt, residualsAtLeverage, ridgeInverse } from '../../src/domain/weather/nowcast/leverage.ts';
import type { NowcastModel } from '../../src/domain/weather/nowcast/model.ts';
import { NowcastPredictor } from '../../src/domain/weather/nowcast/predict.ts';
import { regressorVector, SEASON_REGRESSORS } from '../../src/domain/weather/nowcast/regressors.ts';
import type { IntDistribution } from '../../src/domain/weather/nowcast/scores.ts';

const HOUR = 10;
const REGS = ['temp_f', 'trend3h_f', 'dewpoint_depression_f'] as const;

function inputs(day: string, tempF: number, trend: number, depression: number): NowcastInputs {
  return syntheticInputs(day, HOUR, tempF, { trend3hF: trend, dewpointF: tempF - depression, dewpointDepressionF: depression });
}

/** One 10:00 case a day for `days` days from 2019-11-01: winter-like temperatures, a rise that follows the trend and the dryness. */
function cases(days: number, seed: number): NowcastCase[] {
  const rng = seededRng(seed);
  const start = parseIsoDate('2019-11-01')!;
  return Array.from({ length: days }, (_, i) => {
    const day = isoDateAt((start + i) * 86_400_000);
    const temp = Math.round(40 + (rng() - 0.5) * 16);
    const trend = Math.round((rng() - 0.3) * 8);
    const depression = Math.round(rng() * 15);
    const future = Math.round(temp + 3 + 0.6 * trend + 0.2 * depression + (rng() - 0.5) * 6);
    const finalMaxF = Math.max(temp, future);
    return { day, dayIndex: start + i, hour: HOUR, inputs: inputs(day, temp, trend, depression), finalMaxF, riseF: finalMaxF - temp, peakHour: 14, futureMaxF: future };
  });
}

function rows(cs: NowcastCase[], fold?: (i: number) => number): HourRows {
  const d = prepareHour(cs, monthFolds(cs), REGS, undefined);
  if (fold) d.fold = Int32Array.from(cs, (_, i) => fold(i));
  return d;
}

function hat(d: HourRows, lambda: number): number[] {
  const inv = ridgeInverse(d, lambda, () => true);
  return d.cases.map((c) => leverageAt(d, inv, regressorVector(c.inputs, REGS, null)));
}

function sd(f: IntDistribution): number {
  let m = 0;
  let m2 = 0;
  f.p.forEach((p, k) => {
    m += p * (f.offset + k);
    m2 += p * (f.offset + k) ** 2;
  });
  return Math.sqrt(m2 - m * m);
}

describe('a forecast\'s leverage x\'(X\'X + λD)⁻¹x', () => {
  const cs = cases(120, 3);

  it('is the hat matrix diagonal: without a penalty the in-fit leverages sum to the number of coefficients, each in (0, 1); a penalty shrinks them', () => {
    const d = rows(cs);
    const h0 = hat(d, 0);
    expect(h0.reduce((a, b) => a + b, 0)).toBeCloseTo(REGS.length + 1, 6);
    for (const h of h0) expect(h > 0 && h < 1).toBe(true);
    const h100 = hat(d, 100);
    expect(h100.reduce((a, b) => a + b, 0)).toBeLessThan(REGS.length + 1 - 0.5);
    h100.forEach((h, i) => expect(h).toBeLessThan(h0[i]!));
  });

  it('of a case left out of the fit is h/(1 − h) of its in-fit leverage (Sherman–Morrison), which foldLeverages gives per fold', () => {
    const d = rows(cs, (i) => i); // every case its own fold
    const h0 = hat(d, 0);
    const out = foldLeverages(d, 0);
    h0.forEach((h, i) => expect(out[i]!).toBeCloseTo(h / (1 - h), 8));
  });

  it('grows for a forecast outside the fit\'s covariate range', () => {
    const d = rows(cs);
    const inv = ridgeInverse(d, 10, () => true);
    const inside = Math.max(...cs.map((c) => leverageAt(d, inv, regressorVector(c.inputs, REGS, null))));
    const summer = leverageAt(d, inv, regressorVector(inputs('2020-07-01', 85, 2, 10), REGS, null));
    expect(summer).toBeGreaterThan(3 * inside);
  });
});

describe('what a larger leverage does to a forecast', () => {
  it('scales each pool residual by √((1 + h)/(1 + h_k)), a residual without a leverage counting as the pool mean', () => {
    const out = residualsAtLeverage(new Float64Array(3), [2, -1, 4], [0.1, 0.5, Number.NaN], 0.5, 0.2);
    expect(out[0]).toBeCloseTo(2 * Math.sqrt(1.5 / 1.1), 12);
    expect(out[1]).toBeCloseTo(-1, 12);
    expect(out[2]).toBeCloseTo(4 * Math.sqrt(1.5 / 1.2), 12);
  });

  it('widens a fitted model\'s forecast far outside its fit, barely inside it; without the leverage (a version-3 file) it predicts as before', () => {
    const training = cases(150, 5);
    const model = fitNowcastModel(training, { station: 'KXYZ', tz: 'America/New_York', judgeDay: 'local', regressors: SEASON_REGRESSORS, lambdas: [10], smoothings: [0.7], seasonDays: [null], climatologyWeights: [0], riseWidths: [null] });
    expect(model.version).toBe(4);
    const hm = model.hours[HOUR]!;
    expect(hm.leverage!.inverse).toHaveLength((SEASON_REGRESSORS.length + 1) ** 2);
    expect(hm.residuals.every((r) => r.length === 4 && r[3]! > 0)).toBe(true);
    expect(hm.leverage!.pool_mean).toBeGreaterThan(0);
    const older: NowcastModel = { ...model, version: 3, hours: model.hours.map(({ leverage: _, ...h }) => ({ ...h, residuals: h.residuals.map((r) => [r[0], r[1], r[2]!] as [number, number, number]) })) };
    const withLev = new NowcastPredictor(model);
    const without = new NowcastPredictor(older);
    const typical = training[75]!.inputs;
    const far = inputs('2020-07-01', 88, 6, 25);
    const fTypical = withLev.predict(typical)!;
    const fFar = withLev.predict(far)!;
    expect(fFar.leverage!.h).toBeGreaterThan(5 * fTypical.leverage!.h);
    expect(sd(fFar.final)).toBeGreaterThan(1.2 * sd(without.predict(far)!.final));
    expect(Math.abs(sd(fTypical.final) / sd(without.predict(typical)!.final) - 1)).toBeLessThan(0.05);
    expect(without.predict(far)!.leverage).toBeUndefined();
  });
});
