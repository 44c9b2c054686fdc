import type { JudgeCalendar } from './judge-calendar.ts';
import type { MetarReport } from './metar-report.ts';
import { judgeFFromTenths } from './units.ts';

/** One judge day as `helios metar daily` prints it. */
export interface DaySummary {
  date: string;
  /** Max over METAR/SPECI temp_f_judge in the judge day: what WU's daily table shows. */
  judge_max_f: number | null;
  judge_max_time_local: string | null;
  /** Max of the 6-h (`1snTTT`) and 24-h (`4snTTT…`) groups attributed to this day: the NWS value. */
  official_max_f: number | null;
  n_reports: number;
  flags: string[];
  /** Same-minute reports that read another temperature than the one kept, in time order. */
  conflicting_duplicates: DuplicateConflict[];
}

/**
 * Why one of two distinct reports of the same minute is kept, in the order the rule asks:
 * `corrected` a COR over an uncorrected report (it replaces it; not a conflict, flagged
 * `corrected`); `has_temperature` a report with a usable temperature over one without;
 * `t_group` tenths of °C from a T-group over the whole-°C body; `higher` the higher temperature
 * (WU's daily table lists every report, so the daily high it settles on is the higher of the two);
 * `text_order` the raw text that sorts first (the same reading: only so arrival order never decides).
 */
export type DuplicateRule = 'corrected' | 'has_temperature' | 't_group' | 'higher' | 'text_order';

/** A report dropped for another one of the same minute that read a different temperature. */
export interface DuplicateConflict {
  time_local: string;
  kept_c: number | null;
  kept_f: number | null;
  dropped_c: number | null;
  dropped_f: number | null;
  rule: DuplicateRule;
}

/** Which of two distinct reports of one observation minute is kept; a total order, so the result never depends on which came first. */
export function sameMinuteWinner(a: MetarReport, b: MetarReport): { kept: MetarReport; dropped: MetarReport; rule: DuplicateRule } {
  const pick = (aWins: boolean, rule: DuplicateRule) => (aWins ? { kept: a, dropped: b, rule } : { kept: b, dropped: a, rule });
  if (a.corrected !== b.corrected) return pick(a.corrected, 'corrected');
  if ((a.tempC === null) !== (b.tempC === null)) return pick(a.tempC !== null, 'has_temperature');
  if ((a.precision === 'tenths') !== (b.precision === 'tenths')) return pick(a.precision === 'tenths', 't_group');
  if (a.tempC !== null && b.tempC !== null && a.tempC !== b.tempC) return pick(a.tempC > b.tempC, 'higher');
  return pick(a.raw < b.raw, 'text_order');
}

export type AddStatus = 'added' | 'replaced' | 'duplicate' | 'ignored';

export interface AddResult {
  status: AddStatus;
  day: string;
  /** The report this one replaced (a COR, or the winner of `sameMinuteWinner`, supersedes the earlier report of the same time). */
  replaced: MetarReport | null;
  /** Set when this report and the other one of its minute read different temperatures (not a COR replacement). */
  conflict: { kept: MetarReport; dropped: MetarReport; rule: DuplicateRule } | null;
}

const HOUR_MS = 3_600_000;
/** The 6-h and 24-h maximum groups cover the period ending at their report (FMH-1 remarks 31, 33). */
const MAX6H_PERIOD_MS = 6 * HOUR_MS;
const MAX24H_PERIOD_MS = 24 * HOUR_MS;
/** A day with temperatures in fewer local hours than this is flagged incomplete. */
const MIN_COMPLETE_HOURS = 20;

interface DayState {
  reports: MetarReport[];
  /** Distinct reports that lost their minute to another (kept for the conflict column). */
  dropped: MetarReport[];
  officialMaxTenths: number | null;
  officialSources: number;
}

/**
 * Judge days of one station: COR replacement, judge maximum so far, official maximum from the
 * 6-h/24-h groups. Pure state; callers feed reports in any order.
 */
export class StationDays {
  private readonly days = new Map<string, DayState>();
  /** Reports by observation time, for COR replacement and duplicate suppression. */
  private readonly byTime = new Map<number, MetarReport>();

  constructor(readonly calendar: JudgeCalendar) {}

  add(report: MetarReport): AddResult {
    const day = this.calendar.dayOf(report.obsMs);
    const existing = this.byTime.get(report.obsMs);
    if (existing) {
      if (existing.raw === report.raw) return { status: 'duplicate', day, replaced: null, conflict: null };
      const dropped = this.state(day).dropped;
      // A report that already lost its minute loses again; it was reported when it first lost.
      if (dropped.some((r) => r.raw === report.raw)) return { status: 'ignored', day, replaced: null, conflict: null };
      // A late original must not undo its correction, and two distinct reports of one minute must
      // give the same day whichever arrives first: the rule decides, and the loser is remembered.
      const w = sameMinuteWinner(existing, report);
      dropped.push(w.dropped);
      const conflict = isConflict(w) ? w : null;
      if (w.kept === existing) return { status: 'ignored', day, replaced: null, conflict };
      this.remove(existing);
      this.insert(report, day);
      return { status: 'replaced', day, replaced: existing, conflict };
    }
    this.insert(report, day);
    return { status: 'added', day, replaced: null, conflict: null };
  }

  private state(day: string): DayState {
    let s = this.days.get(day);
    if (!s) {
      s = { reports: [], dropped: [], officialMaxTenths: null, officialSources: 0 };
      this.days.set(day, s);
    }
    return s;
  }

  private insert(report: MetarReport, day: string): void {
    this.byTime.set(report.obsMs, report);
    const list = this.state(day).reports;
    let i = list.length;
    while (i > 0 && list[i - 1]!.obsMs > report.obsMs) i--;
    list.splice(i, 0, report);
    this.recomputeOfficial(report);
  }

  private remove(report: MetarReport): void {
    this.byTime.delete(report.obsMs);
    const list = this.days.get(this.calendar.dayOf(report.obsMs))?.reports;
    if (list) {
      const i = list.indexOf(report);
      if (i >= 0) list.splice(i, 1);
    }
    this.recomputeOfficial(report);
  }

  /** Days whose official max a report's 6-h/24-h groups touch, recomputed from their reports. */
  private recomputeOfficial(report: MetarReport): void {
    if (report.max6hTenths === null && report.max24hTenths === null) return;
    const touched = new Set<string>();
    if (report.max6hTenths !== null) touched.add(this.official6hDay(report.obsMs));
    if (report.max24hTenths !== null) touched.add(this.official24hDay(report.obsMs));
    for (const day of touched) {
      const s = this.state(day);
      s.officialMaxTenths = null;
      s.officialSources = 0;
    }
    // The groups attributed to a day are reported within about a day after its start.
    for (const day of touched) {
      const s = this.state(day);
      const from = this.calendar.dayStartMs(day);
      const to = this.calendar.dayEndMs(day) + 13 * HOUR_MS;
      for (const r of this.reportsBetween(from, to)) {
        if (r.max6hTenths !== null && this.official6hDay(r.obsMs) === day) this.takeOfficial(s, r.max6hTenths);
        if (r.max24hTenths !== null && this.official24hDay(r.obsMs) === day) this.takeOfficial(s, r.max24hTenths);
      }
    }
  }

  private takeOfficial(s: DayState, tenths: number): void {
    s.officialSources++;
    if (s.officialMaxTenths === null || tenths > s.officialMaxTenths) s.officialMaxTenths = tenths;
  }

  /** A 6-h group covers the six hours before its report; it belongs to the day holding their middle. */
  private official6hDay(obsMs: number): string {
    return this.calendar.dayOf(obsMs - MAX6H_PERIOD_MS / 2);
  }

  /** The 24-h group closes the climate day at local standard midnight; attribute by its middle. */
  private official24hDay(obsMs: number): string {
    return this.calendar.dayOf(obsMs - MAX24H_PERIOD_MS / 2);
  }

  /**
   * The highest 6-h/24-h maximum group whose period holds `atMs` (tenths), null when none does.
   * Not the day's official maximum: attributed by their middle, the day's groups leave its first
   * hours uncovered (the 6-h period ending at 01:51 EDT or 00:51 EST, and the climate day ending at
   * local standard midnight, belong to the day before), so a maximum there must be judged by these.
   */
  private coveringMaxTenths(atMs: number): number | null {
    let best: number | null = null;
    for (const r of this.reportsBetween(atMs, atMs + MAX24H_PERIOD_MS)) {
      if (r.max6hTenths !== null && r.obsMs - MAX6H_PERIOD_MS <= atMs && (best === null || r.max6hTenths > best)) best = r.max6hTenths;
      if (r.max24hTenths !== null && r.obsMs - MAX24H_PERIOD_MS <= atMs && (best === null || r.max24hTenths > best)) best = r.max24hTenths;
    }
    return best;
  }

  /** Whether a group covering a report that reached the judge maximum reads less than it (a suspect group or report). */
  private officialBelowJudge(day: string, maxF: number): boolean {
    for (const r of this.reportsOf(day)) {
      if (r.tempFJudge !== maxF) continue;
      const covering = this.coveringMaxTenths(r.obsMs);
      if (covering !== null && judgeFFromTenths(covering) < maxF) return true;
    }
    return false;
  }

  private reportsBetween(from: number, to: number): MetarReport[] {
    const out: MetarReport[] = [];
    for (const day of [this.calendar.dayOf(from), this.calendar.dayOf(from + 24 * HOUR_MS), this.calendar.dayOf(to)]) {
      for (const r of this.days.get(day)?.reports ?? []) if (r.obsMs >= from && r.obsMs <= to && !out.includes(r)) out.push(r);
    }
    return out;
  }

  /** Judge days seen, ascending. */
  dayList(): string[] {
    return [...this.days.keys()].filter((d) => this.days.get(d)!.reports.length > 0).sort();
  }

  /** Reports of a judge day in time order (after COR replacement). */
  reportsOf(day: string): readonly MetarReport[] {
    return this.days.get(day)?.reports ?? [];
  }

  /** Judge maximum over reports of `day` observed at or before `atMs`. */
  maxSoFar(day: string, atMs = Number.POSITIVE_INFINITY): { f: number; obsMs: number; report: MetarReport } | null {
    let best: { f: number; obsMs: number; report: MetarReport } | null = null;
    for (const r of this.reportsOf(day)) {
      if (r.obsMs > atMs) break;
      if (r.tempFJudge !== null && (best === null || r.tempFJudge > best.f)) best = { f: r.tempFJudge, obsMs: r.obsMs, report: r };
    }
    return best;
  }

  officialMaxF(day: string): number | null {
    const t = this.days.get(day)?.officialMaxTenths;
    return t === null || t === undefined ? null : judgeFFromTenths(t);
  }

  summary(day: string): DaySummary {
    const reports = this.reportsOf(day);
    const max = this.maxSoFar(day);
    const official = this.officialMaxF(day);
    const flags = new Set<string>();
    const hours = new Set<number>();
    for (const r of reports) {
      if (r.tempFJudge !== null) hours.add(Math.floor(this.calendar.localHour(r.obsMs)));
      if (r.corrected) flags.add('corrected');
      for (const f of r.flags) {
        const kind = f.split(':')[0]!;
        if (kind !== 'type_inferred' && kind !== 'dewpoint_missing') flags.add(kind);
      }
    }
    if (max && max.report.precision === 'whole') flags.add('judge_max_from_body');
    if (official === null) flags.add('official_missing');
    if (max && this.officialBelowJudge(day, max.f)) flags.add('official_below_judge');
    if (hours.size < MIN_COMPLETE_HOURS) flags.add('incomplete');
    const conflicts = this.conflictsOf(day);
    if (conflicts.length > 0) flags.add('conflicting_duplicate');
    return {
      date: day,
      judge_max_f: max ? max.f : null,
      judge_max_time_local: max ? this.calendar.isoLocal(max.obsMs) : null,
      official_max_f: official,
      n_reports: reports.length,
      flags: [...flags].sort(),
      conflicting_duplicates: conflicts,
    };
  }

  /** Each dropped report that read another temperature than the one finally kept for its minute. */
  private conflictsOf(day: string): DuplicateConflict[] {
    const dropped = [...(this.days.get(day)?.dropped ?? [])].sort((a, b) => a.obsMs - b.obsMs || (a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0));
    const out: DuplicateConflict[] = [];
    for (const d of dropped) {
      const kept = this.byTime.get(d.obsMs);
      if (!kept) continue;
      // Judged against the final winner, not the report it first lost to, so arrival order cannot show.
      const w = sameMinuteWinner(kept, d);
      if (!isConflict(w)) continue;
      out.push({ time_local: this.calendar.isoLocal(d.obsMs), kept_c: kept.tempC, kept_f: kept.tempFJudge, dropped_c: d.tempC, dropped_f: d.tempFJudge, rule: w.rule });
    }
    return out;
  }

  /** Forget days before `day` (the live feed keeps a short window). */
  pruneBefore(day: string): void {
    for (const d of [...this.days.keys()]) {
      if (d < day) {
        for (const r of this.days.get(d)!.reports) this.byTime.delete(r.obsMs);
        this.days.delete(d);
      }
    }
  }
}

/** A COR replacing its original is a correction, not a conflict; equal readings do not conflict either. */
function isConflict(w: { kept: MetarReport; dropped: MetarReport; rule: DuplicateRule }): boolean {
  return w.rule !== 'corrected' && w.kept.tempC !== w.dropped.tempC;
}
