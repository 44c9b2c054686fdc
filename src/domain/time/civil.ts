/**
 * Calendar arithmetic on epoch milliseconds without the Date object (domain code stays free of it,
 * and this runs once per report on the hot path).
 */
const DAY_MS = 86_400_000;

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Days since 1970-01-01 → proleptic Gregorian date (H. Hinnant's civil_from_days). */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Proleptic Gregorian date → days since 1970-01-01 (days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0): number {
  return daysFromCivil(year, month, day) * DAY_MS + hour * 3_600_000 + minute * 60_000;
}

export function daysInMonth(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

export function isoDate(d: CivilDate): string {
  return `${d.year}-${pad2(d.month)}-${pad2(d.day)}`;
}

/** `YYYY-MM-DD` of the UTC day containing `ms` shifted by `offsetMinutes`. */
export function isoDateAt(ms: number, offsetMinutes = 0): string {
  return isoDate(civilFromDays(Math.floor((ms + offsetMinutes * 60_000) / DAY_MS)));
}

/** `YYYY-MM-DDTHH:MM:00Z`. */
export function isoUtcMinute(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  const rem = ms - days * DAY_MS;
  const h = Math.floor(rem / 3_600_000);
  const m = Math.floor((rem % 3_600_000) / 60_000);
  return `${isoDate(civilFromDays(days))}T${pad2(h)}:${pad2(m)}:00Z`;
}

/** `YYYY-MM-DDTHH:MM±HH:MM` for a local time at a fixed offset. */
export function isoLocalMinute(ms: number, offsetMinutes: number): string {
  const local = ms + offsetMinutes * 60_000;
  const days = Math.floor(local / DAY_MS);
  const rem = local - days * DAY_MS;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${isoDate(civilFromDays(days))}T${pad2(Math.floor(rem / 3_600_000))}:${pad2(Math.floor((rem % 3_600_000) / 60_000))}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** Parses `YYYY-MM-DD` → days since epoch, or null. */
export function parseIsoDate(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return daysFromCivil(y, mo, d);
}

/** Reports come from the past; a candidate further ahead of the reference than this is implausible. */
const MAX_AHEAD_MS = 2 * DAY_MS;

/**
 * Anchors a METAR `DDHHMMZ` (no month, no year) to the reference time it was received or filed at:
 * among the reference month and its neighbours, the candidate closest to the reference that is not
 * implausibly far ahead of it wins, so a `312351Z` read on the 1st lands in the previous month. Null
 * when no neighbouring month has that day.
 */
export function anchorDayOfMonth(day: number, hour: number, minute: number, refMs: number): number | null {
  if (day < 1 || day > 31 || hour > 24 || minute > 59) return null;
  const ref = civilFromDays(Math.floor(refMs / DAY_MS));
  let best: number | null = null;
  let bestAhead: number | null = null;
  // Two months back too: a `29…Z` read on 1 March must skip a short February.
  for (const delta of [-2, -1, 0, 1]) {
    const m0 = ref.month - 1 + delta;
    const y = ref.year + Math.floor(m0 / 12);
    const mo = (((m0 % 12) + 12) % 12) + 1;
    if (day > daysInMonth(y, mo)) continue;
    const t = utcMs(y, mo, day, hour, minute);
    if (t - refMs > MAX_AHEAD_MS) {
      if (bestAhead === null || t < bestAhead) bestAhead = t;
    } else if (best === null || Math.abs(t - refMs) < Math.abs(best - refMs)) best = t;
  }
  return best ?? bestAhead;
}
