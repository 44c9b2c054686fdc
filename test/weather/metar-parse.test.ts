import { describe, expect, it } from 'vitest';
import { parseMetarText } from '../../src/adapters/weather/metar-parser.ts';
import { JudgeCalendar } from '../../src/domain/weather/judge-calendar.ts';
import type { MetarReport } from '../../src/domain/weather/metar-report.ts';
import { extractRemarkGroups } from '../../src/domain/weather/remark-groups.ts';
import { StationDays } from '../../src/domain/weather/station-days.ts';
import { judgeFFromTenths } from '../../src/domain/weather/units.ts';
import { anchorDayOfMonth, utcMs } from '../../src/domain/time/civil.ts';

const REF = utcMs(2020, 7, 20, 12);

function parse(raw: string, refMs = REF, routineMinute: number | null = 51): MetarReport {
  const out = parseMetarText(raw, { refMs, routineMinute });
  if (!out.ok) throw new Error(out.error);
  return out.report;
}

describe('strict remark groups', () => {
  it('decodes T, 1, 2 and 4 groups as whole tokens, negatives included', () => {
    const g = extractRemarkGroups('KJFK 210451Z 00000KT 10SM M01/M06 A2994 RMK AO2 SLP137 T10061061 11017 21044 401171044 $');
    expect(g).toMatchObject({ tTemp: -6, tDew: -61, max6h: -17, min6h: -44, max24h: 117, min24h: -44, maintenance: true, malformed: [] });
  });

  it('flags look-alikes the lenient parser misreads, and decodes none of them', () => {
    for (const token of ['T001060022', 'T0110011', 'T0330017', 'T0083008', 'T000010006']) {
      const g = extractRemarkGroups(`KJFK 281351Z 32010KT 10SM FEW037 11/02 A3015 RMK SLP207 ${token}`);
      expect(g.tTemp).toBeNull();
      expect(g.malformed).toEqual([{ group: 'T', token }]);
    }
    const g = extractRemarkGroups('KJFK 281351Z 32010KT 10SM 11/02 A3015 RMK 12017 25001 423451044');
    expect(g.max6h).toBeNull();
    expect(g.min6h).toBeNull();
    expect(g.max24h).toBeNull();
    expect(g.malformed.map((m) => m.group)).toEqual(['1', '2', '4']);
  });

  it('does not mistake other numeric remarks (pressure tendency, precipitation, wind shift) for temperature groups', () => {
    const g = extractRemarkGroups('KJFK 201751Z 24015KT 10SM 35/22 A2983 RMK AO2 PK WND 18032/0010 WSHFT 1715 SLP100 P0000 60012 70045 56009 933010 T03500222');
    expect(g).toMatchObject({ tTemp: 350, tDew: 222, max6h: null, min6h: null, max24h: null, malformed: [] });
  });

  it('keeps a T-group without its dewpoint, and sensor-not-available indicators', () => {
    const g = extractRemarkGroups('KXYZ 010051Z 30009KT 10SM CLR 03/ A3015 RMK AO2 T0028 TSNO PNO VISNO');
    expect(g.tTemp).toBe(28);
    expect(g.tDew).toBeNull();
    expect(g.sensorsNotAvailable).toEqual(['TSNO', 'PNO', 'VISNO']);
  });
});

describe('judge alignment', () => {
  it('recovers the ASOS whole-°F value from the T-group', () => {
    expect(judgeFFromTenths(350)).toBe(95);
    expect(judgeFFromTenths(361)).toBe(97);
    expect(judgeFFromTenths(-6)).toBe(31);
    expect(judgeFFromTenths(-178)).toBe(0);
    expect(judgeFFromTenths(-294)).toBe(-21);
  });

  it('uses the T-group (tenths) when valid, the body (whole, flagged) otherwise', () => {
    const good = parse('KJFK 201751Z 24015KT 10SM SCT055 35/22 A2983 RMK AO2 SLP100 T03500222 10350 20283');
    expect(good).toMatchObject({ tempC: 35, precision: 'tenths', tempFJudge: 95, max6hTenths: 350, min6hTenths: 283, reportType: 'METAR' });
    const bad = parse('KJFK 281351Z 32010KT 10SM FEW037 11/02 A3015 RMK SLP207 T001060022');
    expect(bad).toMatchObject({ tempC: 11, precision: 'whole', tempFJudge: 52 });
    expect(bad.flags).toEqual(expect.arrayContaining(['t_group_malformed:T001060022', 'judge_from_body']));
  });

  it('flags a T-group more than 1 °C from the body and falls back to the body instead of spiking', () => {
    const r = parse('KJFK 281851Z 30013G19KT 10SM FEW065 17/00 A3008 RMK SLP187 T03720000');
    expect(r.flags).toContain('t_body_mismatch');
    expect(r.tempFJudge).toBe(63);
  });

  it('handles negative temperatures in body and T-group', () => {
    const r = parse('KJFK 091151Z 32012KT 10SM CLR M03/M14 A3041 RMK AO2 SLP299 T10281139 11006 21033', utcMs(2019, 11, 9, 12));
    expect(r).toMatchObject({ tempC: -2.8, dewpointC: -13.9, tempFJudge: 27, max6hTenths: -6, min6hTenths: -33 });
  });
});

describe('report kinds and flags', () => {
  it('tells SPECI from METAR by prefix, by the source, or by the minute (flagged as inferred)', () => {
    expect(parse('SPECI KJFK 201714Z 24015KT 10SM 36/21 A2984 RMK AO2 T03560211').reportType).toBe('SPECI');
    expect(parseMetarText('KJFK 201714Z 24015KT 10SM 36/21 A2984 RMK AO2 T03560211', { refMs: REF, typeHint: 'SPECI' })).toMatchObject({ ok: true, report: { reportType: 'SPECI' } });
    const inferred = parse('KJFK 201714Z 24015KT 10SM 36/21 A2984 RMK AO2 T03560211');
    expect(inferred.reportType).toBe('SPECI');
    expect(inferred.flags).toContain('type_inferred');
  });

  it('keeps COR, $ and …NO flags; handles NIL and missing temperatures', () => {
    const cor = parse('METAR KJFK 201751Z COR 24015KT 10SM 35/22 A2983 RMK AO2 T03500222 $ TSNO');
    expect(cor.corrected).toBe(true);
    expect(cor.flags).toEqual(expect.arrayContaining(['maintenance', 'sensor_no:TSNO']));
    const nil = parse('METAR KJFK 201751Z NIL');
    expect(nil).toMatchObject({ tempC: null, tempFJudge: null, precision: null });
    expect(nil.flags).toEqual(expect.arrayContaining(['nil', 'temp_missing']));
    for (const group of ['M/M', '/////']) expect(parse(`KJFK 201751Z 24015KT 10SM ${group} A2983 RMK AO2`).flags).toContain('temp_missing');
    expect(parse('KJFK 201751Z 24015KT 10SM 18/// A2983 RMK AO2')).toMatchObject({ tempC: 18, dewpointC: null });
  });

  it('refuses lines without a station and DDHHMMZ time, and empty bodies', () => {
    for (const raw of ['hello world', 'QQQQ O81354Z AUTO 17027G37KT', 'KJFK 0100Z 18026KT', 'QQQQ 081354Z=']) {
      expect(parseMetarText(raw, { refMs: REF }).ok).toBe(false);
    }
  });
});

describe('day-of-month anchoring', () => {
  it('anchors to the nearest month around the reference, across month and year ends', () => {
    expect(anchorDayOfMonth(31, 23, 51, utcMs(2020, 8, 1, 0, 5))).toBe(utcMs(2020, 7, 31, 23, 51));
    expect(anchorDayOfMonth(1, 0, 51, utcMs(2020, 12, 31, 23, 58))).toBe(utcMs(2021, 1, 1, 0, 51));
    expect(anchorDayOfMonth(29, 12, 0, utcMs(2021, 3, 1, 6))).toBe(utcMs(2021, 1, 29, 12, 0));
    expect(anchorDayOfMonth(29, 12, 0, utcMs(2020, 3, 1, 6))).toBe(utcMs(2020, 2, 29, 12, 0));
  });
});

describe('judge days', () => {
  const metar = (raw: string, ref = REF) => parse(raw, ref);

  it('replaces a report by its COR and ignores a late original or a repeat', () => {
    const days = new StationDays(new JudgeCalendar('America/New_York'));
    expect(days.add(metar('KJFK 201651Z 20012KT 10SM 34/23 A2984 RMK AO2 T03390228')).status).toBe('added');
    expect(days.add(metar('KJFK 201651Z 20012KT 10SM 34/23 A2984 RMK AO2 T03390228')).status).toBe('duplicate');
    const cor = days.add(metar('KJFK 201651Z COR 20012KT 10SM 33/23 A2984 RMK AO2 T03330228'));
    expect(cor.status).toBe('replaced');
    expect(cor.replaced?.tempFJudge).toBe(93);
    expect(days.add(metar('KJFK 201651Z 20012KT 10SM 34/23 A2984 RMK AO2 T03440228')).status).toBe('ignored');
    expect(days.summary('2020-07-20')).toMatchObject({ judge_max_f: 92, n_reports: 1, flags: expect.arrayContaining(['corrected']) });
  });

  it('keeps the judge max (METAR/SPECI) apart from the official max (6-h/24-h groups)', () => {
    const days = new StationDays(new JudgeCalendar('America/New_York'));
    for (const raw of [
      'KJFK 201651Z 20012KT 10SM 34/23 A2984 RMK AO2 T03390228',
      'SPECI KJFK 201714Z 24015KT 10SM 35/21 A2984 RMK AO2 T03500211',
      'KJFK 202351Z 29015KT 10SM 33/17 A2985 RMK AO2 T03280172 10361 20328',
      'KJFK 210451Z 00000KT 10SM 28/17 A2994 RMK AO2 T02780172 403610250',
    ]) days.add(metar(raw));
    expect(days.summary('2020-07-20')).toMatchObject({ judge_max_f: 95, judge_max_time_local: '2020-07-20T13:14-04:00', official_max_f: 97 });
  });

  it('assigns the 00:30 EDT report to the new WU day but to the old NWS climate day', () => {
    const raw = 'KJFK 210430Z 00000KT 10SM 28/17 A2994 RMK AO2 T02780172';
    expect(new JudgeCalendar('America/New_York').dayOf(metar(raw).obsMs)).toBe('2020-07-21');
    expect(new JudgeCalendar('America/New_York', 'standard').dayOf(metar(raw).obsMs)).toBe('2020-07-20');
  });

  it('places local midnight correctly on DST change days', () => {
    const cal = new JudgeCalendar('America/New_York');
    expect(cal.dayStartMs('2020-03-08')).toBe(utcMs(2020, 3, 8, 5));
    expect(cal.dayEndMs('2020-03-08')).toBe(utcMs(2020, 3, 9, 4));
    expect(cal.dayStartMs('2020-11-01')).toBe(utcMs(2020, 11, 1, 4));
    expect(cal.dayEndMs('2020-11-01')).toBe(utcMs(2020, 11, 2, 5));
    expect(cal.timeOf('2020-03-08', 14)).toBe(utcMs(2020, 3, 8, 18));
  });
});
