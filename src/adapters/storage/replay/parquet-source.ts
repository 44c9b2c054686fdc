import type { DuckDBConnection } from '@duckdb/node-api';
import type { HeliosEvent } from '../../../domain/events/catalog.ts';
import type { ReplayRecord } from '../../../domain/replay/order.ts';
import { eventFromRecord } from '../journal/record.ts';
import { dateStartMs, listParquetFiles, type ParquetFileRef } from '../layout.ts';
import { openDuckDb, sqlString, type DuckDbOptions } from '../parquet/duckdb.ts';
import { damagedPartsBehind, DamagedLakeFileError } from '../parquet/lake-damage.ts';
import { RECORD_COLUMNS } from '../parquet/record-schema.ts';
import type { ReplayRange, ReplaySource } from '../../../domain/replay/source.ts';

const HOUR_MS = 3_600_000;

/**
 * Replays from the Parquet lake: DuckDB reads the parts of the hours in range and returns each
 * chunk (chunk_ms of virtual time) already in replay order.
 */
export class ParquetReplaySource implements ReplaySource {
  constructor(
    private readonly dataDir: string,
    private readonly duckdb: DuckDbOptions,
    private readonly chunkMs = 3_600_000,
  ) {}

  async *read(range: ReplayRange): AsyncIterable<ReplayRecord[]> {
    const channels = range.channels ? new Set<string>(range.channels) : undefined;
    // A part holds one journal hour, the UTC hour of its rows' ts_ingest.
    const files = (await listParquetFiles(this.dataDir)).filter((f) => {
      const start = dateStartMs(f.date) + Number(f.hour) * HOUR_MS;
      return start < range.to && start + HOUR_MS > range.from && (!channels || channels.has(f.channel));
    });
    if (files.length === 0) return;
    const db = await openDuckDb(this.duckdb);
    try {
      yield* this.readParts(db.connection, files, range, channels);
    } catch (err) {
      // A part DuckDB cannot read is named with what rebuilds it, never passed on as DuckDB's words.
      const damaged = await damagedPartsBehind(err, db.connection, this.dataDir, files, 'pages');
      throw damaged.length ? new DamagedLakeFileError(this.dataDir, damaged) : err;
    } finally {
      db.close();
    }
  }

  private async *readParts(conn: DuckDBConnection, files: readonly ParquetFileRef[], range: ReplayRange, channels: Set<string> | undefined): AsyncIterable<ReplayRecord[]> {
    const list = '[' + files.map((f) => sqlString(f.path)).join(', ') + ']';
    // Straight from read_parquet (every part has every record column) so filters reach the scan.
    await conn.run(`CREATE TEMP VIEW lake AS SELECT * FROM read_parquet(${list}, union_by_name=true, hive_partitioning=false)`);
    const chFilter = channels ? ` AND ch IN (${[...channels].sort().map(sqlString).join(', ')})` : '';
    const span = (
      await conn.runAndReadAll(`SELECT min(ts_ingest), max(ts_ingest) FROM lake WHERE ts_ingest >= ${Math.floor(range.from)} AND ts_ingest < ${Math.ceil(range.to)}${chFilter}`)
    ).getRowsJS()[0];
    if (!span || span[0] === null || span[1] === null) return;
    const first = Number(span[0]);
    const last = Number(span[1]);
    for (let a = first; a <= last; a += this.chunkMs) {
      const b = Math.min(last + 1, a + this.chunkMs);
      // One JSON text per row, parsed natively: several times faster than converting DuckDB values.
      const reader = await conn.runAndReadAll(
        `SELECT ${RECORD_JSON}::VARCHAR FROM lake WHERE ts_ingest >= ${Math.floor(a)} AND ts_ingest < ${Math.ceil(b)}${chFilter} ORDER BY ts_ingest, seq, event_id`,
      );
      const texts = reader.getColumnsJS()[0] ?? [];
      if (texts.length === 0) continue;
      const out: ReplayRecord[] = new Array(texts.length);
      for (let i = 0; i < texts.length; i++) {
        const row = JSON.parse(String(texts[i])) as Record<string, unknown>;
        const event = eventFromRow(row);
        out[i] = { ts: event.ts_ingest, seq: typeof row.seq === 'number' ? row.seq : 0, event };
      }
      yield out;
    }
  }
}

// Provenance is the recorder's, not the event's (replay drops it), and lakes compacted before it
// existed have no such column.
const RECORD_JSON = 'json_object(' + RECORD_COLUMNS.filter(([n]) => n !== 'provenance').map(([n]) => `'${n}', ${n}`).join(', ') + ')';

/** A Parquet row (as JSON) back to the envelope as emitted: NULL columns were absent fields. */
function eventFromRow(row: Record<string, unknown>): HeliosEvent {
  for (const k of Object.keys(row)) if (row[k] === null) delete row[k];
  return eventFromRecord(row);
}
