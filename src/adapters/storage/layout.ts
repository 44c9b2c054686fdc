import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseIsoDate } from '../../domain/time/civil.ts';

/**
 * Where storage puts things under the data directory:
 *
 *   journal/date=YYYY-MM-DD/ch=CHANNEL/HH.ndjson                  (UTC date and hour of ts_ingest)
 *   parquet/date=YYYY-MM-DD/ch=CHANNEL/part-00HH.parquet           (one part per channel and hour)
 *   parquet/_manifest/date=YYYY-MM-DD.json                        (what compaction consumed)
 *
 * A Parquet part is the compaction of one journal hour file, so its number is that UTC hour:
 * compacting an hour again rewrites exactly the same files (idempotent), and a journal hour that
 * retention already removed is never touched. The market, station and other ids are columns of
 * the part, not directories: one file per channel and hour however many markets trade (a
 * directory per market made thousands of tiny files an hour, each costing the writer and every
 * reader). Lakes written before that keep their parts at
 * `parquet/{market|station}=ID/date=D/ch=C/part-00HH.parquet` (`ParquetFileRef.legacyPartition`):
 * readers read both layouts, and recompacting an hour replaces its legacy parts.
 */
/** `YYYY-MM-DD` of a day on the calendar (never 2026-02-30, which Date.parse would roll over). */
export function isDateString(value: string): boolean {
  return parseIsoDate(value) !== null;
}

/** UTC date (YYYY-MM-DD) and hour (00-23) of an epoch-ms instant. */
export function utcDateHour(ms: number): { date: string; hour: string } {
  const iso = new Date(ms).toISOString();
  return { date: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

export function dateStartMs(date: string): number {
  return Date.parse(date + 'T00:00:00Z');
}

export function journalRoot(dataDir: string): string {
  return path.join(dataDir, 'journal');
}

export function parquetRoot(dataDir: string): string {
  return path.join(dataDir, 'parquet');
}

export function journalFile(dataDir: string, date: string, channel: string, hour: string): string {
  return path.join(dataDir, 'journal', `date=${date}`, `ch=${channel}`, `${hour}.ndjson`);
}

export function partFileName(hour: string): string {
  return `part-00${hour}.parquet`;
}

export function manifestFile(dataDir: string, date: string): string {
  return path.join(parquetRoot(dataDir), '_manifest', `date=${date}.json`);
}

/** Where the part of one channel's journal hour goes. */
export function parquetPartFile(dataDir: string, date: string, channel: string, hour: string): string {
  return path.join(parquetRoot(dataDir), `date=${date}`, `ch=${channel}`, partFileName(hour));
}

/**
 * Globs (for DuckDB) of one channel's Parquet parts, or every channel's, across dates: the
 * channel-hour layout first, then the legacy per-market one. Depths differ, so no file matches both.
 */
export function parquetGlobs(dataDir: string, channel = '*'): { current: string; legacy: string } {
  const root = parquetRoot(dataDir);
  return { current: path.join(root, 'date=*', `ch=${channel}`, '*.parquet'), legacy: path.join(root, '*=*', 'date=*', `ch=${channel}`, '*.parquet') };
}

export interface JournalFileRef {
  date: string;
  channel: string;
  hour: string;
  path: string;
  /** Start of the hour, epoch ms. */
  startMs: number;
}

export interface ParquetFileRef {
  /**
   * null for the channel-hour layout; for a part written by an earlier version, its per-entity
   * directory, e.g. `market=0xabc` or `station=KLGA`.
   */
  legacyPartition: string | null;
  date: string;
  channel: string;
  /** The journal hour the part was compacted from (00-23). */
  hour: string;
  path: string;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function keyed(name: string, key: string): string | undefined {
  return name.startsWith(key + '=') ? name.slice(key.length + 1) : undefined;
}

/** Every journal hour file, sorted by (date, hour, channel). */
export async function listJournalFiles(dataDir: string): Promise<JournalFileRef[]> {
  const out: JournalFileRef[] = [];
  const root = journalRoot(dataDir);
  for (const d of await listDir(root)) {
    const date = keyed(d, 'date');
    if (!date || !isDateString(date)) continue;
    for (const c of await listDir(path.join(root, d))) {
      const channel = keyed(c, 'ch');
      if (!channel) continue;
      for (const f of await listDir(path.join(root, d, c))) {
        const m = /^(\d{2})\.ndjson$/.exec(f);
        if (!m) continue;
        const hour = m[1]!;
        out.push({ date, channel, hour, path: path.join(root, d, c, f), startMs: dateStartMs(date) + Number(hour) * 3_600_000 });
      }
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs || (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
}

const PART_RE = /^part-00(\d{2})(?:-\d+)?\.parquet$/;

/** Every Parquet part under the lake (or of one date), in both layouts, sorted by path. */
export async function listParquetFiles(dataDir: string, onlyDate?: string): Promise<ParquetFileRef[]> {
  const out: ParquetFileRef[] = [];
  const root = parquetRoot(dataDir);
  const collect = async (legacyPartition: string | null, base: string): Promise<void> => {
    const dates = onlyDate ? [`date=${onlyDate}`] : await listDir(base);
    for (const d of dates) {
      const date = keyed(d, 'date');
      if (!date || !isDateString(date)) continue;
      for (const c of await listDir(path.join(base, d))) {
        const channel = keyed(c, 'ch');
        if (!channel) continue;
        for (const f of await listDir(path.join(base, d, c))) {
          const hour = PART_RE.exec(f)?.[1];
          if (hour) out.push({ legacyPartition, date, channel, hour, path: path.join(base, d, c, f) });
        }
      }
    }
  };
  await collect(null, root);
  for (const p of await listDir(root)) if (/^(market|station)=/.test(p)) await collect(p, path.join(root, p));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
