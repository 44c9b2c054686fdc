import { ridge, type HourRows } from './hour-rows.ts';
import { meanLeverage, ridgeInverse } from './leverage.ts';
import { blockOf, type HourModel, type NowcastModel } from './model.ts';

/** The cross-validation fold of each stored residual and later peak of an hour, in stored order. */
export interface HourFolds {
  residuals: Int32Array;
  laterPeaks: Int32Array;
}

/**
 * The fitted model as it would be without one month fold: each hour's regression refitted without
 * the fold (with its leverage), and the fold's residuals, climatology cases and later peaks taken out of the pools.
 * Settings chosen on the whole record stay. Scoring the fold's cases with it is an out-of-fold
 * forecast: the full model would find each case's own residual, and its month's, in the pool it
 * draws its spread from, and look sharper on them than it is on any day it has not seen.
 */
export function outOfFoldModel(model: NowcastModel, data: readonly HourRows[], folds: readonly HourFolds[], fold: number): NowcastModel {
  const hours: HourModel[] = model.hours.map((h, hour) => {
    const d = data[hour]!;
    const f = folds[hour]!;
    const lambda = blockOf(model, hour).ridge_lambda;
    const beta = ridge(d, lambda, (i) => d.fold[i] !== fold);
    const residuals = h.residuals.filter((_, i) => f.residuals[i] !== fold);
    return {
      ...h,
      coefficients: beta,
      residuals,
      leverage: h.leverage && { inverse: ridgeInverse(d, lambda, (i) => d.fold[i] !== fold), pool_mean: meanLeverage(residuals.map((r) => r[3] ?? Number.NaN)) },
      climatology: h.climatology.filter((_, i) => d.fold[i] !== fold),
      later_peaks: h.later_peaks.filter((_, i) => f.laterPeaks[i] !== fold),
    };
  });
  return { ...model, hours };
}
