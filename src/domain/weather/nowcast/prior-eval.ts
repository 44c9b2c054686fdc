import type { DailyHigh } from './daily-record.ts';
import { JudgeCalendar } from '../judge-calendar.ts';
import { PEAK_BINS, PriorPredictor, type ClimatePrior } from './prior.ts';
import { brierBuckets, categoricalRps, logScore, maxReliabilityGap, RELIABILITY_MIN_CASES, ReliabilityTable, round4, rps, type ReliabilityRow } from './scores.ts';

export interface PriorEvaluation {
  station: string;
  /** The prior's own station and period (what it was fitted on). */
  prior: { station: string; source: ClimatePrior['source']; from_day: string; to_day: string; days: number };
  /** Scored days with a record for the day before (persistence needs it). */
  n: number;
  from_day: string | null;
  to_day: string | null;
  /** Scored days inside the prior's fitted period (optimistic). */
  in_sample_days: number;
  /** Start-of-day forecast: the prior alone. */
  rps: number | null;
  /** Yesterday's maximum as today's forecast. */
  rps_persistence: number | null;
  skill_vs_persistence: number | null;
  brier_buckets: number | null;
  log_score: number | null;
  reliability_max_gap_pp: number | null;
  reliability_min_cases: number;
  reliability: ReliabilityRow[];
  /** Time of the peak in 2-hour bins: RPS over the ordered bins, against the all-year histogram of the same record. */
  peak: { n: number; rps: number | null; rps_all_year: number | null; p_observed_bin: number | null };
}

/**
 * Scores the prior alone, the forecast a station gets before the day has any report, on a daily-high
 * record (normally the years after the prior's fit). Persistence is the day before's maximum.
 */
export function evaluatePrior(prior: ClimatePrior, highs: readonly DailyHigh[], opts: { minDecileCases?: number } = {}): PriorEvaluation {
  const minCases = opts.minDecileCases ?? RELIABILITY_MIN_CASES;
  const pp = new PriorPredictor(prior);
  const byIndex = new Map(highs.map((h) => [h.dayIndex, h]));
  const table = new ReliabilityTable();
  let n = 0;
  let sRps = 0;
  let sPers = 0;
  let sBrier = 0;
  let sLog = 0;
  let inSample = 0;
  let first: string | null = null;
  let last: string | null = null;
  const allYear = new Array<number>(PEAK_BINS).fill(1e-3);
  for (const a of prior.anomalies) if (a[2] >= 0) allYear[Math.min(PEAK_BINS - 1, Math.floor(a[2] / 2))]! += 1;
  const zAll = allYear.reduce((x, y) => x + y, 0);
  const allYearP = allYear.map((x) => x / zAll);
  let peakN = 0;
  let peakRps = 0;
  let peakAll = 0;
  let peakP = 0;
  for (const h of [...highs].sort((x, y) => x.dayIndex - y.dayIndex)) {
    const prev = byIndex.get(h.dayIndex - 1);
    if (!prev) continue;
    const f = pp.at(JudgeCalendar.dayOfYear(h.day));
    n++;
    first ??= h.day;
    last = h.day;
    if (h.day >= prior.from_day && h.day <= prior.to_day) inSample++;
    sRps += rps(f.final, h.maxF);
    sPers += Math.abs(prev.maxF - h.maxF);
    sBrier += brierBuckets(f.final, h.maxF);
    sLog += logScore(f.final, h.maxF);
    table.addForecast(f.final, h.maxF);
    if (h.peakHour !== null) {
      const bin = Math.min(PEAK_BINS - 1, Math.floor(h.peakHour / 2));
      peakN++;
      peakRps += categoricalRps(f.peakBins, bin);
      peakAll += categoricalRps(allYearP, bin);
      peakP += f.peakBins[bin]!;
    }
  }
  const m = (s: number, k: number) => (k ? round4(s / k) : null);
  const reliability = table.rows(minCases);
  const r = m(sRps, n);
  const p = m(sPers, n);
  return {
    station: prior.station,
    prior: { station: prior.station, source: prior.source, from_day: prior.from_day, to_day: prior.to_day, days: prior.days },
    n,
    from_day: first,
    to_day: last,
    in_sample_days: inSample,
    rps: r,
    rps_persistence: p,
    skill_vs_persistence: r !== null && p ? round4(1 - r / p) : null,
    brier_buckets: m(sBrier, n),
    log_score: m(sLog, n),
    reliability_max_gap_pp: maxReliabilityGap(reliability),
    reliability_min_cases: minCases,
    reliability,
    peak: { n: peakN, rps: m(peakRps, peakN), rps_all_year: m(peakAll, peakN), p_observed_bin: m(peakP, peakN) },
  };
}
