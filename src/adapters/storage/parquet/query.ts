import { openDuckDb, toPlainJson, type DuckDbOptions } from './duckdb.ts';
import { createLakeViews } from './views.ts';

export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** Runs SQL over the lake with the channel views defined; values as plain JSON. */
export async function queryLake(dataDir: string, sql: string, duckdb: DuckDbOptions): Promise<QueryResult> {
  const db = await openDuckDb(duckdb);
  try {
    await createLakeViews(db.connection, dataDir);
    const reader = await db.connection.runAndReadAll(sql);
    const columns = reader.columnNames();
    const rows = reader.getRowObjectsJS().map((r) => toPlainJson(r) as Record<string, unknown>);
    return { columns, rows };
  } finally {
    db.close();
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
