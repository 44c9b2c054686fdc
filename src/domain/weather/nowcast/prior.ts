import { JudgeCalendar } from '../judge-calendar.ts';
import type { DailyHigh } from './daily-record.ts';
import { solve } from './linear.ts';
import { addWholeKernel, residualLanding, seasonWeightTable, smoothingTable, SmoothingTable, UNPACKED_LANDING } from './model.ts';
import { rps, type IntDistribution } from './scores.ts';

/** Two-hour bins of the local day for the time of the peak. */
export const PEAK_BINS = 12;

/**
 * A station's climatological prior of the daily maximum and of the time of the peak by day of year:
 * a smooth seasonal mean (three harmonics) plus the station's own anomalies from it, weighted towards
 * the same season. Anomalies rather than raw maxima so that a wide season window does not blur the
 * spring and autumn slopes (the mean moves about 0.3 °F a day there).
 */
export interface ClimatePrior {
  station: string;
  /** Where the days came from: a long daily-high record, or the hourly archive's own days. */
  source: 'daily_record' | 'hourly_archive';
  from_day: string;
  to_day: string;
  days: number;
  /** a0, then (cos kθ, sin kθ) for k = 1…3, θ = 2π·doy/365.25. */
  mean_harmonics: number[];
  /** Season kernel width (days) of the anomaly pool, chosen by cross-validation. */
  season_days: number;
  /** Gaussian smoothing (°F) of each anomaly before rounding, chosen by cross-validation. */
  smoothing_f: number;
  /** [day of year, anomaly °F, local hour of the peak or −1 when unknown]. */
  anomalies: Array<[number, number, number]>;
  /** Leave-one-month-out RPS of the start-of-day forecast on the fitted days. */
  cv_rps: number;
}

export interface PriorFitOptions {
  station: string;
  source: ClimatePrior['source'];
  seasonDays?: number[];
  smoothings?: number[];
  /** Cross-validation scores at most this many days (evenly spaced) to bound the fit time. */
  maxCvDays?: number;
}

const HARMONICS = 3;
const YEAR_DAYS = 365.25;
/** Fewer days than this make a prior too ragged to mix in. */
export const MIN_PRIOR_DAYS = 30;
/** Integer °F grid the prior is accumulated on before trimming. */
const GRID_MIN = -100;
const GRID_LEN = 261;
const PEAK_FLOOR = 1e-3;

function basis(doy: number): number[] {
  const a = (2 * Math.PI * doy) / YEAR_DAYS;
  const out = [1];
  for (let k = 1; k <= HARMONICS; k++) out.push(Math.cos(k * a), Math.sin(k * a));
  return out;
}

export function seasonalMean(harmonics: readonly number[], doy: number): number {
  const b = basis(doy);
  let m = 0;
  for (let j = 0; j < b.length; j++) m += harmonics[j]! * b[j]!;
  return m;
}

/** Least squares with a light ridge on the harmonics so a record covering part of the year stays tame. */
function fitHarmonics(doys: readonly number[], values: readonly number[]): number[] {
  const q = 1 + 2 * HARMONICS;
  const A = new Float64Array(q * q);
  const b = new Float64Array(q);
  for (let i = 0; i < doys.length; i++) {
    const x = basis(doys[i]!);
    for (let r = 0; r < q; r++) {
      b[r]! += x[r]! * values[i]!;
      for (let c = 0; c < q; c++) A[r * q + c]! += x[r]! * x[c]!;
    }
  }
  for (let j = 1; j < q; j++) A[j * q + j]! += 1;
  return solve(A, b, q);
}

/** The pool a prior is drawn from, in arrays for the inner loops. */
interface Pool {
  harmonics: readonly number[];
  doy: Int32Array;
  anomaly: Float64Array;
  peak: Float64Array;
}

function poolOf(prior: ClimatePrior): Pool {
  return {
    harmonics: prior.mean_harmonics,
    doy: Int32Array.from(prior.anomalies, (a) => Math.round(a[0])),
    anomaly: Float64Array.from(prior.anomalies, (a) => a[1]),
    peak: Float64Array.from(prior.anomalies, (a) => a[2]),
  };
}

/** Circular day-of-year distance as an index into a season weight table. */
function seasonIndex(a: number, b: number): number {
  const d = Math.abs(a - b);
  return Math.min(d, Math.round(YEAR_DAYS) - d);
}

/** Weights of the pool for day of year `doy` (skipped entries get 0); returns their sum. */
function poolWeights(pool: Pool, doy: number, table: Float64Array, out: Float64Array, skip?: (i: number) => boolean): number {
  let sum = 0;
  for (let i = 0; i < pool.doy.length; i++) {
    const w = skip?.(i) ? 0 : table[seasonIndex(pool.doy[i]!, doy)]!;
    out[i] = w;
    sum += w;
  }
  return sum;
}

/** `landings[i]`, when given, holds poolLandings' landing of anomaly i for this day of year. */
function distributionFrom(pool: Pool, doy: number, weights: Float64Array, sum: number, smoothing: number, landings?: Int32Array): IntDistribution | null {
  if (!(sum > 0)) return null;
  const mean = seasonalMean(pool.harmonics, doy);
  const grid = new Float64Array(GRID_LEN);
  const tab: SmoothingTable = smoothingTable(smoothing);
  const { reach, width, table } = tab;
  for (let i = 0; i < pool.anomaly.length; i++) {
    const w = weights[i]!;
    if (!(w > 1e-12)) continue;
    const scale = w / sum;
    const landing = landings ? landings[i]! : residualLanding(mean, pool.anomaly[i]!);
    if (landing !== UNPACKED_LANDING) {
      addWholeKernel(grid, (landing >> 7) - reach - GRID_MIN, 0, GRID_LEN - 1, scale, table, (landing & 127) * width, width);
      continue;
    }
    const v = mean + pool.anomaly[i]!;
    const c = Math.round(v);
    const row = Math.round((v - c + 0.5) * SmoothingTable.STEPS) * width;
    for (let k = 0; k < width; k++) {
      const idx = Math.max(0, Math.min(GRID_LEN - 1, c - reach + k - GRID_MIN));
      grid[idx]! += scale * table[row + k]!;
    }
  }
  return trim(grid, GRID_MIN);
}

/** Where each anomaly lands on the grid for day of year `doy` (residualLanding around the seasonal mean), into `out`. */
function poolLandings(pool: Pool, doy: number, out: Int32Array): Int32Array {
  const mean = seasonalMean(pool.harmonics, doy);
  for (let i = 0; i < pool.anomaly.length; i++) out[i] = residualLanding(mean, pool.anomaly[i]!);
  return out;
}

function peakFrom(pool: Pool, weights: Float64Array): number[] {
  const bins = new Array<number>(PEAK_BINS).fill(0);
  let sum = 0;
  for (let i = 0; i < pool.peak.length; i++) {
    const p = pool.peak[i]!;
    const w = weights[i]!;
    if (p < 0 || !(w > 0)) continue;
    bins[Math.min(PEAK_BINS - 1, Math.floor(p / 2))]! += w;
    sum += w;
  }
  // A floor so a peak in an hour the season never saw is unlikely, not impossible.
  const z = sum + PEAK_FLOOR * PEAK_BINS * Math.max(sum, 1);
  return bins.map((b) => (b + PEAK_FLOOR * Math.max(sum, 1)) / z);
}

export function trim(grid: Float64Array, offset: number): IntDistribution {
  let first = 0;
  let last = grid.length - 1;
  while (first < last && !(grid[first]! > 1e-12)) first++;
  while (last > first && !(grid[last]! > 1e-12)) last--;
  const p = grid.slice(first, last + 1);
  const z = p.reduce((a, b) => a + b, 0);
  if (z > 0) for (let i = 0; i < p.length; i++) p[i]! /= z;
  return { offset: offset + first, p };
}

/** The prior given that the day's maximum is at least `minF` (what has been observed so far), or null when it puts no mass there. */
export function truncateBelow(d: IntDistribution, minF: number): IntDistribution | null {
  const from = Math.max(0, minF - d.offset);
  if (from >= d.p.length) return null;
  const p = d.p.slice(from);
  const z = p.reduce((a, b) => a + b, 0);
  if (!(z > 1e-9)) return null;
  for (let i = 0; i < p.length; i++) p[i]! /= z;
  return { offset: d.offset + from, p };
}

/** (1 − w)·a + w·b on a common integer support. */
export function mixDistributions(a: IntDistribution, b: IntDistribution, w: number): IntDistribution {
  if (w <= 0) return a;
  if (w >= 1) return b;
  const lo = Math.min(a.offset, b.offset);
  const hi = Math.max(a.offset + a.p.length, b.offset + b.p.length);
  const p = new Float64Array(hi - lo);
  for (let i = 0; i < a.p.length; i++) p[a.offset - lo + i]! += (1 - w) * a.p[i]!;
  for (let i = 0; i < b.p.length; i++) p[b.offset - lo + i]! += w * b.p[i]!;
  return { offset: lo, p };
}

/**
 * Fits the prior from a daily-high record. The season width and smoothing are chosen by
 * leave-one-month-out cross-validation of the start-of-day forecast's RPS.
 */
export function fitClimatePrior(highs: readonly DailyHigh[], opts: PriorFitOptions): ClimatePrior {
  if (highs.length < MIN_PRIOR_DAYS) throw new Error(`${highs.length} days in the daily record: a climatological prior needs at least ${MIN_PRIOR_DAYS}`);
  const sorted = [...highs].sort((a, b) => a.dayIndex - b.dayIndex);
  const doys = sorted.map((h) => JudgeCalendar.dayOfYear(h.day));
  const harmonics = fitHarmonics(
    doys,
    sorted.map((h) => h.maxF),
  );
  const anomalies: Array<[number, number, number]> = sorted.map((h, i) => [doys[i]!, round2(h.maxF - seasonalMean(harmonics, doys[i]!)), h.peakHour === null ? -1 : round2(h.peakHour)]);
  const draft: ClimatePrior = {
    station: opts.station,
    source: opts.source,
    from_day: sorted[0]!.day,
    to_day: sorted[sorted.length - 1]!.day,
    days: sorted.length,
    mean_harmonics: harmonics.map((x) => Math.round(x * 1e6) / 1e6),
    season_days: 15,
    smoothing_f: 1,
    anomalies,
    cv_rps: Number.NaN,
  };
  const pool = poolOf(draft);
  const month = sorted.map((h) => h.day.slice(0, 7));
  const step = Math.max(1, Math.ceil(sorted.length / (opts.maxCvDays ?? 1500)));
  const w = new Float64Array(sorted.length);
  const seasons = opts.seasonDays ?? [7, 15, 30, 60, 90];
  const smoothings = opts.smoothings ?? [0.5, 1, 2];
  const sums = seasons.map(() => new Array<number>(smoothings.length).fill(0));
  const counts = new Array<number>(seasons.length).fill(0);
  // A scored day's landings serve every season width and smoothing, so the days come outermost;
  // each sum still adds its days in order.
  const landings = new Int32Array(sorted.length);
  for (let q = 0; q < sorted.length; q += step) {
    poolLandings(pool, doys[q]!, landings);
    seasons.forEach((season, j) => {
      const sum = poolWeights(pool, doys[q]!, seasonWeightTable(season), w, (i) => month[i] === month[q]);
      if (!(sum > 0)) return;
      smoothings.forEach((s, k) => {
        sums[j]![k]! += rps(distributionFrom(pool, doys[q]!, w, sum, s, landings)!, sorted[q]!.maxF);
      });
      counts[j]!++;
    });
  }
  let best = Number.POSITIVE_INFINITY;
  seasons.forEach((season, j) => {
    smoothings.forEach((s, k) => {
      const score = counts[j] ? sums[j]![k]! / counts[j]! : Number.POSITIVE_INFINITY;
      if (score < best - 1e-9) {
        best = score;
        draft.season_days = season;
        draft.smoothing_f = s;
      }
    });
  });
  draft.cv_rps = Math.round(best * 1e4) / 1e4;
  return draft;
}

/** A twelfth of the year in which a prior covering the year has at least this many days. */
export const MIN_PRIOR_DAYS_PER_TWELFTH = 20;

/**
 * Whether the prior's days cover every twelfth of the year: only then is its seasonal mean an
 * observed climatology in every month rather than harmonics extrapolated over the months it lacks.
 */
export function priorCoversYear(prior: Pick<ClimatePrior, 'anomalies'>): boolean {
  const counts = new Array<number>(12).fill(0);
  for (const [doy] of prior.anomalies) counts[Math.min(11, Math.floor(((doy - 1) * 12) / YEAR_DAYS))]!++;
  return counts.every((n) => n >= MIN_PRIOR_DAYS_PER_TWELFTH);
}

/** Answers prior queries for one model; distributions are cached by day of year. */
export class PriorPredictor {
  private readonly pool: Pool;
  private readonly table: Float64Array;
  private readonly weights: Float64Array;
  private readonly cache = new Map<number, { final: IntDistribution; peakBins: number[] }>();

  constructor(readonly prior: ClimatePrior) {
    this.pool = poolOf(prior);
    this.table = seasonWeightTable(prior.season_days);
    this.weights = new Float64Array(this.pool.doy.length);
  }

  /** The start-of-day forecast of the daily maximum and the time of the peak for a day of the year. */
  at(dayOfYear: number): { final: IntDistribution; peakBins: number[] } {
    const doy = Math.round(dayOfYear);
    let hit = this.cache.get(doy);
    if (!hit) {
      hit = this.compute(doy);
      this.cache.set(doy, hit);
    }
    return hit;
  }

  /** The same with some of the pool left out (cross-validation while fitting the mixture). */
  atExcluding(dayOfYear: number, skip: (anomalyIndex: number) => boolean): { final: IntDistribution; peakBins: number[] } {
    return this.compute(Math.round(dayOfYear), skip);
  }

  private compute(doy: number, skip?: (i: number) => boolean): { final: IntDistribution; peakBins: number[] } {
    const sum = poolWeights(this.pool, doy, this.table, this.weights, skip);
    const final = distributionFrom(this.pool, doy, this.weights, sum, this.prior.smoothing_f) ?? { offset: Math.round(seasonalMean(this.pool.harmonics, doy)), p: Float64Array.of(1) };
    return { final, peakBins: peakFrom(this.pool, this.weights) };
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
