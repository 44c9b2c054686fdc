import { accessSync, constants, existsSync, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Why a command's output (`kind`: a file it writes, or a directory it fills) cannot be made at
 * `target`, checked before the command runs: found only when the output is written, it cost a
 * replay, a backtest or a sweep its whole run, and the daemon its trading component. Null when the
 * output can be written: `target` is of that kind and writable, or its nearest existing ancestor is
 * a directory something can be created in. For a directory that is tried (an entry made and removed
 * at once): permission bits say nothing to root, nor about /proc or /sys, where creating anything
 * fails (and Node's recursive mkdir hangs there, see make-directories.ts).
 */
export function unwritableOutput(target: string, kind: 'file' | 'directory'): string | null {
  const resolved = path.resolve(target);
  let existing = resolved;
  while (!existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const isDirectory = statSync(existing).isDirectory();
  if (existing === resolved) {
    if (kind === 'file' && isDirectory) return `${target} is a directory, not a file`;
    if (kind === 'directory' && !isDirectory) return `${target} is a file, not a directory`;
    if (isDirectory) {
      const refused = creationRefused(existing);
      return refused === null ? null : `${target} cannot be written: nothing can be created in it (${refused})`;
    }
    return writable(existing) ? null : `${target} cannot be written: no write permission`;
  }
  if (!isDirectory) return `${target} cannot be created: ${existing} is a file, not a directory`;
  if (!writable(existing)) return `${target} cannot be created: no write permission in ${existing}`;
  const refused = creationRefused(existing);
  return refused === null ? null : `${target} cannot be created: nothing can be created in ${existing} (${refused})`;
}

/** Why nothing can be created in `dir` (the error code of trying), or null when something could. */
function creationRefused(dir: string): string | null {
  try {
    rmdirSync(mkdtempSync(path.join(dir, '.helios-write-probe-')));
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
