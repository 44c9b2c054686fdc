import type { JudgeCalendar } from './judge-calendar.ts';
import type { MetarReport } from './metar-report.ts';
import { inputsAt } from './nowcast/inputs.ts';
import type { PwsClusterResult } from './pws-qc.ts';
import type { StationDays } from './station-days.ts';

export interface FeatureVector {
  minute_start_ms: number;
  values: Record<string, number | null>;
  /** Age of each value's source at the minute (ms); null when there is no source yet. */
  staleness_ms: Record<string, number | null>;
}

/**
 * The 1-minute feature vector of one station: the latest METAR-derived values, the judge and
 * official maxima, the PWS cluster consensus, and how old each value's source is.
 */
export function featureVector(
  minuteStartMs: number,
  days: StationDays,
  reports: readonly MetarReport[],
  calendar: JudgeCalendar,
  cluster: PwsClusterResult | null,
  qcOk: boolean,
): FeatureVector {
  const inputs = inputsAt(reports, calendar, minuteStartMs);
  const values: Record<string, number | null> = {};
  const staleness: Record<string, number | null> = {};
  const metarAge = inputs.latestAgeMs;
  const set = (name: string, value: number | null, age: number | null) => {
    values[name] = value === null || !Number.isFinite(value) ? null : Math.round(value * 100) / 100;
    staleness[name] = value === null ? null : age;
  };
  const day = calendar.dayOf(minuteStartMs);
  set('temp_f', inputs.tempF, metarAge);
  set('dewpoint_f', inputs.dewpointF, metarAge);
  set('judge_max_so_far_f', inputs.maxSoFarF, metarAge);
  set('official_max_f', days.officialMaxF(day), metarAge);
  set('trend1h_f', inputs.trend1hF, metarAge);
  set('trend3h_f', inputs.trend3hF, metarAge);
  set('change24h_f', inputs.change24hF, metarAge);
  set('wind_u_kt', inputs.windU, metarAge);
  set('wind_v_kt', inputs.windV, metarAge);
  set('sky_cover', inputs.skyCover, metarAge);
  set('visibility_sm', inputs.visibilitySm, metarAge);
  set('precipitating', inputs.precipitating, metarAge);
  set('pressure_change3h_hpa', inputs.pressureChange3hHpa, metarAge);
  const pwsAge = cluster ? minuteStartMs - cluster.bin_start_ms : null;
  set('pws_median_f', cluster?.median_f ?? null, pwsAge);
  set('pws_spread_f', cluster?.spread_f ?? null, pwsAge);
  set('pws_support', cluster ? cluster.support : null, pwsAge);
  const diff = cluster?.median_f != null && inputs.tempF !== null ? cluster.median_f - inputs.tempF : null;
  set('pws_minus_metar_f', diff, diff === null ? null : Math.max(pwsAge ?? 0, metarAge ?? 0));
  set('local_hour', inputs.localHour, 0);
  set('qc_ok', qcOk ? 1 : 0, 0);
  return { minute_start_ms: minuteStartMs, values, staleness_ms: staleness };
}
