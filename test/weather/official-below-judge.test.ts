import { describe, expect, it } from 'vitest';
import { loadStationArchive } from '../../src/adapters/weather/archive.ts';
import { parseMetarText } from '../../src/adapters/weather/metar-parser.ts';
import { JudgeCalendar, nextDay, type JudgeDayMode } from '../../src/domain/weather/judge-calendar.ts';
import type { MetarReport } from '../../src/domain/weather/metar-report.ts';
import { StationDays } from '../../src/domain/weather/station-days.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';

const HOUR = 3_600_000;
const TZ = 'America/New_York';
const BASE_TENTHS = 200; // 20.0 °C = 68 °F
const SPIKE_TENTHS = 250; // 25.0 °C = 77 °F

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * A consistent synthetic KJFK: a routine report at :51 every hour, one warm spike, 6-h maximum
 * groups at 05/11/17/23:51Z and the 24-h group at 04:51Z (local standard midnight), each the
 * maximum of the hourly readings in the period ending at its report (the start excluded, as the
 * real periods start at the synoptic hour). `groupsSeeSpike: false` makes the groups miss the spike;
 * `with24h: false` leaves the 24-h group out (as KJFK's archive does some nights).
 */
function station(day: string, spikeMs: number, groupsSeeSpike = true, with24h = true): string[] {
  const start = Date.parse(`${day}T00:51:00Z`) - 30 * HOUR;
  const end = start + 80 * HOUR;
  const temp = (ms: number) => (ms === spikeMs ? SPIKE_TENTHS : BASE_TENTHS);
  const groupTemp = (ms: number) => (groupsSeeSpike ? temp(ms) : BASE_TENTHS);
  const maxOver = (obs: number, period: number) => {
    let m = -Infinity;
    for (let t = obs - period + HOUR; t <= obs; t += HOUR) m = Math.max(m, groupTemp(t));
    return m;
  };
  const out: string[] = [];
  for (let ms = start; ms <= end; ms += HOUR) {
    const d = new Date(ms);
    const h = d.getUTCHours();
    const t = temp(ms);
    let rmk = `RMK AO2 T0${pad(t, 3)}0100`;
    if (h % 6 === 5) rmk += ` 10${pad(maxOver(ms, 6 * HOUR), 3)}`;
    if (h === 4 && with24h) rmk += ` 40${pad(maxOver(ms, 24 * HOUR), 3)}0100`;
    out.push(`METAR KJFK ${pad(d.getUTCDate(), 2)}${pad(h, 2)}51Z 00000KT 10SM CLR ${Math.round(t / 10)}/10 A3000 ${rmk}`);
  }
  return out;
}

// Most reports repeat from one spike position to the next; parsing dominates the run time.
const parsed = new Map<string, MetarReport>();

function summarize(raws: readonly string[], day: string, mode: JudgeDayMode) {
  const days = new StationDays(new JudgeCalendar(TZ, mode));
  const refMs = Date.parse(`${day}T12:00:00Z`);
  for (const raw of raws) {
    const key = `${day} ${raw}`;
    let report = parsed.get(key);
    if (!report) {
      const r = parseMetarText(raw, { refMs, routineMinute: 51 });
      if (!r.ok) throw new Error(`${r.error}: ${raw}`);
      report = r.report;
      parsed.set(key, report);
    }
    days.add(report);
  }
  return days.summary(day);
}

/** The :51 reports of a judge day (23, 24 or 25 of them), as epoch ms. */
function routineTimes(day: string, mode: JudgeDayMode): number[] {
  const cal = new JudgeCalendar(TZ, mode);
  const out: number[] = [];
  for (let ms = Date.parse(`${day}T00:51:00Z`) - 12 * HOUR; ms < Date.parse(`${nextDay(day)}T00:51:00Z`) + 12 * HOUR; ms += HOUR) {
    if (cal.dayOf(ms) === day) out.push(ms);
  }
  return out;
}

// Summer (EDT), winter (EST), the spring-forward day and the fall-back day.
const DAYS = ['2020-07-21', '2020-01-15', '2020-03-08', '2020-11-01'];
const MODES: JudgeDayMode[] = ['local', 'standard'];

describe('official_below_judge compares the judge maximum with the groups whose period holds it', () => {
  it('does not flag a consistent station, whichever hour of the judge day the maximum falls in (both midnights, DST days, either judge clock, with or without the 24-h group)', () => {
    for (const mode of MODES) {
      for (const day of DAYS) {
        const times = routineTimes(day, mode);
        expect(times.length, `${day} ${mode}`).toBeGreaterThanOrEqual(23);
        for (const [spike, with24h] of times.flatMap((t) => [[t, true], [t, false]] as const)) {
          const s = summarize(station(day, spike, true, with24h), day, mode);
          const at = `${day} ${mode}${with24h ? '' : ' without 24-h group'} max at ${new JudgeCalendar(TZ, mode).isoLocal(spike)}`;
          expect(s.judge_max_f, at).toBe(77);
          expect(s.judge_max_time_local, at).toBe(new JudgeCalendar(TZ, mode).isoLocal(spike));
          expect(s.flags, at).not.toContain('official_below_judge');
        }
      }
    }
  });

  it('names the 00:51 EDT maximum of the issue: the day\'s own groups do not cover it, the groups that do agree with it', () => {
    const spike = Date.parse('2020-07-21T04:51:00Z');
    const s = summarize(station('2020-07-21', spike), '2020-07-21', 'local');
    expect(s).toMatchObject({ judge_max_f: 77, judge_max_time_local: '2020-07-21T00:51-04:00', official_max_f: 68 });
    expect(s.flags).not.toContain('official_below_judge');
  });

  it('still flags a maximum its covering groups read lower, at the first and the last hour of the day', () => {
    for (const mode of MODES) {
      for (const day of DAYS) {
        const times = routineTimes(day, mode);
        for (const spike of [times[0]!, times.at(-1)!, times[Math.floor(times.length / 2)]!]) {
          const s = summarize(station(day, spike, false), day, mode);
          expect(s.flags, `${day} ${mode} ${new JudgeCalendar(TZ, mode).isoLocal(spike)}`).toContain('official_below_judge');
        }
      }
    }
  });
});

describe.skipIf(!requireSharedFixtures('weather/iem_asos_KJFK_2019-11_2020-09.csv'))('KJFK archive (shared fixture): maxima just after local midnight', () => {
  const file = sharedFixture('weather', 'iem_asos_KJFK_2019-11_2020-09.csv');
  const local = loadStationArchive(file, 'JFK', TZ, 'local').days;
  const lst = loadStationArchive(file, 'JFK', TZ, 'standard').days;

  it('are not flagged official_below_judge (2020-03-11 00:51 EDT, 2020-07-24 00:09 EDT, 2020-02-05 00:51 EST)', () => {
    expect(local.summary('2020-03-11')).toMatchObject({ judge_max_f: 59, judge_max_time_local: '2020-03-11T00:51-04:00' });
    expect(local.summary('2020-07-24').judge_max_time_local).toBe('2020-07-24T00:09-04:00');
    expect(local.summary('2020-02-05').judge_max_time_local).toBe('2020-02-05T00:51-05:00');
    for (const d of ['2020-03-11', '2020-07-24', '2020-02-05']) expect(local.summary(d).flags, d).not.toContain('official_below_judge');
    expect(lst.summary('2020-02-05').flags).not.toContain('official_below_judge');
  });

  it('while a maximum read from the whole-°C body above its groups still is', () => {
    for (const days of [local, lst]) {
      for (const d of ['2020-02-13', '2020-09-14']) expect(days.summary(d).flags, d).toEqual(expect.arrayContaining(['official_below_judge', 'judge_max_from_body']));
    }
  });
});
