import { JudgeCalendar } from '../../domain/weather/judge-calendar.ts';
import type { PwsObservation } from '../../domain/weather/pws-qc.ts';
import { fToC } from '../../domain/weather/units.ts';
import { civilFromDays } from '../../domain/time/civil.ts';
import { hash32, seededRng, type Rng } from '../../domain/util/random.ts';

/**
 * A seeded world for the embedded default and tests: a station whose temperature follows a diurnal
 * curve shaped by season, multi-day swings, cloud, wind and humidity; the ASOS reports it (whole °F,
 * T-group in tenths of °C, SPECIs, 6-h/24-h groups from the continuous record, so the hourly maximum
 * sits below the official one as at real stations); and PWS around it with warm-biased outliers,
 * stuck sensors and stations that go stale; optionally seeded outages in which the station reports
 * nothing at all. Everything is a pure function of (seed, time): any window can be asked for in any
 * order and returns the same reports.
 */
export interface WorldSimOptions {
  seed: number;
  station: string;
  tz: string;
  pwsIds: readonly string[];
  speciPerHour: number;
  outlierShare: number;
  stuckShare: number;
  staleShare: number;
  pwsIntervalMs: number;
  routineMinute?: number;
  /** Climatology: annual mean and half-range of the daily mean (°F), coldest day of year. */
  annualMeanF?: number;
  annualHalfRangeF?: number;
  coldestDoy?: number;
  /** Probability per day of one malformed T-group (fault injection for QC). */
  malformedPerDay?: number;
  /** Station outage: within every period of `outageEveryMs` (0 or absent: never) no METAR or PWS for `outageMs`. */
  outageEveryMs?: number;
  outageMs?: number;
}

/** What fixes a station's outage windows (the world's seed and station, the period and length). */
export type OutageSchedule = Pick<WorldSimOptions, 'seed' | 'station' | 'outageEveryMs' | 'outageMs'>;

/** Start of the station's outage window in period 0; window k starts at k·period + this. */
function outagePhase(o: OutageSchedule, everyMs: number): number {
  return Math.floor(seededRng(hash32(`${o.seed}:${o.station}:outage`))() * everyMs);
}

/** Whether the station's reports observed at `ms` are withheld. */
export function inOutage(o: OutageSchedule, ms: number): boolean {
  const every = o.outageEveryMs ?? 0;
  const length = o.outageMs ?? 0;
  if (every <= 0 || length <= 0) return false;
  const into = (((ms - outagePhase(o, every)) % every) + every) % every;
  return into < length;
}

/** How many of the station's outage windows begin in [fromMs, toMs). */
export function outagesBegunBetween(o: OutageSchedule, fromMs: number, toMs: number): number {
  const every = o.outageEveryMs ?? 0;
  if (every <= 0 || (o.outageMs ?? 0) <= 0 || toMs <= fromMs) return 0;
  const phase = outagePhase(o, every);
  return Math.ceil((toMs - phase) / every) - Math.ceil((fromMs - phase) / every);
}

export interface SimMetar {
  obsMs: number;
  raw: string;
}

export type PwsRole = 'good' | 'outlier' | 'stuck' | 'stale';

interface DayWeather {
  cloud: number;
  windDir: number;
  windKt: number;
  dewDepF: number;
  peakHour: number;
  rangeF: number;
  precipHours: Set<number>;
  malformedHour: number | null;
  /** Warm advection late in the day (a front passing): extra °F ramped in over three hours from lateRiseHour. */
  lateRiseF: number;
  lateRiseHour: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const STEP_MS = 5 * 60_000;
/** How long a stuck or stale PWS fault lasts each day. */
const FAULT_HOURS = 8;

function gauss(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function pad(n: number, w: number): string {
  return String(Math.abs(Math.trunc(n))).padStart(w, '0');
}

export class WorldSimulator {
  readonly calendar: JudgeCalendar;
  private readonly standard: JudgeCalendar;
  private readonly routineMinute: number;
  private readonly dayCache = new Map<number, DayWeather>();
  private readonly roles = new Map<string, { role: PwsRole; biasF: number; sunBiasF: number; offsetMs: number; faultStartMs: number }>();
  private readonly swings: Array<{ period: number; amp: number; phase: number }>;

  constructor(readonly o: WorldSimOptions) {
    this.calendar = new JudgeCalendar(o.tz, 'local');
    this.standard = new JudgeCalendar(o.tz, 'standard');
    this.routineMinute = o.routineMinute ?? 51;
    const rng = seededRng(hash32(`${o.seed}:${o.station}:swings`));
    this.swings = [2.7, 4.3, 6.1, 9.4, 15.2].map((period) => ({ period: period * (0.9 + 0.2 * rng()), amp: 2 + 3 * rng(), phase: 2 * Math.PI * rng() }));
    const ids = [...o.pwsIds].sort();
    const roleRng = seededRng(hash32(`${o.seed}:${o.station}:pws`));
    const shuffled = ids.map((id) => ({ id, k: roleRng() })).sort((a, b) => a.k - b.k).map((x) => x.id);
    const nOut = Math.round(ids.length * o.outlierShare);
    const nStuck = Math.round(ids.length * o.stuckShare);
    const nStale = Math.round(ids.length * o.staleShare);
    shuffled.forEach((id, i) => {
      const role: PwsRole = i < nOut ? 'outlier' : i < nOut + nStuck ? 'stuck' : i < nOut + nStuck + nStale ? 'stale' : 'good';
      const r = seededRng(hash32(`${o.seed}:${id}`));
      this.roles.set(id, {
        role,
        biasF: gauss(r) * 0.6,
        sunBiasF: role === 'outlier' ? 6 + 4 * r() : r() * 1.2,
        offsetMs: Math.floor(r() * o.pwsIntervalMs),
        faultStartMs: Math.floor(r() * DAY_MS),
      });
    });
  }

  roleOf(pwsId: string): PwsRole | undefined {
    return this.roles.get(pwsId)?.role;
  }

  private dayIndexOf(ms: number): number {
    return Math.floor((ms + this.calendar.offsetMinutes(ms) * 60_000) / DAY_MS);
  }

  private day(dayIndex: number): DayWeather {
    let d = this.dayCache.get(dayIndex);
    if (d) return d;
    const rng = seededRng(hash32(`${this.o.seed}:${this.o.station}:day:${dayIndex}`));
    const cloud = Math.min(4, Math.max(0, Math.round(2 + 1.6 * gauss(rng))));
    const windDir = Math.floor(rng() * 36) * 10;
    const windKt = Math.max(0, Math.round(8 + 4 * gauss(rng)));
    const dewDepF = Math.max(1, 12 + 6 * gauss(rng) - cloud * 1.5);
    // Sea breeze: onshore (southerly) wind caps and advances the peak; cloud flattens the curve.
    const onshore = Math.cos(((windDir - 180) * Math.PI) / 180) > 0.5 ? 1 : 0;
    const peakHour = Math.min(17.5, Math.max(11, 14.5 + 0.8 * gauss(rng) - 1.5 * onshore));
    const rangeF = Math.max(3, 17 - 2.6 * cloud - 3.5 * onshore + dewDepF * 0.25 + 2 * gauss(rng));
    const precipHours = new Set<number>();
    if (cloud >= 3 && rng() < 0.4) {
      const start = Math.floor(rng() * 20);
      for (let h = start; h < start + 1 + Math.floor(rng() * 5); h++) precipHours.add(h % 24);
    }
    const malformedHour = rng() < (this.o.malformedPerDay ?? 0) ? Math.floor(rng() * 24) : null;
    const late = rng() < 0.15;
    const lateRiseF = late ? 4 + 10 * rng() : 0;
    const lateRiseHour = 12 + 10 * rng();
    d = { cloud, windDir, windKt, dewDepF, peakHour, rangeF, precipHours, malformedHour, lateRiseF, lateRiseHour };
    if (this.dayCache.size > 4000) this.dayCache.clear();
    this.dayCache.set(dayIndex, d);
    return d;
  }

  /** Daily mean (°F) from the annual cycle plus multi-day swings. */
  private dailyMeanF(dayIndex: number): number {
    const doy = dayIndex - Math.floor(dayIndex / 365.2425) * 365.2425;
    const cold = this.o.coldestDoy ?? 20;
    const annual = (this.o.annualMeanF ?? 56) - (this.o.annualHalfRangeF ?? 20) * Math.cos((2 * Math.PI * (doy - cold)) / 365.2425);
    let swing = 0;
    for (const s of this.swings) swing += s.amp * Math.sin((2 * Math.PI * dayIndex) / s.period + s.phase);
    return annual + swing;
  }

  /** The true air temperature (°F, continuous) at `ms`. */
  trueTempF(ms: number): number {
    const dayIndex = this.dayIndexOf(ms);
    const hour = this.calendar.localHour(ms);
    const d = this.day(dayIndex);
    const mean = this.dailyMeanF(dayIndex) + (this.dailyMeanF(dayIndex + 1) - this.dailyMeanF(dayIndex)) * (hour / 24);
    const minHour = 6;
    let shape: number;
    if (hour >= minHour && hour <= d.peakHour) shape = -Math.cos((Math.PI * (hour - minHour)) / (d.peakHour - minHour));
    else {
      const since = hour > d.peakHour ? hour - d.peakHour : hour + 24 - d.peakHour;
      const span = 24 - (d.peakHour - minHour);
      shape = 1 - 2 * (1 - Math.exp((-2.2 * since) / span)) / (1 - Math.exp(-2.2));
    }
    const rain = d.precipHours.has(Math.floor(hour)) ? -3 : 0;
    const lateRise = hour > d.lateRiseHour ? d.lateRiseF * Math.min(1, (hour - d.lateRiseHour) / 3) : 0;
    // Smooth sub-hourly wobble, deterministic in time.
    const slot = Math.floor(ms / STEP_MS);
    const w1 = seededRng(hash32(`${this.o.seed}:w:${slot}`))();
    const w2 = seededRng(hash32(`${this.o.seed}:w:${slot + 1}`))();
    const frac = (ms - slot * STEP_MS) / STEP_MS;
    const wobble = (w1 * (1 - frac) + w2 * frac - 0.5) * 1.6;
    return mean + (d.rangeF / 2) * shape + rain + lateRise + wobble;
  }

  /**
   * The likely maximum (whole °F) of the station's local day that contains `ms`: the true curve's
   * highest point on a fixed 10-minute grid, what a forecaster listing the day's temperature buckets
   * would centre them on. Any time of the same local day gives the same answer (a restarted
   * process lists the same buckets).
   */
  likelyMaxF(ms: number): number {
    const day = this.dayIndexOf(ms);
    const step = 10 * 60_000;
    let max = -Infinity;
    for (let t = Math.floor((ms - DAY_MS) / step) * step; t <= ms + DAY_MS; t += step) if (this.dayIndexOf(t) === day) max = Math.max(max, this.trueTempF(t));
    return Math.round(max);
  }

  /** ASOS whole-°F value: the 2-minute mean rounded. */
  private asosF(ms: number): number {
    return Math.round((this.trueTempF(ms - 60_000) + this.trueTempF(ms)) / 2);
  }

  private dewF(ms: number): number {
    const d = this.day(this.dayIndexOf(ms));
    return Math.round(this.asosF(ms) - d.dewDepF - 4 * Math.max(0, this.calendar.localHour(ms) - 8) / 8);
  }

  /** Reports with obsMs in [fromMs, toMs), in time order. */
  metarsBetween(fromMs: number, toMs: number): SimMetar[] {
    const out: SimMetar[] = [];
    for (let h = Math.floor(fromMs / HOUR_MS) - 1; h * HOUR_MS < toMs; h++) {
      const hourStart = h * HOUR_MS;
      const rng = seededRng(hash32(`${this.o.seed}:${this.o.station}:speci:${h}`));
      const times: Array<{ ms: number; speci: boolean }> = [{ ms: hourStart + this.routineMinute * 60_000, speci: false }];
      if (rng() < this.o.speciPerHour) {
        const minute = 5 + Math.floor(rng() * 40);
        if (minute !== this.routineMinute) times.push({ ms: hourStart + minute * 60_000, speci: true });
      }
      times.sort((a, b) => a.ms - b.ms);
      for (const t of times) if (t.ms >= fromMs && t.ms < toMs && !inOutage(this.o, t.ms)) out.push({ obsMs: t.ms, raw: this.report(t.ms, t.speci) });
    }
    return out;
  }

  private report(ms: number, speci: boolean): string {
    const day = this.day(this.dayIndexOf(ms));
    const utc = civilFromDays(Math.floor(ms / DAY_MS));
    const hh = Math.floor((ms % DAY_MS) / HOUR_MS);
    const mm = Math.floor((ms % HOUR_MS) / 60_000);
    const f = this.asosF(ms);
    const dew = Math.min(f, this.dewF(ms));
    const tT = Math.round(fToC(f) * 10);
    const tD = Math.round(fToC(dew) * 10);
    const body = (t: number) => (t < 0 ? 'M' : '') + pad(Math.round(Math.abs(t) / 10), 2);
    const tgroup = (t: number) => (t < 0 ? '1' : '0') + pad(Math.abs(t), 3);
    const rng = seededRng(hash32(`${this.o.seed}:${this.o.station}:r:${ms}`));
    const dir = (day.windDir + 10 * Math.round(gauss(rng))) % 360;
    const spd = Math.max(0, Math.round(day.windKt + 3 * gauss(rng)));
    const wind = spd === 0 ? '00000KT' : `${pad(dir === 0 ? 360 : dir, 3)}${pad(spd, 2)}${spd > 15 ? `G${pad(spd + 6, 2)}` : ''}KT`;
    const hourLocal = Math.floor(this.calendar.localHour(ms));
    const raining = day.precipHours.has(hourLocal);
    const cover = ['CLR', 'FEW', 'SCT', 'BKN', 'OVC'][day.cloud]!;
    const sky = cover === 'CLR' ? 'CLR' : `${cover}${pad(raining ? 15 : 40 + day.cloud * 10, 3)}`;
    const vis = raining ? '4SM -RA BR' : '10SM';
    const alt = Math.round(2992 + 20 * Math.sin(ms / (5 * DAY_MS)) + 5 * gauss(rng));
    const slp = pad(Math.round((alt / 100) * 33.8639 * 10) % 1000, 3);
    const rmk: string[] = ['AO2', `SLP${slp}`];
    const malformed = !speci && day.malformedHour === hourLocal;
    rmk.push(malformed ? `T0${pad(Math.abs(tT), 4)}${tgroup(tD)}` : `T${tgroup(tT)}${tgroup(tD)}`);
    if (!speci && mm === this.routineMinute && (hh + 1) % 6 === 0) {
      const [mx, mn] = this.extremeTenths(ms - 6 * HOUR_MS, ms);
      rmk.push(`1${tgroup(mx)}`, `2${tgroup(mn)}`);
    }
    if (!speci && mm === this.routineMinute && Math.floor(this.standard.localHour(ms)) === 23) {
      const [mx, mn] = this.extremeTenths(ms - 24 * HOUR_MS, ms);
      rmk.push(`4${tgroup(mx)}${tgroup(mn)}`);
    }
    return `${speci ? 'SPECI ' : 'METAR '}${this.o.station} ${pad(utc.day, 2)}${pad(hh, 2)}${pad(mm, 2)}Z AUTO ${wind} ${vis} ${sky} ${body(tT)}/${body(tD)} A${pad(alt, 4)} RMK ${rmk.join(' ')}`;
  }

  /** Max and min of the whole-°F record over a window, as T-group tenths. */
  private extremeTenths(fromMs: number, toMs: number): [number, number] {
    let mx = -Infinity;
    let mn = Infinity;
    for (let t = Math.ceil(fromMs / STEP_MS) * STEP_MS; t <= toMs; t += STEP_MS) {
      const f = this.asosF(t);
      if (f > mx) mx = f;
      if (f < mn) mn = f;
    }
    return [Math.round(fToC(mx) * 10), Math.round(fToC(mn) * 10)];
  }

  /** PWS readings with obsMs in [fromMs, toMs), in time order (imperial: whole °F). */
  pwsBetween(fromMs: number, toMs: number): PwsObservation[] {
    const out: PwsObservation[] = [];
    const interval = this.o.pwsIntervalMs;
    for (const id of [...this.roles.keys()].sort()) {
      const r = this.roles.get(id)!;
      const first = Math.ceil((fromMs - r.offsetMs) / interval) * interval + r.offsetMs;
      for (let t = first; t < toMs; t += interval) {
        // Faults recur daily: from faultStartMs into the UTC day, for FAULT_HOURS.
        const dayStart = Math.floor((t - r.faultStartMs) / DAY_MS) * DAY_MS + r.faultStartMs;
        const faultActive = r.role !== 'good' && r.role !== 'outlier' && t - dayStart < FAULT_HOURS * HOUR_MS;
        if ((r.role === 'stale' && faultActive) || inOutage(this.o, t)) continue;
        const temp = this.pwsTemp(r.role === 'stuck' && faultActive ? dayStart : t, r);
        const noise = seededRng(hash32(`${this.o.seed}:${id}:${r.role === 'stuck' && faultActive ? dayStart : t}`));
        out.push({ pwsId: id, obsMs: t, tempF: Math.round(temp + gauss(noise) * 0.4), qcStatus: 1 });
      }
    }
    return out.sort((a, b) => a.obsMs - b.obsMs || a.pwsId.localeCompare(b.pwsId));
  }

  private pwsTemp(t: number, r: { biasF: number; sunBiasF: number }): number {
    const hour = this.calendar.localHour(t);
    const d = this.day(this.dayIndexOf(t));
    const sun = hour > 9 && hour < 17 ? Math.sin((Math.PI * (hour - 9)) / 8) * (1 - d.cloud / 8) : 0;
    return this.trueTempF(t) + r.biasF + r.sunBiasF * sun;
  }
}
