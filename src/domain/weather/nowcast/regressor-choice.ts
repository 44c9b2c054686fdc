import type { NowcastCase } from './cases.ts';
import { monthFolds, predictRow, prepareHour, residualRiseRps, ridge, seasonEdgeSplits, type HourRows } from './hour-rows.ts';
import { seasonWeightTable } from './model.ts';
import { priorCoversYear, type ClimatePrior } from './prior.ts';
import { CLIMATE_RELATIVE_REGRESSORS, SEASON_REGRESSORS } from './regressors.ts';

export type RegressorSetName = 'season' | 'climate_relative';

export const REGRESSOR_SETS: Record<RegressorSetName, readonly string[]> = {
  season: SEASON_REGRESSORS,
  climate_relative: CLIMATE_RELATIVE_REGRESSORS,
};

/** How one block of issue hours chose its regressor set. */
export interface RegressorChoice {
  chosen: RegressorSetName;
  /** How the candidates were compared: on the record's season edges, or not at all (no prior covering the whole year, or fewer than four months). */
  folds: 'season_edges' | 'none';
  /** Mean RPS (°F) of each candidate's forecasts of the held-out edge months. */
  cv_rps: Partial<Record<RegressorSetName, number>>;
  /** Mean per-day difference climate_relative − season (summed over the block's hours) and its standard error. */
  day_diff?: number;
  day_diff_se?: number;
}

/**
 * Chooses a block's regressor set by how its forecasts score on months beyond the seasons it was
 * fitted on (seasonEdgeSplits): month folds leave both neighbours of a held-out month in the fit, so
 * they reward regressors that interpolate between seasons and cannot tell which ones extrapolate into
 * the months an archive lacks. The climate-relative set (it needs the prior) replaces the season set
 * only when it is better by more than one standard error of the day-paired difference: a tie keeps
 * the regressors the model was built on. Only the regression differs between the candidates, so both
 * are scored with the same residual settings. The climate-relative set is a candidate only with a
 * prior that covers the whole year (a long daily record): a prior drawn from the same part-year
 * archive extrapolates its seasonal mean into the missing months just as the harmonics would, and
 * the season edges cannot show it, the prior having seen the held-out months.
 */
export function chooseRegressors(sorted: readonly NowcastCase[], prior: ClimatePrior | undefined, settings: { lambda: number; smoothing: number }): RegressorChoice {
  const splits = prior && priorCoversYear(prior) ? seasonEdgeSplits(sorted) : null;
  if (!prior || !splits) return { chosen: 'season', folds: 'none', cv_rps: {} };
  const folds = monthFolds(sorted);
  const hours = [...new Set(sorted.map((c) => c.hour))].sort((a, b) => a - b);
  const perDay = new Map<string, number>();
  const cv_rps: Partial<Record<RegressorSetName, number>> = {};
  for (const name of ['season', 'climate_relative'] as const) {
    const sign = name === 'season' ? -1 : 1;
    let sum = 0;
    let n = 0;
    for (const h of hours) {
      const rows = prepareHour(
        sorted.filter((c) => c.hour === h),
        folds,
        REGRESSOR_SETS[name],
        prior,
      );
      for (const heldOut of splits) {
        const scores = new Float64Array(rows.cases.length).fill(Number.NaN);
        const r = heldOutRps(rows, (i) => heldOut(rows.cases[i]!.day), settings, scores);
        sum += r.sum;
        n += r.n;
        scores.forEach((s, i) => {
          if (!Number.isNaN(s)) perDay.set(rows.cases[i]!.day, (perDay.get(rows.cases[i]!.day) ?? 0) + sign * s);
        });
      }
    }
    cv_rps[name] = n ? round4(sum / n) : Number.POSITIVE_INFINITY;
  }
  const d = pairedDifference([...perDay.values()]);
  return { chosen: d.better ? 'climate_relative' : 'season', folds: 'season_edges', cv_rps, day_diff: round4(d.mean), day_diff_se: round4(d.se) };
}

/**
 * The mean of paired score differences (challenger − incumbent, lower is better) and its standard
 * error; `better` when the challenger wins by more than one standard error.
 */
export function pairedDifference(diffs: readonly number[]): { mean: number; se: number; better: boolean } {
  if (diffs.length < 2) return { mean: diffs[0] ?? 0, se: Number.POSITIVE_INFINITY, better: false };
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const variance = diffs.reduce((a, d) => a + (d - mean) * (d - mean), 0) / (diffs.length - 1);
  const se = Math.sqrt(variance / diffs.length);
  return { mean, se, better: mean + se < 0 };
}

/**
 * RPS of the held-out cases forecast by a fit on the others: the regression fitted on all of them,
 * the residual pool their out-of-fold residuals (month folds inside the fitted months).
 */
function heldOutRps(rows: HourRows, heldOut: (i: number) => boolean, settings: { lambda: number; smoothing: number }, perCase: Float64Array): { sum: number; n: number } {
  const m = rows.cases.length;
  const mu = new Float64Array(m).fill(Number.NaN);
  const fold = Int32Array.from(rows.fold);
  const beta = ridge(rows, settings.lambda, (i) => !heldOut(i));
  for (let i = 0; i < m; i++) {
    if (!heldOut(i)) continue;
    fold[i] = -1;
    if (rows.hasTemp[i]) mu[i] = predictRow(rows, beta, i);
  }
  for (const f of new Set(rows.fold)) {
    const bf = ridge(rows, settings.lambda, (i) => !heldOut(i) && rows.fold[i] !== f);
    for (let i = 0; i < m; i++) if (!heldOut(i) && rows.fold[i] === f && rows.hasTemp[i]) mu[i] = predictRow(rows, bf, i);
  }
  const doy = Int32Array.from(rows.cases, (c) => Math.round(c.inputs.dayOfYear));
  return residualRiseRps({ ...rows, fold }, mu, doy, { seasonTable: seasonWeightTable(null), smoothing: settings.smoothing, alpha: 0 }, null, { scored: heldOut, perCase });
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
