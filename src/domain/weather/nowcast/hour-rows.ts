import type { NowcastCase } from './cases.ts';
import { solve } from './linear.ts';
import { accumulateResidualRise, newRiseArray, residualLanding, riseRps, riseWeight } from './model.ts';
import type { ClimatePrior } from './prior.ts';
import { climateMaxOf, regressorVector } from './regressors.ts';

/** The training rows of one issue hour, with the cross-validation fold of each. */
export interface HourRows {
  cases: NowcastCase[];
  fold: Int32Array;
  /** Standardized regressors (missing → 0), n × p. */
  z: Float64Array;
  /** Whether the case has a current temperature (the regression applies). */
  hasTemp: Uint8Array;
  /** Target future max − temp; NaN when no report followed (not a regression row). */
  y: Float64Array;
  /** Number of regressors. */
  p: number;
  means: number[];
  scales: number[];
}

/**
 * Whole calendar months as folds (weather persists for days, so neighbouring days must not sit on
 * both sides of a fold); too few months: contiguous weeks dealt round-robin into five folds.
 */
export function monthFolds(cases: readonly NowcastCase[]): Map<string, number> {
  const months = [...new Set(cases.map((c) => c.day.slice(0, 7)))].sort();
  const out = new Map<string, number>();
  const days = [...new Set(cases.map((c) => c.day))].sort();
  if (months.length >= 4) {
    for (const d of days) out.set(d, months.indexOf(d.slice(0, 7)));
  } else {
    for (const c of cases) out.set(c.day, Math.floor(c.dayIndex / 7) % 5);
  }
  return out;
}

/**
 * The season-edge splits of a record: its first and its last months held out in turn, so the rest
 * is one contiguous run of seasons and the held-out months lie beyond it, the way a model fitted on
 * part of a year meets the months after it and before it. Each holds out as many months as the year
 * lacks (12 − months, at least one), at most half the record: the gap a forecast must bridge sets
 * the test. Null with fewer than four months.
 */
export function seasonEdgeSplits(cases: readonly NowcastCase[]): Array<(day: string) => boolean> | null {
  const months = [...new Set(cases.map((c) => c.day.slice(0, 7)))].sort();
  if (months.length < 4) return null;
  const k = Math.max(1, Math.min(12 - months.length, Math.floor(months.length / 2)));
  const first = new Set(months.slice(0, k));
  const last = new Set(months.slice(-k));
  return [(day) => first.has(day.slice(0, 7)), (day) => last.has(day.slice(0, 7))];
}

export function prepareHour(cases: NowcastCase[], foldOfDay: Map<string, number>, regressors: readonly string[], prior: ClimatePrior | undefined): HourRows {
  const p = regressors.length;
  const n = cases.length;
  const raw = cases.map((c) => regressorVector(c.inputs, regressors, climateMaxOf(prior, c.inputs.dayOfYear)));
  const means: number[] = [];
  const scales: number[] = [];
  for (let j = 0; j < p; j++) {
    const vals = raw.map((r) => r[j]).filter((v): v is number => v !== null && v !== undefined);
    const m = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0;
    const s = vals.length > 1 ? Math.sqrt(vals.reduce((a, b) => a + (b - m) * (b - m), 0) / (vals.length - 1)) : 1;
    means.push(m);
    scales.push(s > 1e-9 ? s : 1);
  }
  const z = new Float64Array(n * p);
  const y = new Float64Array(n);
  const hasTemp = new Uint8Array(n);
  const fold = new Int32Array(n);
  cases.forEach((c, i) => {
    for (let j = 0; j < p; j++) {
      const v = raw[i]![j];
      z[i * p + j] = v === null || v === undefined ? 0 : (v - means[j]!) / scales[j]!;
    }
    hasTemp[i] = c.inputs.tempF !== null ? 1 : 0;
    y[i] = c.inputs.tempF !== null && c.futureMaxF !== null ? c.futureMaxF - c.inputs.tempF : Number.NaN;
    fold[i] = foldOfDay.get(c.day) ?? 0;
  });
  return { cases, fold, z, hasTemp, y, p, means, scales };
}

/** Ridge regression with an unpenalized intercept on rows where `use(i)`; returns [b0, b…]. */
export function ridge(d: HourRows, lambda: number, use: (i: number) => boolean): number[] {
  const { A, b, q } = ridgeSystem(d, lambda, use);
  return solve(A, b, q);
}

/**
 * The ridge normal equations A·β = b over the regression rows where `use(i)`: A = X'X + λD with
 * X = [1, z] and D the identity but the (unpenalized) intercept.
 */
export function ridgeSystem(d: HourRows, lambda: number, use: (i: number) => boolean): { A: Float64Array; b: Float64Array; q: number } {
  const p = d.p;
  const q = p + 1;
  const A = new Float64Array(q * q);
  const b = new Float64Array(q);
  const row = new Float64Array(q);
  for (let i = 0; i < d.cases.length; i++) {
    if (!use(i) || Number.isNaN(d.y[i]!)) continue;
    row[0] = 1;
    for (let j = 0; j < p; j++) row[j + 1] = d.z[i * p + j]!;
    for (let r = 0; r < q; r++) {
      b[r]! += row[r]! * d.y[i]!;
      for (let c = 0; c < q; c++) A[r * q + c]! += row[r]! * row[c]!;
    }
  }
  for (let j = 1; j < q; j++) A[j * q + j]! += lambda;
  if (A[0] === 0) A[0] = 1;
  return { A, b, q };
}

export function predictRow(d: HourRows, beta: number[], i: number): number {
  const p = d.p;
  let mu = beta[0]!;
  for (let j = 0; j < p; j++) mu += beta[j + 1]! * d.z[i * p + j]!;
  return mu;
}

/** Out-of-fold predictions for every case with a temperature (NaN otherwise). */
export function outOfFold(d: HourRows, lambda: number): Float64Array {
  const mu = new Float64Array(d.cases.length).fill(Number.NaN);
  const folds = [...new Set(d.fold)];
  for (const f of folds) {
    const beta = ridge(d, lambda, (i) => d.fold[i] !== f);
    for (let i = 0; i < d.cases.length; i++) if (d.fold[i] === f && d.hasTemp[i]) mu[i] = predictRow(d, beta, i);
  }
  return mu;
}

export interface ResidualSettings {
  /** Season weight by circular day-of-year distance (seasonWeightTable). */
  seasonTable: Float64Array;
  smoothing: number;
  /** Weight of the climatology in the mixture. */
  alpha: number;
  /** Width (°F) of the kernel on the predicted rise (riseWeight); null or absent: all alike. */
  riseWidth?: number | null;
}

/** How residualRiseRps scores: which cases, where each case's RPS goes, what was computed beforehand. */
export interface ResidualScoring {
  /** Only these cases (default: all). */
  scored?: (i: number) => boolean;
  /** When given, each scored case's RPS at its index. */
  perCase?: Float64Array;
  /** residualLandings(d, mu), when the same regression is scored under many settings. */
  landings?: Int32Array;
}

/**
 * Summed RPS of the out-of-fold rise forecasts of one issue hour: each case's residual pool is the
 * other folds' residuals. `climatology[i]` is the case's cross-validated hour climatology (mixed in
 * with `alpha`, and the whole forecast for a case without a temperature or a pool); null leaves
 * those cases out (when only the regression part is compared).
 */
export function residualRiseRps(
  d: HourRows,
  mu: Float64Array,
  doy: Int32Array,
  s: ResidualSettings,
  climatology: Float64Array[] | null,
  { scored = () => true, perCase, landings }: ResidualScoring = {},
): { sum: number; n: number } {
  let sum = 0;
  let n = 0;
  const rise = newRiseArray();
  const m = d.cases.length;
  const resid = poolResiduals(d, mu);
  const w = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    if (!scored(i)) continue;
    const c = d.cases[i]!;
    const wsum = d.hasTemp[i] ? poolWeights(w, d, mu, resid, doy, s, i) : 0;
    if (!(wsum > 0)) {
      if (!climatology) continue;
      const r = riseRps(climatology[i]!, c.riseF);
      if (perCase) perCase[i] = r;
      sum += r;
      n++;
      continue;
    }
    rise.fill(0);
    const alpha = climatology ? s.alpha : 0;
    accumulateResidualRise(rise, 1 - alpha, mu[i]!, resid, w, wsum, s.smoothing, c.inputs.tempF! - c.inputs.baseF!, landings, i * m);
    if (climatology && alpha > 0) {
      const ci = climatology[i]!;
      for (let k = 0; k < rise.length; k++) rise[k]! += alpha * ci[k]!;
    }
    const r = riseRps(rise, c.riseF);
    if (perCase) perCase[i] = r;
    sum += r;
    n++;
  }
  return { sum, n };
}

/**
 * Case i's weight of each residual of the hour into `w` (0: its own fold's, or none), by season and
 * predicted rise; returns their sum.
 */
function poolWeights(w: Float64Array, d: HourRows, mu: Float64Array, resid: Float64Array, doy: Int32Array, s: ResidualSettings, i: number): number {
  let wsum = 0;
  const fi = d.fold[i];
  const qd = doy[i]!;
  for (let k = 0; k < w.length; k++) {
    if (d.fold[k] === fi || Number.isNaN(resid[k]!)) {
      w[k] = 0;
      continue;
    }
    const wk = s.seasonTable[Math.abs(doy[k]! - qd)]! * riseWeight(mu[k]!, mu[i]!, s.riseWidth);
    w[k] = wk;
    wsum += wk;
  }
  return wsum;
}

/** The hour's residuals y − mu (NaN where no report followed). */
function poolResiduals(d: HourRows, mu: Float64Array): Float64Array {
  const resid = new Float64Array(d.cases.length);
  for (let i = 0; i < resid.length; i++) resid[i] = Number.isNaN(d.y[i]!) ? Number.NaN : d.y[i]! - mu[i]!;
  return resid;
}

/**
 * residualLanding of every residual of the hour in every case's forecast, row i for case i: what
 * residualRiseRps would round afresh for each trial of the pool's settings on the same regression.
 * m² entries: keep them only while those trials last.
 */
export function residualLandings(d: HourRows, mu: Float64Array): Int32Array {
  const m = d.cases.length;
  const resid = poolResiduals(d, mu);
  const out = new Int32Array(m * m);
  for (let i = 0; i < m; i++) for (let k = 0; k < m; k++) out[i * m + k] = residualLanding(mu[i]!, resid[k]!);
  return out;
}
