import type { JudgeDayMode } from '../judge-calendar.ts';
import type { NowcastCase } from './cases.ts';
import { monthFolds, outOfFold, prepareHour, residualLandings, residualRiseRps, ridge, type HourRows } from './hour-rows.ts';
import type { ClimatePrior } from './prior.ts';
import { outOfFoldModel, type HourFolds } from './out-of-fold-model.ts';
import { fitPriorWeights } from './prior-weights.ts';
import { foldLeverages, meanLeverage, ridgeInverse } from './leverage.ts';
import { chooseRegressors, REGRESSOR_SETS } from './regressor-choice.ts';
import { SEASON_REGRESSORS, sameRegressors } from './regressors.ts';
import {
  accumulateClimatology,
  riseRps,
  RISE_LEN,
  RISE_MIN,
  seasonWeightTable,
  type HourBlock,
  type HourModel,
  type NowcastModel,
} from './model.ts';

/**
 * Fits the nowcast from history. Every setting is chosen by cross-validation with whole calendar
 * months as folds (weather persists for days, so neighbouring days must not sit on both sides of a
 * fold): the climatology's season width first, then per block of issue hours the ridge penalty,
 * the residual smoothing, the season and predicted-rise widths of the residual pool and the climatology weight, by
 * coordinate descent over small grids. Before those, each block's regressor set is chosen on the
 * record's season edges instead (regressor-choice.ts), the one choice that decides how the model
 * behaves in months the archive lacks.
 */
export interface FitOptions {
  station: string;
  tz: string;
  judgeDay: JudgeDayMode;
  blocks?: number[][];
  lambdas?: number[];
  smoothings?: number[];
  seasonDays?: Array<number | null>;
  /** Widths (°F) of the kernel on the predicted rise (null: every residual alike). */
  riseWidths?: Array<number | null>;
  climatologyWeights?: number[];
  floorWeight?: number;
  excludeMonths?: string[];
  /** Minute of the station's routine METAR (51 at most US ASOS). */
  routineMinute?: number;
  /** Station whose hourly METARs the cases come from, when it differs from `station` (a neighbour). */
  hourlyStation?: string;
  /** Regressor names (regressors.ts); default: chosen per block on the season edges (regressor-choice.ts). */
  regressors?: readonly string[];
  /** The station's climatological prior, mixed in with weights fitted per issue hour. */
  prior?: {
    prior: ClimatePrior;
    /** `YYYY-MM` of each of the prior's anomalies, in order (to keep a case's own month out of its prior). */
    anomalyMonths: string[];
    /** Months held out of the prior's days. */
    excludeMonths: string[];
  };
}

const DEFAULT_BLOCKS = [
  [0, 1, 2, 3, 4, 5],
  [6, 7, 8, 9],
  [10, 11, 12, 13],
  [14, 15, 16, 17],
  [18, 19, 20, 21, 22, 23],
];
const PASSES = 2;
const LANDINGS_BUDGET_BYTES = 64 * 2 ** 20;

interface Params {
  lambda: number;
  smoothing: number;
  season: number | null;
  alpha: number;
  riseWidth: number | null;
}

export function fitNowcastModel(cases: readonly NowcastCase[], opts: FitOptions): NowcastModel {
  if (cases.length === 0) throw new Error('no training cases (the archive needs complete judge days)');
  const blocks = opts.blocks ?? DEFAULT_BLOCKS;
  const lambdas = opts.lambdas ?? [1, 10, 100];
  const smoothings = opts.smoothings ?? [0.4, 0.7, 1.0];
  const seasons = opts.seasonDays ?? [20, 40, 80, null];
  const alphas = opts.climatologyWeights ?? [0, 0.15, 0.3];
  const riseWidths = opts.riseWidths ?? [null, 1.5, 3, 6];

  const sorted = [...cases].sort((a, b) => a.dayIndex - b.dayIndex || a.hour - b.hour);
  const defaults = { lambda: lambdas[Math.floor(lambdas.length / 2)]!, smoothing: smoothings[Math.floor(smoothings.length / 2)]! };
  const choices = blocks.map((b) => (opts.regressors ? null : chooseRegressors(sorted.filter((c) => b.includes(c.hour)), opts.prior?.prior, defaults)));
  const regressorsOfHour = (h: number): readonly string[] => {
    const choice = choices[blocks.findIndex((b) => b.includes(h))];
    return opts.regressors ?? (choice ? REGRESSOR_SETS[choice.chosen] : SEASON_REGRESSORS);
  };
  const foldOfDay = monthFolds(sorted);
  const data: HourRows[] = Array.from({ length: 24 }, (_, h) =>
    prepareHour(
      sorted.filter((c) => c.hour === h),
      foldOfDay,
      regressorsOfHour(h),
      opts.prior?.prior,
    ),
  );
  const climCases = data.map((d) => d.cases.map((c) => [c.inputs.dayOfYear, c.riseF, c.inputs.maxSoFarF !== null ? 1 : 0] as [number, number, number]));

  // Cross-validated climatology (hour and season only) for each season width.
  // One buffer per hour with a view per case: as many small buffers off the heap kept the garbage collector busy.
  const climCv = (width: number | null): Float64Array[][] =>
    data.map((d, h) => {
      const rises = new Float64Array(d.cases.length * RISE_LEN);
      return d.cases.map((c, i) => {
        const rise = rises.subarray(i * RISE_LEN, (i + 1) * RISE_LEN);
        const ok = accumulateClimatology(rise, 1, climCases[h]!, c.inputs.dayOfYear, width, c.inputs.maxSoFarF !== null, (k) => d.fold[k] === d.fold[i]);
        if (!ok) rise[-RISE_MIN] = 1;
        return rise;
      });
    });
  const meanRps = (dists: Float64Array[][], hours: number[]) => {
    let s = 0;
    let n = 0;
    for (const h of hours) data[h]!.cases.forEach((c, i) => {
      s += riseRps(dists[h]![i]!, c.riseF);
      n++;
    });
    return n ? s / n : Number.POSITIVE_INFINITY;
  };
  const allHours = Array.from({ length: 24 }, (_, h) => h);
  let climWidth: number | null = null;
  let climScore = Number.POSITIVE_INFINITY;
  let clim: Float64Array[][] = [];
  for (const width of seasons) {
    const c = climCv(width);
    const s = meanRps(c, allHours);
    if (s < climScore - 1e-12) {
      climScore = s;
      climWidth = width;
      clim = c;
    }
  }

  const oofCache = new Map<string, Float64Array>();
  const oof = (h: number, lambda: number): Float64Array => {
    const key = `${h}:${lambda}`;
    let v = oofCache.get(key);
    if (!v) {
      v = outOfFold(data[h]!, lambda);
      oofCache.set(key, v);
    }
    return v;
  };

  // Each hour's residual landings per ridge penalty: every trial of the other settings shares them.
  // m² entries an hour and penalty, so they last one block, and beyond LANDINGS_BUDGET_BYTES an
  // hour keeps only its latest penalty's.
  const landingsCache = new Map<number, Map<number, Int32Array>>();
  let landingsBytes = 0;
  const landings = (h: number, lambda: number): Int32Array => {
    let byLambda = landingsCache.get(h);
    if (!byLambda) landingsCache.set(h, (byLambda = new Map()));
    let v = byLambda.get(lambda);
    if (!v) {
      v = residualLandings(data[h]!, oof(h, lambda));
      if (landingsBytes + v.byteLength > LANDINGS_BUDGET_BYTES) {
        for (const old of byLambda.values()) landingsBytes -= old.byteLength;
        byLambda.clear();
      }
      byLambda.set(lambda, v);
      landingsBytes += v.byteLength;
    }
    return v;
  };

  const doys = data.map((d) => Int32Array.from(d.cases, (c) => Math.round(c.inputs.dayOfYear)));
  const score = (hours: number[], prm: Params): number => {
    let sum = 0;
    let n = 0;
    const settings = { seasonTable: seasonWeightTable(prm.season), smoothing: prm.smoothing, alpha: prm.alpha, riseWidth: prm.riseWidth };
    for (const h of hours) {
      const r = residualRiseRps(data[h]!, oof(h, prm.lambda), doys[h]!, settings, clim[h]!, { landings: landings(h, prm.lambda) });
      sum += r.sum;
      n += r.n;
    }
    return n ? sum / n : Number.POSITIVE_INFINITY;
  };

  const fitted: HourBlock[] = [];
  let cvSum = 0;
  let cvN = 0;
  for (const [blockIndex, blockHours] of blocks.entries()) {
    const choice = choices[blockIndex];
    const chosen = choice ? { regressors: [...REGRESSOR_SETS[choice.chosen]], regressor_choice: choice } : {};
    const hours = blockHours.filter((h) => h >= 0 && h < 24 && data[h]!.cases.length > 0);
    const prm: Params = { lambda: lambdas[Math.floor(lambdas.length / 2)]!, smoothing: smoothings[Math.floor(smoothings.length / 2)]!, season: climWidth, alpha: 0, riseWidth: riseWidths[0] ?? null };
    if (hours.length === 0) {
      fitted.push({ hours: blockHours, ridge_lambda: prm.lambda, smoothing_f: prm.smoothing, season_days: prm.season, climatology_weight: 1, ...chosen });
      continue;
    }
    // The second pass of the coordinate descent asks again for settings the first one scored.
    const scored = new Map<string, number>();
    const blockScore = (trial: Params): number => {
      const key = JSON.stringify([trial.lambda, trial.smoothing, trial.season, trial.alpha, trial.riseWidth]);
      let s = scored.get(key);
      if (s === undefined) {
        s = score(hours, trial);
        scored.set(key, s);
      }
      return s;
    };
    let best = blockScore(prm);
    const axes: Array<[keyof Params, Array<number | null>]> = [
      ['lambda', lambdas],
      ['smoothing', smoothings],
      ['season', seasons],
      ['alpha', alphas],
      ['riseWidth', riseWidths],
    ];
    for (let pass = 0; pass < PASSES; pass++) {
      let improved = false;
      for (const [key, grid] of axes) {
        for (const v of grid) {
          if (prm[key] === v) continue;
          const trial = { ...prm, [key]: v } as Params;
          const s = blockScore(trial);
          if (s < best - 1e-9) {
            best = s;
            Object.assign(prm, trial);
            improved = true;
          }
        }
      }
      if (!improved) break;
    }
    landingsCache.clear();
    landingsBytes = 0;
    const n = hours.reduce((a, h) => a + data[h]!.cases.length, 0);
    cvSum += best * n;
    cvN += n;
    fitted.push({ hours: blockHours, ridge_lambda: prm.lambda, smoothing_f: prm.smoothing, season_days: prm.season, rise_width_f: prm.riseWidth, climatology_weight: prm.alpha, ...chosen });
  }

  const hourFolds: HourFolds[] = [];
  const hourModels: HourModel[] = data.map((d, h) => {
    const block = fitted.find((b) => b.hours.includes(h)) ?? fitted[0]!;
    const beta = ridge(d, block.ridge_lambda, () => true);
    const mu = oof(h, block.ridge_lambda);
    const lev = foldLeverages(d, block.ridge_lambda);
    const residuals: Array<[number, number, number, number]> = [];
    const laterPeaks: Array<[number, number]> = [];
    const residualFolds: number[] = [];
    const peakFolds: number[] = [];
    d.cases.forEach((c, i) => {
      if (!Number.isNaN(d.y[i]!) && !Number.isNaN(mu[i]!)) {
        residuals.push([c.inputs.dayOfYear, round3(d.y[i]! - mu[i]!), round3(mu[i]!), round6(lev[i]!)]);
        residualFolds.push(d.fold[i]!);
      }
      if (c.riseF > 0) {
        laterPeaks.push([c.inputs.dayOfYear, round3(c.peakHour)]);
        peakFolds.push(d.fold[i]!);
      }
    });
    hourFolds.push({ residuals: Int32Array.from(residualFolds), laterPeaks: Int32Array.from(peakFolds) });
    return {
      hour: h,
      means: d.means.map(round6),
      scales: d.scales.map(round6),
      coefficients: beta.map(round6),
      residuals,
      climatology: climCases[h]!,
      later_peaks: laterPeaks,
      leverage: { inverse: ridgeInverse(d, block.ridge_lambda, () => true).map(round9), pool_mean: round6(meanLeverage(residuals.map((r) => r[3]))) },
    };
  });

  let persistence = 0;
  for (const c of sorted) persistence += Math.abs(c.riseF);
  const days = [...new Set(sorted.map((c) => c.day))];
  const model: NowcastModel = {
    kind: 'helios.nowcast.ridge_residual',
    // Every fit stores its hours' leverage, which a helios before version 4 would ignore.
    version: 4,
    station: opts.station,
    tz: opts.tz,
    judge_day: opts.judgeDay,
    regressors: [...(opts.regressors ?? SEASON_REGRESSORS)],
    blocks: fitted,
    climatology_season_days: climWidth,
    floor_weight: opts.floorWeight ?? 0.002,
    routine_minute: opts.routineMinute ?? 51,
    hours: hourModels,
    fitted: {
      from_day: days[0]!,
      to_day: days[days.length - 1]!,
      days: days.length,
      cases: sorted.length,
      exclude_months: opts.excludeMonths ?? [],
      folds: new Set(foldOfDay.values()).size,
      cv_rps: round4(cvN ? cvSum / cvN : Number.NaN),
      cv_rps_climatology: round4(climScore),
      cv_rps_persistence: round4(persistence / sorted.length),
      stations: {
        hourly: { station: opts.hourlyStation ?? opts.station, from_day: days[0]!, to_day: days[days.length - 1]!, days: days.length },
        daily: null,
      },
    },
  };
  if (opts.prior) {
    const { prior, anomalyMonths, excludeMonths } = opts.prior;
    const withoutFold = new Map<number, NowcastModel>();
    const modelFor = (c: NowcastCase): NowcastModel => {
      const f = foldOfDay.get(c.day) ?? 0;
      let m = withoutFold.get(f);
      if (!m) {
        m = outOfFoldModel(model, data, hourFolds, f);
        withoutFold.set(f, m);
      }
      return m;
    };
    const weights = fitPriorWeights(model, prior, anomalyMonths, sorted, modelFor);
    model.prior_weights = weights.max;
    model.prior_peak_weights = weights.peak;
    model.prior = prior;
    model.fitted.stations!.daily = { station: prior.station, source: prior.source, from_day: prior.from_day, to_day: prior.to_day, days: prior.days, exclude_months: excludeMonths };
  }
  return model;
}

function round3(x: number): number {
  return Math.round(x * 1e3) / 1e3;
}
function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
function round9(x: number): number {
  return Number(x.toPrecision(9));
}
