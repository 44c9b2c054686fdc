import { sortReplayRecords, mergeReplayStreams, type ReplayRecord } from '../../../domain/replay/order.ts';
import { readJournalFile, type JournalReadIssue } from '../journal/reader.ts';
import { eventFromRecord } from '../journal/record.ts';
import { listJournalFiles, type JournalFileRef } from '../layout.ts';
import type { ReplayRange, ReplaySource } from '../../../domain/replay/source.ts';

const HOUR_MS = 3_600_000;

/**
 * Replays straight from the NDJSON journal, one hour per chunk: the recorder files each event under
 * the hour of its ts_ingest, so hours are disjoint in time; within an hour each channel file is
 * sorted and the channels merged. A torn last line is skipped with a warning (onIssue).
 */
export class JournalReplaySource implements ReplaySource {
  constructor(
    private readonly dataDir: string,
    private readonly onIssue?: (issue: JournalReadIssue) => void,
  ) {}

  async *read(range: ReplayRange): AsyncIterable<ReplayRecord[]> {
    const channels = range.channels ? new Set<string>(range.channels) : undefined;
    const files = (await listJournalFiles(this.dataDir)).filter(
      (f) => f.startMs < range.to && f.startMs + HOUR_MS > range.from && (!channels || channels.has(f.channel)),
    );
    const byHour = new Map<number, JournalFileRef[]>();
    for (const f of files) {
      let l = byHour.get(f.startMs);
      if (!l) byHour.set(f.startMs, (l = []));
      l.push(f);
    }
    for (const start of [...byHour.keys()].sort((a, b) => a - b)) {
      const lists: ReplayRecord[][] = [];
      for (const f of byHour.get(start)!) {
        const { records } = await readJournalFile(f.path, { onIssue: this.onIssue });
        const list: ReplayRecord[] = [];
        for (const r of records) {
          if (r.ts_ingest < range.from || r.ts_ingest >= range.to) continue;
          list.push({ ts: r.ts_ingest, seq: r.seq, event: eventFromRecord(r) });
        }
        lists.push(sortReplayRecords(list));
      }
      const merged = mergeReplayStreams(lists);
      if (merged.length) yield merged;
    }
  }
}
