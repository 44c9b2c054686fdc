import type { StationDays } from '../station-days.ts';
import { parseIsoDate } from '../../time/civil.ts';

/** One day of a station's daily-high record: the settled whole-°F maximum and when it was reached. */
export interface DailyHigh {
  day: string;
  /** Days since epoch (for neighbours and folds). */
  dayIndex: number;
  maxF: number;
  /** Local hour (fractional) at which the maximum was first reached; null when the record has no time. */
  peakHour: number | null;
}

export interface DailyRecordError {
  line: number;
  error: string;
}

export interface DailyRecordRead {
  highs: DailyHigh[];
  errors: DailyRecordError[];
}

const TIME = /^(\d{1,2}):(\d{2})$/;
/** A day summarised from fewer hourly rows than this may have missed its maximum. */
export const MIN_DAILY_ROWS = 20;

/**
 * Parses a daily-high CSV: a `local_date` column and a `max_temp` column in °F (Weather Underground's
 * daily summary, the value temperature markets settle on), optionally `max_temp_times` (`14:51|15:51`),
 * `temperature_unit` and `row_count`. Days summarised from too few rows are left out (not errors):
 * their maximum may be missing the afternoon. Rows are returned in date order, one per day.
 */
export function parseDailyRecord(text: string): DailyRecordRead {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((c) => c.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const dateCol = col('local_date') >= 0 ? col('local_date') : col('date');
  const maxCol = col('max_temp') >= 0 ? col('max_temp') : col('max_temp_f');
  if (dateCol < 0 || maxCol < 0) {
    return { highs: [], errors: [{ line: 1, error: 'header has no local_date (or date) and max_temp (or max_temp_f) columns' }] };
  }
  const unitCol = col('temperature_unit');
  const timesCol = col('max_temp_times');
  const rowsCol = col('row_count');
  const byDay = new Map<string, DailyHigh>();
  const errors: DailyRecordError[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const day = (cells[dateCol] ?? '').trim();
    const dayIndex = parseIsoDate(day);
    if (dayIndex === null) {
      errors.push({ line: i + 1, error: `bad date ${JSON.stringify(day)}` });
      continue;
    }
    const unit = unitCol >= 0 ? (cells[unitCol] ?? '').trim().toUpperCase() : 'F';
    if (unit !== 'F') {
      errors.push({ line: i + 1, error: `temperature unit ${JSON.stringify(unit)}: expected F` });
      continue;
    }
    const maxF = Number((cells[maxCol] ?? '').trim());
    if ((cells[maxCol] ?? '').trim() === '' || !Number.isFinite(maxF) || maxF < -80 || maxF > 140) {
      errors.push({ line: i + 1, error: `bad max_temp ${JSON.stringify(cells[maxCol] ?? '')}` });
      continue;
    }
    if (rowsCol >= 0) {
      const rows = Number(cells[rowsCol]);
      if (Number.isFinite(rows) && rows < MIN_DAILY_ROWS) continue;
    }
    let peakHour: number | null = null;
    if (timesCol >= 0) {
      // Several times mean the maximum was reached more than once; the first is when it was settled.
      const first = (cells[timesCol] ?? '').split('|')[0]!.trim();
      const m = TIME.exec(first);
      if (m && Number(m[1]) < 24 && Number(m[2]) < 60) peakHour = Number(m[1]) + Number(m[2]) / 60;
    }
    byDay.set(day, { day, dayIndex, maxF: Math.round(maxF), peakHour });
  }
  const highs = [...byDay.values()].sort((a, b) => a.dayIndex - b.dayIndex);
  return { highs, errors };
}

/**
 * Daily highs from an hourly archive's own complete days (judge maxima of the METAR temperatures),
 * for stations without a long daily record.
 */
export function archiveDailyHighs(days: StationDays, minCompleteHours = MIN_DAILY_ROWS): DailyHigh[] {
  const calendar = days.calendar;
  const out: DailyHigh[] = [];
  for (const day of days.dayList()) {
    let maxF: number | null = null;
    let at = 0;
    const covered = new Set<number>();
    for (const r of days.reportsOf(day)) {
      if (r.tempFJudge === null) continue;
      covered.add(Math.floor(calendar.localHour(r.obsMs)));
      if (maxF === null || r.tempFJudge > maxF) {
        maxF = r.tempFJudge;
        at = r.obsMs;
      }
    }
    if (maxF === null || covered.size < minCompleteHours) continue;
    out.push({ day, dayIndex: parseIsoDate(day)!, maxF, peakHour: calendar.localHour(at) });
  }
  return out.sort((a, b) => a.dayIndex - b.dayIndex);
}
