import { sqlString } from './duckdb.ts';

/**
 * The columns of a journal record as stored in Parquet: the envelope, the recorder's edge fields,
 * and the payload kept whole as JSON (views extract the fields people query). One definition for
 * compaction (reading NDJSON), empty views and replay (rebuilding envelopes).
 */
export const RECORD_COLUMNS = [
  ['schema_version', 'INTEGER'],
  ['event_id', 'VARCHAR'],
  ['correlation_id', 'VARCHAR'],
  ['causation_id', 'VARCHAR'],
  ['ch', 'VARCHAR'],
  ['type', 'VARCHAR'],
  ['ts_ingest', 'BIGINT'],
  ['ts_source', 'BIGINT'],
  ['market_id', 'VARCHAR'],
  ['token_id', 'VARCHAR'],
  ['station_id', 'VARCHAR'],
  ['match_id', 'VARCHAR'],
  ['window_id', 'VARCHAR'],
  ['window_stamped', 'BOOLEAN'],
  ['seq', 'BIGINT'],
  ['ts_ingest_utc', 'VARCHAR'],
  ['ts_nyc', 'VARCHAR'],
  ['ts_es', 'VARCHAR'],
  ['ts_source_utc', 'VARCHAR'],
  /** live, playback or simulator: simulated data can never pass for live data in the lake either. */
  ['provenance', 'VARCHAR'],
  ['payload', 'JSON'],
] as const;

export type RecordColumn = (typeof RECORD_COLUMNS)[number][0];

/** `columns={...}` argument of read_json. */
export function readJsonColumnsArg(): string {
  return '{' + RECORD_COLUMNS.map(([n, t]) => `${n}: '${t}'`).join(', ') + '}';
}

export function columnList(): string {
  return RECORD_COLUMNS.map(([n]) => n).join(', ');
}

/** A relation with the record columns and no rows: what a view reads before a channel has data. */
export function emptyRecordRelation(): string {
  return 'SELECT ' + RECORD_COLUMNS.map(([n, t]) => `CAST(NULL AS ${t}) AS ${n}`).join(', ') + ' WHERE false';
}

/**
 * A relation with the record columns whose every read raises `message`: counting its rows and
 * reading any of its columns both do (a constant filter alone would be folded away by a filter on
 * a column), so a query over it fails instead of answering without the rows it cannot read. Its
 * column types stay visible to DESCRIBE.
 */
export function failingRecordRelation(message: string): string {
  const raise = `error(${sqlString(message)})`;
  return 'SELECT ' + RECORD_COLUMNS.map(([n, t]) => `CAST(${raise} AS ${t}) AS ${n}`).join(', ') + ` WHERE ${raise}`;
}
