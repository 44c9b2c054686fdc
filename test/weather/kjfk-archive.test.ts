import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStationArchive, readMetarFile } from '../../src/adapters/weather/archive.ts';
import { readMetarText, type ReadResult } from '../../src/adapters/weather/metar-file.ts';
import { JudgeCalendar } from '../../src/domain/weather/judge-calendar.ts';
import type { MetarReport } from '../../src/domain/weather/metar-report.ts';
import { StationDays } from '../../src/domain/weather/station-days.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';

const present = requireSharedFixtures('weather/iem_asos_KJFK_2019-11_2020-09.csv');
const TZ = 'America/New_York';

describe.skipIf(!present)('KJFK IEM archive (shared fixture)', () => {
  let read: ReadResult;
  let days: StationDays;

  beforeAll(() => {
    const loaded = loadStationArchive(sharedFixture('weather', 'iem_asos_KJFK_2019-11_2020-09.csv'), 'KJFK', TZ);
    read = loaded.read;
    days = loaded.days;
  });

  it('parses every report of the archive', () => {
    const rows = readFileSync(sharedFixture('weather', 'iem_asos_KJFK_2019-11_2020-09.csv'), 'utf8').trim().split('\n').length - 1;
    expect(read.format).toBe('iem_csv');
    expect(read.errors).toEqual([]);
    expect(read.reports).toHaveLength(rows);
    expect(rows).toBe(8884);
  });

  it('flags the malformed T-groups and never turns them into spikes', () => {
    const malformed = read.reports.filter((r) => r.report.flags.some((f) => f.startsWith('t_group_malformed')));
    expect(malformed.map((r) => r.report.flags.find((f) => f.startsWith('t_group_malformed'))!.split(':')[1]).sort()).toEqual(
      ['T000010006', 'T001060022', 'T001220017', 'T001330011', 'T001390011', 'T001560006', 'T0083008', 'T0110011'].sort(),
    );
    const all = read.reports.map((r) => r.report).sort((a, b) => a.obsMs - b.obsMs);
    for (const { report } of malformed) {
      expect(report.precision).toBe('whole');
      // The value used is the body's, close to the neighbouring reports (the lenient reading of
      // T001060022 would be 34 °F against a 52 °F body).
      const i = all.indexOf(report);
      const neighbours = [all[i - 1], all[i + 1]].filter((r): r is MetarReport => !!r && r.tempFJudge !== null);
      for (const n of neighbours) expect(Math.abs(report.tempFJudge! - n.tempFJudge!)).toBeLessThanOrEqual(5);
    }
    // No report jumps by more than the MADIS hourly limit from its predecessor.
    let prev: MetarReport | null = null;
    for (const r of all) {
      if (r.tempFJudge === null) continue;
      if (prev && r.obsMs - prev.obsMs <= 3_600_000) expect(Math.abs(r.tempFJudge - prev.tempFJudge!)).toBeLessThan(20);
      prev = r;
    }
  });

  it('shows judge max 95 °F and official max 97 °F on 2020-07-20', () => {
    expect(days.summary('2020-07-20')).toMatchObject({ date: '2020-07-20', judge_max_f: 95, official_max_f: 97, n_reports: 24 });
  });

  it('reads sub-freezing days (M body, T1 groups, negative 6-h groups)', () => {
    const day = days.reportsOf('2019-11-09');
    const below = day.filter((r) => r.tempC !== null && r.tempC < 0);
    expect(below.length).toBeGreaterThan(3);
    for (const r of below) {
      expect(r.precision).toBe('tenths');
      expect(r.raw).toMatch(/ M\d\d\//);
      expect(r.raw).toMatch(/ T1\d{3}/);
    }
    expect(Math.min(...day.map((r) => r.tempFJudge ?? 99))).toBeLessThan(32);
  });

  it('counts SPECIs on the SPECI-heavy days and lets them set the judge max', () => {
    const speci = (d: string) => days.reportsOf(d).filter((r) => r.reportType === 'SPECI').length;
    expect(speci('2020-05-23')).toBeGreaterThanOrEqual(15);
    expect(speci('2020-07-24')).toBeGreaterThanOrEqual(15);
    for (const d of ['2020-05-23', '2020-07-24']) {
      const all = days.reportsOf(d).map((r) => r.tempFJudge ?? -99);
      expect(days.summary(d).judge_max_f).toBe(Math.max(...all));
    }
  });

  it('agrees between the raw day extracts (anchored on the file date) and the CSV', () => {
    for (const [file, day] of [
      ['KJFK_2020-07-20_EDTday.metar.txt', '2020-07-20'],
      ['KJFK_2019-11-09_ESTday.metar.txt', '2019-11-09'],
      ['KJFK_2020-05-23_EDTday.metar.txt', '2020-05-23'],
      ['KJFK_2020-07-24_EDTday.metar.txt', '2020-07-24'],
    ] as const) {
      const raw = readMetarFile(sharedFixture('weather', file));
      expect(raw.errors).toEqual([]);
      const d = new StationDays(new JudgeCalendar(TZ));
      for (const r of raw.reports) d.add(r.report);
      const fromRaw = d.summary(day);
      const fromCsv = days.summary(day);
      expect(fromRaw.judge_max_f).toBe(fromCsv.judge_max_f);
      expect(fromRaw.n_reports).toBe(fromCsv.n_reports);
    }
  });

  it('official max is at or above the judge max on nearly every complete day (6-h groups see the continuous record)', () => {
    const lst = new StationDays(new JudgeCalendar(TZ, 'standard'));
    for (const { report } of read.reports) lst.add(report);
    let complete = 0;
    let below = 0;
    for (const d of lst.dayList()) {
      const s = lst.summary(d);
      if (s.flags.includes('incomplete') || s.official_max_f === null || s.judge_max_f === null) continue;
      complete++;
      if (s.official_max_f < s.judge_max_f) below++;
    }
    expect(complete).toBeGreaterThan(250);
    expect(below / complete).toBeLessThan(0.02);
  });
});

describe.skipIf(!requireSharedFixtures('weather/pyiem'))('pyIEM METAR collectives (shared fixture)', () => {
  it('reads the clean 00Z collective completely, with negative temperatures and 6-h groups', () => {
    const r = readMetarText(readFileSync(sharedFixture('weather', 'pyiem', 'METAR_collective2.txt'), 'utf8'), { refMs: Date.UTC(2013, 0, 1) });
    expect(r.errors).toEqual([]);
    expect(r.reports.length).toBeGreaterThan(30);
    const kacy = r.reports.find((x) => x.report.station === 'KACY')!.report;
    expect(kacy).toMatchObject({ tempC: -0.6, tempFJudge: 31, max6hTenths: 11, min6hTenths: -17 });
    expect(kacy.reportType).toBe('METAR');
  });

  it('reports the deliberately broken lines of the test collective with their line numbers', () => {
    const r = readMetarText(readFileSync(sharedFixture('weather', 'pyiem', 'METAR_collective.txt'), 'utf8'), { refMs: Date.UTC(2013, 0, 8) });
    expect(r.errors.map((e) => e.text)).toEqual(['QQQQ 081354Z=', 'QQQQ O81354Z AUTO 17027G37KT=', '1QQQ 081354Z AUTO 17027G37KT=']);
    expect(r.errors.every((e) => e.line > 0)).toBe(true);
    expect(r.reports.length).toBeGreaterThan(8);
  });
});
