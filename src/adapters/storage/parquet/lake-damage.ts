import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { journalFile, type ParquetFileRef } from '../layout.ts';
import { sqlString } from './duckdb.ts';

/**
 * A Parquet part of the lake that DuckDB cannot read (truncated, overwritten, its footer gone).
 * Parts are only ever renamed into place whole, so damage comes from outside helios (a disk, a
 * copy, a hand): it is a data problem, never the SQL's or the program's, and the part can be
 * rebuilt from its journal hour while retention has not removed it.
 */
export interface DamagedPart {
  path: string;
  /** DuckDB's reason, without the path it repeats. */
  reason: string;
  date: string;
  channel: string;
  hour: string;
  /** The journal hour file the part was compacted from, or null when it is gone. */
  journal: string | null;
}

export class DamagedLakeFileError extends Error {
  constructor(
    readonly dataDir: string,
    readonly parts: readonly DamagedPart[],
  ) {
    super(damageMessage(dataDir, parts));
    this.name = 'DamagedLakeFileError';
  }
}

/** What is damaged and what rebuilds it; one line per part. */
export function damageMessage(dataDir: string, parts: readonly DamagedPart[]): string {
  return parts
    .map((p) => {
      const head = `damaged Parquet file ${p.path} (${p.reason})`;
      if (p.journal) return `${head}: \`helios compact --data-dir ${dataDir} --date ${p.date} --force\` rebuilds it from its journal hour ${p.journal}`;
      return (
        `${head}: its journal hour ${journalFile(dataDir, p.date, p.channel, p.hour)} no longer exists (retention removes old journal days), so compaction cannot rebuild it; ` +
        `restore the file from a backup, or move it out of the lake to read the rest without its rows`
      );
    })
    .join('\n');
}

// Errors in the statement itself: the SQL's fault whatever file it names.
const STATEMENT_ERROR = /^(Parser|Binder|Catalog|Permission) Error/;
// Errors DuckDB raises when a file's bytes are not what Parquet promised ("IO Error: Could not read
// enough bytes", "Invalid Error: don't know what type" for a garbled page header), not ones a
// statement's own values cause (conversion, invalid input to a function).
const READ_FAILURE = /^(IO|Invalid|Serialization) Error/;

/** How hard to look for the damaged part when an error names none. */
export type DamageProbe = 'none' | 'footers' | 'pages';

/**
 * The damaged parts behind an error DuckDB raised while reading `candidates` (empty: the error is
 * not about the files). The parts its message names are taken as they are; when it names none,
 * `probe` reads each candidate alone: its footer (what binding a scan reads), or every page of it.
 */
export async function damagedPartsBehind(
  err: unknown,
  conn: DuckDBConnection,
  dataDir: string,
  candidates: readonly ParquetFileRef[],
  probe: DamageProbe,
): Promise<DamagedPart[]> {
  const message = firstLine(err);
  if (STATEMENT_ERROR.test(message)) return [];
  const named = candidates.filter((f) => message.includes(f.path));
  if (named.length) return named.map((f) => damagedPart(dataDir, f, message));
  return probe === 'none' ? [] : probeParts(conn, dataDir, candidates, probe);
}

/** Did reading a file's bytes fail (rather than the statement's own logic)? */
export function isReadFailure(err: unknown): boolean {
  return READ_FAILURE.test(firstLine(err));
}

/** Parts DuckDB cannot read alone: their footer, or (pages) every column's every page. */
async function probeParts(conn: DuckDBConnection, dataDir: string, files: readonly ParquetFileRef[], depth: 'footers' | 'pages'): Promise<DamagedPart[]> {
  const out: DamagedPart[] = [];
  for (const f of files) {
    const file = sqlString(f.path);
    try {
      // count(COLUMNS(*)) decodes every page of every column without materializing a row.
      await conn.run(depth === 'footers' ? `SELECT num_rows FROM parquet_file_metadata(${file})` : `SELECT count(COLUMNS(*)) FROM read_parquet(${file})`);
    } catch (err) {
      out.push(damagedPart(dataDir, f, firstLine(err)));
    }
  }
  return out;
}

function damagedPart(dataDir: string, f: ParquetFileRef, message: string): DamagedPart {
  const journal = journalFile(dataDir, f.date, f.channel, f.hour);
  return { path: f.path, reason: withoutPath(message, f.path).replace(/[\s:]+$/, ''), date: f.date, channel: f.channel, hour: f.hour, journal: existsSync(journal) ? journal : null };
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0]!.trim();
}

/** DuckDB quotes the path it failed on; the message names it already. */
function withoutPath(message: string, file: string): string {
  const cut = message
    .split(`'${file}'`)
    .join('')
    .split(`"${file}"`)
    .join('')
    .replace(/\s+(:|$)/g, '$1')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return cut || message;
}
