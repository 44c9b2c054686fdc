import type { JudgeCalendar } from '../judge-calendar.ts';
import type { MetarReport } from '../metar-report.ts';
import type { StationDays } from '../station-days.ts';
import { parseIsoDate } from '../../time/civil.ts';
import { inputsAt, type NowcastInputs } from './inputs.ts';

/** One issue time of one judge day with what was known then and how the day ended. */
export interface NowcastCase {
  day: string;
  /** Days since epoch of the judge day (to keep neighbouring days out of cross-validation folds). */
  dayIndex: number;
  /** Issue hour on the judge clock (the case is issued at hour:00). */
  hour: number;
  inputs: NowcastInputs;
  finalMaxF: number;
  /** finalMaxF − inputs.baseF. */
  riseF: number;
  /** Local hour at which the final max was first reached. */
  peakHour: number;
  /** Max temp_f_judge of the day's reports after the issue time; null when none followed. */
  futureMaxF: number | null;
}

export interface CaseOptions {
  hours?: readonly number[];
  /** Days with temperatures in fewer local hours are left out (their final max is unknown). */
  minCompleteHours?: number;
  /** Only days in [fromDay, toDay] (inclusive, `YYYY-MM-DD`). */
  fromDay?: string;
  toDay?: string;
  /** Leave these months (`YYYY-MM`) out, or keep only them. */
  excludeMonths?: readonly string[];
  onlyMonths?: readonly string[];
}

export const ALL_HOURS: readonly number[] = Array.from({ length: 24 }, (_, h) => h);

/** All reports of a station in time order after COR replacement. */
export function resolvedReports(days: StationDays): MetarReport[] {
  return days.dayList().flatMap((d) => [...days.reportsOf(d)]);
}

export function dayInScope(day: string, opts: CaseOptions): boolean {
  if (opts.fromDay && day < opts.fromDay) return false;
  if (opts.toDay && day > opts.toDay) return false;
  const month = day.slice(0, 7);
  if (opts.excludeMonths?.includes(month)) return false;
  if (opts.onlyMonths && !opts.onlyMonths.includes(month)) return false;
  return true;
}

export function buildCases(days: StationDays, opts: CaseOptions = {}): NowcastCase[] {
  const calendar: JudgeCalendar = days.calendar;
  const reports = resolvedReports(days);
  const hours = opts.hours ?? ALL_HOURS;
  const minHours = opts.minCompleteHours ?? 20;
  const out: NowcastCase[] = [];
  for (const day of days.dayList()) {
    if (!dayInScope(day, opts)) continue;
    const dayReports = days.reportsOf(day);
    let final: MetarReport | null = null;
    const covered = new Set<number>();
    for (const r of dayReports) {
      if (r.tempFJudge === null) continue;
      covered.add(Math.floor(calendar.localHour(r.obsMs)));
      if (final === null || r.tempFJudge > final.tempFJudge!) final = r;
    }
    if (!final || covered.size < minHours) continue;
    const finalMaxF = final.tempFJudge!;
    const dayIndex = parseIsoDate(day)!;
    for (const hour of hours) {
      const t = calendar.timeOf(day, hour);
      const inputs = inputsAt(reports, calendar, t);
      if (inputs.day !== day || inputs.baseF === null) continue;
      let futureMaxF: number | null = null;
      for (const r of dayReports) if (r.obsMs > t && r.tempFJudge !== null && (futureMaxF === null || r.tempFJudge > futureMaxF)) futureMaxF = r.tempFJudge;
      out.push({
        day,
        dayIndex,
        hour,
        inputs,
        finalMaxF,
        riseF: finalMaxF - inputs.baseF,
        peakHour: calendar.localHour(final.obsMs),
        futureMaxF,
      });
    }
  }
  return out;
}
