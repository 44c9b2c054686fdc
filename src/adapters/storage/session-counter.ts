import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log/logger.ts';

/** Where the session counter of a data directory lives. */
export function sessionFile(dataDir: string): string {
  return path.join(dataDir, 'state', 'session.json');
}

/**
 * The next trading session of this data directory (1, 2, …), written back before it is returned so
 * that a process killed right after still never hands out the same session twice. A missing or
 * unreadable file starts over at 1 with a warning; a failed write is logged and the session is used
 * anyway (ids stay unique within this process).
 */
export function nextSession(dataDir: string, logger?: Logger): number {
  const file = sessionFile(dataDir);
  let previous = 0;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { session?: unknown };
    if (typeof parsed.session !== 'number' || !Number.isSafeInteger(parsed.session) || parsed.session < 0) throw new Error(`no session number in ${file}`);
    previous = parsed.session;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    logger?.warn({ file, err: (err as Error).message }, missing ? 'no session counter yet: starting at session 1' : 'session counter unreadable: starting again at session 1');
  }
  const session = previous + 1;
  try {
    writeAtomically(file, JSON.stringify({ session }) + '\n');
  } catch (err) {
    logger?.warn({ file, err: (err as Error).message }, 'could not write the session counter');
  }
  return session;
}

/** Temp file, fsync, rename over the old one, fsync the directory: a reader sees the old or the new content. */
function writeAtomically(file: string, text: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
