import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { JudgeCalendar, type JudgeDayMode } from '../../domain/weather/judge-calendar.ts';
import { StationDays } from '../../domain/weather/station-days.ts';
import { parseIsoDate } from '../../domain/time/civil.ts';
import { readMetarText, type ReadResult } from './metar-file.ts';
import { cachedParse, DEFAULT_PARSE_CACHE, type ParseCacheOptions } from './parse-cache.ts';

/**
 * Loads a captured METAR file (IEM CSV or raw text) for replay and model fitting. Raw text has no
 * month in its timestamps: the reference is `--date`, else a `YYYY-MM-DD` in the file name, else the
 * file's modification time.
 */
export function referenceDateMs(file: string, date?: string): number {
  const explicit = date ? parseIsoDate(date) : null;
  if (date && explicit === null) throw new Error(`--date ${date}: expected YYYY-MM-DD`);
  if (explicit !== null) return explicit * 86_400_000 + 12 * 3_600_000;
  const m = /(\d{4}-\d{2}-\d{2})/.exec(path.basename(file));
  const fromName = m ? parseIsoDate(m[1]!) : null;
  if (fromName !== null) return fromName * 86_400_000 + 12 * 3_600_000;
  return statSync(file).mtimeMs;
}

export interface ReadFileOptions {
  date?: string;
  station?: string;
  /** Where parsed archives are memoized (default: a folder in the OS tmp dir). */
  cache?: ParseCacheOptions;
}

/** Parsing is keyed by the file's content, not its name or age, so an edited archive is parsed afresh. */
export function readMetarFile(file: string, opts: ReadFileOptions = {}): ReadResult {
  const text = readFileSync(file, 'utf8');
  const read = { refMs: referenceDateMs(file, opts.date), station: opts.station };
  return cachedParse(`${JSON.stringify(['readMetarText', read.refMs, read.station ?? null])}\n${text}`, () => readMetarText(text, read), opts.cache ?? DEFAULT_PARSE_CACHE);
}

export interface LoadedArchive {
  read: ReadResult;
  days: StationDays;
}

export function loadStationArchive(file: string, station: string, tz: string, mode: JudgeDayMode = 'local', date?: string): LoadedArchive {
  const read = readMetarFile(file, { station, date });
  const days = new StationDays(new JudgeCalendar(tz, mode));
  for (const { report } of read.reports) days.add(report);
  return { read, days };
}
