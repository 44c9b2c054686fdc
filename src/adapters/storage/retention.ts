import { readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { journalCutoff, planRetention, type MalformedJournalLines, type RetentionPlan, type RetentionPolicy } from '../../domain/storage/retention.ts';
import { dispatchLogLastMs, listDispatchLogs } from './dispatch-log.ts';
import { dateCompaction } from './parquet/date-compaction.ts';
import { journalRoot, listJournalFiles, listParquetFiles, manifestFile, parquetRoot, utcDateHour } from './layout.ts';

/**
 * A trading session's dispatch log (`dispatch/session-NNNNNNNNN.ndjson`) whose last input falls on a journal
 * date that is expired (`date`, UTC like the journal's). It ages like the journal but needs no
 * compaction first: its inputs are journaled (and compacted) too; what goes is the exact order of
 * one trading life.
 */
export interface ExpiredDispatchLog {
  file: string;
  date: string;
}

export interface RetentionResult {
  /** Everything decided, the dispatch logs beside the journal and Parquet dates. */
  plan: RetentionPlan & { delete_dispatch: ExpiredDispatchLog[] };
  dry_run: boolean;
  /** Paths removed (or that would be, in a dry run). */
  removed: string[];
}

export interface RetentionOptions {
  dataDir: string;
  policy: RetentionPolicy;
  today: string;
  dryRun: boolean;
  /** Delete expired journal dates even when compaction left malformed lines of them out of the lake. */
  discardMalformed?: boolean;
}

/** Applies the retention policy to a data directory (or only reports it with dryRun). */
export async function applyRetention(opts: RetentionOptions): Promise<RetentionResult> {
  const journal = await listJournalFiles(opts.dataDir);
  const journalDates = [...new Set(journal.map((f) => f.date))].sort();
  const compacted = new Set<string>();
  const malformedLines = new Map<string, MalformedJournalLines[]>();
  // Only expired dates are judged: the others stay whatever their compaction.
  const cutoff = journalCutoff(opts.today, opts.policy);
  for (const d of journalDates.filter((date) => date <= cutoff)) {
    const c = await dateCompaction(opts.dataDir, d, journal);
    if (!c.compacted) continue;
    compacted.add(d);
    if (c.malformed.length) malformedLines.set(d, c.malformed);
  }
  const parquetFiles = await listParquetFiles(opts.dataDir);
  // A partition is one date's directory of a channel: `date=D/ch=C`, or in a lake written before
  // the channel-hour layout, `market=ID/date=D/ch=C` (retention treats both alike).
  const seen = new Map<string, { partition: string; date: string; channel: string }>();
  for (const f of parquetFiles) {
    const partition = f.legacyPartition ?? '';
    seen.set(`${partition}/${f.date}/${f.channel}`, { partition, date: f.date, channel: f.channel });
  }
  const plan = planRetention(
    { today: opts.today, journalDates, compactedDates: compacted, malformedLines, discardMalformed: opts.discardMalformed === true, parquet: [...seen.values()] },
    opts.policy,
  );

  const removed: string[] = [];
  for (const d of plan.delete_journal) {
    removed.push(path.join(journalRoot(opts.dataDir), `date=${d}`));
    removed.push(manifestFile(opts.dataDir, d));
  }
  for (const p of plan.delete_parquet) removed.push(path.join(parquetRoot(opts.dataDir), p.partition, `date=${p.date}`, `ch=${p.channel}`));
  const deleteDispatch: ExpiredDispatchLog[] = [];
  for (const file of listDispatchLogs(opts.dataDir)) {
    const lastMs = await dispatchLogLastMs(file);
    const lastDate = lastMs === null ? null : utcDateHour(lastMs).date;
    if (lastDate !== null && lastDate <= plan.journal_cutoff) deleteDispatch.push({ file, date: lastDate });
  }
  removed.push(...deleteDispatch.map((d) => d.file));
  if (!opts.dryRun) {
    for (const r of removed) await rm(r, { recursive: true, force: true });
    await pruneEmptyDirs(parquetRoot(opts.dataDir));
  }
  return { plan: { ...plan, delete_dispatch: deleteDispatch }, dry_run: opts.dryRun, removed };
}

/** Removes directories left empty below `root` (never `root` itself). */
async function pruneEmptyDirs(root: string): Promise<void> {
  const walk = async (dir: string): Promise<boolean> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    let empty = true;
    for (const e of entries) {
      if (e.isDirectory() && (await walk(path.join(dir, e.name)))) continue;
      empty = false;
    }
    if (empty && dir !== root) {
      await rmdir(dir).catch(() => undefined);
      return true;
    }
    return false;
  };
  await walk(root);
}
