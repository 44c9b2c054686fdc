import { mkdir, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { lockHolder, type LockHolder } from '../data-dir-lock.ts';
import { readJournalTail, scanJournalLines, streamJournalFile, type JournalReadIssue, type LineScan } from '../journal/reader.ts';
import { isJournalFileSealed } from '../journal/seal.ts';
import { listJournalFiles, listParquetFiles, parquetPartFile, parquetRoot, type JournalFileRef } from '../layout.ts';
import { openDuckDb, sqlString, type DuckDbOptions } from './duckdb.ts';
import { MALFORMED_LINE_NUMBERS_KEPT, readManifest, sameSources, stampSources, writeManifest, type DateManifest, type MalformedLines } from './manifest.ts';
import { columnList, readJsonColumnsArg } from './record-schema.ts';

/**
 * NDJSON journal → Parquet lake, one journal hour at a time. Each hour is read by DuckDB, written
 * to a staging directory partitioned by channel, then each file is renamed into place as
 * `date=D/ch=C/part-00HH.parquet`, replacing the previous compaction of that hour (legacy
 * per-market parts included): readers never see a half-written file, and compacting twice yields
 * the same rows once. A manifest per date records the sources consumed, so unchanged hours are
 * skipped and retention knows what is safe to delete (`manifest.ts`).
 */
export interface CompactOptions {
  dataDir: string;
  /** Dates to compact (YYYY-MM-DD); all journal dates when omitted. */
  dates?: string[];
  /**
   * Recompact hours even if their sources did not change, and take hours still open (unsealed, not
   * yet over) when no live process holds the data directory's lock: their writer died.
   */
  force?: boolean;
  /**
   * Wall time. An hour is taken when every file of it is sealed (its writer stopped cleanly), or once
   * it ended `openHourGraceMs` before `now`; otherwise it is still being written and left alone.
   */
  now: number;
  openHourGraceMs?: number;
  duckdb: DuckDbOptions;
  onProgress?: (p: CompactProgress) => void;
  onIssue?: (issue: JournalReadIssue) => void;
}

export interface CompactProgress {
  done: number;
  total: number;
  date: string;
  hour: string;
  bytesDone: number;
  bytesTotal: number;
  skipped: boolean;
}

export interface CompactionReport {
  dates: string[];
  hours_compacted: number;
  hours_unchanged: number;
  hours_open: number;
  /** The live process holding the data directory (its open hours are left alone even with force). */
  live_writer: LockHolder | null;
  /** Staging directories of a killed compaction, removed before this one. */
  staging_cleaned: number;
  rows: number;
  bytes_in: number;
  parquet_files: number;
  torn_tails: number;
  malformed_lines: number;
  issues: JournalReadIssue[];
}

const HOUR_MS = 3_600_000;
/** Rows per Parquet row group (a multiple of DuckDB's 2,048-row vector); see compactHour. */
const ROW_GROUP_ROWS = 8_192;

export async function compactJournal(opts: CompactOptions): Promise<CompactionReport> {
  const stagingCleaned = await cleanDeadStaging(opts.dataDir);
  const liveWriter = lockHolder(opts.dataDir);
  const all = await listJournalFiles(opts.dataDir);
  const wanted = opts.dates ? new Set(opts.dates) : undefined;
  const byHour = new Map<string, JournalFileRef[]>();
  for (const f of all) {
    if (wanted && !wanted.has(f.date)) continue;
    const key = `${f.date}T${f.hour}`;
    let list = byHour.get(key);
    if (!list) byHour.set(key, (list = []));
    list.push(f);
  }
  const report: CompactionReport = {
    dates: [...new Set([...byHour.values()].map((l) => l[0]!.date))].sort(),
    hours_compacted: 0,
    hours_unchanged: 0,
    hours_open: 0,
    live_writer: liveWriter,
    staging_cleaned: stagingCleaned,
    rows: 0,
    bytes_in: 0,
    parquet_files: 0,
    torn_tails: 0,
    malformed_lines: 0,
    issues: [],
  };
  const issue = (i: JournalReadIssue): void => {
    report.issues.push(i);
    if (i.kind === 'torn_tail') report.torn_tails++;
    else report.malformed_lines++;
    opts.onIssue?.(i);
  };
  const hours = [...byHour.keys()].sort();
  const sizes = new Map<string, number>();
  let bytesTotal = 0;
  for (const k of hours) {
    let s = 0;
    for (const f of byHour.get(k)!) s += (await stat(f.path)).size;
    sizes.set(k, s);
    bytesTotal += s;
  }

  const db = hours.length ? await openDuckDb(opts.duckdb) : undefined;
  try {
    const manifests = new Map<string, DateManifest>();
    let done = 0;
    let bytesDone = 0;
    for (const key of hours) {
      const files = byHour.get(key)!;
      const { date, hour, startMs } = files[0]!;
      let manifest = manifests.get(date);
      if (!manifest) manifests.set(date, (manifest = await readManifest(opts.dataDir, date)));
      let skipped = true;
      const ended = startMs + HOUR_MS + (opts.openHourGraceMs ?? 60_000) <= opts.now;
      const writerDead = opts.force === true && liveWriter === null;
      if (!ended && !writerDead && !(await allSealed(files))) {
        report.hours_open++;
      } else {
        const stamps = await stampSources(files);
        const prev = manifest.hours[hour];
        // An hour compacted into the legacy per-market layout is rewritten in the current one.
        if (!opts.force && prev && sameSources(prev.sources, stamps) && prev.files.every(isCurrentLayout) && (await allExist(opts.dataDir, prev.files))) {
          report.hours_unchanged++;
        } else {
          const out = await compactHour(db!.connection, opts.dataDir, date, hour, files, issue);
          manifest.hours[hour] = { sources: stamps, rows: out.rows, files: out.files, malformed: out.malformed };
          await writeManifest(opts.dataDir, manifest);
          report.hours_compacted++;
          report.rows += out.rows;
          report.parquet_files += out.files.length;
          report.bytes_in += sizes.get(key)!;
          skipped = false;
        }
      }
      done++;
      bytesDone += sizes.get(key)!;
      opts.onProgress?.({ done, total: hours.length, date, hour, bytesDone, bytesTotal, skipped });
    }
  } finally {
    db?.close();
    // Gone when empty; another compaction may still be using it.
    await rmdir(path.join(parquetRoot(opts.dataDir), '.staging')).catch(() => undefined);
  }
  return report;
}

async function allSealed(files: JournalFileRef[]): Promise<boolean> {
  for (const f of files) if (!(await isJournalFileSealed(f.path))) return false;
  return true;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes staging directories (`<date>T<hour>-<pid>-<n>`) whose compaction process is gone. */
async function cleanDeadStaging(dataDir: string): Promise<number> {
  const staging = path.join(parquetRoot(dataDir), '.staging');
  let entries: string[];
  try {
    entries = (await readdir(staging)).sort();
  } catch {
    return 0;
  }
  let cleaned = 0;
  for (const name of entries) {
    const pid = Number(/-(\d+)-\d+$/.exec(name)?.[1] ?? NaN);
    if (Number.isSafeInteger(pid) && pid !== process.pid && pidAlive(pid)) continue;
    await rm(path.join(staging, name), { recursive: true, force: true });
    cleaned++;
  }
  return cleaned;
}

interface HourOutput {
  rows: number;
  /** Parquet files written, relative to the lake root. */
  files: string[];
  /** Per channel: lines not in the lake (retention keeps the journal that still has them). */
  malformed: Record<string, MalformedLines>;
}

let stagingCounter = 0;

async function compactHour(
  conn: DuckDBConnection,
  dataDir: string,
  date: string,
  hour: string,
  files: JournalFileRef[],
  issue: (i: JournalReadIssue) => void,
): Promise<HourOutput> {
  const root = parquetRoot(dataDir);
  const staging = path.join(root, '.staging', `${date}T${hour}-${process.pid}-${++stagingCounter}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const tails = await Promise.all(files.map((f) => readJournalTail(f.path)));
    // Whole lines only: DuckDB reads every file once and stops at the first line it cannot read.
    // Counting every line in node as well cost a tenth of the compaction's CPU, for the rare hour
    // with such a line. That hour, and one with a torn tail (whose line number only a count
    // gives), is copied below skipping those lines while node counts and numbers them.
    if (tails.every((t) => t.tail !== 'torn')) {
      try {
        const rows = await copyHour(conn, files, staging, 'stop');
        return await placeHour(dataDir, date, hour, staging, { rows, malformed: {} });
      } catch (err) {
        if (!String((err as Error).message).includes(UNREADABLE_LINE)) throw err;
        await rm(staging, { recursive: true, force: true });
        await mkdir(staging, { recursive: true });
      }
    }
    // The line count runs on libuv's pool while DuckDB's threads read and write.
    const scanning = Promise.all(files.map(async (f) => [f.path, await scanJournalLines(f.path)] as const));
    const copying = copyHour(conn, files, staging, 'skip');
    // Both settle before either failure propagates: the staging directory is removed below only
    // once DuckDB no longer writes into it.
    const [scanned, copied] = await Promise.allSettled([scanning, copying]);
    if (scanned.status === 'rejected') throw scanned.reason;
    if (copied.status === 'rejected') throw copied.reason;
    const scans = new Map<string, LineScan>(scanned.value);
    const rows = copied.value;

    // Lines DuckDB could not read: torn tails are expected after a crash, anything else is corruption.
    let expected = 0;
    for (const f of files) {
      const s = scans.get(f.path)!;
      expected += s.lines + (s.tail === 'complete' ? 1 : 0);
      if (s.tail === 'torn') issue({ kind: 'torn_tail', file: f.path, line: s.lines + 1, bytes: s.tailBytes });
    }
    const malformed = rows < expected ? await reportMalformed(conn, files, scans, issue) : {};
    return await placeHour(dataDir, date, hour, staging, { rows, malformed });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** In the message of the error a `stop` copy raises at a line DuckDB could not read. */
const UNREADABLE_LINE = 'helios: unreadable journal line';

/**
 * Writes an hour's records into `staging`, one part per channel; returns the rows written. A line
 * DuckDB cannot read (it reads as a row without an event id) is skipped or stops the copy.
 */
async function copyHour(conn: DuckDBConnection, files: JournalFileRef[], staging: string, unreadable: 'skip' | 'stop'): Promise<number> {
  const list = '[' + files.map((f) => sqlString(f.path)).join(', ') + ']';
  const source = `read_json(${list}, format='newline_delimited', ignore_errors=true, columns=${readJsonColumnsArg()})`;
  const filter = unreadable === 'skip' ? 'event_id IS NOT NULL' : `CASE WHEN event_id IS NULL THEN error(${sqlString(UNREADABLE_LINE)}) ELSE true END`;
  // One part per channel: a partition's rows all come from one channel file, and DuckDB keeps
  // the scan's insertion order through PARTITION_BY, so each part is its journal file line by
  // line; readers order by (ts_ingest, seq, event_id) themselves. No ORDER BY clustering rows
  // by market either: it cost a third of the COPY, and a market's hour is found nearly as fast
  // without it (the market_id column is dictionary-encoded; docs/storage.md has the figures).
  // zstd level 1: level 3 compressed these rows no smaller and costs more per column chunk.
  // Row groups of ROW_GROUP_ROWS: DuckDB compresses a file's row groups in parallel, and one
  // channel (l2) is most of an hour; with the default 122,880 rows it was one group on one thread.
  const result = await conn.runAndReadAll(
    `COPY (SELECT ${columnList()} FROM ${source} WHERE ${filter})
     TO ${sqlString(staging)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, PARTITION_BY (ch), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part-{i}')`,
  );
  return Number(result.getRowsJS()[0]?.[0] ?? 0);
}

/** Moves an hour's staged parts into the lake and removes the ones it no longer has. */
async function placeHour(dataDir: string, date: string, hour: string, staging: string, out: Omit<HourOutput, 'files'>): Promise<HourOutput> {
  const written = await placeStaged(staging, dataDir, date, hour);
  await removeStale(dataDir, date, hour, new Set(written));
  return { ...out, files: written };
}

/** Rare path: find which files held unreadable complete lines; per channel, how many and where. */
async function reportMalformed(
  conn: DuckDBConnection,
  files: JournalFileRef[],
  scans: Map<string, LineScan>,
  issue: (i: JournalReadIssue) => void,
): Promise<Record<string, MalformedLines>> {
  const out: Record<string, MalformedLines> = {};
  const list = '[' + files.map((f) => sqlString(f.path)).join(', ') + ']';
  const r = await conn.runAndReadAll(
    `SELECT filename, count(*) FILTER (WHERE event_id IS NULL) AS bad
       FROM read_json(${list}, format='newline_delimited', ignore_errors=true, filename=true, columns=${readJsonColumnsArg()})
      GROUP BY filename ORDER BY filename`,
  );
  for (const [filename, bad] of r.getRowsJS()) {
    const scan = scans.get(String(filename));
    // DuckDB's count is what the lake lacks, whether or not the reader below agrees line by line.
    const count = Number(bad) - (scan?.tail === 'torn' ? 1 : 0);
    if (count <= 0) continue;
    const lines: number[] = [];
    // Which lines: the journal reader names each by its line number (torn tails are reported above).
    const onIssue = (i: JournalReadIssue): void => {
      if (i.kind !== 'malformed') return;
      issue(i);
      if (lines.length < MALFORMED_LINE_NUMBERS_KEPT) lines.push(i.line);
    };
    for await (const _ of streamJournalFile(String(filename), { onIssue })) void _;
    const channel = files.find((f) => f.path === String(filename))?.channel ?? path.basename(path.dirname(String(filename))).replace(/^ch=/, '');
    out[channel] = { count, lines };
  }
  return out;
}

/** Moves `ch=C/part-i.parquet` to `date=D/ch=C/part-00HH[-i].parquet`, each by an atomic rename. */
async function placeStaged(staging: string, dataDir: string, date: string, hour: string): Promise<string[]> {
  const root = parquetRoot(dataDir);
  const moves: Array<{ from: string; rel: string }> = [];
  for (const c of await readdir(staging)) {
    const ch = c.replace(/^ch=/, '');
    const parts = (await readdir(path.join(staging, c))).filter((f) => f.endsWith('.parquet')).sort();
    for (const p of parts) {
      const i = Number(/part-(\d+)\.parquet$/.exec(p)?.[1] ?? 0);
      const file = parquetPartFile(dataDir, date, ch, hour);
      moves.push({ from: path.join(staging, c, p), rel: path.relative(root, i === 0 ? file : file.replace(/\.parquet$/, `-${i}.parquet`)) });
    }
  }
  await Promise.all(
    moves.map(async ({ from, rel }) => {
      await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await rename(from, path.join(root, rel));
    }),
  );
  return moves.map((m) => m.rel).sort();
}

/** Parts of this hour from an earlier compaction (legacy layout included) that this one no longer produces. */
async function removeStale(dataDir: string, date: string, hour: string, keep: Set<string>): Promise<void> {
  const root = parquetRoot(dataDir);
  for (const f of await listParquetFiles(dataDir, date)) {
    if (f.hour !== hour || keep.has(path.relative(root, f.path))) continue;
    await unlink(f.path);
    // A migrated legacy hour leaves its per-market directories behind; remove them once empty.
    if (f.legacyPartition !== null) {
      for (let d = path.dirname(f.path); d !== root; d = path.dirname(d)) if (!(await rmdir(d).then(() => true, () => false))) break;
    }
  }
}

/** Is a manifest's part path (relative to the lake root) in the channel-hour layout? */
function isCurrentLayout(rel: string): boolean {
  return rel.startsWith('date=');
}

async function allExist(dataDir: string, files: string[]): Promise<boolean> {
  for (const f of files) {
    try {
      await stat(path.join(parquetRoot(dataDir), f));
    } catch {
      return false;
    }
  }
  return true;
}
