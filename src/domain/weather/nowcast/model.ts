import type { JudgeDayMode } from '../judge-calendar.ts';
import type { ClimatePrior } from './prior.ts';
import type { RegressorChoice } from './regressor-choice.ts';

/**
 * The nowcast model, per issue hour of the judge clock:
 *
 *   future max − current temp  =  βᵀx + ε,     final judge max = max(max so far, current + round(βᵀx + ε))
 *
 * β is a ridge regression on the weather at issue time (`regressors`, see regressors.ts: how far the
 * air has fallen from the day's peak, recent trend, day-over-day change, yesterday's max, dewpoint
 * depression, wind, sky cover, and the season and temperature, either as day-of-year harmonics and °F
 * or measured against the prior's climatological maximum for the date); ε is drawn from the
 * out-of-fold residuals of history, weighted towards the same season and towards cases whose
 * predicted rise was close to this one's (the errors grow with the rise expected), scaled to this
 * forecast's leverage (leverage.ts), and smoothed; the `max` puts
 * the mass "no further rise" exactly where persistence puts it. The mixture with the
 * hour-and-season climatology, the ridge penalty, the smoothing, the season and rise widths and the regressor
 * set are chosen by cross-validation on history (fit.ts), never by hand.
 */

const YEAR_DAYS = 365.25;

/** Settings shared by a block of issue hours, chosen by cross-validation. */
export interface HourBlock {
  hours: number[];
  ridge_lambda: number;
  /** Standard deviation (°F) of the Gaussian that smooths each residual before rounding. */
  smoothing_f: number;
  /** Season kernel width (days) weighting residuals; null = all seasons alike. */
  season_days: number | null;
  /**
   * Kernel width (°F) weighting residuals by how close their case's predicted rise was to the
   * query's; null or absent = all alike (models fitted before it existed).
   */
  rise_width_f?: number | null;
  /** Weight of the climatology in the final mixture. */
  climatology_weight: number;
  /** The block's regressors (absent: the model's `regressors`). */
  regressors?: string[];
  /** How they were chosen (absent in models fitted before the choice existed, or given a set). */
  regressor_choice?: RegressorChoice;
}

export interface HourModel {
  hour: number;
  /** Standardization of the regressors (missing values are imputed with the mean). */
  means: number[];
  scales: number[];
  /** Intercept first, then one coefficient per standardized regressor. */
  coefficients: number[];
  /**
   * Out-of-fold residuals with their day of year, the rise predicted for them and that prediction's
   * leverage against the fit without its month: [doy, residual °F, predicted rise °F, leverage]
   * (older models: no prediction, no leverage).
   */
  residuals: Array<[number, number] | [number, number, number] | [number, number, number, number]>;
  /** What a forecast's leverage needs (absent in models fitted before it existed, version < 4): leverage.ts. */
  leverage?: HourLeverage;
  /** Climatology cases: [doy, rise °F above the base, 1 when the day had a report by then]. */
  climatology: Array<[number, number, number]>;
  /** Days that still rose after this hour: [doy, local hour of the peak]. */
  later_peaks: Array<[number, number]>;
}

/** The regression's parameter uncertainty at one issue hour, in units of the residual variance. */
export interface HourLeverage {
  /** (X'X + λD)⁻¹ over the hour's regression rows, row-major, intercept first (standardized regressors). */
  inverse: number[];
  /** Mean leverage of the pool's residuals (each against the fit without its month); a residual stored without one counts as it. */
  pool_mean: number;
}

/** Model versions this helios reads. */
export const NOWCAST_MODEL_VERSIONS: readonly number[] = [1, 2, 3, 4];

export interface NowcastModel {
  kind: 'helios.nowcast.ridge_residual';
  /**
   * 1: every hour on the original fifteen season regressors (SEASON_REGRESSORS); 2: some block names
   * another set, built by name (a helios that predates 2 refuses the file instead of reading its
   * coefficients against the wrong regressors); 3: some block weights its residuals by predicted rise
   * (`rise_width_f`) — a helios that predates 3 refuses it rather than predicting from a pool it
   * would weigh differently; 4: hours carry their regression's `leverage`, which widens the pool for
   * a forecast outside the fit's covariate range — a helios that predates 4 refuses it rather than
   * predicting narrower than the model was fitted to (its prior weights were fitted with the scaling).
   */
  version: 1 | 2 | 3 | 4;
  station: string;
  tz: string;
  judge_day: JudgeDayMode;
  /** Regressors of the blocks that name none of their own. */
  regressors: string[];
  blocks: HourBlock[];
  /** Season width (days) of the hour-and-season climatology. */
  climatology_season_days: number | null;
  /** Mass spread over plausible rises so no outcome gets probability zero. */
  floor_weight: number;
  /**
   * Minute of the station's routine report. Cases are issued at hh:00, knowing the report of
   * (hh−1):51; a query after the routine minute knows one more report, so it uses the next hour.
   */
  routine_minute: number;
  hours: HourModel[];
  /** The station's climatological prior (absent in models fitted without one). */
  prior?: ClimatePrior;
  /** Weight of the prior in the final mixture per issue hour, non-increasing as the day's reports arrive. */
  prior_weights?: number[];
  /** The same for the time of the peak (absent: `prior_weights`). */
  prior_peak_weights?: number[];
  fitted: {
    from_day: string;
    to_day: string;
    days: number;
    cases: number;
    exclude_months: string[];
    folds: number;
    cv_rps: number;
    cv_rps_climatology: number;
    cv_rps_persistence: number;
    /** Which stations and periods each part was fitted on (absent in older models). */
    stations?: FittedStations;
  };
}

export interface FittedPeriod {
  station: string;
  from_day: string;
  to_day: string;
  days: number;
}

export interface FittedStations {
  /** The intraday model's hourly METARs. */
  hourly: FittedPeriod;
  /** The prior's daily highs, or null without a prior. */
  daily: (FittedPeriod & { source: ClimatePrior['source']; exclude_months: string[] }) | null;
}

/** The issue hour whose cases know the same routine reports as a query at `localHour`. */
export function issueHourOf(localHour: number, routineMinute: number): number {
  return Math.max(0, Math.min(23, Math.floor(localHour - routineMinute / 60) + 1));
}

export function blockOf(model: { blocks: HourBlock[] }, hour: number): HourBlock {
  return model.blocks.find((b) => b.hours.includes(hour)) ?? model.blocks[0]!;
}

/** The regressors of an issue hour's regression. */
export function regressorsOf(model: Pick<NowcastModel, 'blocks' | 'regressors'>, hour: number): string[] {
  return blockOf(model, hour).regressors ?? model.regressors;
}

/** Circular distance in days between two days of the year. */
export function seasonDistance(a: number, b: number): number {
  const d = Math.abs(a - b);
  return d > YEAR_DAYS / 2 ? YEAR_DAYS - d : d;
}

export function seasonWeight(a: number, b: number, widthDays: number | null): number {
  if (widthDays === null) return 1;
  const d = seasonDistance(a, b) / widthDays;
  return Math.exp(-0.5 * d * d);
}

/** Weight of a residual whose case had predicted rise `a` for a query predicting `b`; null width = 1. */
export function riseWeight(a: number, b: number, widthF: number | null | undefined): number {
  if (widthF === null || widthF === undefined || Number.isNaN(a)) return 1;
  const d = (a - b) / widthF;
  return Math.exp(-0.5 * d * d);
}

/**
 * seasonWeight for integer days of the year, by lookup (fitting evaluates it millions of times):
 * entry d is seasonWeight(a, b) for any whole a, b with |a − b| = d, bit for bit.
 */
export function seasonWeightTable(widthDays: number | null): Float64Array {
  let t = seasonTables.get(widthDays);
  if (!t) {
    t = new Float64Array(367);
    for (let d = 0; d <= 366; d++) t[d] = seasonWeight(0, Math.min(d, YEAR_DAYS - d), widthDays);
    seasonTables.set(widthDays, t);
  }
  return t;
}
const seasonTables = new Map<number | null, Float64Array>();

/** seasonWeight(a, b, width) given its width's seasonWeightTable: looked up when both days are whole, else computed. */
export function seasonWeightFrom(table: Float64Array, a: number, b: number, widthDays: number | null): number {
  if (!Number.isInteger(a) || !Number.isInteger(b)) return seasonWeight(a, b, widthDays);
  const d = Math.abs(a - b);
  return d <= 366 ? table[d]! : seasonWeight(a, b, widthDays);
}

/** Remaining rise above the base the dense arrays cover (°F); negative only before the first report. */
export const RISE_MIN = -30;
export const RISE_MAX = 60;
export const RISE_LEN = RISE_MAX - RISE_MIN + 1;

export function newRiseArray(): Float64Array {
  return new Float64Array(RISE_LEN);
}

/** βᵀx with standardization and mean imputation. */
export function linearPrediction(h: Pick<HourModel, 'means' | 'scales' | 'coefficients'>, x: ReadonlyArray<number | null>): number {
  let mu = h.coefficients[0]!;
  for (let j = 0; j < h.means.length; j++) mu += h.coefficients[j + 1]! * standardized(h, x, j);
  return mu;
}

/** Regressor j standardized as the fit saw it (missing: the training mean, 0). */
export function standardized(h: Pick<HourModel, 'means' | 'scales'>, x: ReadonlyArray<number | null>, j: number): number {
  const v = x[j];
  return v === null || v === undefined || Number.isNaN(v) ? 0 : (v - h.means[j]!) / h.scales[j]!;
}

/**
 * Normalized weights of a Gaussian of width `smoothing` over the integers near a real value, by the
 * value's offset from its nearest integer (quantized to 1/100 °F): the inner loop becomes lookups.
 */
export class SmoothingTable {
  static readonly STEPS = 100;
  readonly reach: number;
  readonly width: number;
  readonly table: Float64Array;

  constructor(smoothing: number) {
    const s = Math.max(smoothing, 1e-3);
    this.reach = Math.max(1, Math.ceil(4 * s));
    this.width = 2 * this.reach + 1;
    this.table = new Float64Array((SmoothingTable.STEPS + 1) * this.width);
    for (let q = 0; q <= SmoothingTable.STEPS; q++) {
      const frac = q / SmoothingTable.STEPS - 0.5;
      let z = 0;
      for (let k = 0; k < this.width; k++) {
        const t = (k - this.reach - frac) / s;
        z += Math.exp(-0.5 * t * t);
      }
      for (let k = 0; k < this.width; k++) {
        const t = (k - this.reach - frac) / s;
        this.table[q * this.width + k] = Math.exp(-0.5 * t * t) / z;
      }
    }
  }
}

const tables = new Map<number, SmoothingTable>();
export function smoothingTable(smoothing: number): SmoothingTable {
  let t = tables.get(smoothing);
  if (!t) {
    t = new SmoothingTable(smoothing);
    tables.set(smoothing, t);
  }
  return t;
}

/** A residual landing too far out to pack (or not finite): accumulateResidualRise works it out afresh. */
export const UNPACKED_LANDING = -0x80000000;

/**
 * Where residual `r` lands in a forecast of `mu`: the whole degree c = round(mu + r) it is centred
 * on and its row q of the smoothing table (mu + r − c in hundredths, 0…100), packed as c·128 + q.
 * Fitting scores every pair of case and residual of an hour for each trial of the pool's settings,
 * and this rounding, the same in every trial, was half the time.
 */
export function residualLanding(mu: number, r: number): number {
  const v = mu + r;
  const c = Math.round(v);
  if (!(Math.abs(c) < 0x800000)) return UNPACKED_LANDING;
  return c * 128 + Math.round((v - c + 0.5) * SmoothingTable.STEPS);
}

/**
 * Adds the rise distribution implied by `mu` and a weighted residual pool to `out` (scaled by
 * `mass`): each residual is smoothed by a Gaussian of width `smoothing`, rounded to whole °F, and
 * `max(base, temp + d)` folds "no further rise" onto zero. `landings[landingsAt + i]` may hold
 * residualLanding(mu, residuals[i]) computed beforehand.
 */
export function accumulateResidualRise(
  out: Float64Array,
  mass: number,
  mu: number,
  residuals: ArrayLike<number>,
  weights: ArrayLike<number>,
  weightSum: number,
  smoothing: number,
  tempMinusBase: number,
  landings?: Int32Array,
  landingsAt = 0,
): void {
  if (!(weightSum > 0) || mass <= 0) return;
  const tab = smoothingTable(smoothing);
  const { reach, width, table } = tab;
  for (let i = 0; i < residuals.length; i++) {
    const w = weights[i]!;
    if (!(w > 0)) continue;
    const scale = (mass * w) / weightSum;
    const landing = landings ? landings[landingsAt + i]! : residualLanding(mu, residuals[i]!);
    if (landing === UNPACKED_LANDING) {
      const v = mu + residuals[i]!;
      const c = Math.round(v);
      addKernel(out, tempMinusBase + c - reach, scale, table, Math.round((v - c + 0.5) * SmoothingTable.STEPS) * width, width);
      continue;
    }
    const firstRise = tempMinusBase + (landing >> 7) - reach;
    const row = (landing & 127) * width;
    if (Number.isInteger(firstRise)) addWholeKernel(out, firstRise - RISE_MIN, -RISE_MIN, RISE_MAX - RISE_MIN, scale, table, row, width);
    else addKernel(out, firstRise, scale, table, row, width);
  }
}

/** out[clamp(firstRise + k)] += scale · table[row + k] for the kernel's `width` entries, rises clamped to [0, RISE_MAX]. */
function addKernel(out: Float64Array, firstRise: number, scale: number, table: Float64Array, row: number, width: number): void {
  for (let k = 0; k < width; k++) {
    let rise = firstRise + k;
    if (rise < 0) rise = 0;
    else if (rise > RISE_MAX) rise = RISE_MAX;
    out[rise - RISE_MIN]! += scale * table[row + k]!;
  }
}

/**
 * out[clamp(first + k, lo, hi)] += scale · table[row + k] over a smoothing kernel's `width`
 * entries, for an integer `first` (whole degrees, the usual case), in its three runs: the entries
 * folded onto `lo`, those inside, those capped at `hi`. The same additions in the same order as
 * clamping entry by entry, without a test per entry; fitting runs this hundreds of millions of times.
 */
export function addWholeKernel(out: Float64Array, first: number, lo: number, hi: number, scale: number, table: Float64Array, row: number, width: number): void {
  let k = 0;
  let low = out[lo]!;
  for (; k < width && first + k < lo; k++) low += scale * table[row + k]!;
  out[lo] = low;
  for (; k < width && first + k <= hi; k++) out[first + k]! += scale * table[row + k]!;
  let high = out[hi]!;
  for (; k < width; k++) high += scale * table[row + k]!;
  out[hi] = high;
}

/** Season-weighted climatology of the rise at one hour, added to `out` with `mass`. */
export function accumulateClimatology(
  out: Float64Array,
  mass: number,
  cases: ReadonlyArray<readonly [number, number, number]>,
  doy: number,
  seasonDays: number | null,
  hasMax: boolean,
  skip?: (index: number) => boolean,
): boolean {
  let sum = 0;
  const w = climatologyWeights(cases.length);
  const table = seasonWeightTable(seasonDays);
  for (let i = 0; i < cases.length; i++) {
    if (skip?.(i)) {
      w[i] = 0;
      continue;
    }
    w[i] = seasonWeightFrom(table, cases[i]![0], doy, seasonDays);
    sum += w[i]!;
  }
  if (!(sum > 0)) return false;
  for (let i = 0; i < cases.length; i++) {
    if (w[i] === 0) continue;
    let rise = Math.max(RISE_MIN, Math.min(RISE_MAX, cases[i]![1]));
    if (hasMax && rise < 0) rise = 0;
    out[rise - RISE_MIN]! += (mass * w[i]!) / sum;
  }
  return true;
}

/**
 * Scratch for accumulateClimatology's weights, reused: a fit calls it tens of thousands of times,
 * and as many fresh buffers off the heap kept the garbage collector busy.
 */
let climatologyScratch = new Float64Array(0);
function climatologyWeights(n: number): Float64Array {
  if (climatologyScratch.length < n) climatologyScratch = new Float64Array(n);
  return climatologyScratch;
}

/** Spreads `weight` over rises 0…24 with a geometric tail so the log score stays finite. */
export function applyFloor(rise: Float64Array, weight: number, allowNegative: boolean): void {
  if (weight <= 0) return;
  const lo = allowNegative ? -8 : 0;
  let z = 0;
  for (let r = lo; r <= 24; r++) z += Math.exp(-Math.abs(r) / 4);
  for (let i = 0; i < rise.length; i++) rise[i]! *= 1 - weight;
  for (let r = lo; r <= 24; r++) rise[r - RISE_MIN]! += (weight * Math.exp(-Math.abs(r) / 4)) / z;
}

/** RPS of a rise histogram against the observed rise (shift-invariant: equals the final-max RPS). */
export function riseRps(rise: Float64Array, obsRise: number): number {
  let cdf = 0;
  let s = 0;
  const obsIdx = obsRise - RISE_MIN;
  for (let i = 0; i < rise.length; i++) {
    cdf += rise[i]!;
    const d = cdf - (i >= obsIdx ? 1 : 0);
    s += d * d;
  }
  return s;
}
