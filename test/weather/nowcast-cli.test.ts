import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { isoDateAt, parseIsoDate } from '../../src/domain/time/civil.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { JudgeCalendar } from '../../src/domain/weather/judge-calendar.ts';
import type { NowcastModel } from '../../src/domain/weather/nowcast/model.ts';
import { WorldSimulator } from '../../src/sim/world/world-sim.ts';
import { captureIo } from '../support/cli.ts';

const TZ = 'America/New_York';

async function run(...argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** A WU-style daily summary CSV of a made-up station: seasonal cycle plus noise, with times of the max. */
function dailyCsv(fromDay: string, days: number): string {
  const rng = seededRng(5);
  const start = parseIsoDate(fromDay)!;
  const rows = ['schema_version,local_date,temperature_unit,row_count,max_temp,max_temp_times'];
  for (let i = 0; i < days; i++) {
    const day = isoDateAt((start + i) * 86_400_000);
    const season = Math.cos((2 * Math.PI * (JudgeCalendar.dayOfYear(day) - 205)) / 365.25);
    const max = Math.round(55 + 24 * season + (rng() + rng() + rng() - 1.5) * 12);
    const hour = Math.max(9, Math.min(19, Math.round(14 + season + (rng() - 0.5) * 4)));
    rows.push(`wu_daily_native_v1,${day},F,24,${max}.0,${hour}:51`);
  }
  return rows.join('\n') + '\n';
}

describe('helios nowcast fit --daily / eval per station', () => {
  let dir: string;
  let archive: string;
  let daily: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'helios-nowcast-prior-'));
    archive = path.join(dir, 'KSIM_iem.csv');
    daily = path.join(dir, 'KLGA_daily.csv');
    const sim = new WorldSimulator({ seed: 23, station: 'KSIM', tz: TZ, pwsIds: [], speciPerHour: 0.05, outlierShare: 0, stuckShare: 0, staleShare: 0, pwsIntervalMs: 300_000 });
    const header = 'station,valid,tmpf,dwpf,relh,drct,sknt,p01i,alti,mslp,vsby,gust,skyc1,skyc2,skyc3,skyc4,skyl1,skyl2,skyl3,skyl4,wxcodes,ice_accretion_1hr,ice_accretion_3hr,ice_accretion_6hr,peak_wind_gust,peak_wind_drct,peak_wind_time,feel,metar,snowdepth';
    const rows = sim.metarsBetween(Date.UTC(2024, 3, 1), Date.UTC(2024, 7, 1)).map((m) => {
      const valid = new Date(m.obsMs).toISOString().slice(0, 16).replace('T', ' ');
      return ['SIM', valid, ...new Array<string>(26).fill('M'), m.raw.replace(/^(METAR|SPECI) /, ''), 'M'].join(',');
    });
    writeFileSync(archive, [header, ...rows].join('\n') + '\n');
    writeFileSync(daily, dailyCsv('2016-01-01', 9 * 365 + 2));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fits a station from its daily record and a neighbour\'s METARs; the model records both stations and periods; the prior weight falls through the day', async () => {
    const out = path.join(dir, 'KLGA.json');
    const fit = await run('nowcast', 'fit', '--archive', archive, '--archive-station', 'KSIM', '--daily', daily, '--station', 'KLGA', '--tz', TZ, '--out', out, '--to', '2024-07-31');
    expect(fit.err).toMatch(/prior KLGA daily_record 2016-01-01\.\.2024-07-31/);
    expect(fit.code).toBe(0);
    const model = JSON.parse(readFileSync(out, 'utf8')) as NowcastModel;
    expect(model.station).toBe('KLGA');
    expect(model.fitted.stations).toEqual({
      hourly: { station: 'KSIM', from_day: '2024-04-01', to_day: '2024-07-31', days: expect.any(Number) },
      daily: { station: 'KLGA', source: 'daily_record', from_day: '2016-01-01', to_day: '2024-07-31', days: 3135, exclude_months: [] },
    });
    expect(model.prior!.to_day).toBe('2024-07-31');
    const w = model.prior_weights!;
    expect(w).toHaveLength(24);
    const wp = model.prior_peak_weights!;
    expect(wp).toHaveLength(24);
    for (let h = 1; h < 24; h++) {
      expect(w[h]!).toBeLessThanOrEqual(w[h - 1]!);
      expect(wp[h]!).toBeLessThanOrEqual(wp[h - 1]!);
    }

    // The prior alone on the later days of the record (the start-of-day forecast).
    const ev = await run('nowcast', 'eval', '--model', out, '--station', 'KLGA', '--daily', daily, '--after-fit', '--json');
    expect(ev.err).toBe('');
    expect(ev.code).toBe(0);
    const r = JSON.parse(ev.out) as { station: string; prior_alone: { n: number; from_day: string; in_sample_days: number; rps: number; rps_persistence: number; reliability: Array<Record<string, unknown>> } };
    expect(r.station).toBe('KLGA');
    expect(r.prior_alone.from_day > '2024-07-31').toBe(true);
    expect(r.prior_alone.n).toBeGreaterThan(100);
    expect(r.prior_alone.in_sample_days).toBe(0);
    expect(r.prior_alone.rps).toBeLessThan(r.prior_alone.rps_persistence);
    expect(r.prior_alone.reliability).toHaveLength(10);
    expect(Object.keys(r.prior_alone.reliability[0]!)).toEqual(['p_lo', 'p_hi', 'n', 'mean_p', 'observed_freq', 'gap_pp', 'half_width_pp', 'z', 'enough', 'flagged']);

    // Scoring days the prior was fitted on is allowed but warned about.
    const insample = await run('nowcast', 'eval', '--model', out, '--station', 'KLGA', '--daily', daily, '--from', '2023-01-01', '--to', '2023-03-31', '--json');
    expect(insample.code).toBe(0);
    expect(insample.err).toMatch(/prior's scored days were used to fit it/);
  }, 120_000);

  it('scores the whole model on held-back months against the station\'s long-record climatology, with a reliability table per decile', async () => {
    const out = path.join(dir, 'KSIM.json');
    const fit = await run('nowcast', 'fit', '--archive', archive, '--station', 'KSIM', '--tz', TZ, '--out', out, '--exclude-months', '2024-06');
    expect(fit.code).toBe(0);
    const model = JSON.parse(readFileSync(out, 'utf8')) as NowcastModel;
    expect(model.fitted.stations!.daily).toMatchObject({ station: 'KSIM', source: 'hourly_archive', exclude_months: ['2024-06'] });
    const ev = await run('nowcast', 'eval', '--archive', archive, '--model', out, '--station', 'KSIM', '--months', '2024-06', '--json');
    expect(ev.code).toBe(0);
    expect(ev.err).toBe('');
    const r = JSON.parse(ev.out) as { by_hour: Array<Record<string, number>>; overall: Record<string, unknown>; reliability: Array<Record<string, unknown>> };
    expect(r.overall).toMatchObject({ climatology: 'long_record', in_sample_days: 0, reliability_min_cases: 50 });
    const h12 = r.by_hour[12]!;
    expect(h12.rps).toBeLessThan(h12.rps_climatology!);
    expect(r.reliability.map((d) => d.p_lo)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(typeof r.overall.reliability_max_gap_pp).toBe('number');
  }, 120_000);

  it('eval --rolling fits on the months before each month and scores that month, pooled and per fold, the same on every run', async () => {
    const argv = ['nowcast', 'eval', '--rolling', '--archive', archive, '--daily', daily, '--station', 'KSIM', '--tz', TZ, '--min-fit-months', '2', '--json'];
    const ev = await run(...argv);
    expect(ev.err).toBe('');
    expect(ev.code).toBe(0);
    type Fold = { month: string; fit_to_day: string; fit_months: number; prior_days: number; overall: { n: number; days: number }; reliability: unknown[]; reliability_mid_range: { n: number } };
    const r = JSON.parse(ev.out) as {
      by_hour: Array<Record<string, number>>;
      overall: Record<string, unknown> & { n: number; days: number };
      reliability: Array<Record<string, unknown>>;
      reliability_mid_range: { n: number; bias_pp: number; se_binomial_pp: number; se_day_clustered_pp: number };
      rolling: { min_fit_months: number; scored_months: string[]; folds: Fold[] };
    };
    expect(r.rolling.scored_months).toEqual(['2024-06', '2024-07']);
    for (const f of r.rolling.folds) {
      // Each fold's fit (hourly and prior) ends before the month it scores.
      expect(f.fit_to_day < `${f.month}-01`).toBe(true);
      expect(f.reliability).toHaveLength(10);
    }
    expect(r.rolling.folds.map((f) => f.fit_months)).toEqual([2, 3]);
    expect(r.rolling.folds[1]!.prior_days - r.rolling.folds[0]!.prior_days).toBe(30);
    // The pool is the folds' cases together.
    expect(r.overall.n).toBe(r.rolling.folds.reduce((a, f) => a + f.overall.n, 0));
    expect(r.reliability_mid_range.n).toBe(r.rolling.folds.reduce((a, f) => a + f.reliability_mid_range.n, 0));
    expect(r.overall).toMatchObject({ climatology: 'long_record', in_sample_days: 0 });
    expect(r.overall.reliability_rule).toMatch(/95 % binomial half-width/);
    expect(Object.keys(r.by_hour[12]!)).toEqual(expect.arrayContaining(['rps', 'rps_climatology', 'rps_persistence']));
    expect(r.reliability_mid_range.se_day_clustered_pp).toBeGreaterThan(0);
    expect((await run(...argv)).out).toBe(ev.out);
    const text = await run(...argv.slice(0, -1));
    expect(text.out).toMatch(/^2024-06: fit 2024-04-01\.\.2024-05-31/m);
    expect(text.out).toMatch(/^mid-range 0\.3-0\.7: /m);
    // Usage: a model is not rolled; a month count must be a positive integer; too few months is a data problem.
    expect((await run('nowcast', 'eval', '--rolling', '--model', path.join(dir, 'KSIM.json'), '--archive', archive, '--station', 'KSIM', '--tz', TZ)).code).toBe(2);
    expect((await run('nowcast', 'eval', '--rolling', '--archive', archive, '--station', 'KSIM', '--tz', TZ, '--min-fit-months', '0')).code).toBe(2);
    expect((await run('nowcast', 'eval', '--rolling', '--archive', archive, '--station', 'KSIM')).code).toBe(2);
    const tooFew = await run('nowcast', 'eval', '--rolling', '--archive', archive, '--station', 'KSIM', '--tz', TZ, '--min-fit-months', '4');
    expect(tooFew.code).toBe(1);
    expect(tooFew.err).toMatch(/no month has 4 months of the archive before it/);
  }, 120_000);

  it('exits 1 with a plain message when the archive has no reports of the station (fit and eval), never printing nulls', async () => {
    const out = path.join(dir, 'KSIM-any.json');
    expect((await run('nowcast', 'fit', '--archive', archive, '--station', 'KSIM', '--tz', TZ, '--out', out)).code).toBe(0);
    const fit = await run('nowcast', 'fit', '--archive', archive, '--station', 'KLGA', '--tz', TZ, '--out', path.join(dir, 'none.json'));
    expect(fit.code).toBe(1);
    expect(fit.err).toBe(`helios nowcast: no reports for station KLGA in ${archive}\n`);
    expect(fit.out).toBe('');
    const klga = path.join(dir, 'KLGA.json');
    const ev = await run('nowcast', 'eval', '--archive', archive, '--model', klga, '--station', 'KLGA', '--json');
    expect(ev.code).toBe(1);
    expect(ev.err).toBe(`helios nowcast: no reports for station KLGA in ${archive}\n`);
    expect(ev.out).toBe('');
    const empty = await run('nowcast', 'eval', '--archive', archive, '--model', out, '--station', 'KSIM', '--months', '2019-01', '--json');
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/no complete judge days of KSIM/);
  }, 120_000);

  it('fits a short archive (too few days for a prior) without one, saying so, instead of failing', async () => {
    const out = path.join(dir, 'KSIM-short.json');
    const fit = await run('nowcast', 'fit', '--archive', archive, '--station', 'KSIM', '--tz', TZ, '--out', out, '--to', '2024-04-20');
    expect(fit.code).toBe(0);
    expect(fit.err).toMatch(/fewer than the 30 a climatological prior needs; fitted without one/);
    const model = JSON.parse(readFileSync(out, 'utf8')) as NowcastModel;
    expect(model.prior).toBeUndefined();
    expect(model.fitted.stations!.daily).toBeNull();
    const ev = await run('nowcast', 'eval', '--archive', archive, '--model', out, '--station', 'KSIM', '--after-fit', '--json');
    expect(ev.code).toBe(0);
    expect((JSON.parse(ev.out) as { overall: { climatology: string } }).overall.climatology).toBe('hour_rise');
    // A daily record that is too short is a data problem.
    const short = path.join(dir, 'short_daily.csv');
    writeFileSync(short, dailyCsv('2024-01-01', 10));
    expect((await run('nowcast', 'fit', '--archive', archive, '--station', 'KSIM', '--tz', TZ, '--out', out, '--daily', short)).code).toBe(1);
  }, 120_000);

  it('exits 2 on bad usage', async () => {
    const ksim = path.join(dir, 'KSIM-any.json');
    // Neither an archive nor a daily record to score.
    expect((await run('nowcast', 'eval', '--model', ksim, '--station', 'KSIM')).code).toBe(2);
    // A model for another station.
    expect((await run('nowcast', 'eval', '--model', ksim, '--station', 'KLGA', '--archive', archive)).code).toBe(2);
    // A neighbour's METARs without the station's own daily record.
    expect((await run('nowcast', 'fit', '--archive', archive, '--archive-station', 'KSIM', '--station', 'KLGA', '--tz', TZ, '--out', path.join(dir, 'x.json'))).code).toBe(2);
    expect((await run('nowcast', 'eval', '--model', ksim, '--station', 'KSIM', '--archive', archive, '--min-decile-cases', 'many')).code).toBe(2);
    expect((await run('nowcast', 'eval', '--model', ksim, '--station', 'KSIM', '--daily', path.join(dir, 'missing.csv'))).code).toBe(2);
  }, 120_000);
});
