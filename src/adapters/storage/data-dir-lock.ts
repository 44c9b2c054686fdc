import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { makeDirectories } from './make-directories.ts';

/** Who holds a data directory: written into its lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  /** Wall time the lock was taken (epoch ms), for the operator. */
  since_ms: number;
}

export function lockFile(dataDir: string): string {
  return path.join(dataDir, 'state', 'daemon.lock');
}

/** The data directory is held by a live process (or one on another host that cannot be checked). */
export class DataDirLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `data directory ${dataDir} is in use by pid ${holder.pid} on ${holder.host} (since ${new Date(holder.since_ms).toISOString()}); ` +
        `stop that process first, or use another --data-dir (lock file: ${lockFile(dataDir)})`,
    );
    this.name = 'DataDirLocked';
  }
}

/**
 * The data directory cannot hold the daemon's state at all (a file where a directory should be, no
 * write permission, a read-only file system): a configuration problem a restart would only repeat.
 */
export class DataDirUnusable extends Error {
  constructor(
    readonly dataDir: string,
    cause: string,
  ) {
    super(`data directory ${dataDir} cannot be used: ${cause}; choose another directory or fix its permissions`);
    this.name = 'DataDirUnusable';
  }
}

/**
 * Errors of creating the state folder or the lock file that say the directory is unusable, not that
 * the disk failed (ENOENT: a file system such as /proc that creates nothing in a directory it has).
 */
const UNUSABLE_CODES = new Set(['ENOTDIR', 'EEXIST', 'EACCES', 'EPERM', 'EROFS', 'ENOENT']);

function unusable(dataDir: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  return code !== undefined && UNUSABLE_CODES.has(code) ? new DataDirUnusable(dataDir, (err as Error).message) : err;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && Number.isSafeInteger(v.pid) && v.pid > 0 && typeof v.host === 'string' && typeof v.since_ms === 'number') {
      return { pid: v.pid, host: v.host, since_ms: v.since_ms };
    }
  } catch {
    // unreadable: treated like a lock of a dead process below
  }
  return null;
}

/**
 * The live holder of a data directory's lock, or null when there is none. A lock whose process is
 * gone (same host, pid not running) or whose file is unreadable is stale and counts as none; a lock
 * taken on another host cannot be checked and counts as held.
 */
export function lockHolder(dataDir: string): LockHolder | null {
  const holder = readHolder(lockFile(dataDir));
  if (!holder) return null;
  if (holder.host === hostname() && !isAlive(holder.pid)) return null;
  return holder;
}

/**
 * One writer per data directory: an exclusive lock file naming pid and host, created atomically
 * (written under a temporary name, then hard-linked into place, so nobody ever reads a half-written
 * lock). A stale lock of a dead process on this host is taken over. Throws DataDirLocked otherwise,
 * DataDirUnusable when the directory cannot hold the lock at all.
 */
export class DataDirLock {
  private released = false;

  private constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {}

  static acquire(dataDir: string, nowMs: number): DataDirLock {
    const file = lockFile(dataDir);
    const me: LockHolder = { pid: process.pid, host: hostname(), since_ms: nowMs };
    const tmp = `${file}.${process.pid}.tmp`;
    let fd: number;
    try {
      makeDirectories(path.dirname(file));
      fd = openSync(tmp, 'w');
    } catch (err) {
      throw unusable(dataDir, err);
    }
    try {
      writeSync(fd, JSON.stringify(me) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      // Two attempts: the second after removing a stale lock (another process may win that race).
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          linkSync(tmp, file);
          return new DataDirLock(dataDir, me);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const holder = lockHolder(dataDir);
        if (holder) throw new DataDirLocked(dataDir, holder);
        try {
          unlinkSync(file);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      throw new DataDirLocked(dataDir, readHolder(file) ?? { pid: 0, host: 'unknown', since_ms: nowMs });
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }

  /** Removes the lock file if it is still this process's. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const current = readHolder(lockFile(this.dataDir));
    if (current && current.pid === this.holder.pid && current.host === this.holder.host) {
      try {
        unlinkSync(lockFile(this.dataDir));
      } catch {
        // already gone
      }
    }
  }
}
