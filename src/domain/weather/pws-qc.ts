import { median, qn, scaledMad } from './robust.ts';

/**
 * Quality control of personal weather stations (PWS) around a target station, following CrowdQC+
 * (robust z per time bin against the cluster, asymmetric thresholds because PWS errors are mostly
 * warm), the MADIS validity limits and the Oklahoma Mesonet step and persistence tests.
 */
export interface PwsObservation {
  pwsId: string;
  obsMs: number;
  tempF: number | null;
  /** Provider QC status (WU: 1 passed, −1/null not checked, other values under review). */
  qcStatus: number | null;
}

export interface PwsQcThresholds {
  /** MADIS validity range for air temperature (°F). */
  range_min_f: number;
  range_max_f: number;
  /** Largest plausible change between successive readings within step_window_ms (°F). */
  step_max_f: number;
  step_window_ms: number;
  /** A reading unchanged for this long (and at least flat_line_min_readings readings) is a stuck sensor. */
  flat_line_ms: number;
  flat_line_min_readings: number;
  /** CrowdQC+ m2: flag z < z_low or z > z_high. */
  z_low: number;
  z_high: number;
  /** Fewer valid stations in a bin and no z is computed. */
  min_support: number;
  /** Floor of the cluster spread (°F): imperial PWS temperatures are whole degrees, so spreads of 0 occur. */
  min_spread_f: number;
  spread: 'qn' | 'mad';
  /** A station's reading older than this at bin time is stale. */
  stale_after_ms: number;
}

/** Verdict handed to a station's QC machine. */
export type QcVerdict = 'pass' | 'outlier' | 'fail';

export interface PwsStationResult {
  pws_id: string;
  temp_f: number | null;
  z: number | null;
  flags: string[];
  verdict: QcVerdict | 'none';
}

export interface PwsClusterResult {
  bin_start_ms: number;
  support: number;
  median_f: number | null;
  spread_f: number | null;
  stations: PwsStationResult[];
}

interface History {
  lastTemp: number | null;
  lastMs: number | null;
  /** When the current unchanged value started, and how many readings repeated it. */
  flatSinceMs: number | null;
  flatCount: number;
  lastSeenMs: number | null;
}

/**
 * Per-station temporal checks and per-bin cluster statistics. Pure state keyed by station id; the
 * caller feeds readings (any order per station is tolerated: older ones are ignored).
 */
export class PwsCluster {
  private readonly history = new Map<string, History>();
  private readonly latest = new Map<string, { obs: PwsObservation; flags: string[] }>();

  constructor(
    readonly stationIds: readonly string[],
    readonly t: PwsQcThresholds,
  ) {}

  /** Temporal checks on one reading; returns its flags (range, step, flat line, provider QC). */
  add(obs: PwsObservation): string[] {
    let h = this.history.get(obs.pwsId);
    if (!h) {
      h = { lastTemp: null, lastMs: null, flatSinceMs: null, flatCount: 0, lastSeenMs: null };
      this.history.set(obs.pwsId, h);
    }
    if (h.lastSeenMs !== null && obs.obsMs <= h.lastSeenMs) return this.latest.get(obs.pwsId)?.flags ?? [];
    h.lastSeenMs = obs.obsMs;
    const flags: string[] = [];
    if (obs.qcStatus !== null && obs.qcStatus !== 1 && obs.qcStatus !== -1) flags.push('provider_qc');
    const temp = obs.tempF;
    if (temp === null) {
      flags.push('temp_missing');
    } else if (temp < this.t.range_min_f || temp > this.t.range_max_f) {
      flags.push('range');
    } else {
      if (h.lastTemp !== null && h.lastMs !== null && obs.obsMs - h.lastMs <= this.t.step_window_ms && Math.abs(temp - h.lastTemp) > this.t.step_max_f) {
        flags.push('step');
      }
      if (h.lastTemp === temp) {
        h.flatCount++;
      } else {
        h.flatSinceMs = obs.obsMs;
        h.flatCount = 1;
      }
      if (h.flatSinceMs !== null && obs.obsMs - h.flatSinceMs >= this.t.flat_line_ms && h.flatCount >= this.t.flat_line_min_readings) {
        flags.push('flat_line');
      }
      h.lastTemp = temp;
      h.lastMs = obs.obsMs;
    }
    this.latest.set(obs.pwsId, { obs, flags });
    return flags;
  }

  /** Cluster statistics at `binStartMs` over every configured station's latest reading. */
  evaluate(binStartMs: number): PwsClusterResult {
    const rows: PwsStationResult[] = [];
    const valid: number[] = [];
    for (const id of [...this.stationIds].sort()) {
      const l = this.latest.get(id);
      if (!l || binStartMs - l.obs.obsMs > this.t.stale_after_ms) {
        rows.push({ pws_id: id, temp_f: l?.obs.tempF ?? null, z: null, flags: ['stale'], verdict: 'none' });
        continue;
      }
      const flags = [...l.flags];
      rows.push({ pws_id: id, temp_f: l.obs.tempF, z: null, flags, verdict: 'pass' });
      if (l.obs.tempF !== null && !flags.some((f) => f === 'range' || f === 'step' || f === 'flat_line' || f === 'temp_missing')) {
        valid.push(l.obs.tempF);
      }
    }
    const med = median(valid);
    const raw = this.t.spread === 'qn' ? qn(valid) : scaledMad(valid);
    const spread = raw === null ? null : Math.max(this.t.min_spread_f, raw);
    const enough = valid.length >= this.t.min_support && med !== null && spread !== null;
    for (const r of rows) {
      if (r.verdict === 'none') continue;
      if (r.flags.some((f) => f === 'range' || f === 'step' || f === 'flat_line' || f === 'temp_missing')) {
        r.verdict = 'fail';
        continue;
      }
      if (enough && r.temp_f !== null) {
        const z = (r.temp_f - med!) / spread!;
        r.z = Math.round(z * 100) / 100;
        if (z < this.t.z_low) r.flags.push('z_low');
        else if (z > this.t.z_high) r.flags.push('z_high');
      } else if (!enough) r.flags.push('low_support');
      r.verdict = r.flags.includes('z_low') || r.flags.includes('z_high') || r.flags.includes('provider_qc') ? 'outlier' : 'pass';
    }
    return {
      bin_start_ms: binStartMs,
      support: valid.length,
      median_f: med === null ? null : Math.round(med * 10) / 10,
      spread_f: spread === null ? null : Math.round(spread * 100) / 100,
      stations: rows,
    };
  }

  /** Median of the cluster members that pass every check, for the intra-hour peak. */
  static consensus(result: PwsClusterResult): number | null {
    return median(result.stations.filter((s) => s.verdict === 'pass' && s.temp_f !== null).map((s) => s.temp_f!));
  }
}

/** Verdict on one METAR report for its station's QC machine. */
export function metarVerdict(flags: readonly string[], tempF: number | null, previousTempF: number | null, hoursSincePrevious: number | null, maxChangePerHourF: number): { verdict: QcVerdict; reason: string } {
  if (tempF === null) return { verdict: 'fail', reason: flags.includes('nil') ? 'NIL report' : 'temperature missing' };
  if (previousTempF !== null && hoursSincePrevious !== null && hoursSincePrevious > 0 && hoursSincePrevious <= 1.5) {
    if (Math.abs(tempF - previousTempF) > maxChangePerHourF) return { verdict: 'fail', reason: `temperature changed ${tempF - previousTempF} °F within ${hoursSincePrevious.toFixed(2)} h` };
  }
  const suspect = flags.find((f) => f.startsWith('t_group_malformed') || f === 't_body_mismatch' || f === 't_group_out_of_range');
  if (suspect) return { verdict: 'outlier', reason: suspect };
  return { verdict: 'pass', reason: flags.includes('maintenance') ? 'passed (maintenance flag $ set)' : 'passed' };
}
