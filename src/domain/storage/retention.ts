/**
 * Retention policy: raw NDJSON for days (debugging), Parquet for months (the dataset), event-window
 * channels longer still (cheap and valuable). Pure: dates in, a plan out; the caller deletes.
 * A journal date is only deleted once compacted (when required), so retention never loses data
 * that exists nowhere else.
 */
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

export interface RetentionInput {
  /** Today's UTC date, YYYY-MM-DD. */
  today: string;
  journalDates: readonly string[];
  compactedDates: ReadonlySet<string>;
  parquet: readonly ParquetDatePartition[];
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
  delete_parquet: ParquetDatePartition[];
}

export function planRetention(input: RetentionInput, policy: RetentionPolicy): RetentionPlan {
  const today = parseDate(input.today);
  const journalCutoff = formatDate(addDays(today, -policy.ndjson_days));
  const parquetCutoff = formatDate(addMonths(today, -policy.parquet_months));
  const windowsCutoff = formatDate(addMonths(today, -policy.windows_months));
  const windowChannels = new Set(policy.window_channels);

  const deleteJournal: string[] = [];
  const keep: string[] = [];
  for (const d of [...input.journalDates].sort()) {
    if (d > journalCutoff) continue;
    if (policy.require_compacted && !input.compactedDates.has(d)) keep.push(d);
    else deleteJournal.push(d);
  }
  const deleteParquet = input.parquet
    .filter((p) => p.date < (windowChannels.has(p.channel) ? windowsCutoff : parquetCutoff))
    .slice()
    .sort((a, b) => (a.date + a.partition + a.channel < b.date + b.partition + b.channel ? -1 : 1));
  return {
    journal_cutoff: journalCutoff,
    parquet_cutoff: parquetCutoff,
    windows_cutoff: windowsCutoff,
    delete_journal: deleteJournal,
    keep_uncompacted: keep,
    delete_parquet: deleteParquet,
  };
}

interface Ymd {
  y: number;
  m: number;
  d: number;
}

function parseDate(s: string): Ymd {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`not a YYYY-MM-DD date: ${s}`);
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
}

function formatDate({ y, m, d }: Ymd): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm). */
function toDays({ y, m, d }: Ymd): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function fromDays(z: number): Ymd {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

function addDays(date: Ymd, n: number): Ymd {
  return fromDays(toDays(date) + n);
}

/** Calendar months, clamping the day (2026-03-31 minus one month is 2026-02-28). */
function addMonths({ y, m, d }: Ymd, n: number): Ymd {
  const idx = y * 12 + (m - 1) + n;
  const ny = Math.floor(idx / 12);
  const nm = idx - ny * 12 + 1;
  return { y: ny, m: nm, d: Math.min(d, daysInMonth(ny, nm)) };
}
