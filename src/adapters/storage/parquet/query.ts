import { StatementType, type DuckDBConnection, type DuckDBResultReader } from '@duckdb/node-api';
import { parquetRoot } from '../layout.ts';
import { confineToDirectory, lockConfiguration, openDuckDb, toPlainJson, type DuckDbOptions } from './duckdb.ts';
import { createLakeViews } from './views.ts';

export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** A statement `helios query` will not run because it would write or change the session. */
export class QueryRefusedError extends Error {}

// Reading only: anything else (COPY, ATTACH, CREATE, INSTALL, SET, PRAGMA, CALL…) could write
// files, reach outside the lake or loosen the sandbox.
const READ_ONLY_STATEMENTS: ReadonlySet<StatementType> = new Set([StatementType.SELECT, StatementType.EXPLAIN]);

/**
 * Runs SQL over the lake with the channel views defined; values as plain JSON. The session can
 * read only the Parquet lake (see `confineToDirectory`), and only reading statements run; with
 * several statements, every one is checked before any runs and the last one's rows are returned.
 */
export async function queryLake(dataDir: string, sql: string, duckdb: DuckDbOptions): Promise<QueryResult> {
  const db = await openDuckDb(duckdb);
  try {
    await confineToDirectory(db.connection, parquetRoot(dataDir));
    await createLakeViews(db.connection, dataDir);
    await lockConfiguration(db.connection);
    const result = await runReadOnly(db.connection, sql);
    const columns = result.columnNames();
    const rows = result.getRowObjectsJS().map((r) => toPlainJson(r) as Record<string, unknown>);
    return { columns, rows };
  } finally {
    db.close();
  }
}

async function runReadOnly(conn: DuckDBConnection, sql: string): Promise<DuckDBResultReader> {
  const extracted = await conn.extractStatements(sql);
  if (extracted.count === 0) throw new QueryRefusedError('no statement to run');
  const prepared = [];
  for (let i = 0; i < extracted.count; i++) {
    const statement = await extracted.prepare(i);
    if (!READ_ONLY_STATEMENTS.has(statement.statementType)) {
      const kind = StatementType[statement.statementType] ?? String(statement.statementType);
      throw new QueryRefusedError(`refused ${kind} statement: helios query is read-only (SELECT and EXPLAIN over the lake views only)`);
    }
    prepared.push(statement);
  }
  let last: DuckDBResultReader | undefined;
  for (const statement of prepared) last = await statement.runAndReadAll();
  return last!;
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
