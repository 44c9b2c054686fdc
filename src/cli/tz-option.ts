import { isTimeZone, TIME_ZONE_TEXT } from '../domain/time/zones.ts';

/** The usage message for a `--tz` value that is not an IANA zone (naming the flag and the value), or null when it is one. */
export function badTimeZoneMessage(text: string): string | null {
  return isTimeZone(text) ? null : `--tz expects ${TIME_ZONE_TEXT}; got ${JSON.stringify(text)}`;
}
