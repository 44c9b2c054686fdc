import { readFileSync } from 'node:fs';
import { parseDailyRecord, type DailyRecordRead } from '../../domain/weather/nowcast/daily-record.ts';

/** Reads a station's daily-high record (e.g. Weather Underground's daily summary CSV). */
export function readDailyRecordFile(file: string): DailyRecordRead {
  return parseDailyRecord(readFileSync(file, 'utf8'));
}
