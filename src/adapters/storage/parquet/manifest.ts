import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { manifestFile, type JournalFileRef } from '../layout.ts';

/**
 * What compaction consumed, one file per journal date (`parquet/_manifest/date=D.json`): per hour,
 * the journal files' sizes and mtimes (an hour whose files did not change is not compacted
 * again), the rows and parts it produced, and the lines it could not read. Retention reads it to
 * know which journal dates the lake holds whole.
 */
export interface SourceStamp {
  size: number;
  mtime_ms: number;
}

/** Complete lines of one journal file that compaction could not read: they are not in the lake. */
export interface MalformedLines {
  count: number;
  /** 1-based line numbers, the first MALFORMED_LINE_NUMBERS_KEPT of them. */
  lines: number[];
}

/** Enough to find the lines; a file that is all garbage would otherwise bloat the manifest. */
export const MALFORMED_LINE_NUMBERS_KEPT = 20;

export interface HourManifest {
  /** Per channel. */
  sources: Record<string, SourceStamp>;
  rows: number;
  files: string[];
  /**
   * Per channel, the lines compaction skipped as malformed (`{}` when none). Absent in manifests
   * written before it was recorded.
   */
  malformed?: Record<string, MalformedLines>;
}

export interface DateManifest {
  version: 1;
  date: string;
  hours: Record<string, HourManifest>;
}

export async function readManifest(dataDir: string, date: string): Promise<DateManifest> {
  try {
    const m = JSON.parse(await readFile(manifestFile(dataDir, date), 'utf8')) as DateManifest;
    if (m.version === 1 && m.date === date && m.hours) return m;
  } catch {
    // absent or unreadable: compact from scratch
  }
  return { version: 1, date, hours: {} };
}

export async function writeManifest(dataDir: string, m: DateManifest): Promise<void> {
  const file = manifestFile(dataDir, m.date);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const hours = Object.fromEntries(Object.keys(m.hours).sort().map((h) => [h, m.hours[h]!]));
  await writeFile(tmp, JSON.stringify({ ...m, hours }, null, 1) + '\n');
  await rename(tmp, file);
}

export async function stampSources(files: readonly JournalFileRef[]): Promise<Record<string, SourceStamp>> {
  const out: Record<string, SourceStamp> = {};
  for (const f of files) {
    const s = await stat(f.path);
    out[f.channel] = { size: s.size, mtime_ms: Math.floor(s.mtimeMs) };
  }
  return out;
}

export function sameSources(a: Record<string, SourceStamp>, b: Record<string, SourceStamp>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join() !== kb.join()) return false;
  return ka.every((k) => a[k]!.size === b[k]!.size && a[k]!.mtime_ms === b[k]!.mtime_ms);
}
