/**
 * Scores of probabilistic forecasts over integer °F. Distributions are dense arrays over
 * [offset, offset + length); mass outside is zero.
 */
export interface IntDistribution {
  offset: number;
  p: Float64Array;
}

/**
 * Ranked probability score over integer thresholds, not normalized: Σ_k (F(k) − 1{obs ≤ k})², which
 * is the discrete CRPS in °F. A point forecast scores |forecast − obs|.
 */
export function rps(d: IntDistribution, obs: number): number {
  const lo = Math.min(d.offset, obs);
  const hi = Math.max(d.offset + d.p.length - 1, obs);
  let cdf = 0;
  let s = 0;
  for (let k = lo; k <= hi; k++) {
    const i = k - d.offset;
    if (i >= 0 && i < d.p.length) cdf += d.p[i]!;
    const o = obs <= k ? 1 : 0;
    s += (cdf - o) * (cdf - o);
  }
  return s;
}

/** RPS over ordered categories (e.g. two-hour bins of the time of the peak), observed category `obs`. */
export function categoricalRps(p: readonly number[], obs: number): number {
  let cdf = 0;
  let s = 0;
  for (let b = 0; b < p.length; b++) {
    cdf += p[b]!;
    const o = obs <= b ? 1 : 0;
    s += (cdf - o) * (cdf - o);
  }
  return s;
}

export function probabilityOf(d: IntDistribution, value: number): number {
  const i = value - d.offset;
  return i >= 0 && i < d.p.length ? d.p[i]! : 0;
}

/** Ignorance in nats, −ln p(obs), floored so one impossible outcome cannot dominate a mean. */
export const LOG_SCORE_FLOOR = 1e-4;
export function logScore(d: IntDistribution, obs: number): number {
  return -Math.log(Math.max(LOG_SCORE_FLOOR, probabilityOf(d, obs)));
}

/** Inclusive integer bucket; null bounds are open ends. */
export interface IntBucket {
  lo: number | null;
  hi: number | null;
}

export function bucketMass(d: IntDistribution, b: IntBucket): number {
  let s = 0;
  for (let i = 0; i < d.p.length; i++) {
    const v = d.offset + i;
    if ((b.lo === null || v >= b.lo) && (b.hi === null || v <= b.hi)) s += d.p[i]!;
  }
  return s;
}

/** 2 °F buckets on even lower edges covering the distribution and the outcome. */
export function twoDegreeBuckets(d: IntDistribution, obs: number): IntBucket[] {
  const lo = Math.min(d.offset, obs);
  const hi = Math.max(d.offset + d.p.length - 1, obs);
  const start = Math.floor(lo / 2) * 2;
  const out: IntBucket[] = [];
  for (let v = start; v <= hi; v += 2) out.push({ lo: v, hi: v + 1 });
  return out;
}

/** Multi-category Brier score over the buckets: Σ_b (p_b − o_b)². */
export function brierBuckets(d: IntDistribution, obs: number, buckets: IntBucket[] = twoDegreeBuckets(d, obs)): number {
  let s = 0;
  for (const b of buckets) {
    const p = bucketMass(d, b);
    const o = (b.lo === null || obs >= b.lo) && (b.hi === null || obs <= b.hi) ? 1 : 0;
    s += (p - o) * (p - o);
  }
  return s;
}

/** Reliability table of bucket probabilities in ten equal bins. */
export class ReliabilityTable {
  private readonly n = new Float64Array(10);
  private readonly sumP = new Float64Array(10);
  private readonly hits = new Float64Array(10);

  add(p: number, hit: boolean): void {
    const i = Math.min(9, Math.floor(p * 10));
    this.n[i]! += 1;
    this.sumP[i]! += p;
    if (hit) this.hits[i]! += 1;
  }

  addForecast(d: IntDistribution, obs: number): void {
    for (const b of twoDegreeBuckets(d, obs)) {
      const p = bucketMass(d, b);
      // Buckets far from everything add only (0, miss) pairs and would swamp the first bin.
      if (p < 1e-9 && !(obs >= b.lo! && obs <= b.hi!)) continue;
      this.add(p, obs >= b.lo! && obs <= b.hi!);
    }
  }

  /** One row per decile; `gap_pp` is observed − forecast in percentage points, judged only where `enough`. */
  rows(minCases = RELIABILITY_MIN_CASES): ReliabilityRow[] {
    const out: ReliabilityRow[] = [];
    for (let i = 0; i < 10; i++) {
      const n = this.n[i]!;
      const meanP = n ? this.sumP[i]! / n : null;
      const freq = n ? this.hits[i]! / n : null;
      out.push({
        p_lo: i / 10,
        p_hi: (i + 1) / 10,
        n,
        mean_p: meanP === null ? null : round4(meanP),
        observed_freq: freq === null ? null : round4(freq),
        gap_pp: meanP === null || freq === null ? null : Math.round((freq - meanP) * 1000) / 10,
        enough: n >= minCases,
      });
    }
    return out;
  }
}

export interface ReliabilityRow {
  p_lo: number;
  p_hi: number;
  n: number;
  mean_p: number | null;
  observed_freq: number | null;
  gap_pp: number | null;
  enough: boolean;
}

/** A decile is judged once it holds this many bucket forecasts. */
export const RELIABILITY_MIN_CASES = 50;

/** Largest |gap| over the deciles with enough cases (null when none has). */
export function maxReliabilityGap(rows: readonly ReliabilityRow[]): number | null {
  let worst: number | null = null;
  for (const r of rows) if (r.enough && r.gap_pp !== null && (worst === null || Math.abs(r.gap_pp) > worst)) worst = Math.abs(r.gap_pp);
  return worst;
}

export function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
