/**
 * Retention policy: raw NDJSON for days (debugging), Parquet for months (the dataset), event-window
 * channels longer still (cheap and valuable). Pure: dates in, a plan out; the caller deletes.
 * A journal date is only deleted once compacted (when required), and not while compaction left
 * malformed lines of it out of the lake, so retention never loses data that exists nowhere else.
 */
import { civilFromDays, daysFromCivil, daysInMonth, isoDate, type CivilDate } from '../time/civil.ts';

export interface RetentionPolicy {
  ndjson_days: number;
  parquet_months: number;
  window_channels: readonly string[];
  windows_months: number;
  require_compacted: boolean;
}

export interface ParquetDatePartition {
  partition: string;
  date: string;
  channel: string;
}

/** Complete lines of one journal file that compaction could not read, so the lake lacks them. */
export interface MalformedJournalLines {
  file: string;
  lines: number;
  /** 1-based, the first few. */
  line_numbers: number[];
}

export interface RetentionInput {
  /** Today's UTC date, YYYY-MM-DD. */
  today: string;
  journalDates: readonly string[];
  compactedDates: ReadonlySet<string>;
  /** Compacted dates whose compaction left malformed lines out of the lake. */
  malformedLines?: ReadonlyMap<string, readonly MalformedJournalLines[]>;
  /**
   * The operator's explicit choice to delete such dates anyway (`--discard-malformed`): the lines
   * are lost. Without it they are kept until fixed and recompacted.
   */
  discardMalformed?: boolean;
  parquet: readonly ParquetDatePartition[];
}

export interface DateWithMalformedLines {
  date: string;
  files: MalformedJournalLines[];
}

export interface RetentionPlan {
  /** Journal dates on or before this are expired. */
  journal_cutoff: string;
  /** Parquet dates before these are expired. */
  parquet_cutoff: string;
  windows_cutoff: string;
  delete_journal: string[];
  /** Expired but kept: not (fully) compacted yet. */
  keep_uncompacted: string[];
  /** Expired and compacted, but kept: compaction left these malformed lines out of the lake. */
  keep_malformed: DateWithMalformedLines[];
  /** Expired dates deleted with their malformed lines (discardMalformed); also in delete_journal. */
  discard_malformed: DateWithMalformedLines[];
  delete_parquet: ParquetDatePartition[];
}

/** Journal dates on or before this are expired. */
export function journalCutoff(today: string, policy: RetentionPolicy): string {
  return isoDate(addDays(parseDate(today), -policy.ndjson_days));
}

export function planRetention(input: RetentionInput, policy: RetentionPolicy): RetentionPlan {
  const today = parseDate(input.today);
  const cutoff = journalCutoff(input.today, policy);
  const parquetCutoff = isoDate(addMonths(today, -policy.parquet_months));
  const windowsCutoff = isoDate(addMonths(today, -policy.windows_months));
  const windowChannels = new Set(policy.window_channels);

  const deleteJournal: string[] = [];
  const keep: string[] = [];
  const keepMalformed: DateWithMalformedLines[] = [];
  const discardMalformed: DateWithMalformedLines[] = [];
  for (const d of [...input.journalDates].sort()) {
    if (d > cutoff) continue;
    const malformed = input.malformedLines?.get(d) ?? [];
    if (policy.require_compacted && !input.compactedDates.has(d)) keep.push(d);
    else if (policy.require_compacted && malformed.length && !input.discardMalformed) keepMalformed.push({ date: d, files: [...malformed] });
    else {
      if (policy.require_compacted && malformed.length) discardMalformed.push({ date: d, files: [...malformed] });
      deleteJournal.push(d);
    }
  }
  const deleteParquet = input.parquet
    .filter((p) => p.date < (windowChannels.has(p.channel) ? windowsCutoff : parquetCutoff))
    .slice()
    .sort((a, b) => (a.date + a.partition + a.channel < b.date + b.partition + b.channel ? -1 : 1));
  return {
    journal_cutoff: cutoff,
    parquet_cutoff: parquetCutoff,
    windows_cutoff: windowsCutoff,
    delete_journal: deleteJournal,
    keep_uncompacted: keep,
    keep_malformed: keepMalformed,
    discard_malformed: discardMalformed,
    delete_parquet: deleteParquet,
  };
}

function parseDate(s: string): CivilDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`not a YYYY-MM-DD date: ${s}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

function addDays(date: CivilDate, n: number): CivilDate {
  return civilFromDays(daysFromCivil(date.year, date.month, date.day) + n);
}

/** Calendar months, clamping the day (2026-03-31 minus one month is 2026-02-28). */
function addMonths({ year, month, day }: CivilDate, n: number): CivilDate {
  const idx = year * 12 + (month - 1) + n;
  const y = Math.floor(idx / 12);
  const m = idx - y * 12 + 1;
  return { year: y, month: m, day: Math.min(day, daysInMonth(y, m)) };
}
