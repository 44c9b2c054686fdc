import { readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where storage puts things under the data directory:
 *
 *   journal/date=YYYY-MM-DD/ch=CHANNEL/HH.ndjson                  (UTC date and hour of ts_ingest)
 *   parquet/{market|station}=ID/date=YYYY-MM-DD/ch=CHANNEL/part-00HH.parquet
 *   parquet/_manifest/date=YYYY-MM-DD.json                        (what compaction consumed)
 *
 * A Parquet part is the compaction of one journal hour, so its number is that UTC hour: compacting
 * an hour again rewrites exactly the same files (idempotent), and a journal hour that retention
 * already removed is never touched. Events with a market_id go under market=, else those with a
 * station_id under station=, and everything else (health, control, truth without a market,
 * global windows) under market=_global.
 */
export const GLOBAL_PARTITION_ID = '_global';

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isDateString(value: string): boolean {
  if (!DATE_RE.test(value)) return false;
  const ms = Date.parse(value + 'T00:00:00Z');
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value;
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

/** Glob of one channel's Parquet files across every partition and date (for DuckDB). */
export function parquetChannelGlob(dataDir: string, channel: string): string {
  return path.join(parquetRoot(dataDir), '*', 'date=*', `ch=${channel}`, '*.parquet');
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
  /** The partition directory name, e.g. `market=0xabc` or `station=KLGA`. */
  partition: string;
  date: string;
  channel: string;
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

/** Every Parquet part under the lake (or of one date), sorted by path. */
export async function listParquetFiles(dataDir: string, onlyDate?: string): Promise<ParquetFileRef[]> {
  const out: ParquetFileRef[] = [];
  const root = parquetRoot(dataDir);
  for (const p of await listDir(root)) {
    if (!/^(market|station)=/.test(p)) continue;
    const dates = onlyDate ? [`date=${onlyDate}`] : await listDir(path.join(root, p));
    for (const d of dates) {
      const date = keyed(d, 'date');
      if (!date || !isDateString(date)) continue;
      for (const c of await listDir(path.join(root, p, d))) {
        const channel = keyed(c, 'ch');
        if (!channel) continue;
        for (const f of await listDir(path.join(root, p, d, c))) {
          if (f.endsWith('.parquet')) out.push({ partition: p, date, channel, path: path.join(root, p, d, c, f) });
        }
      }
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
