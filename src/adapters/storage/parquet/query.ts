import { DuckDBArrayType, DuckDBListType, DuckDBStructType, StatementType, type DuckDBConnection, type DuckDBResultReader, type DuckDBType } from '@duckdb/node-api';
import { listParquetFiles, parquetRoot } from '../layout.ts';
import { confineToDirectory, lockConfiguration, openDuckDb, parseJsonValue, toPlainJson, type DuckDbOptions } from './duckdb.ts';
import { damagedPartsBehind, DamagedLakeFileError, isReadFailure } from './lake-damage.ts';
import { createLakeViews, type LakeViews } from './views.ts';

export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
  /** Views that could not be read because of damaged parts (the query did not read them). */
  unreadable: LakeViews['unreadable'];
}

/** A statement `helios query` will not run because it would write or change the session. */
export class QueryRefusedError extends Error {}

// Reading only: anything else (COPY, ATTACH, CREATE, INSTALL, SET, PRAGMA, CALL…) could write
// files, reach outside the lake or loosen the sandbox.
const READ_ONLY_STATEMENTS: ReadonlySet<StatementType> = new Set([StatementType.SELECT, StatementType.EXPLAIN]);
/**
 * How a reading statement may begin. Checked before DuckDB prepares it: binding alone can act
 * (preparing `EXPORT DATABASE 'dir'` creates `dir`), so a statement that does not read is never
 * prepared at all; the prepared statement's type is checked as well.
 */
const READING_START = /^(select|with|from|values|table|explain|describe|desc|show|summarize|\()(?![a-z0-9_])/i;

/**
 * Runs SQL over the lake with the channel views defined; values as plain JSON. The session can
 * read only the Parquet lake (see `confineToDirectory`), and only one reading statement runs.
 * A statement that reads a damaged part throws `DamagedLakeFileError` (a data problem, not the
 * SQL's); other views stay readable.
 */
export async function queryLake(dataDir: string, sql: string, duckdb: DuckDbOptions): Promise<QueryResult> {
  const db = await openDuckDb(duckdb);
  try {
    await confineToDirectory(db.connection, parquetRoot(dataDir));
    const views = await createLakeViews(db.connection, dataDir);
    await lockConfiguration(db.connection);
    let result: DuckDBResultReader;
    try {
      result = await runReadOnly(db.connection, sql);
    } catch (err) {
      if (err instanceof QueryRefusedError) throw err;
      throw (await lakeDamageBehind(err, db.connection, dataDir, views)) ?? err;
    }
    const columns = result.columnNames();
    // JSON values (payload, what json_extract returns, list(payload)…) nested, every other type as it was.
    const nest = columns.flatMap((c, i) => {
      const f = jsonNester(result.columnType(i));
      return f ? [[c, f] as const] : [];
    });
    const rows = result.getRowObjectsJS().map((r) => {
      const row = toPlainJson(r) as Record<string, unknown>;
      for (const [c, f] of nest) row[c] = f(row[c]);
      return row;
    });
    return { columns, rows, unreadable: views.unreadable };
  } finally {
    db.close();
  }
}

/**
 * What turns a plain value of `type` into nested JSON where the type holds JSON — itself, the items
 * of a LIST or ARRAY, the fields of a STRUCT — or null when it holds none (the value stays as it is).
 */
function jsonNester(type: DuckDBType): ((v: unknown) => unknown) | null {
  if (type.alias === 'JSON') return parseJsonValue;
  if (type instanceof DuckDBListType || type instanceof DuckDBArrayType) {
    const item = jsonNester(type.valueType);
    return item && ((v) => (Array.isArray(v) ? v.map(item) : v));
  }
  if (type instanceof DuckDBStructType) {
    const fields = type.entryNames.flatMap((name, i) => {
      const f = jsonNester(type.entryTypes[i]!);
      return f ? [[name, f] as const] : [];
    });
    if (fields.length === 0) return null;
    return (v) => {
      if (v === null || typeof v !== 'object') return v;
      const out = { ...(v as Record<string, unknown>) };
      for (const [name, f] of fields) out[name] = f(out[name]);
      return out;
    };
  }
  return null;
}

/**
 * The damage a failed statement ran into: a view made unreadable by a damaged part (its error
 * names the part), or a part whose footer was fine but whose pages DuckDB could not read.
 */
async function lakeDamageBehind(err: unknown, conn: DuckDBConnection, dataDir: string, views: LakeViews): Promise<DamagedLakeFileError | null> {
  const message = err instanceof Error ? err.message : String(err);
  const known = [...new Map(views.unreadable.flatMap((u) => u.parts).map((p) => [p.path, p])).values()].filter((p) => message.includes(p.path));
  if (known.length) return new DamagedLakeFileError(dataDir, known);
  // A page DuckDB could not decode is reported without its file: find it by reading each part
  // (costly, but only after a read failed).
  const found = await damagedPartsBehind(err, conn, dataDir, await listParquetFiles(dataDir), isReadFailure(err) ? 'pages' : 'none');
  return found.length ? new DamagedLakeFileError(dataDir, found) : null;
}

async function runReadOnly(conn: DuckDBConnection, sql: string): Promise<DuckDBResultReader> {
  const extracted = await conn.extractStatements(sql);
  if (extracted.count === 0) throw new QueryRefusedError('no statement to run');
  if (extracted.count > 1) throw new QueryRefusedError(`one statement at a time (got ${extracted.count}): helios query is read-only`);
  const text = withoutLeadingComments(sql);
  if (!READING_START.test(text)) throw refused(/^[a-z_]+/i.exec(text)?.[0]?.toUpperCase() ?? 'this');
  const statement = await extracted.prepare(0);
  if (!READ_ONLY_STATEMENTS.has(statement.statementType)) throw refused(StatementType[statement.statementType] ?? String(statement.statementType));
  return statement.runAndReadAll();
}

function refused(kind: string): QueryRefusedError {
  return new QueryRefusedError(`refused ${kind} statement: helios query is read-only (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE over the lake views)`);
}

/** The SQL from its first token on (whitespace, `-- …` and `/* … *\/` comments skipped). */
function withoutLeadingComments(sql: string): string {
  let rest = sql;
  for (;;) {
    const trimmed = rest.trimStart();
    if (trimmed.startsWith('--')) {
      const nl = trimmed.indexOf('\n');
      rest = nl === -1 ? '' : trimmed.slice(nl + 1);
    } else if (trimmed.startsWith('/*')) {
      const end = trimmed.indexOf('*/');
      rest = end === -1 ? '' : trimmed.slice(end + 2);
    } else return trimmed;
  }
}

/** Aligned text table for a terminal. */
export function formatTable(result: QueryResult): string {
  const cells = result.rows.map((r) => result.columns.map((c) => cellText(r[c])));
  const widths = result.columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((row) => row[i]!.length))));
  const line = (vals: string[]) => vals.map((v, i) => (v.length > widths[i]! ? v.slice(0, widths[i]! - 1) + '…' : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(result.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  out.push(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`);
  return out.join('\n') + '\n';
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
