import type { NowcastCase } from './cases.ts';
import { riseToFinal, type NowcastPredictor } from './predict.ts';
import {
  brierBuckets,
  logScore,
  maxReliabilityGap,
  RELIABILITY_FLAG_Z,
  RELIABILITY_MIN_CASES,
  ReliabilityTable,
  round4,
  rps,
  TARGET_RELIABILITY_PP,
  type IntDistribution,
  type MidRangeBias,
  type ReliabilityRow,
} from './scores.ts';

export { TARGET_RELIABILITY_PP };

/** Hours over which the skill target is judged (local, inclusive). */
export const TARGET_HOURS = { from: 8, to: 18 } as const;
/** Mean RPS over the target hours must be at least this much below the station's climatology. */
export const TARGET_SKILL_VS_CLIMATOLOGY = 0.25;
/** No target hour may be worse than this multiple of the better baseline. */
export const TARGET_MAX_HOUR_RATIO = 1.05;
/** The reliability rule as the output states it (scores.ts `decileRow` and `midRangeBias` apply it). */
export const reliabilityRule = (minCases: number): string =>
  `a decile counts toward ±${TARGET_RELIABILITY_PP} pp when it holds ≥ ${minCases} forecasts and its 95 % binomial half-width at its mean forecast is ≤ ${TARGET_RELIABILITY_PP} pp; ` +
  `smaller deciles are flagged when |z| > ${RELIABILITY_FLAG_Z}; the pooled 0.3–0.7 bias is judged the same way and counts toward the target`;

export interface EvaluateOptions {
  /** A reliability decile is judged only with at least this many bucket forecasts. */
  minDecileCases?: number;
}

export interface HourScore {
  hour: number;
  n: number;
  rps: number | null;
  rps_climatology: number | null;
  rps_persistence: number | null;
  brier_buckets: number | null;
  log_score: number | null;
  /** The hour-and-season climatology of the remaining rise (knows the day so far; a harder baseline). */
  rps_hour_climatology: number | null;
}

export interface EvaluationReport {
  by_hour: HourScore[];
  overall: {
    n: number;
    days: number;
    /** What `rps_climatology` is: the station's long-record prior, or (models without one) the hour-and-season rise climatology. */
    climatology: 'long_record' | 'hour_rise';
    rps: number | null;
    rps_climatology: number | null;
    rps_persistence: number | null;
    brier_buckets: number | null;
    /** Mean −ln p(outcome) in nats (lower is better). */
    log_score: number | null;
    target_hours: string;
    rps_target_hours: number | null;
    rps_climatology_target_hours: number | null;
    rps_persistence_target_hours: number | null;
    skill_vs_climatology: number | null;
    skill_vs_persistence: number | null;
    worst_hour: number | null;
    worst_hour_ratio: number | null;
    /** Largest |observed − forecast| (percentage points) over the deciles with enough cases. */
    reliability_max_gap_pp: number | null;
    reliability_min_cases: number;
    /** Deciles that miss (`flagged`): beyond ±5 pp where judged, beyond |z| > 2 where too small to judge. */
    reliability_flagged: number;
    reliability_rule: string;
    targets_met: boolean;
  };
  reliability: ReliabilityRow[];
  /** Bucket forecasts in [0.3, 0.7) pooled: a bias too spread out for any one decile to show. */
  reliability_mid_range: MidRangeBias;
}

/** Forecasts of one model on cases it was not fitted on (one fold of a rolling evaluation, or the only one). */
export interface ScoredSet {
  predictor: NowcastPredictor;
  cases: readonly NowcastCase[];
}

interface Acc {
  n: number;
  rps: number;
  clim: number;
  pers: number;
  brier: number;
  log: number;
  hourClim: number;
}

const zero = (): Acc => ({ n: 0, rps: 0, clim: 0, pers: 0, brier: 0, log: 0, hourClim: 0 });

function mean(sum: number, n: number): number | null {
  return n ? round4(sum / n) : null;
}

/** Scores the model against climatology and persistence on cases it was not fitted on. */
export function evaluateNowcast(predictor: NowcastPredictor, cases: readonly NowcastCase[], opts: EvaluateOptions = {}): EvaluationReport {
  return evaluateSets([{ predictor, cases }], opts);
}

/** Scores several models, each on its own unseen cases, as one pool (a rolling-origin evaluation). */
export function evaluateSets(sets: readonly ScoredSet[], opts: EvaluateOptions = {}): EvaluationReport {
  const minCases = opts.minDecileCases ?? RELIABILITY_MIN_CASES;
  const byHour: Acc[] = Array.from({ length: 24 }, zero);
  const all = zero();
  const reliabilityTable = new ReliabilityTable();
  for (const { predictor, cases } of sets) for (const c of cases) {
    const f = predictor.predict(c.inputs);
    if (!f || c.inputs.baseF === null) continue;
    const hourClimatology: IntDistribution = riseToFinal(predictor.climatologyRise(c.inputs), c.inputs.baseF);
    const climatology = predictor.climatologyFinal(c.inputs) ?? hourClimatology;
    const persistence: IntDistribution = { offset: c.inputs.baseF, p: Float64Array.of(1) };
    const s: Acc = {
      n: 1,
      rps: rps(f.final, c.finalMaxF),
      clim: rps(climatology, c.finalMaxF),
      pers: rps(persistence, c.finalMaxF),
      brier: brierBuckets(f.final, c.finalMaxF),
      log: logScore(f.final, c.finalMaxF),
      hourClim: rps(hourClimatology, c.finalMaxF),
    };
    for (const acc of [byHour[c.hour]!, all]) {
      acc.n++;
      acc.rps += s.rps;
      acc.clim += s.clim;
      acc.pers += s.pers;
      acc.brier += s.brier;
      acc.log += s.log;
      acc.hourClim += s.hourClim;
    }
    reliabilityTable.addForecast(f.final, c.finalMaxF, c.day);
  }

  const by_hour: HourScore[] = byHour.map((a, hour) => ({
    hour,
    n: a.n,
    rps: mean(a.rps, a.n),
    rps_climatology: mean(a.clim, a.n),
    rps_persistence: mean(a.pers, a.n),
    brier_buckets: mean(a.brier, a.n),
    log_score: mean(a.log, a.n),
    rps_hour_climatology: mean(a.hourClim, a.n),
  }));

  // Target window: mean over hours of the per-hour means, so every hour counts once.
  const window = by_hour.filter((h) => h.hour >= TARGET_HOURS.from && h.hour <= TARGET_HOURS.to && h.n > 0);
  const avg = (k: 'rps' | 'rps_climatology' | 'rps_persistence') =>
    window.length ? round4(window.reduce((a, h) => a + (h[k] ?? 0), 0) / window.length) : null;
  const wr = avg('rps');
  const wc = avg('rps_climatology');
  const wp = avg('rps_persistence');
  let worstHour: number | null = null;
  let worstRatio: number | null = null;
  for (const h of window) {
    const better = Math.min(h.rps_climatology ?? Infinity, h.rps_persistence ?? Infinity);
    const ratio = better > 0 ? (h.rps ?? 0) / better : (h.rps ?? 0) > 0 ? Infinity : 1;
    if (worstRatio === null || ratio > worstRatio) {
      worstRatio = ratio;
      worstHour = h.hour;
    }
  }
  const skillC = wr !== null && wc ? round4(1 - wr / wc) : null;
  const skillP = wr !== null && wp ? round4(1 - wr / wp) : null;
  const reliability = reliabilityTable.rows(minCases);
  const gap = maxReliabilityGap(reliability);
  const midRange = reliabilityTable.midRangeBias();
  const met =
    (gap === null || gap <= TARGET_RELIABILITY_PP) &&
    midRange.within_target !== false &&
    window.length === TARGET_HOURS.to - TARGET_HOURS.from + 1 &&
    skillC !== null &&
    skillC >= TARGET_SKILL_VS_CLIMATOLOGY &&
    wr !== null &&
    wp !== null &&
    wr < wp &&
    worstRatio !== null &&
    worstRatio <= TARGET_MAX_HOUR_RATIO;

  return {
    by_hour,
    overall: {
      n: all.n,
      days: new Set(sets.flatMap((s) => s.cases.map((c) => c.day))).size,
      climatology: sets.length > 0 && sets.every((s) => s.predictor.prior) ? 'long_record' : 'hour_rise',
      rps: mean(all.rps, all.n),
      rps_climatology: mean(all.clim, all.n),
      rps_persistence: mean(all.pers, all.n),
      brier_buckets: mean(all.brier, all.n),
      log_score: mean(all.log, all.n),
      target_hours: `${String(TARGET_HOURS.from).padStart(2, '0')}-${TARGET_HOURS.to}`,
      rps_target_hours: wr,
      rps_climatology_target_hours: wc,
      rps_persistence_target_hours: wp,
      skill_vs_climatology: skillC,
      skill_vs_persistence: skillP,
      worst_hour: worstHour,
      worst_hour_ratio: worstRatio === null ? null : round4(worstRatio),
      reliability_max_gap_pp: gap,
      reliability_min_cases: minCases,
      reliability_flagged: reliability.filter((r) => r.flagged).length,
      reliability_rule: reliabilityRule(minCases),
      targets_met: met,
    },
    reliability,
    reliability_mid_range: midRange,
  };
}
