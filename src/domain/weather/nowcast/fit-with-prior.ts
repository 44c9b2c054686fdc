import type { NowcastCase } from './cases.ts';
import type { DailyHigh } from './daily-record.ts';
import { fitNowcastModel, type FitOptions } from './fit.ts';
import type { NowcastModel } from './model.ts';
import { fitClimatePrior, MIN_PRIOR_DAYS, type ClimatePrior } from './prior.ts';

export interface PriorDays {
  /** The station's daily highs within the fit period (the long record, or the archive's own days). */
  highs: readonly DailyHigh[];
  source: ClimatePrior['source'];
}

/**
 * The nowcast as `nowcast fit` builds it: the climatological prior from the period's daily highs
 * (when there are enough), then the intraday model mixed with it. Null prior: too few days.
 */
export function fitWithPrior(cases: readonly NowcastCase[], priorDays: PriorDays, opts: Omit<FitOptions, 'prior'>): { model: NowcastModel; prior: ClimatePrior | null } {
  const { highs, source } = priorDays;
  const exclude = opts.excludeMonths ?? [];
  const prior = highs.length >= MIN_PRIOR_DAYS ? fitClimatePrior(highs, { station: opts.station, source }) : null;
  const model = fitNowcastModel(cases, {
    ...opts,
    prior: prior ? { prior, anomalyMonths: highs.map((h) => h.day.slice(0, 7)), excludeMonths: exclude } : undefined,
  });
  return { model, prior };
}
