import { ridgeSystem, type HourRows } from './hour-rows.ts';
import { solve } from './linear.ts';
import { standardized, type HourModel } from './model.ts';

/**
 * A forecast's leverage h = x'(X'X + λD)⁻¹x: the ridge regression's parameter uncertainty at x, in
 * units of the residual variance (the standard prediction interval's σ²(1 + h)). A forecast outside
 * the fit's covariate range (a month whose season the fit never saw) has a larger h than the
 * out-of-fold residuals its spread is drawn from, and no setting chosen on those residuals sees it.
 */

/** (X'X + λD)⁻¹ over the rows where `use(i)`, row-major, intercept first. */
export function ridgeInverse(d: HourRows, lambda: number, use: (i: number) => boolean): number[] {
  const { A, q } = ridgeSystem(d, lambda, use);
  const out = new Array<number>(q * q);
  const e = new Float64Array(q);
  for (let j = 0; j < q; j++) {
    e.fill(0);
    e[j] = 1;
    const col = solve(A, e, q);
    for (let i = 0; i < q; i++) out[i * q + j] = col[i]!;
  }
  return out;
}

/** x'Mx with x = [1, z]. */
function quadratic(inverse: ArrayLike<number>, z: (j: number) => number, q: number): number {
  let s = 0;
  for (let i = 0; i < q; i++) {
    const xi = i === 0 ? 1 : z(i - 1);
    if (xi === 0) continue;
    let row = 0;
    for (let j = 0; j < q; j++) row += inverse[i * q + j]! * (j === 0 ? 1 : z(j - 1));
    s += xi * row;
  }
  return s;
}

/**
 * Each case's leverage against the fit without its month fold (NaN without a temperature): the
 * leverage its out-of-fold residual was made with.
 */
export function foldLeverages(d: HourRows, lambda: number): Float64Array {
  const out = new Float64Array(d.cases.length).fill(Number.NaN);
  const q = d.p + 1;
  for (const f of [...new Set(d.fold)].sort((a, b) => a - b)) {
    const inv = ridgeInverse(d, lambda, (i) => d.fold[i] !== f);
    for (let i = 0; i < d.cases.length; i++) {
      if (d.fold[i] !== f || !d.hasTemp[i]) continue;
      out[i] = quadratic(inv, (j) => d.z[i * d.p + j]!, q);
    }
  }
  return out;
}

/** The leverage of a forecast with raw regressors `x` (standardized as the fit saw them). */
export function leverageAt(h: Pick<HourModel, 'means' | 'scales'>, inverse: ArrayLike<number>, x: ReadonlyArray<number | null>): number {
  return quadratic(inverse, (j) => standardized(h, x, j), h.means.length + 1);
}

/** Mean of the finite leverages (0 when none). */
export function meanLeverage(leverages: Iterable<number>): number {
  let s = 0;
  let n = 0;
  for (const v of leverages) {
    if (!Number.isFinite(v)) continue;
    s += v;
    n++;
  }
  return n ? s / n : 0;
}

/**
 * The pool's residuals as errors of a forecast with leverage `h`: residual k, made with leverage
 * h_k, scaled by √((1 + h)/(1 + h_k)) (a residual without a leverage counts as the pool's mean).
 */
export function residualsAtLeverage(out: Float64Array, resid: ArrayLike<number>, residLeverage: ArrayLike<number>, h: number, poolMean: number): Float64Array {
  for (let k = 0; k < resid.length; k++) {
    const hk = residLeverage[k]!;
    out[k] = resid[k]! * Math.sqrt((1 + h) / (1 + (Number.isFinite(hk) ? hk : poolMean)));
  }
  return out;
}

/** A forecast's leverage beside the pool's mean (absent: a model without leverage, or no regression). */
export interface ForecastLeverage {
  h: number;
  poolMean: number;
}
