import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactJournal } from '../../src/adapters/storage/parquet/compactor.ts';
import { listParquetFiles } from '../../src/adapters/storage/layout.ts';
import { runCli } from '../support/cli.ts';
import { dataDirsRemovedAfterEach } from './support/data-dirs.ts';
import { makeRecorder } from './support/recorder.ts';
import { syntheticEvents, T0 } from './support/synthetic.ts';

const newDataDir = dataDirsRemovedAfterEach();
const DATE = '2026-01-29';
const RANGE = ['--from', new Date(T0).toISOString(), '--to', new Date(T0 + 3_600_000).toISOString()];
const events = syntheticEvents({ durationMs: 90_000, metarAtMs: [30_000], shockAtMs: 60_000, deltaEveryMs: 1000 });
const trades = events.filter((e) => e.type === 'TRADE').length;

/** A compacted lake of the synthetic session; returns the part of `channel`'s hour. */
async function lakeWithPart(channel: string): Promise<{ dir: string; part: string }> {
  const dir = newDataDir();
  const { recorder } = makeRecorder(dir);
  for (const e of events) recorder.emit(e);
  await recorder.close();
  await compactJournal({ dataDir: dir, now: T0 + 86_400_000, duckdb: { threads: 1, memory_limit: '512MB' } });
  const part = (await listParquetFiles(dir)).find((f) => f.channel === channel)?.path;
  expect(part, `a ${channel} part`).toBeDefined();
  return { dir, part: part! };
}

/** What a disk or a careless copy leaves: the file's first bytes only (its footer gone). */
function truncate(file: string): void {
  writeFileSync(file, readFileSync(file).subarray(0, 200));
}

/** Every data page overwritten while the footer stays intact: DuckDB opens it and fails reading. */
function garblePages(file: string): void {
  const bytes = readFileSync(file);
  const footerStart = bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
  bytes.fill(0xff, 4, footerStart);
  writeFileSync(file, bytes);
}

const query = (dir: string, sql: string) => runCli(['query', sql, '--data-dir', dir, '--json']);
const replay = (dir: string, ...more: string[]) => runCli(['replay', '--data-dir', dir, ...RANGE, '--source', 'parquet', ...more]);

describe('a damaged Parquet part is a data problem, confined to what reads it', () => {
  it('fails the views and replays that read it (exit 1, naming it and the rebuild), leaves the others working, and compact --force rebuilds it', async () => {
    const { dir, part } = await lakeWithPart('order');
    truncate(part);
    const rebuild = `helios compact --data-dir ${dir} --date ${DATE} --force`;

    const tape = await query(dir, 'SELECT count(*) AS n FROM tape');
    expect(tape.code, tape.err).toBe(0);
    expect(JSON.parse(tape.out)).toEqual([{ n: trades }]);
    expect(tape.err).toContain(`warning: view(s) events, orders cannot be read until rebuilt:\ndamaged Parquet file ${part}`);

    for (const sql of [`SELECT * FROM orders WHERE market_id = 'nope'`, `SELECT count(*) FROM events WHERE ch = 'tape'`]) {
      const r = await query(dir, sql);
      expect(r.code, sql).toBe(1);
      expect(r.err).toBe(`query: damaged Parquet file ${part} (Invalid Input Error: No magic bytes found at end of file): \`${rebuild}\` rebuilds it from its journal hour ${path.join(dir, 'journal', `date=${DATE}`, 'ch=order', '17.ndjson')}\n`);
    }
    // Bad SQL over the damaged view is still the SQL's fault.
    expect((await query(dir, 'SELECT nope FROM orders')).code).toBe(2);

    const r = await replay(dir);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain(`replay: damaged Parquet file ${part} (`);
    expect(r.err).toContain(rebuild);
    expect((await replay(dir, '--channels', 'tape,l2')).code).toBe(0);
    // Served without a range, it first looks for the recorded events' bounds: the same answer.
    const served = await runCli(['replay', '--data-dir', dir, '--source', 'parquet', '--serve', '--port', '0', '--exit-at-end']);
    expect(served.code, served.err).toBe(1);
    expect(served.err).toContain(`replay: damaged Parquet file ${part} (`);

    // What the message says works while the journal is there.
    const compact = await runCli(['compact', '--data-dir', dir, '--date', DATE, '--force', '--no-progress']);
    expect(compact.code, compact.err).toBe(0);
    const orders = await query(dir, 'SELECT client_order_id FROM orders');
    expect(orders.code, orders.err).toBe(0);
    expect(JSON.parse(orders.out)).toEqual([{ client_order_id: 'c-1' }]);
    expect(orders.err).toBe('');
    expect((await replay(dir)).code).toBe(0);
  }, 60_000);

  it('says so when the journal hour that would rebuild it is gone', async () => {
    const { dir, part } = await lakeWithPart('order');
    truncate(part);
    rmSync(path.join(dir, 'journal'), { recursive: true });
    const r = await query(dir, 'SELECT * FROM orders');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`damaged Parquet file ${part} (`);
    expect(r.err).toContain(`its journal hour ${path.join(dir, 'journal', `date=${DATE}`, 'ch=order', '17.ndjson')} no longer exists`);
    expect(r.err).not.toContain('helios compact');
  });

  it('finds a part whose pages are garbled behind an intact footer (DuckDB names no file then)', async () => {
    const { dir, part } = await lakeWithPart('l2');
    garblePages(part);
    const r = await query(dir, 'SELECT max(bids::VARCHAR) AS b FROM l2');
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(new RegExp(`^query: damaged Parquet file ${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(.+\\): \`helios compact`));
    const rp = await replay(dir);
    expect(rp.code, rp.err).toBe(1);
    expect(rp.err).toContain(`replay: damaged Parquet file ${part} (`);
    const bt = await runCli(['backtest', '--data-dir', dir, ...RANGE, '--source', 'parquet', '--out', path.join(dir, 'report')]);
    expect(bt.code, bt.err).toBe(1);
    expect(bt.err).toContain(`backtest: damaged Parquet file ${part} (`);
    expect((await query(dir, 'SELECT count(*) AS n FROM tape')).code).toBe(0);
  });
});
