import { DateTime, IANAZone } from 'luxon';

export const NYC_ZONE = 'America/New_York';
export const ES_ZONE = 'Europe/Madrid';

export interface HumanTimes {
  ts_utc: string;
  ts_nyc: string;
  ts_es: string;
}

/**
 * The human time zones that storage and UIs show. Derived at the edges (recorder, API), never per
 * event on the hot path.
 */
export function humanTimes(epochMs: number): HumanTimes {
  const dt = DateTime.fromMillis(epochMs, { zone: 'utc' });
  return {
    ts_utc: dt.toISO({ suppressMilliseconds: false }) ?? '',
    ts_nyc: dt.setZone(NYC_ZONE).toISO() ?? '',
    ts_es: dt.setZone(ES_ZONE).toISO() ?? '',
  };
}

/** How an error message says what a time zone setting (`tz`, `--tz`) accepts. */
export const TIME_ZONE_TEXT = 'an IANA time zone (e.g. America/New_York)';

/** Whether `tz` names a zone of the IANA database (as the judge clock needs). */
export function isTimeZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}
