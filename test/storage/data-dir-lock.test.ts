import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLock, DataDirLocked, lockFile, lockHolder } from '../../src/adapters/storage/data-dir-lock.ts';
import { tempDataDir } from './support/recorder.ts';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));
function dataDir(): string {
  const { dir, cleanup } = tempDataDir('helios-lock-');
  cleanups.push(cleanup);
  return dir;
}

describe('data directory lock', () => {
  it('one holder at a time: the second is refused with the holder named, and can take it once released', () => {
    const dir = dataDir();
    const lock = DataDirLock.acquire(dir, 1_700_000_000_000);
    expect(lockHolder(dir)).toEqual({ pid: process.pid, host: hostname(), since_ms: 1_700_000_000_000 });
    let refusal: unknown;
    try {
      DataDirLock.acquire(dir, 1_700_000_000_001);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(DataDirLocked);
    expect((refusal as Error).message).toContain(`in use by pid ${process.pid} on ${hostname()} (since 2023-11-14T22:13:20.000Z)`);
    // No temporary file left behind by either attempt.
    expect(readdirSync(path.dirname(lockFile(dir)))).toEqual(['daemon.lock']);
    lock.release();
    expect(existsSync(lockFile(dir))).toBe(false);
    DataDirLock.acquire(dir, 1).release();
  });

  it('takes over the stale lock of a dead process, or an unreadable one; never one held on another host', () => {
    const dir = dataDir();
    mkdirSync(path.dirname(lockFile(dir)), { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(lockFile(dir), JSON.stringify({ pid: dead, host: hostname(), since_ms: 1 }));
    expect(lockHolder(dir)).toBeNull();
    DataDirLock.acquire(dir, 2).release();

    writeFileSync(lockFile(dir), '{"pid":');
    DataDirLock.acquire(dir, 3).release();

    writeFileSync(lockFile(dir), JSON.stringify({ pid: dead, host: 'another-host', since_ms: 1 }));
    expect(() => DataDirLock.acquire(dir, 4)).toThrow(/in use by pid \d+ on another-host/);
  });
});
