import { JudgeCalendar } from '../judge-calendar.ts';
import type { MetarReport } from '../metar-report.ts';

/**
 * What the nowcast conditions on at one instant, computed the same way for training cases, held-back
 * evaluation and the live worker (so the three can never disagree about a feature's meaning).
 */
export interface NowcastInputs {
  day: string;
  /** Fractional hour of the judge clock at issue time. */
  localHour: number;
  dayOfYear: number;
  /** Judge max so far in the day, or null before the day's first report. */
  maxSoFarF: number | null;
  /** Local hour at which the max so far was first reached. */
  maxSoFarHour: number | null;
  /** The level the remaining rise is measured from: max so far, else the latest temperature. */
  baseF: number | null;
  /** Latest temp_f_judge at or before issue time (null when older than the staleness limit). */
  tempF: number | null;
  /** baseF − tempF: how far the air has already fallen back from the day's peak. */
  gapF: number | null;
  /** tempF − the temperature three hours earlier. */
  trend3hF: number | null;
  /** tempF − the temperature one hour earlier. */
  trend1hF: number | null;
  /** Altimeter change over three hours (hPa): falling pressure ahead of fronts. */
  pressureChange3hHpa: number | null;
  /** 1 when the latest report has precipitation or thunder, else 0. */
  precipitating: number | null;
  /** Visibility (statute miles, capped at 10): fog and haze hold temperatures down. */
  visibilitySm: number | null;
  /** tempF − the temperature 24 hours earlier (day-over-day change). */
  change24hF: number | null;
  /** Previous judge day's max − baseF (persistence from one day to the next). */
  prevMaxMinusBaseF: number | null;
  dewpointF: number | null;
  /** tempF − dewpointF. */
  dewpointDepressionF: number | null;
  /** Wind components (kt) of the direction the wind blows from: u east, v north; calm and variable are 0. */
  windU: number | null;
  windV: number | null;
  /** 0 clear … 4 overcast. */
  skyCover: number | null;
  /** Age of the latest temperature at issue time. */
  latestAgeMs: number | null;
  /** obsMs of the reports used (latest, three-hours-ago, max-so-far). */
  usedObsMs: number[];
}

export const HOUR_MS = 3_600_000;
/** Beyond this age the latest report no longer describes "now". */
export const INPUT_STALE_MS = 3 * HOUR_MS;
const MIN_PREVIOUS_DAY_REPORTS = 18;

/** Index of the last report with obsMs ≤ t in a time-sorted list, or −1. */
export function lastIndexAtOrBefore(reports: readonly MetarReport[], t: number): number {
  let lo = 0;
  let hi = reports.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (reports[mid]!.obsMs <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

function latestWithTemp(reports: readonly MetarReport[], from: number): MetarReport | null {
  for (let i = from; i >= 0; i--) if (reports[i]!.tempFJudge !== null) return reports[i]!;
  return null;
}

/**
 * Nowcast inputs at instant `t` from a time-sorted report list (COR already resolved) that reaches
 * back at least three hours before the judge day starts.
 */
export function inputsAt(reports: readonly MetarReport[], calendar: JudgeCalendar, t: number): NowcastInputs {
  const day = calendar.dayOf(t);
  const dayStart = calendar.dayStartMs(day);
  const idx = lastIndexAtOrBefore(reports, t);
  const used: number[] = [];

  let maxSoFar: number | null = null;
  let maxAt: number | null = null;
  for (let i = idx; i >= 0 && reports[i]!.obsMs >= dayStart; i--) {
    const f = reports[i]!.tempFJudge;
    if (f !== null && (maxSoFar === null || f >= maxSoFar)) {
      maxSoFar = f;
      maxAt = reports[i]!.obsMs;
    }
  }

  const latest = latestWithTemp(reports, idx);
  const fresh = latest !== null && t - latest.obsMs <= INPUT_STALE_MS ? latest : null;
  const tempF = fresh?.tempFJudge ?? null;
  if (fresh) used.push(fresh.obsMs);
  if (maxAt !== null && maxAt !== fresh?.obsMs) used.push(maxAt);

  let trend: number | null = null;
  let trend1h: number | null = null;
  let pressure3h: number | null = null;
  if (fresh && tempF !== null) {
    const back = latestWithTemp(reports, lastIndexAtOrBefore(reports, t - 3 * HOUR_MS));
    if (back && t - 3 * HOUR_MS - back.obsMs <= HOUR_MS) {
      trend = tempF - back.tempFJudge!;
      used.push(back.obsMs);
      if (fresh.altimeterHpa !== null && back.altimeterHpa !== null) pressure3h = fresh.altimeterHpa - back.altimeterHpa;
    }
    const back1 = latestWithTemp(reports, lastIndexAtOrBefore(reports, t - HOUR_MS));
    if (back1 && back1 !== fresh && t - HOUR_MS - back1.obsMs <= HOUR_MS) trend1h = tempF - back1.tempFJudge!;
    else if (back1 === fresh) trend1h = 0;
  }

  let change24: number | null = null;
  if (fresh && tempF !== null) {
    const back = latestWithTemp(reports, lastIndexAtOrBefore(reports, t - 24 * HOUR_MS));
    if (back && t - 24 * HOUR_MS - back.obsMs <= HOUR_MS) change24 = tempF - back.tempFJudge!;
  }

  let prevMax: number | null = null;
  const prevStart = dayStart - 24 * HOUR_MS;
  let prevCount = 0;
  for (let i = lastIndexAtOrBefore(reports, dayStart - 1); i >= 0 && reports[i]!.obsMs >= prevStart; i--) {
    const f = reports[i]!.tempFJudge;
    if (f === null) continue;
    prevCount++;
    if (prevMax === null || f > prevMax) prevMax = f;
  }
  // A previous day seen only in part says little about its max.
  if (prevCount < MIN_PREVIOUS_DAY_REPORTS) prevMax = null;

  const base = maxSoFar ?? tempF;
  const dew = fresh?.dewpointF ?? null;
  let u: number | null = null;
  let v: number | null = null;
  if (fresh && fresh.windKt !== null) {
    if (fresh.windDirDeg === null) {
      u = 0;
      v = 0;
    } else {
      const rad = (fresh.windDirDeg * Math.PI) / 180;
      u = fresh.windKt * Math.sin(rad);
      v = fresh.windKt * Math.cos(rad);
    }
  }
  return {
    day,
    localHour: calendar.localHour(t),
    dayOfYear: JudgeCalendar.dayOfYear(day),
    maxSoFarF: maxSoFar,
    maxSoFarHour: maxAt === null ? null : calendar.localHour(maxAt),
    baseF: base,
    tempF,
    gapF: base !== null && tempF !== null ? base - tempF : null,
    trend3hF: trend,
    trend1hF: trend1h,
    pressureChange3hHpa: pressure3h,
    precipitating: fresh ? (fresh.precipitating ? 1 : 0) : null,
    visibilitySm: fresh?.visibilitySm != null ? Math.min(10, fresh.visibilitySm) : null,
    change24hF: change24,
    prevMaxMinusBaseF: prevMax !== null && base !== null ? prevMax - base : null,
    dewpointF: dew,
    dewpointDepressionF: tempF !== null && dew !== null ? tempF - dew : null,
    windU: u,
    windV: v,
    skyCover: fresh?.skyCover ?? null,
    latestAgeMs: latest ? t - latest.obsMs : null,
    usedObsMs: used.sort((a, b) => a - b),
  };
}
