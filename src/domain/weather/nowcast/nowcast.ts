import type { PayloadOf } from '../../events/catalog.ts';
import type { JudgeCalendar } from '../judge-calendar.ts';
import type { MetarReport } from '../metar-report.ts';
import { bucketProbabilities, defaultBuckets, type TempBucket } from './buckets.ts';
import { inputsAt } from './inputs.ts';
import type { NowcastPredictor } from './predict.ts';

export type QcStateName = 'ok' | 'outlier_likely' | 'degraded' | 'stale';

export interface NowcastRequest {
  atMs: number;
  /** The market's layout from discovery; null uses the default NYC-style layout around the median. */
  buckets: readonly TempBucket[] | null;
  /** QC state of the METAR station. */
  qcState: QcStateName;
  /** Inputs older than this close the gate. */
  maxInputAgeMs: number;
  /**
   * The judge day forecast (a discovered event's day); absent: the day of `atMs`. A later day is
   * forecast as at its start (the prior and climatology, what is known of the day before), an
   * earlier one as at its end.
   */
  judgeDay?: string;
}

export type NowcastPayload = Omit<PayloadOf<'NOWCAST'>, 'inputs'>;

export interface NowcastOutcome {
  payload: NowcastPayload;
  /** Observation times of the METAR reports the forecast used (mapped to event ids by the caller). */
  usedObsMs: number[];
}

/** Full-confidence support: this many effective historical residuals. */
const SUPPORT_FULL_N = 60;
/** Latest report younger than this counts as fully fresh. */
const FRESH_MS = 75 * 60_000;
const MIN_PROBABILITY = 1e-6;
/** Without a current temperature the forecast is the climatology alone. */
const CLIMATOLOGY_ONLY_SUPPORT = 0.25;

/**
 * One nowcast of a station's judge day at `atMs`, with its confidence and QC gate. The gate closes
 * when the METAR station is degraded or stale, or its latest temperature is too old; a closed gate
 * still carries the distribution (for display) but trading must not act on it.
 */
export function computeNowcast(predictor: NowcastPredictor, reports: readonly MetarReport[], calendar: JudgeCalendar, req: NowcastRequest): NowcastOutcome | null {
  const t = req.judgeDay === undefined ? req.atMs : Math.min(Math.max(req.atMs, calendar.dayStartMs(req.judgeDay)), calendar.dayEndMs(req.judgeDay) - 1);
  let inputs = inputsAt(reports, calendar, t);
  // A later day, and no prior to start it from: climatology from the latest temperature known now.
  if (inputs.baseF === null && t > req.atMs) inputs = { ...inputs, baseF: latestTempF(reports, req.atMs) };
  const f = predictor.predict(inputs);
  if (!f) return null;
  const distribution: Array<[number, number]> = [];
  let cdf = 0;
  let medianF: number | null = null;
  for (let i = 0; i < f.final.p.length; i++) {
    const p = f.final.p[i]!;
    cdf += p;
    if (medianF === null && cdf >= 0.5) medianF = f.final.offset + i;
    if (p >= MIN_PROBABILITY) distribution.push([f.final.offset + i, Math.round(p * 1e6) / 1e6]);
  }
  const buckets = req.buckets ?? defaultBuckets(medianF ?? inputs.baseF ?? 0);

  // Freshness is judged now, not at the forecast day's start.
  const age = inputs.latestAgeMs === null ? null : inputs.latestAgeMs - (t - req.atMs);
  let gateReason = 'open';
  if (req.qcState === 'degraded' || req.qcState === 'stale') gateReason = `station QC ${req.qcState}`;
  else if (age === null || age > req.maxInputAgeMs) gateReason = age === null ? 'no temperature yet' : `latest temperature ${Math.round(age / 60_000)} min old`;
  const freshness = age === null ? 0 : age <= FRESH_MS ? 1 : Math.max(0, 1 - (age - FRESH_MS) / Math.max(1, req.maxInputAgeMs - FRESH_MS));
  const qcFactor = req.qcState === 'ok' ? 1 : req.qcState === 'outlier_likely' ? 0.5 : 0;
  const support = f.usedRegression ? Math.min(1, f.effectiveN / SUPPORT_FULL_N) : CLIMATOLOGY_ONLY_SUPPORT;

  return {
    payload: {
      judge_day: inputs.day,
      issued_ms: req.atMs,
      max_so_far_f: inputs.maxSoFarF,
      distribution,
      buckets: bucketProbabilities(f.final, buckets),
      peak_time_bins: f.peakBins.map((p, b) => ({ start_hour: 2 * b, p: Math.round(p * 1e6) / 1e6 })),
      confidence: Math.round(support * freshness * qcFactor * 1e4) / 1e4,
      qc_gate: gateReason === 'open' ? 'open' : 'closed',
      qc_reason: gateReason,
    },
    usedObsMs: inputs.usedObsMs,
  };
}

/** The latest judged temperature observed at or before `atMs` (null when none). */
function latestTempF(reports: readonly MetarReport[], atMs: number): number | null {
  for (let i = reports.length - 1; i >= 0; i--) {
    const r = reports[i]!;
    if (r.obsMs <= atMs && r.tempFJudge !== null) return r.tempFJudge;
  }
  return null;
}
