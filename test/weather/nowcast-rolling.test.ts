import { describe, expect, it } from 'vitest';
import { loadStationArchive } from '../../src/adapters/weather/archive.ts';
import { readDailyRecordFile } from '../../src/adapters/weather/daily-record.ts';
import { buildCases } from '../../src/domain/weather/nowcast/cases.ts';
import { rollingOriginEvaluation } from '../../src/domain/weather/nowcast/rolling.ts';
import { decileRow, maxReliabilityGap, ReliabilityTable } from '../../src/domain/weather/nowcast/scores.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';

const TZ = 'America/New_York';

describe('the reliability rule: ±5 pp where the sample can resolve it, z-scores where it cannot', () => {
  it('judges a decile against ±5 pp only when its 95 % binomial half-width is ≤ 5 pp, and flags a smaller one beyond |z| > 2', () => {
    // p 0.55: the half-width is 4.9 pp at n 400 (judged), 9.8 pp at n 100 (not).
    const judged = decileRow(0.5, 0.6, 400, 220, 196);
    expect(judged).toMatchObject({ gap_pp: -6, half_width_pp: 4.9, z: -2.41, enough: true, flagged: true });
    const small = decileRow(0.5, 0.6, 100, 55, 49);
    expect(small).toMatchObject({ gap_pp: -6, half_width_pp: 9.8, z: -1.21, enough: false, flagged: false });
    expect(decileRow(0.5, 0.6, 100, 55, 43)).toMatchObject({ gap_pp: -12, z: -2.41, enough: false, flagged: true });
    // Narrow enough but below the case floor: not judged against ±5 pp.
    expect(decileRow(0, 0.1, 40, 0.4, 0)).toMatchObject({ enough: false, flagged: false });
    expect(decileRow(0, 0.1, 40, 0.4, 0, 30)).toMatchObject({ enough: true, flagged: false });
    expect(maxReliabilityGap([judged, small])).toBe(6);
  });

  it('pools the 0.3–0.7 forecasts into one bias with its binomial and day-clustered standard errors', () => {
    const t = new ReliabilityTable();
    t.add(0.5, true, 'A');
    t.add(0.5, false, 'A');
    t.add(0.4, false, 'B');
    t.add(0.4, false, 'B');
    t.add(0.9, true, 'B'); // outside the mid-range
    // bias (1 − 1.8)/4; binomial se √(Σ p(1−p))/n = √0.98/4; clustered: day residuals 0 and −0.8
    // around −0.2 per forecast, √(2·(0.4² + 0.4²))/4 = 0.2.
    expect(t.midRangeBias()).toEqual({
      p_lo: 0.3,
      p_hi: 0.7,
      n: 4,
      clusters: 2,
      mean_p: 0.45,
      observed_freq: 0.25,
      bias_pp: -20,
      se_binomial_pp: 24.7,
      se_day_clustered_pp: 20,
      z_binomial: -0.81,
      z_day_clustered: -1,
      within_target: true,
    });
  });
});

const present = requireSharedFixtures('weather/iem_asos_KJFK_2019-11_2020-09.csv') && requireSharedFixtures('real/klga_wu_daily_max_1995-05_2026-04.csv');

describe.skipIf(!present)('KJFK rolling origin with the KLGA long record: each month Mar–Sep 2020 scored by a fit on the months before it (shared fixtures)', () => {
  it('meets the RPS targets on the pooled unseen months; judged deciles within 5 pp; the mid-range bias is reported, not hidden', () => {
    const { days } = loadStationArchive(sharedFixture('weather', 'iem_asos_KJFK_2019-11_2020-09.csv'), 'KJFK', TZ);
    const highs = readDailyRecordFile(sharedFixture('real', 'klga_wu_daily_max_1995-05_2026-04.csv')).highs;
    const r = rollingOriginEvaluation(buildCases(days), { fit: { station: 'KJFK', tz: TZ, judgeDay: 'local' }, priorDays: { highs, source: 'daily_record' } });
    expect(r.rolling.scored_months).toEqual(['2020-03', '2020-04', '2020-05', '2020-06', '2020-07', '2020-08', '2020-09']);
    for (const f of r.rolling.folds) expect(f.fit_to_day < `${f.month}-01`).toBe(true);
    const o = r.overall;
    const line = `${o.days} days; 08–18 rps ${o.rps_target_hours} vs ${o.rps_climatology_target_hours} / ${o.rps_persistence_target_hours}; worst hour ${o.worst_hour} at ${o.worst_hour_ratio}×; deciles ${r.reliability.map((d) => `${d.p_lo}:${d.gap_pp}/n${d.n}${d.enough ? '' : `/z${d.z}`}`).join(' ')}; mid-range ${JSON.stringify(r.reliability_mid_range)}`;
    console.info(`KJFK rolling: ${line}`);
    expect(o.days).toBe(214);
    expect(o.skill_vs_climatology!).toBeGreaterThanOrEqual(0.25);
    expect(o.rps_target_hours!).toBeLessThan(o.rps_persistence_target_hours!);
    expect(o.worst_hour_ratio!).toBeLessThanOrEqual(1.05);
    // Measured: 1.0849 vs climatology 3.7764 and persistence 2.8594; worst hour 1.0102× (before the
    // pool was scaled to each forecast's leverage: 1.0861, and before it was weighted by the
    // predicted rise: 1.0986, both of which this bound rejects).
    expect(o.rps_target_hours!).toBeLessThanOrEqual(1.0855);
    // Measured: the judged deciles (0–0.4 and 0.8–1.0) within 2.7 pp (before the leverage: 3.2);
    // 0.4–0.7 (n 120–173, too few to judge) flagged at z −2.1, −2.1 and −3.3 (before: 0.4–0.5 at
    // z −1.99, unflagged — one more flag by a hair, so this guard allows three); pooled 0.3–0.7 bias
    // −5.8 ± 1.6 pp (binomial; ±2.3 day-clustered) on 936 forecasts — still a real overconfidence,
    // almost all of it March (−26 pp, fitted on Nov–Feb), so the ±5 pp target is NOT met on these
    // months. The model before the leverage (−6.2 pp) and the one before that (−7.4) fail this guard.
    expect(maxReliabilityGap(r.reliability)!).toBeLessThanOrEqual(3);
    expect(o.reliability_flagged).toBeLessThanOrEqual(3);
    expect(r.reliability_mid_range.bias_pp!).toBeGreaterThanOrEqual(-6);
    // Every other target holds (above): the verdict is the mid-range rule's, not met while the bias is beyond its error bar.
    expect(o.targets_met).toBe(r.reliability_mid_range.within_target === true);
    // Seven fits over the archive: ~70 s beside the suite on two cores, past 120 s when other work shares them.
  }, 300_000);
});
