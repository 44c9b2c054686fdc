import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p` that fails instead of hanging. Node's `mkdirSync(dir, { recursive: true })` loops
 * forever (synchronously: even SIGTERM is never handled) when the file system answers ENOENT for a
 * child of a directory that exists, as /proc does (`/proc/x`): it takes ENOENT for "parent missing",
 * finds the parent there, and retries. Creating one level at a time from the nearest existing
 * ancestor turns that answer into an error.
 */
export function makeDirectories(dir: string): void {
  const missing: string[] = [];
  let existing = path.resolve(dir);
  while (!existsSync(existing)) {
    missing.push(existing);
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (err) {
      // Another process may have made it meanwhile.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
