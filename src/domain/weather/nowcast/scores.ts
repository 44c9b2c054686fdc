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

/**
 * Reliability table of bucket probabilities in ten equal bins, and the pooled mid-range
 * (MID_RANGE) bias with its standard errors. Forecasts may carry a cluster key (the judge day):
 * the buckets and hours of one day share its weather, so the day-clustered standard error is the
 * honest one; the binomial one assumes independent forecasts and is the smaller, stricter one.
 */
export class ReliabilityTable {
  private readonly n = new Float64Array(10);
  private readonly sumP = new Float64Array(10);
  private readonly hits = new Float64Array(10);
  private readonly mid = { n: 0, sumP: 0, sumPQ: 0, hits: 0 };
  /** Per cluster: Σ (hit − p) and the count, over mid-range forecasts. */
  private readonly midByCluster = new Map<string, { resid: number; n: number }>();

  add(p: number, hit: boolean, cluster = ''): void {
    const i = Math.min(9, Math.floor(p * 10));
    this.n[i]! += 1;
    this.sumP[i]! += p;
    if (hit) this.hits[i]! += 1;
    if (p >= MID_RANGE.lo && p < MID_RANGE.hi) {
      this.mid.n++;
      this.mid.sumP += p;
      this.mid.sumPQ += p * (1 - p);
      if (hit) this.mid.hits++;
      const c = this.midByCluster.get(cluster) ?? { resid: 0, n: 0 };
      c.resid += (hit ? 1 : 0) - p;
      c.n++;
      this.midByCluster.set(cluster, c);
    }
  }

  addForecast(d: IntDistribution, obs: number, cluster = ''): void {
    for (const b of twoDegreeBuckets(d, obs)) {
      const p = bucketMass(d, b);
      // Buckets far from everything add only (0, miss) pairs and would swamp the first bin.
      if (p < 1e-9 && !(obs >= b.lo! && obs <= b.hi!)) continue;
      this.add(p, obs >= b.lo! && obs <= b.hi!, cluster);
    }
  }

  /** One row per decile, judged by `judgeDecile`. */
  rows(minCases = RELIABILITY_MIN_CASES): ReliabilityRow[] {
    const out: ReliabilityRow[] = [];
    for (let i = 0; i < 10; i++) out.push(decileRow(i / 10, (i + 1) / 10, this.n[i]!, this.sumP[i]!, this.hits[i]!, minCases));
    return out;
  }

  /** The pooled bias of forecasts in [0.3, 0.7), where a shifted or too narrow forecast shows first. */
  midRangeBias(): MidRangeBias {
    const { n, sumP, sumPQ, hits } = this.mid;
    if (!n) return { p_lo: MID_RANGE.lo, p_hi: MID_RANGE.hi, n: 0, clusters: 0, mean_p: null, observed_freq: null, bias_pp: null, se_binomial_pp: null, se_day_clustered_pp: null, z_binomial: null, z_day_clustered: null, within_target: null };
    const bias = (hits - sumP) / n;
    const seBinomial = Math.sqrt(sumPQ) / n;
    const k = this.midByCluster.size;
    let ss = 0;
    for (const c of [...this.midByCluster.values()]) ss += (c.resid - bias * c.n) ** 2;
    const seCluster = k > 1 ? Math.sqrt((ss * k) / (k - 1)) / n : null;
    const z = seBinomial > 0 ? bias / seBinomial : null;
    return {
      p_lo: MID_RANGE.lo,
      p_hi: MID_RANGE.hi,
      n,
      clusters: k,
      mean_p: round4(sumP / n),
      observed_freq: round4(hits / n),
      bias_pp: pp(bias),
      se_binomial_pp: pp(seBinomial),
      se_day_clustered_pp: seCluster === null ? null : pp(seCluster),
      z_binomial: z === null ? null : round2(z),
      z_day_clustered: seCluster ? round2(bias / seCluster) : null,
      within_target: withinTolerance(n >= RELIABILITY_MIN_CASES && Z95 * seBinomial * 100 <= TARGET_RELIABILITY_PP, Math.abs(bias) * 100, z),
    };
  }
}

/** Probabilities pooled for the mid-range bias. */
export const MID_RANGE = { lo: 0.3, hi: 0.7 } as const;
/** Two-sided 95 % normal quantile. */
export const Z95 = 1.96;
/** A small decile (or the mid-range pool) is flagged when its gap is beyond this many binomial standard errors. */
export const RELIABILITY_FLAG_Z = 2;

export interface MidRangeBias {
  p_lo: number;
  p_hi: number;
  /** Bucket forecasts with p in [p_lo, p_hi), and the judge days they came from. */
  n: number;
  clusters: number;
  mean_p: number | null;
  observed_freq: number | null;
  /** observed − forecast, percentage points. */
  bias_pp: number | null;
  se_binomial_pp: number | null;
  se_day_clustered_pp: number | null;
  z_binomial: number | null;
  z_day_clustered: number | null;
  /** Judged like a decile (`judgeDecile`), on the binomial error: null when there is nothing to judge. */
  within_target: boolean | null;
}

export interface ReliabilityRow {
  p_lo: number;
  p_hi: number;
  n: number;
  mean_p: number | null;
  observed_freq: number | null;
  gap_pp: number | null;
  /** 95 % binomial half-width of the observed frequency at the decile's mean forecast and n (pp). */
  half_width_pp: number | null;
  /** gap / binomial standard error. */
  z: number | null;
  /** Judged against ±TARGET_RELIABILITY_PP: n ≥ the minimum and a half-width no wider than the tolerance. */
  enough: boolean;
  /** A miss: an `enough` decile beyond the tolerance, or a smaller one beyond RELIABILITY_FLAG_Z standard errors. */
  flagged: boolean;
}

/** A decile is judged once it holds this many bucket forecasts (and its half-width allows, see judgeDecile). */
export const RELIABILITY_MIN_CASES = 50;
/** Every decile with enough cases must be reliable to within this many percentage points. */
export const TARGET_RELIABILITY_PP = 5;

/**
 * The one reliability rule, for eval, the prior's eval and the backtest's pooled table. A decile
 * counts toward ±TARGET_RELIABILITY_PP when it can: at least `minCases` forecasts and a 95 %
 * binomial half-width (at its mean forecast) of at most the tolerance — n ≳ 385 at p ≈ 0.5, ≳ 140
 * at p ≈ 0.1. A smaller decile cannot tell a 5 pp bias from noise; it is reported with its z-score
 * and flagged beyond |z| > RELIABILITY_FLAG_Z.
 */
export function decileRow(lo: number, hi: number, n: number, sumP: number, hits: number, minCases = RELIABILITY_MIN_CASES): ReliabilityRow {
  if (!n) return { p_lo: lo, p_hi: hi, n, mean_p: null, observed_freq: null, gap_pp: null, half_width_pp: null, z: null, enough: false, flagged: false };
  const meanP = sumP / n;
  const freq = hits / n;
  const se = Math.sqrt((meanP * (1 - meanP)) / n);
  const gap = freq - meanP;
  const z = se > 0 ? gap / se : null;
  const halfWidth = Z95 * se * 100;
  const enough = n >= minCases && halfWidth <= TARGET_RELIABILITY_PP;
  const within = withinTolerance(enough, Math.abs(gap) * 100, z);
  return {
    p_lo: lo,
    p_hi: hi,
    n,
    mean_p: round4(meanP),
    observed_freq: round4(freq),
    gap_pp: pp(gap),
    half_width_pp: Math.round(halfWidth * 10) / 10,
    z: z === null ? null : round2(z),
    enough,
    flagged: !within,
  };
}

/** Within ±tolerance when the sample can resolve it, else within RELIABILITY_FLAG_Z standard errors. */
function withinTolerance(resolvable: boolean, absGapPp: number, z: number | null): boolean {
  if (resolvable) return absGapPp <= TARGET_RELIABILITY_PP;
  return z === null || Math.abs(z) <= RELIABILITY_FLAG_Z;
}

/** Largest |gap| over the deciles with enough cases (null when none has). */
export function maxReliabilityGap(rows: readonly ReliabilityRow[]): number | null {
  let worst: number | null = null;
  for (const r of rows) if (r.enough && r.gap_pp !== null && (worst === null || Math.abs(r.gap_pp) > worst)) worst = Math.abs(r.gap_pp);
  return worst;
}

function pp(x: number): number {
  return Math.round(x * 1000) / 10;
}
function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
export function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
