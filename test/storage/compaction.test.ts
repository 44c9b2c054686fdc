import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactJournal, type CompactOptions } from '../../src/adapters/storage/parquet/compactor.ts';
import { openDuckDb, sqlString } from '../../src/adapters/storage/parquet/duckdb.ts';
import { queryLake } from '../../src/adapters/storage/parquet/query.ts';
import { journalFile, listParquetFiles, parquetRoot } from '../../src/adapters/storage/layout.ts';
import { main } from '../../src/cli/main.ts';
import { ProgressBar } from '../../src/cli/progress-bar.ts';
import { captureIo } from '../support/cli.ts';
import { makeRecorder, tempDataDir } from './support/recorder.ts';
import { MARKET, STATION, syntheticEvents, T0 } from './support/synthetic.ts';

const DUCK = { threads: 1, memory_limit: '512MB' };
const LATER = T0 + 86_400_000;

let dir: string;
let cleanup: () => void;
let journalLines = 0;

/** Two journal hours (16h and 17h UTC) of every kind of event, with a METAR window and deltas inside it. */
beforeAll(async () => {
  ({ dir, cleanup } = tempDataDir('helios-compact-'));
  const { recorder } = makeRecorder(dir);
  for (const e of syntheticEvents({ start: T0 - 60_000, durationMs: 120_000, metarAtMs: [50_000], deltaEveryMs: 1000 })) recorder.emit(e);
  await recorder.close();
  journalLines = recorder.stats().written;
});
afterAll(() => cleanup());

function compact(extra: Partial<CompactOptions> = {}) {
  return compactJournal({ dataDir: dir, now: LATER, duckdb: DUCK, ...extra });
}

async function count(sql = 'SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events') {
  return (await queryLake(dir, sql, DUCK)).rows[0] as { n: number; ids: number };
}

describe('compaction to Parquet', () => {
  it('writes one part per channel and journal hour, ids as columns: date=D/ch=C/part-00HH.parquet', async () => {
    const report = await compact();
    expect(report).toMatchObject({ dates: ['2026-01-29'], hours_compacted: 2, hours_unchanged: 0, rows: journalLines, torn_tails: 0, malformed_lines: 0 });
    const rel = (await listParquetFiles(dir)).map((f) => path.relative(parquetRoot(dir), f.path));
    const parts = (ch: string, hours: string[]) => hours.map((h) => path.join('date=2026-01-29', `ch=${ch}`, `part-00${h}.parquet`));
    expect(rel).toEqual(
      [
        ...parts('fill', ['16']),
        ...parts('health', ['16', '17']),
        ...parts('l2', ['16', '17']),
        ...parts('l2_delta', ['16', '17']),
        ...parts('nowcast', ['16', '17']),
        ...parts('order', ['16']),
        ...parts('tape', ['16', '17']),
        ...parts('truth', ['16', '17']),
        ...parts('window', ['16', '17']),
        ...parts('world', ['16']),
      ].sort(),
    );
    expect(report.parquet_files).toBe(rel.length);
    expect(await count()).toEqual({ n: journalLines, ids: journalLines });
    // The market and station a row belongs to are its own columns.
    const byEntity = await queryLake(dir, `SELECT ch, market_id, station_id, count(*) AS n FROM events WHERE ch IN ('l2', 'world') GROUP BY ALL ORDER BY ALL`, DUCK);
    expect(byEntity.rows.map((r) => [r.ch, r.market_id, r.station_id])).toEqual([
      ['l2', MARKET, null],
      ['world', null, STATION],
    ]);
    // Nothing half-written is left behind.
    expect(existsSync(path.join(parquetRoot(dir), '.staging'))).toBe(false);
  });

  it('keeps journal order: each part is its channel file line by line, so every market and station in it keeps its own order', async () => {
    // With DuckDB's own worker threads too, as the daemon's configuration runs it.
    expect(await compact({ force: true, duckdb: { ...DUCK, threads: 2 } })).toMatchObject({ hours_compacted: 2, rows: journalLines });
    const db = await openDuckDb(DUCK);
    try {
      const parts = await listParquetFiles(dir);
      expect(parts.length).toBeGreaterThan(10);
      let checked = 0;
      for (const part of parts) {
        const journal = readFileSync(journalFile(dir, part.date, part.channel, part.hour), 'utf8').split('\n').filter(Boolean);
        const expected = journal.map((line) => (JSON.parse(line) as { event_id: string }).event_id);
        const rows = (await db.connection.runAndReadAll(`SELECT event_id FROM read_parquet(${sqlString(part.path)})`)).getColumnsJS()[0];
        expect(rows, part.path).toEqual(expected);
        checked += expected.length;
      }
      expect(checked).toBe(journalLines);
    } finally {
      db.close();
    }
  });

  it('is idempotent: a second run skips unchanged hours, a forced run rewrites the same files, rows never duplicate', async () => {
    const before = (await listParquetFiles(dir)).map((f) => f.path);
    const again = await compact();
    expect(again).toMatchObject({ hours_compacted: 0, hours_unchanged: 2, rows: 0 });
    const forced = await compact({ force: true });
    expect(forced).toMatchObject({ hours_compacted: 2, rows: journalLines });
    expect((await listParquetFiles(dir)).map((f) => f.path)).toEqual(before);
    expect(await count()).toEqual({ n: journalLines, ids: journalLines });
  });

  it('a recompaction removes the parts of its hour it no longer produces, legacy per-market parts included, and no other hour\'s', async () => {
    const part17 = (await listParquetFiles(dir)).find((f) => f.path.endsWith('part-0017.parquet'))!;
    const gone = path.join(parquetRoot(dir), `date=${part17.date}`, 'ch=gone');
    const legacy = path.join(parquetRoot(dir), 'market=gone', `date=${part17.date}`, 'ch=l2');
    for (const d of [gone, legacy]) {
      mkdirSync(d, { recursive: true });
      for (const name of ['part-0017.parquet', 'part-0017-1.parquet', 'part-0018.parquet']) copyFileSync(part17.path, path.join(d, name));
    }
    expect(await compact({ force: true })).toMatchObject({ hours_compacted: 2, rows: journalLines });
    expect(readdirSync(gone)).toEqual(['part-0018.parquet']);
    expect(readdirSync(legacy)).toEqual(['part-0018.parquet']);
    rmSync(gone, { recursive: true });
    rmSync(path.join(parquetRoot(dir), 'market=gone'), { recursive: true });
    expect(await count()).toEqual({ n: journalLines, ids: journalLines });
  });

  it('recompacts an hour whose journal grew, replacing its parts; leaves an hour still being written alone until it is sealed', async () => {
    const { recorder } = makeRecorder(dir);
    const extra = syntheticEvents({ start: T0 + 600_000, durationMs: 5_000, metarAtMs: [], seed: 7 });
    for (const e of extra) recorder.emit(e);
    // The writer is still running: appending unsealed the hour, which is not over yet.
    await recorder.flush();
    const open = await compact({ now: T0 + 3_600_000 + 30_000 });
    expect(open).toMatchObject({ hours_open: 1, hours_unchanged: 1, hours_compacted: 0 });
    // A clean stop seals it: taken at once, though the hour is not over by that clock.
    await recorder.close();
    const r = await compact({ now: T0 + 3_600_000 + 30_000 });
    expect(r).toMatchObject({ hours_compacted: 1, hours_unchanged: 1, hours_open: 0 });
    journalLines += recorder.stats().written;
    expect(await count()).toEqual({ n: journalLines, ids: journalLines });
  });

  it('skips a torn last line with a warning, and still compacts everything before it', async () => {
    const file = journalFile(dir, '2026-01-29', 'l2', '17');
    const original = readFileSync(file, 'utf8');
    appendFileSync(file, '{"schema_version":1,"event_id":"01KG5');
    const warnings: string[] = [];
    const r = await compact({ onIssue: (i) => warnings.push(`${i.kind}:${path.basename(i.file)}`) });
    expect(r).toMatchObject({ hours_compacted: 1, torn_tails: 1, malformed_lines: 0 });
    expect(warnings).toEqual(['torn_tail:17.ndjson']);
    expect(await count()).toEqual({ n: journalLines, ids: journalLines });
    writeFileSync(file, original);
  });

  it('the CLI reports malformed lines with exit code 1 and compacts the rest', async () => {
    const file = journalFile(dir, '2026-01-29', 'tape', '16');
    const original = readFileSync(file, 'utf8');
    const lines = original.split('\n');
    writeFileSync(file, [lines[0], 'not json at all', ...lines.slice(1)].join('\n'));
    const io = captureIo();
    expect(await main(['compact', '--data-dir', dir, '--date', '2026-01-29', '--no-progress'], io)).toBe(1);
    expect(io.stderr()).toContain(`malformed line in ${file}:2 skipped`);
    expect(io.stdout()).toMatch(/\d hour\(s\) compacted/);
    expect(await count()).toEqual({ n: journalLines, ids: journalLines });
    writeFileSync(file, original);
    const ok = captureIo();
    expect(await main(['compact', '--data-dir', dir, '--json'], ok)).toBe(0);
    expect(JSON.parse(ok.stdout())).toMatchObject({ hours_compacted: 1, malformed_lines: 0 });
  });

  it('draws its progress bar in place on a terminal, and nothing elsewhere', () => {
    const tty: string[] = [];
    const bar = new ProgressBar((t) => tty.push(t), true, 10);
    bar.update(1, 4, '2026-01-29 16h');
    bar.update(4, 4, '2026-01-29 17h');
    bar.finish();
    expect(tty).toEqual(['\r\x1b[2K[###.......]  25% 2026-01-29 16h', '\r\x1b[2K[##########] 100% 2026-01-29 17h', '\n']);
    const pipe: string[] = [];
    const quiet = new ProgressBar((t) => pipe.push(t), false);
    quiet.update(1, 2, 'x');
    quiet.finish();
    expect(pipe).toEqual([]);
  });

  it('the CLI refuses a malformed date with exit code 2', async () => {
    const io = captureIo();
    expect(await main(['compact', '--data-dir', dir, '--date', '2026-13-01'], io)).toBe(2);
    expect(io.stderr()).toContain('YYYY-MM-DD');
  });
});
