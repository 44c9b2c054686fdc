import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Why a command's output (`kind`: a file it writes, or a directory it fills) cannot be made at
 * `target`, checked before the command runs: found only when the output is written, it cost a
 * replay, a backtest or a sweep its whole run, and the daemon its trading component. Null when the
 * output can be written: `target` is of that kind and writable, or its nearest existing ancestor is
 * a writable directory to create it in.
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
    return writable(existing) ? null : `${target} cannot be written: no write permission`;
  }
  if (!isDirectory) return `${target} cannot be created: ${existing} is a file, not a directory`;
  return writable(existing) ? null : `${target} cannot be created: no write permission in ${existing}`;
}

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
