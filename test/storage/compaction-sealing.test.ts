import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLock, lockFile } from '../../src/adapters/storage/data-dir-lock.ts';
import { sealPath } from '../../src/adapters/storage/journal/seal.ts';
import { journalFile, parquetRoot } from '../../src/adapters/storage/layout.ts';
import { compactJournal } from '../../src/adapters/storage/parquet/compactor.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';
import { makeRecorder, tempDataDir } from './support/recorder.ts';
import { syntheticEvents } from './support/synthetic.ts';

const DUCK = { threads: 1, memory_limit: '512MB' };
/** A simulated run two days ahead of the wall clock (as `helios run --speed 60` leaves one). */
const AHEAD = Date.UTC(2030, 5, 1, 10, 30, 0);
const WALL = Date.UTC(2030, 5, 1, 9, 0, 0);

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

function dataDir(): string {
  const { dir, cleanup } = tempDataDir('helios-seal-');
  cleanups.push(cleanup);
  return dir;
}

/** A pid that is certainly not running any more. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

async function writeRun(dir: string, stop: 'clean' | 'killed') {
  const { recorder } = makeRecorder(dir);
  for (const e of syntheticEvents({ start: AHEAD, durationMs: 60_000, metarAtMs: [], seed: 3 })) recorder.emit(e);
  if (stop === 'clean') await recorder.close();
  else await recorder.flush(); // killed: written, never closed
  return recorder.stats().written;
}

describe('compaction of sealed and unsealed journal hours', () => {
  it('takes every hour a cleanly stopped writer sealed, even when it lies ahead of the wall clock', async () => {
    const dir = dataDir();
    const written = await writeRun(dir, 'clean');
    expect(existsSync(sealPath(journalFile(dir, '2030-06-01', 'tape', '10')))).toBe(true);
    const r = await compactJournal({ dataDir: dir, now: WALL, duckdb: DUCK });
    expect(r).toMatchObject({ hours_compacted: 1, hours_open: 0, rows: written });
  });

  it('--force takes the unsealed hours of a dead writer, never those of a live one', async () => {
    const dir = dataDir();
    const written = await writeRun(dir, 'killed');
    expect(await compactJournal({ dataDir: dir, now: WALL, duckdb: DUCK })).toMatchObject({ hours_compacted: 0, hours_open: 1 });

    // A live process holds the data directory: even --force leaves its hours alone, and says who.
    const lock = DataDirLock.acquire(dir, WALL);
    const held = await compactJournal({ dataDir: dir, now: WALL, force: true, duckdb: DUCK });
    expect(held).toMatchObject({ hours_compacted: 0, hours_open: 1, live_writer: { pid: process.pid, host: hostname() } });
    const io = captureIo();
    expect(await main(['compact', '--data-dir', dir, '--force', '--no-progress'], io)).toBe(0);
    expect(io.stdout()).toMatch(/1 still open; .*--include-open-hour compacts it now/);
    expect(io.stderr()).toContain(`held by pid ${process.pid} on ${hostname()}`);
    lock.release();

    // Its writer died (a stale lock of a dead pid, as a SIGKILL leaves): --force takes the hour.
    writeFileSync(lockFile(dir), JSON.stringify({ pid: deadPid(), host: hostname(), since_ms: WALL }));
    const plain = captureIo();
    expect(await main(['compact', '--data-dir', dir, '--no-progress'], plain)).toBe(0);
    expect(plain.stderr()).toContain('--force compacts them');
    const forced = await compactJournal({ dataDir: dir, now: WALL, force: true, duckdb: DUCK });
    expect(forced).toMatchObject({ hours_compacted: 1, hours_open: 0, rows: written, live_writer: null });
  });

  it('cleans the staging leftovers of a killed compaction on the next run, and only those', async () => {
    const dir = dataDir();
    await writeRun(dir, 'clean');
    const staging = path.join(parquetRoot(dir), '.staging');
    const dead = path.join(staging, `2030-06-01T10-${deadPid()}-1`);
    mkdirSync(path.join(dead, 'pkind=market', 'pid=x', 'pch=tape'), { recursive: true });
    writeFileSync(path.join(dead, 'pkind=market', 'pid=x', 'pch=tape', 'part-0.parquet'), 'half written');
    // A compaction still running in another live process (here: ours under another sequence number).
    const live = path.join(staging, `2030-06-01T10-${process.ppid}-7`);
    mkdirSync(live, { recursive: true });
    const io = captureIo();
    expect(await main(['compact', '--data-dir', dir, '--no-progress', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({ staging_cleaned: 1, hours_compacted: 1 });
    expect(readdirSync(staging)).toEqual([path.basename(live)]);
  });
});
