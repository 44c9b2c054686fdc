import type { NowcastCase } from './cases.ts';
import { evaluateSets, type EvaluateOptions, type EvaluationReport, type ScoredSet } from './evaluate.ts';
import type { FitOptions } from './fit.ts';
import { fitWithPrior, type PriorDays } from './fit-with-prior.ts';
import { NowcastPredictor } from './predict.ts';

/** Fits need this many months of the hourly archive before the next month is scored (season edges need four). */
export const DEFAULT_MIN_FIT_MONTHS = 4;

export interface RollingOptions extends EvaluateOptions {
  /** Fit options but the period (each fold fits on the months before its scored month). */
  fit: Omit<FitOptions, 'prior' | 'excludeMonths'>;
  /** The station's daily highs for the prior (every day on record; each fold keeps those before its month). */
  priorDays: PriorDays;
  minFitMonths?: number;
  /** Score only these months (`YYYY-MM`); each still fitted on every month before it. */
  onlyMonths?: readonly string[];
}

/** One fold: the model fitted on the archive's months before `month` (and the prior's days before it), scored on `month` alone. */
export interface RollingFold {
  month: string;
  fit_from_day: string;
  fit_to_day: string;
  fit_months: number;
  fit_days: number;
  prior_days: number;
  /** Regressor set per block of hours, as the fold's fit chose it. */
  regressors: string[];
  by_hour: EvaluationReport['by_hour'];
  overall: EvaluationReport['overall'];
  reliability: EvaluationReport['reliability'];
  reliability_mid_range: EvaluationReport['reliability_mid_range'];
}

export type RollingReport = EvaluationReport & {
  rolling: { min_fit_months: number; scored_months: string[]; folds: RollingFold[] };
};

/**
 * Rolling-origin evaluation: for each month of the archive with at least `minFitMonths` months
 * before it, fit on those months only (the prior on the daily highs before the month) and score the
 * month. Every scored case is unseen by the fit that scores it, and the pooled table holds every
 * scored month, so the deciles fill up without any fit seeing its test days. `cases` are all of the
 * archive's cases, in any order; folds run in month order.
 */
export function rollingOriginEvaluation(cases: readonly NowcastCase[], opts: RollingOptions): RollingReport {
  const minFitMonths = opts.minFitMonths ?? DEFAULT_MIN_FIT_MONTHS;
  const months = [...new Set(cases.map((c) => c.day.slice(0, 7)))].sort();
  const sets: ScoredSet[] = [];
  const folds: RollingFold[] = [];
  for (const [i, month] of months.entries()) {
    if (i < minFitMonths || (opts.onlyMonths && !opts.onlyMonths.includes(month))) continue;
    const start = `${month}-01`;
    const train = cases.filter((c) => c.day < start);
    const test = cases.filter((c) => c.day.startsWith(month));
    const highs = opts.priorDays.highs.filter((h) => h.day < start);
    const { model } = fitWithPrior(train, { highs, source: opts.priorDays.source }, opts.fit);
    const predictor = new NowcastPredictor(model);
    sets.push({ predictor, cases: test });
    const report = evaluateSets([{ predictor, cases: test }], opts);
    folds.push({
      month,
      fit_from_day: model.fitted.from_day,
      fit_to_day: model.fitted.to_day,
      fit_months: i,
      fit_days: model.fitted.days,
      prior_days: highs.length,
      regressors: model.blocks.map((b) => `${b.hours[0]}-${b.hours[b.hours.length - 1]} ${b.regressor_choice?.chosen ?? 'season'}`),
      ...report,
    });
  }
  if (sets.length === 0) throw new Error(`no month has ${minFitMonths} months of the archive before it to fit on (${months.length} months)`);
  return { ...evaluateSets(sets, opts), rolling: { min_fit_months: minFitMonths, scored_months: folds.map((f) => f.month), folds } };
}
