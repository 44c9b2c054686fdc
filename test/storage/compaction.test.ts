import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactJournal, type CompactOptions } from '../../src/adapters/storage/parquet/compactor.ts';
import { openDuckDb, sqlString } from '../../src/adapters/storage/parquet/duckdb.ts';
import { queryLake } from '../../src/adapters/storage/parquet/query.ts';
import { GLOBAL_PARTITION_ID, journalFile, listParquetFiles, parquetRoot } from '../../src/adapters/storage/layout.ts';
import { main } from '../../src/cli/main.ts';
import { ProgressBar } from '../../src/cli/progress-bar.ts';
import { captureIo } from '../support/cli.ts';
import { makeRecorder, tempDataDir } from './support/recorder.ts';
import { syntheticEvents, T0 } from './support/synthetic.ts';

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
  it('partitions by market/station (else market=_global), date and channel, one part per journal hour', async () => {
    const report = await compact();
    expect(report).toMatchObject({ dates: ['2026-01-29'], hours_compacted: 2, hours_unchanged: 0, rows: journalLines, torn_tails: 0, malformed_lines: 0 });
    const rel = (await listParquetFiles(dir)).map((f) => path.relative(parquetRoot(dir), f.path));
    const parts = (p: string, ch: string, hours: string[]) => hours.map((h) => path.join(p, 'date=2026-01-29', `ch=${ch}`, `part-00${h}.parquet`));
    expect(rel).toEqual(
      [
        ...parts('market=0xmkt-klga-29jan', 'fill', ['16']),
        ...parts('market=0xmkt-klga-29jan', 'l2', ['16', '17']),
        ...parts('market=0xmkt-klga-29jan', 'l2_delta', ['16', '17']),
        ...parts('market=0xmkt-klga-29jan', 'order', ['16']),
        ...parts('market=0xmkt-klga-29jan', 'tape', ['16', '17']),
        ...parts('market=_global', 'health', ['16', '17']),
        ...parts('market=_global', 'truth', ['16', '17']),
        ...parts('station=KLGA', 'nowcast', ['16', '17']),
        ...parts('station=KLGA', 'window', ['16', '17']),
        ...parts('station=KLGA', 'world', ['16']),
      ].sort(),
    );
    expect(await count()).toEqual({ n: journalLines, ids: journalLines });
    // Nothing half-written is left behind.
    expect(existsSync(path.join(parquetRoot(dir), '.staging'))).toBe(false);
  });

  it('keeps each part in journal order: the rows of its market or station from that channel file, line by line', async () => {
    // With DuckDB's own worker threads too, as the daemon's configuration runs it.
    expect(await compact({ force: true, duckdb: { ...DUCK, threads: 2 } })).toMatchObject({ hours_compacted: 2, rows: journalLines });
    const db = await openDuckDb(DUCK);
    try {
      const parts = await listParquetFiles(dir);
      expect(parts.length).toBeGreaterThan(10);
      for (const part of parts) {
        const [partition, , ch] = path.relative(parquetRoot(dir), part.path).split(path.sep);
        const [kind, id] = partition!.split('=') as [string, string];
        const hour = /part-00(\d\d)\.parquet$/.exec(part.path)![1]!;
        const journal = readFileSync(journalFile(dir, part.date, ch!.replace('ch=', ''), hour), 'utf8').split('\n').filter(Boolean);
        const expected = journal
          .map((line) => JSON.parse(line) as { event_id: string; market_id?: string; station_id?: string })
          .filter((r) => (kind === 'station' ? r.market_id === undefined && r.station_id === id : (r.market_id ?? (r.station_id === undefined ? GLOBAL_PARTITION_ID : undefined)) === id))
          .map((r) => r.event_id);
        const rows = (await db.connection.runAndReadAll(`SELECT event_id FROM read_parquet(${sqlString(part.path)})`)).getColumnsJS()[0];
        expect(rows, part.path).toEqual(expected);
      }
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

  it('a recompaction removes the parts of its hour it no longer produces, and no other hour\'s', async () => {
    const part17 = (await listParquetFiles(dir)).find((f) => f.path.endsWith('part-0017.parquet'))!;
    const gone = path.join(parquetRoot(dir), 'market=gone', `date=${part17.date}`, 'ch=l2');
    mkdirSync(gone, { recursive: true });
    for (const name of ['part-0017.parquet', 'part-0017-1.parquet', 'part-0018.parquet']) copyFileSync(part17.path, path.join(gone, name));
    expect(await compact({ force: true })).toMatchObject({ hours_compacted: 2, rows: journalLines });
    expect(readdirSync(gone)).toEqual(['part-0018.parquet']);
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
