import { IANAZone } from 'luxon';
import { civilFromDays, daysFromCivil, isoDateAt, isoLocalMinute, parseIsoDate, utcMs } from '../time/civil.ts';

/**
 * Which clock defines the judge day. `local`: the station's civil clock (what WU's daily history
 * page is indexed by, DST included). `standard`: local standard time all year, the NWS climate day
 * (midnight–midnight LST, i.e. 01:00–01:00 under daylight time).
 */
export type JudgeDayMode = 'local' | 'standard';

const SLOT_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;

/** Maps observation instants to judge days and local hours for one station. */
export class JudgeCalendar {
  private readonly zone: IANAZone;
  private readonly offsetBySlot = new Map<number, number>();
  private readonly standardByYear = new Map<number, number>();

  constructor(
    readonly tz: string,
    readonly mode: JudgeDayMode = 'local',
  ) {
    const zone = IANAZone.create(tz);
    if (!zone.isValid) throw new Error(`unknown time zone ${tz}`);
    this.zone = zone;
  }

  /** Offset (minutes east of UTC) of the judge clock at `ms`. */
  offsetMinutes(ms: number): number {
    if (this.mode === 'standard') return this.standardOffset(civilFromDays(Math.floor(ms / 86_400_000)).year);
    // Zone transitions fall on quarter hours; cache per slot so the hot path skips Intl.
    const slot = Math.floor(ms / SLOT_MS);
    let off = this.offsetBySlot.get(slot);
    if (off === undefined) {
      off = this.zone.offset(slot * SLOT_MS);
      if (this.offsetBySlot.size > 50_000) this.offsetBySlot.clear();
      this.offsetBySlot.set(slot, off);
    }
    return off;
  }

  /** Standard-time offset of a year: the smaller of the January and July offsets (either hemisphere). */
  private standardOffset(year: number): number {
    let off = this.standardByYear.get(year);
    if (off === undefined) {
      off = Math.min(this.zone.offset(utcMs(year, 1, 1)), this.zone.offset(utcMs(year, 7, 1)));
      this.standardByYear.set(year, off);
    }
    return off;
  }

  /** `YYYY-MM-DD` of the judge day containing `ms`. */
  dayOf(ms: number): string {
    return isoDateAt(ms, this.offsetMinutes(ms));
  }

  /** Fractional hour of the judge clock (0 ≤ h < 24). */
  localHour(ms: number): number {
    const local = ms + this.offsetMinutes(ms) * 60_000;
    return (((local % 86_400_000) + 86_400_000) % 86_400_000) / HOUR_MS;
  }

  /** Epoch ms at which judge-clock time `hour:00` of `day` occurs (the later instant when ambiguous). */
  timeOf(day: string, hour: number): number {
    const days = parseIsoDate(day);
    if (days === null) throw new Error(`bad date ${day}`);
    const wall = days * 86_400_000 + hour * HOUR_MS;
    // Two passes settle the offset except inside a DST gap, where the result is the first valid instant.
    let guess = wall - this.offsetMinutes(wall) * 60_000;
    guess = wall - this.offsetMinutes(guess) * 60_000;
    return guess;
  }

  dayStartMs(day: string): number {
    return this.timeOf(day, 0);
  }

  dayEndMs(day: string): number {
    return this.timeOf(nextDay(day), 0);
  }

  /** `YYYY-MM-DDTHH:MM±HH:MM` on the judge clock. */
  isoLocal(ms: number): string {
    return isoLocalMinute(ms, this.offsetMinutes(ms));
  }

  /** Day of year (1…366) of a judge day. */
  static dayOfYear(day: string): number {
    const days = parseIsoDate(day);
    if (days === null) throw new Error(`bad date ${day}`);
    const { year } = civilFromDays(days);
    return days - daysFromCivil(year, 1, 1) + 1;
  }
}

export function nextDay(day: string): string {
  const days = parseIsoDate(day);
  if (days === null) throw new Error(`bad date ${day}`);
  return isoDateAt((days + 1) * 86_400_000);
}
