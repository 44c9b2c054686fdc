import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorldSimulator } from '../../src/sim/world/world-sim.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/weather/', import.meta.url));
const RAW = path.join(FIXTURES, 'KXYZ_2021-02-28.metar.txt');
const CSV = path.join(FIXTURES, 'KXYZ_iem_sample.csv');
const RECORD_KEYS = ['station', 'obs_time_utc', 'report_type', 'corrected', 'temp_c', 'dewpoint_c', 'precision', 'temp_f_judge', 'max6h_c', 'min6h_c', 'max24h_c', 'min24h_c', 'flags', 'raw'];

async function run(...argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const lines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('helios metar parse', () => {
  it('prints one NDJSON record per report, unparseable lines on stderr with their numbers, exit 1', async () => {
    const r = await run('metar', 'parse', RAW);
    expect(r.code).toBe(1);
    expect(r.err).toBe('line 10: no station and DDHHMMZ time group: THIS IS NOT A METAR\n');
    const recs = lines(r.out);
    expect(recs).toHaveLength(10);
    for (const rec of recs) expect(Object.keys(rec)).toEqual(RECORD_KEYS);
    // Anchored on the file's date across the month end.
    expect(recs.map((x) => x.obs_time_utc)).toContain('2021-03-01T00:12:00Z');
    expect(recs[2]).toMatchObject({ report_type: 'SPECI', temp_c: -3.3, temp_f_judge: 26, precision: 'tenths' });
    expect(recs.find((x) => x.raw === 'METAR KXYZ 010251Z NIL')).toMatchObject({ temp_c: null, temp_f_judge: null, precision: null, flags: ['nil', 'temp_missing'] });
    expect(recs.find((x) => String(x.raw).includes('T001060022'))).toMatchObject({ temp_c: 1, temp_f_judge: 34, precision: 'whole' });
    expect(recs.find((x) => x.corrected === true)).toMatchObject({ temp_c: -3.9 });
  });

  it('detects the IEM CSV by its header, infers SPECI from the minute, exit 1 for the bad row', async () => {
    const r = await run('metar', 'parse', CSV);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^line 7: bad or missing valid time: /);
    const recs = lines(r.out);
    expect(recs.map((x) => x.report_type)).toEqual(['METAR', 'SPECI', 'METAR', 'METAR', 'METAR']);
    expect(recs[2]).toMatchObject({ max6h_c: 36.1, min6h_c: 28.3, temp_f_judge: 95 });
  });

  it('exits 0 on a clean file and 2 on a missing one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'helios-metar-'));
    try {
      const f = path.join(dir, 'clean.txt');
      writeFileSync(f, 'METAR KJFK 201751Z 24015KT 10SM 35/22 A2983 RMK AO2 T03500222\n');
      expect((await run('metar', 'parse', f, '--date', '2020-07-20')).code).toBe(0);
      expect((await run('metar', 'parse', path.join(dir, 'nope.txt'))).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('helios metar daily', () => {
  it('prints one line per judge day with judge and official maxima', async () => {
    const r = await run('metar', 'daily', CSV, '--station', 'XYZ', '--tz', 'America/New_York');
    expect(r.code).toBe(1);
    const days = lines(r.out);
    expect(days).toEqual([
      { date: '2021-07-20', judge_max_f: 96, judge_max_time_local: '2021-07-20T13:14-04:00', official_max_f: 97, n_reports: 5, flags: ['incomplete', 'maintenance', 'sensor_no', 'temp_missing'], conflicting_duplicates: [] },
    ]);
  });

  it('says which of two different reports of one minute it kept, and why', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'helios-metar-'));
    try {
      const f = path.join(dir, 'dup.txt');
      writeFileSync(f, ['METAR KJFK 201651Z 20012KT 10SM 34/23 A2984 RMK AO2 T03390228', 'METAR KJFK 201651Z 20012KT 10SM 33/23 A2984 RMK AO2 T03280228', ''].join('\n'));
      const r = await run('metar', 'daily', f, '--station', 'KJFK', '--tz', 'America/New_York', '--date', '2020-07-20');
      expect(r.code).toBe(0);
      expect(lines(r.out)).toEqual([
        {
          date: '2020-07-20',
          judge_max_f: 93,
          judge_max_time_local: '2020-07-20T12:51-04:00',
          official_max_f: null,
          n_reports: 1,
          flags: ['conflicting_duplicate', 'incomplete', 'official_missing'],
          conflicting_duplicates: [{ time_local: '2020-07-20T12:51-04:00', kept_c: 33.9, kept_f: 93, dropped_c: 32.8, dropped_f: 91, rule: 'higher' }],
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('puts the COR in place of the report it corrects and refuses an unknown zone', async () => {
    const r = await run('metar', 'daily', RAW, '--station', 'KXYZ', '--tz', 'UTC');
    const days = lines(r.out);
    expect(days.map((d) => d.date)).toEqual(['2021-02-28', '2021-03-01']);
    expect(days[1]).toMatchObject({ n_reports: 7, flags: expect.arrayContaining(['corrected', 'nil', 't_group_malformed']) });
    expect((await run('metar', 'daily', RAW, '--station', 'KXYZ', '--tz', 'Mars/Olympus')).code).toBe(2);
  });
});

describe('helios nowcast fit / eval', () => {
  let dir: string;
  let archive: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'helios-nowcast-'));
    archive = path.join(dir, 'KSIM_iem.csv');
    // An IEM-style archive of the simulated station (prefix stripped as IEM does).
    const sim = new WorldSimulator({ seed: 21, station: 'KSIM', tz: 'America/New_York', pwsIds: [], speciPerHour: 0.08, outlierShare: 0, stuckShare: 0, staleShare: 0, pwsIntervalMs: 300_000 });
    const header = 'station,valid,tmpf,dwpf,relh,drct,sknt,p01i,alti,mslp,vsby,gust,skyc1,skyc2,skyc3,skyc4,skyl1,skyl2,skyl3,skyl4,wxcodes,ice_accretion_1hr,ice_accretion_3hr,ice_accretion_6hr,peak_wind_gust,peak_wind_drct,peak_wind_time,feel,metar,snowdepth';
    const rows = sim.metarsBetween(Date.UTC(2024, 3, 1), Date.UTC(2024, 8, 1)).map((m) => {
      const valid = new Date(m.obsMs).toISOString().slice(0, 16).replace('T', ' ');
      return ['SIM', valid, ...new Array<string>(26).fill('M'), m.raw.replace(/^(METAR|SPECI) /, ''), 'M'].join(',');
    });
    writeFileSync(archive, [header, ...rows].join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fits on some months and scores the held-back ones as one JSON object', async () => {
    const modelFile = path.join(dir, 'models', 'KSIM.json');
    const fit = await run('nowcast', 'fit', '--archive', archive, '--station', 'KSIM', '--tz', 'America/New_York', '--out', modelFile, '--exclude-months', '2024-05,2024-08');
    expect(fit.code).toBe(0);
    expect(fit.err).toMatch(/cv rps/);
    const model = JSON.parse(readFileSync(modelFile, 'utf8')) as { kind: string; hours: unknown[]; fitted: { exclude_months: string[] } };
    expect(model.kind).toBe('helios.nowcast.ridge_residual');
    expect(model.hours).toHaveLength(24);
    expect(model.fitted.exclude_months).toEqual(['2024-05', '2024-08']);

    const ev = await run('nowcast', 'eval', '--archive', archive, '--model', modelFile, '--station', 'KSIM', '--tz', 'America/New_York', '--months', '2024-05,2024-08', '--json');
    expect(ev.code).toBe(0);
    expect(ev.err).toBe('');
    const out = JSON.parse(ev.out) as { by_hour: Array<Record<string, unknown>>; overall: Record<string, unknown>; reliability: unknown[] };
    expect(out.by_hour).toHaveLength(24);
    for (const h of out.by_hour) expect(Object.keys(h)).toEqual(['hour', 'n', 'rps', 'rps_climatology', 'rps_persistence', 'brier_buckets', 'log_score', 'rps_hour_climatology']);
    expect(out.overall).toMatchObject({ in_sample_days: 0, target_hours: '08-18' });
    expect(out.overall.rps as number).toBeLessThan(out.overall.rps_persistence as number);
    expect(out.reliability).toHaveLength(10);

    // Scoring the fitted months is allowed but warned about.
    const insample = await run('nowcast', 'eval', '--archive', archive, '--model', modelFile, '--station', 'KSIM', '--tz', 'America/New_York', '--from', '2024-06-01', '--to', '2024-06-10', '--json');
    expect(insample.code).toBe(0);
    expect(insample.err).toMatch(/were used to fit the model/);
  }, 120_000);

  it('rejects bad dates and a non-model file with exit 2', async () => {
    expect((await run('nowcast', 'eval', '--archive', archive, '--model', archive, '--station', 'KSIM', '--tz', 'America/New_York', '--json')).code).toBe(2);
    expect((await run('nowcast', 'fit', '--archive', archive, '--station', 'KSIM', '--tz', 'America/New_York', '--out', path.join(dir, 'x.json'), '--from', '2024/05/01')).code).toBe(2);
  });
});
