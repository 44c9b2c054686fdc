import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import path from 'node:path';

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

/**
 * Confines a session to reading files under `dir`: no other path, no network, no extension
 * installs or loads, and the configuration locked so a later statement cannot undo it. Call it
 * before defining views (they bind their Parquet globs against these rules).
 */
export async function confineToDirectory(conn: DuckDBConnection, dir: string): Promise<void> {
  // The trailing separator keeps a sibling like `<dir>-other` out of a prefix match.
  const allowed = dir.endsWith(path.sep) ? dir : dir + path.sep;
  await conn.run(`SET allowed_directories = [${sqlString(allowed)}]`);
  await conn.run(`SET allowed_paths = []`);
  await conn.run('SET enable_external_access = false');
  await conn.run('SET autoinstall_known_extensions = false');
  await conn.run('SET autoload_known_extensions = false');
  await conn.run('SET allow_community_extensions = false');
}

/** Freezes every setting of the session (after views are defined). */
export async function lockConfiguration(conn: DuckDBConnection): Promise<void> {
  await conn.run('SET lock_configuration = true');
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

/**
 * A JSON column's value (DuckDB hands it out as its text) as the nested value it holds, so
 * `payload` is an object in `helios query --json`, not a string to decode again. Integers beyond
 * 2^53 become decimal strings first, as `toPlainJson` does for BIGINT: JSON.parse would round
 * them silently. Text that does not parse is kept as it is.
 */
export function parseJsonValue(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text.replace(JSON_STRING_OR_NUMBER, (token) => (token.startsWith('"') || Number.isSafeInteger(Number(token)) || /[.eE]/.test(token) ? token : `"${token}"`)));
  } catch {
    return text;
  }
}

/** Every string literal (skipped whole, so digits inside one are never touched) or number literal of JSON text. */
const JSON_STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
