import { realpathSync } from 'node:fs';
import path from 'node:path';

/** The folders of a data directory that hold what was recorded: a command's output never goes there. */
const RECORDED_FOLDERS: ReadonlyArray<{ name: string; holds: string }> = [
  { name: 'journal', holds: 'the journal' },
  { name: 'dispatch', holds: "the dispatch logs (the trading node's recorded inputs)" },
  { name: 'parquet', holds: 'the Parquet lake' },
  { name: 'state', holds: "the daemon's lock and session counter" },
];

/**
 * Why an output file may not be written at `file` (relative paths against the working directory):
 * it lies inside a recorded-data folder of `dataDir`, where opening it for writing would truncate
 * recorded data (a replay would even destroy the dispatch log it is reading). Real paths are
 * compared, so a symbolic link or `..` cannot slip past. Null when the file lies elsewhere.
 */
export function recordedDataOverwrite(file: string, dataDir: string): string | null {
  const target = realPathOf(file);
  for (const folder of RECORDED_FOLDERS) {
    const recorded = realPathOf(path.join(dataDir, folder.name));
    if (isWithin(target, recorded)) return `${file} lies inside ${recorded}, ${folder.holds}: writing it would overwrite recorded data`;
  }
  return null;
}

/** The real path of a file that may not exist yet: its nearest existing ancestor's real path, then the rest as written. */
function realPathOf(file: string): string {
  let existing = path.resolve(file);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return path.resolve(file);
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

function isWithin(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
