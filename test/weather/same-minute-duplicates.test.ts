import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMetarText } from '../../src/adapters/weather/metar-file.ts';
import { parseMetarText } from '../../src/adapters/weather/metar-parser.ts';
import { JudgeCalendar } from '../../src/domain/weather/judge-calendar.ts';
import type { MetarReport } from '../../src/domain/weather/metar-report.ts';
import { StationDays } from '../../src/domain/weather/station-days.ts';
import { utcMs } from '../../src/domain/time/civil.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';

const REF = utcMs(2020, 7, 20, 12);
const DAY = '2020-07-20';

function parse(raw: string): MetarReport {
  const out = parseMetarText(raw, { refMs: REF, routineMinute: 51 });
  if (!out.ok) throw new Error(out.error);
  return out.report;
}

function daysOf(raws: readonly string[]): StationDays {
  const days = new StationDays(new JudgeCalendar('America/New_York'));
  for (const raw of raws) days.add(parse(raw));
  return days;
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

// Synthetic reports of one minute (16:51Z = 12:51 EDT) that disagree; plus a neighbour that does not.
const LOW = 'KJFK 201651Z 20012KT 10SM 33/23 A2984 RMK AO2 T03280228';
const HIGH = 'KJFK 201651Z 20012KT 10SM 34/23 A2984 RMK AO2 T03390228';
const BODY_ONLY = 'KJFK 201651Z 20012KT 10SM 36/23 A2984 RMK AO2';
const NO_TEMP = 'KJFK 201651Z 20012KT 10SM A2984 RMK AO2';
const COR = 'KJFK 201651Z COR 20012KT 10SM 33/23 A2984 RMK AO2 T03330228';
const OTHER = 'KJFK 201551Z 20010KT 10SM 32/23 A2985 RMK AO2 T03170228';

describe('two reports of the same minute with different temperatures', () => {
  it('keeps the higher reading, says so in the day (flag and column), and counts one report', () => {
    const days = daysOf([OTHER, HIGH, LOW]);
    expect(days.summary(DAY)).toMatchObject({
      judge_max_f: 93,
      n_reports: 2,
      flags: expect.arrayContaining(['conflicting_duplicate']),
      conflicting_duplicates: [{ time_local: '2020-07-20T12:51-04:00', kept_c: 33.9, kept_f: 93, dropped_c: 32.8, dropped_f: 91, rule: 'higher' }],
    });
  });

  it('gives the same day whichever order the reports arrive in', () => {
    const outs = new Set(permutations([OTHER, LOW, HIGH, BODY_ONLY, NO_TEMP]).map((p) => JSON.stringify(daysOf(p).summary(DAY))));
    expect(outs.size).toBe(1);
    const s = daysOf([NO_TEMP, BODY_ONLY, LOW, HIGH, OTHER]).summary(DAY);
    // The T-group reading beats the coarser body, the higher T-group the lower, any reading none;
    // dropped reports of one minute are listed in the order of their text.
    expect(s.judge_max_f).toBe(93);
    expect(s.conflicting_duplicates.map((c) => [c.dropped_c, c.rule])).toEqual([
      [32.8, 'higher'],
      [36, 't_group'],
      [null, 'has_temperature'],
    ]);
  });

  it('lets a COR win whatever arrives around it, without calling it a conflict', () => {
    for (const order of permutations([LOW, HIGH, COR])) {
      const s = daysOf(order).summary(DAY);
      expect(s).toMatchObject({ judge_max_f: 92, n_reports: 1, conflicting_duplicates: [] });
      expect(s.flags).toContain('corrected');
      expect(s.flags).not.toContain('conflicting_duplicate');
    }
  });

  it('tells the caller which report won and by which rule, once: a repeat of the loser is ignored again', () => {
    const days = daysOf([HIGH]);
    const r = days.add(parse(LOW));
    expect(r.status).toBe('ignored');
    expect(r.conflict).toMatchObject({ kept: { raw: HIGH }, dropped: { raw: LOW }, rule: 'higher' });
    expect(days.add(parse(LOW))).toMatchObject({ status: 'ignored', conflict: null });
    expect(days.summary(DAY).conflicting_duplicates).toHaveLength(1);
    const back = daysOf([LOW]).add(parse(HIGH));
    expect(back).toMatchObject({ status: 'replaced', replaced: { raw: LOW }, conflict: { rule: 'higher' } });
  });

  it('does not flag two texts of one minute that read the same temperature', () => {
    const sameTemp = 'KJFK 201651Z 21014KT 10SM 34/23 A2984 RMK AO2 T03390228';
    const s = daysOf([HIGH, sameTemp]).summary(DAY);
    expect(s).toMatchObject({ n_reports: 1, conflicting_duplicates: [] });
    expect(s.flags).not.toContain('conflicting_duplicate');
  });
});

describe.skipIf(!requireSharedFixtures('weather/pyiem/METAR_collective.txt'))('pyIEM test collective: KALO sent three different reports for 1354Z (shared fixture)', () => {
  it('keeps the highest and lists the two it dropped, whatever the order', () => {
    const read = readMetarText(readFileSync(sharedFixture('weather', 'pyiem', 'METAR_collective.txt'), 'utf8'), { refMs: utcMs(2013, 1, 8, 12), station: 'KALO' });
    const reports = read.reports.map((r) => r.report);
    expect(reports).toHaveLength(3);
    const summaries = permutations(reports).map((order) => {
      const days = new StationDays(new JudgeCalendar('America/Chicago'));
      for (const r of order) days.add(r);
      return days.summary('2013-01-08');
    });
    expect(new Set(summaries.map((s) => JSON.stringify(s))).size).toBe(1);
    expect(summaries[0]).toMatchObject({
      judge_max_f: 66,
      n_reports: 1,
      flags: expect.arrayContaining(['conflicting_duplicate']),
      conflicting_duplicates: [
        { kept_c: 18.9, dropped_c: -4.4, dropped_f: 24, rule: 'higher' },
        { kept_c: 18.9, dropped_c: 17.8, dropped_f: 64, rule: 'higher' },
      ],
    });
  });
});
