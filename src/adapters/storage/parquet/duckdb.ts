import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface DuckDbOptions {
  threads: number;
  memory_limit: string;
}

export interface DuckDbSession {
  connection: DuckDBConnection;
  close(): void;
}

/** An in-memory DuckDB for one job (compaction, a query, a replay load); the lake lives in Parquet. */
export async function openDuckDb(opts: DuckDbOptions): Promise<DuckDbSession> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(opts.threads), memory_limit: opts.memory_limit });
  const connection = await instance.connect();
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Plain JSON values from DuckDB's JS values: safe bigints as numbers, timestamps as ISO strings. */
export function toPlainJson(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlainJson(v);
    return out;
  }
  return value;
}
