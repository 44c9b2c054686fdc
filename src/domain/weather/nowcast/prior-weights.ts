import type { NowcastCase } from './cases.ts';
import type { NowcastModel } from './model.ts';
import { mixWithPrior, NowcastPredictor, priorGiven } from './predict.ts';
import { PEAK_BINS, PriorPredictor, type ClimatePrior } from './prior.ts';
import { categoricalRps, rps } from './scores.ts';

export const PRIOR_WEIGHT_GRID: readonly number[] = [0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1];

/**
 * Chooses the prior's weight per issue hour by the mean RPS of the mixture on the training cases
 * (separately for the daily maximum and for the time of the peak, whose bins are ordered too),
 * then makes the weights non-increasing through the day (pool-adjacent-violators weighted by the
 * number of cases): each report the day brings can only make the climatology less relevant. The
 * prior for a case leaves out its own month (`anomalyMonths[i]` is the `YYYY-MM` of anomaly i), so a
 * prior fitted on the same days does not score itself; likewise each case's intraday forecast comes
 * from `modelFor` (in a fit: the model without the case's month fold, out-of-fold-model.ts), not from
 * a pool that holds the case's own residual.
 */
export function fitPriorWeights(
  model: NowcastModel,
  prior: ClimatePrior,
  anomalyMonths: readonly string[],
  cases: readonly NowcastCase[],
  /** The model that forecasts a case without having seen it (outOfFoldModel); default: `model` itself. */
  modelFor: (c: NowcastCase) => NowcastModel = () => model,
  grid: readonly number[] = PRIOR_WEIGHT_GRID,
): { max: number[]; peak: number[] } {
  // Only its intraday part is asked; the prior stays on for the climate-relative regressors.
  const predictors = new Map<NowcastModel, NowcastPredictor>();
  const intradayOf = (c: NowcastCase): NowcastPredictor => {
    const m = modelFor(c);
    let p = predictors.get(m);
    if (!p) {
      p = new NowcastPredictor({ ...m, prior, prior_weights: new Array<number>(24).fill(0), prior_peak_weights: undefined });
      predictors.set(m, p);
    }
    return p;
  };
  const pp = new PriorPredictor(prior);
  const byDay = new Map<string, ReturnType<PriorPredictor['at']>>();
  const sums = Array.from({ length: 24 }, () => new Float64Array(grid.length));
  const peakSums = Array.from({ length: 24 }, () => new Float64Array(grid.length));
  const counts = new Float64Array(24);
  for (const c of cases) {
    const f = intradayOf(c).predictIntraday(c.inputs);
    if (!f) continue;
    let p = byDay.get(c.day);
    if (!p) {
      const month = c.day.slice(0, 7);
      p = pp.atExcluding(c.inputs.dayOfYear, (i) => anomalyMonths[i] === month);
      byDay.set(c.day, p);
    }
    counts[f.hour]! += 1;
    const peakBin = Math.min(PEAK_BINS - 1, Math.floor(c.peakHour / 2));
    const given = priorGiven(p, c.inputs);
    grid.forEach((w, k) => {
      const mixed = mixWithPrior(f, given, w);
      sums[f.hour]![k]! += rps(mixed.final, c.finalMaxF);
      peakSums[f.hour]![k]! += categoricalRps(mixed.peakBins, peakBin);
    });
  }
  const weights = Array.from(counts, (n) => Math.max(n, 1e-6));
  const pick = (table: Float64Array[]) =>
    nonIncreasing(
      table.map((s, h) => {
        if (!counts[h]) return 0;
        let k = 0;
        for (let j = 1; j < grid.length; j++) if (s[j]! < s[k]! - 1e-12) k = j;
        return grid[k]!;
      }),
      weights,
    ).map((w) => Math.round(w * 1e4) / 1e4);
  return { max: pick(sums), peak: pick(peakSums) };
}

/** Weighted least-squares non-increasing fit (pool-adjacent-violators). */
export function nonIncreasing(values: readonly number[], weights: readonly number[]): number[] {
  const blocks: Array<{ sum: number; w: number; n: number }> = [];
  values.forEach((v, i) => {
    blocks.push({ sum: v * weights[i]!, w: weights[i]!, n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1]!;
      const a = blocks[blocks.length - 2]!;
      if (a.sum / a.w >= b.sum / b.w) break;
      blocks.splice(blocks.length - 2, 2, { sum: a.sum + b.sum, w: a.w + b.w, n: a.n + b.n });
    }
  });
  return blocks.flatMap((b) => new Array<number>(b.n).fill(b.sum / b.w));
}
