import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactJournal } from '../../src/adapters/storage/parquet/compactor.ts';
import { listJournalFiles, listParquetFiles } from '../../src/adapters/storage/layout.ts';
import { planRetention, type RetentionPolicy } from '../../src/domain/storage/retention.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';
import { makeRecorder, tempDataDir } from './support/recorder.ts';
import { syntheticEvents } from './support/synthetic.ts';

const POLICY: RetentionPolicy = { ndjson_days: 14, parquet_months: 6, window_channels: ['window', 'l2_delta'], windows_months: 36, require_compacted: true };

describe('retention plan (pure)', () => {
  it('cuts journal days and Parquet months by calendar, keeping window channels longer and uncompacted days', () => {
    const plan = planRetention(
      {
        today: '2026-03-31',
        journalDates: ['2026-03-18', '2026-03-17', '2026-03-01', '2026-03-10'],
        compactedDates: new Set(['2026-03-17', '2026-03-01']),
        parquet: [
          { partition: 'market=a', date: '2025-09-30', channel: 'l2' },
          { partition: 'market=a', date: '2025-09-29', channel: 'l2' },
          { partition: 'market=a', date: '2025-09-29', channel: 'window' },
          { partition: 'station=KLGA', date: '2023-03-30', channel: 'window' },
        ],
      },
      POLICY,
    );
    expect(plan).toEqual({
      journal_cutoff: '2026-03-17',
      parquet_cutoff: '2025-09-30',
      windows_cutoff: '2023-03-31',
      delete_journal: ['2026-03-01', '2026-03-17'],
      keep_uncompacted: ['2026-03-10'],
      keep_malformed: [],
      discard_malformed: [],
      delete_parquet: [
        { partition: 'station=KLGA', date: '2023-03-30', channel: 'window' },
        { partition: 'market=a', date: '2025-09-29', channel: 'l2' },
      ],
    });
    // Month arithmetic clamps to the month's last day, across leap years and year boundaries.
    expect(planRetention({ today: '2024-03-31', journalDates: [], compactedDates: new Set(), parquet: [] }, { ...POLICY, parquet_months: 1, ndjson_days: 31 })).toMatchObject({
      parquet_cutoff: '2024-02-29',
      journal_cutoff: '2024-02-29',
    });
    expect(planRetention({ today: '2026-01-05', journalDates: [], compactedDates: new Set(), parquet: [] }, { ...POLICY, parquet_months: 13, ndjson_days: 7 })).toMatchObject({
      parquet_cutoff: '2024-12-05',
      journal_cutoff: '2025-12-29',
    });
  });
});

describe('retention plan: malformed lines compaction left out (pure)', () => {
  const malformed = [{ file: '/d/journal/date=2026-03-01/ch=order/14.ndjson', lines: 1, line_numbers: [3] }];
  const input = { today: '2026-03-31', journalDates: ['2026-03-01', '2026-03-02'], compactedDates: new Set(['2026-03-01', '2026-03-02']), malformedLines: new Map([['2026-03-01', malformed]]), parquet: [] };

  it('keeps an expired, compacted date whose malformed lines exist only in its journal, naming them', () => {
    expect(planRetention(input, POLICY)).toMatchObject({ delete_journal: ['2026-03-02'], keep_uncompacted: [], keep_malformed: [{ date: '2026-03-01', files: malformed }], discard_malformed: [] });
  });

  it('deletes it only on the explicit override, saying what goes with it', () => {
    expect(planRetention({ ...input, discardMalformed: true }, POLICY)).toMatchObject({ delete_journal: ['2026-03-01', '2026-03-02'], keep_malformed: [], discard_malformed: [{ date: '2026-03-01', files: malformed }] });
  });
});

describe('helios retention', () => {
  let dir: string;
  let cleanup: () => void;
  const dates = ['2025-06-01', '2026-01-01', '2026-01-10', '2026-01-29'];

  /** Four journal days with a METAR window each; all but 2026-01-10 compacted. */
  beforeAll(async () => {
    ({ dir, cleanup } = tempDataDir('helios-retention-'));
    for (const d of dates) {
      const { recorder } = makeRecorder(dir);
      for (const e of syntheticEvents({ start: Date.parse(`${d}T12:00:00Z`), durationMs: 20_000, metarAtMs: [5_000], deltaEveryMs: 1000 })) recorder.emit(e);
      await recorder.close();
    }
    await compactJournal({ dataDir: dir, dates: ['2025-06-01', '2026-01-01', '2026-01-29'], now: Date.parse('2026-02-01T00:00:00Z'), duckdb: { threads: 1, memory_limit: '256MB' } });
  });
  afterAll(() => cleanup());

  const env = { HELIOS_STORAGE__RETENTION__PARQUET_MONTHS: '6' };

  it('--dry-run lists what would go and deletes nothing', async () => {
    const io = captureIo(env);
    expect(await main(['retention', '--data-dir', dir, '--today', '2026-01-30', '--dry-run'], io)).toBe(0);
    const out = io.stdout();
    expect(out).toContain('would delete journal date=2025-06-01');
    expect(out).toContain('would delete journal date=2026-01-01');
    expect(out).toContain('kept journal date=2026-01-10: expired but not fully compacted');
    expect(out).not.toContain('journal date=2026-01-29');
    expect(out).toContain('would delete parquet date=2025-06-01/ch=l2\n');
    expect(out).toContain('would delete parquet date=2025-06-01/ch=health\n');
    expect(out).not.toMatch(/parquet .*date=2025-06-01\/ch=(window|l2_delta)/);
    expect((await listJournalFiles(dir)).map((f) => f.date)).toContain('2025-06-01');
  });

  it('deletes expired compacted journal days and expired Parquet, keeping window data and uncompacted days', async () => {
    const io = captureIo(env);
    expect(await main(['retention', '--data-dir', dir, '--today', '2026-01-30'], io)).toBe(0);
    expect([...new Set((await listJournalFiles(dir)).map((f) => f.date))]).toEqual(['2026-01-10', '2026-01-29']);
    const parquet = await listParquetFiles(dir);
    const old = parquet.filter((f) => f.date === '2025-06-01').map((f) => f.channel);
    expect([...new Set(old)].sort()).toEqual(['l2_delta', 'window']);
    expect(parquet.some((f) => f.date === '2026-01-01' && f.channel === 'l2')).toBe(true);
    expect(existsSync(path.join(dir, 'parquet', 'date=2025-06-01', 'ch=l2'))).toBe(false);
    expect(existsSync(path.join(dir, 'parquet', 'date=2025-06-01', 'ch=window'))).toBe(true);
    expect(existsSync(path.join(dir, 'parquet', '_manifest', 'date=2025-06-01.json'))).toBe(false);
    const again = captureIo(env);
    expect(await main(['retention', '--data-dir', dir, '--today', '2026-01-30', '--json'], again)).toBe(0);
    expect(JSON.parse(again.stdout())).toMatchObject({ removed: [], plan: { keep_uncompacted: ['2026-01-10'] } });
  });
});
