import type { MalformedJournalLines } from '../../../domain/storage/retention.ts';
import { scanJournalLines, streamJournalFile, type JournalReadIssue } from '../journal/reader.ts';
import { journalFile, type JournalFileRef } from '../layout.ts';
import { MALFORMED_LINE_NUMBERS_KEPT, readManifest, sameSources, stampSources } from './manifest.ts';

/**
 * How much of a journal date the lake holds (retention's safety check): not compacted when an
 * hour's files changed since (or were never) compacted; compacted, with the malformed lines
 * compaction left out, otherwise. Those lines exist only in the journal.
 */
export type DateCompaction = { compacted: false } | { compacted: true; malformed: MalformedJournalLines[] };

export async function dateCompaction(dataDir: string, date: string, journal: readonly JournalFileRef[]): Promise<DateCompaction> {
  const m = await readManifest(dataDir, date);
  const byHour = new Map<string, JournalFileRef[]>();
  for (const f of journal) {
    if (f.date !== date) continue;
    let l = byHour.get(f.hour);
    if (!l) byHour.set(f.hour, (l = []));
    l.push(f);
  }
  const malformed: MalformedJournalLines[] = [];
  for (const [hour, files] of [...byHour].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const prev = m.hours[hour];
    if (!prev || !sameSources(prev.sources, await stampSources(files))) return { compacted: false };
    if (prev.malformed) {
      for (const [channel, x] of Object.entries(prev.malformed).sort(([a], [b]) => (a < b ? -1 : 1))) {
        malformed.push({ file: journalFile(dataDir, date, channel, hour), lines: x.count, line_numbers: x.lines });
      }
    } else {
      malformed.push(...(await linesLeftOutBefore(dataDir, date, hour, files, prev.rows)));
    }
  }
  return { compacted: true, malformed };
}

/**
 * An hour compacted before manifests recorded malformed lines: its rows against its files' lines
 * (the count compaction checks), and when rows are short, the lines the reader cannot parse.
 */
async function linesLeftOutBefore(dataDir: string, date: string, hour: string, files: readonly JournalFileRef[], rows: number): Promise<MalformedJournalLines[]> {
  let expected = 0;
  for (const f of files) {
    const scan = await scanJournalLines(f.path);
    expected += scan.lines + (scan.tail === 'complete' ? 1 : 0);
  }
  if (rows >= expected) return [];
  const out: MalformedJournalLines[] = [];
  for (const f of files) {
    const lineNumbers: number[] = [];
    let count = 0;
    const onIssue = (i: JournalReadIssue): void => {
      if (i.kind !== 'malformed') return;
      count++;
      if (lineNumbers.length < MALFORMED_LINE_NUMBERS_KEPT) lineNumbers.push(i.line);
    };
    for await (const _ of streamJournalFile(f.path, { onIssue })) void _;
    if (count > 0) out.push({ file: f.path, lines: count, line_numbers: lineNumbers });
  }
  // The reader parsed what DuckDB did not: the hour is short all the same, its files named together.
  if (out.length === 0) out.push({ file: journalFile(dataDir, date, '*', hour), lines: expected - rows, line_numbers: [] });
  return out;
}
