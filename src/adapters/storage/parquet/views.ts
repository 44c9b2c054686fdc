import type { DuckDBConnection } from '@duckdb/node-api';
import type { Channel } from '../../../domain/events/channels.ts';
import { listParquetFiles, parquetGlobs, type ParquetFileRef } from '../layout.ts';
import { sqlString } from './duckdb.ts';
import { damagedPartsBehind, damageMessage, type DamagedPart } from './lake-damage.ts';
import { emptyRecordRelation, failingRecordRelation } from './record-schema.ts';

/**
 * One DuckDB view per channel over the Parquet lake, with the record columns, `ts` (UTC TIMESTAMP
 * from ts_ingest) and the payload fields people filter on pulled out as typed columns (the whole
 * payload stays available as JSON). A channel without data yet still has its view, with no rows.
 */
type Field = readonly [name: string, type: string, jsonKey?: string];

interface ViewDef {
  channel: Channel | 'all';
  fields: readonly Field[];
}

const num = (n: string): Field => [n, 'DOUBLE'];
const str = (n: string): Field => [n, 'VARCHAR'];
const int = (n: string): Field => [n, 'BIGINT'];
const json = (n: string): Field => [n, 'JSON'];

export const LAKE_VIEWS: Record<string, ViewDef> = {
  events: { channel: 'all', fields: [] },
  // `bids` / `asks`: a snapshot's top-N, or a BEST_PRICE's best `best_price_levels` (absent before they carried levels).
  l2: {
    channel: 'l2',
    fields: [num('best_bid'), num('best_ask'), num('mid'), num('spread'), num('microprice'), num('imbalance'), num('tick_size'), int('resync_epoch_id'), ['synced', 'BOOLEAN'], str('hash'), json('bids'), json('asks'), int('best_price_levels'), str('reason')],
  },
  l2_delta: { channel: 'l2_delta', fields: [str('side'), num('price'), num('size'), num('best_bid'), num('best_ask'), int('resync_epoch_id')] },
  tape: { channel: 'tape', fields: [num('price'), num('size'), str('side'), num('fee_rate_bps')] },
  world: {
    channel: 'world',
    fields: [
      str('raw'), str('report_type'), str('obs_time_utc'), num('temp_c'), num('dewpoint_c'), int('temp_f_judge'), str('judge_day'),
      int('judge_max_so_far_f'), int('official_max_f'), num('median_f'), num('spread_f'), int('support'), ['qc_state', 'VARCHAR', 'state'],
    ],
  },
  features: { channel: 'features', fields: [int('minute_start_ms'), json('values'), json('staleness_ms')] },
  nowcast: { channel: 'nowcast', fields: [str('judge_day'), int('max_so_far_f'), num('confidence'), str('qc_gate'), json('distribution'), json('buckets')] },
  truth: { channel: 'truth', fields: [str('state'), str('previous'), str('winner'), num('confidence'), ['stale', 'BOOLEAN'], str('source'), str('tier'), str('status'), str('score')] },
  policy: { channel: 'policy', fields: [str('source'), num('edge_threshold'), num('max_position_usdc'), num('max_order_usdc'), int('valid_until_ms'), json('fair_value')] },
  orders: {
    channel: 'order',
    fields: [str('client_order_id'), str('venue_order_id'), str('status'), str('side'), str('order_type'), num('price'), num('size'), num('filled_size'), str('strategy'), str('reason')],
  },
  fills: { channel: 'fill', fields: [str('client_order_id'), str('fill_id'), str('status'), str('side'), num('price'), num('size'), num('fee_usdc'), str('liquidity'), str('strategy')] },
  positions: { channel: 'position', fields: [num('shares'), num('avg_cost'), num('realized_pnl'), num('unrealized_pnl'), num('fees_paid')] },
  risk: { channel: 'risk', fields: [str('state'), str('previous'), str('reason'), num('size_scale')] },
  health: { channel: 'health', fields: [['ready', 'BOOLEAN'], num('event_loop_lag_ms'), int('reconnects'), int('resyncs'), json('staleness_ms'), json('stage_latency_ms')] },
  control: { channel: 'control', fields: [str('scope'), str('reason'), str('severity'), str('code'), str('message')] },
  windows: { channel: 'window', fields: [str('trigger'), int('opened_ms'), int('until_ms')] },
};

function fieldSql([name, type, key]: Field): string {
  const p = sqlString('$.' + (key ?? name));
  if (type === 'JSON') return `json_extract(payload, ${p}) AS ${name}`;
  return `TRY_CAST(json_extract_string(payload, ${p}) AS ${type}) AS ${name}`;
}

/** The views made, and those that fail when read because a part they read is damaged. */
export interface LakeViews {
  names: string[];
  unreadable: Array<{ view: string; parts: DamagedPart[] }>;
}

/**
 * Creates every view. Each is made on its own: a damaged part fails the views that read it (its
 * channel's and `events`) with a message naming it, when a query reads them, and leaves the
 * other channels' views working.
 */
export async function createLakeViews(conn: DuckDBConnection, dataDir: string): Promise<LakeViews> {
  const files = await listParquetFiles(dataDir);
  const unreadable: LakeViews['unreadable'] = [];
  for (const [name, def] of Object.entries(LAKE_VIEWS)) {
    const of = def.channel === 'all' ? files : files.filter((f) => f.channel === def.channel);
    const globs = layoutGlobs(dataDir, def.channel === 'all' ? '*' : def.channel, of);
    // UNION BY NAME with the empty typed relation keeps every record column even in old files.
    const base = globs.length
      ? `${emptyRecordRelation()} UNION ALL BY NAME SELECT * FROM read_parquet([${globs.map(sqlString).join(', ')}], union_by_name=true, hive_partitioning=false)`
      : emptyRecordRelation();
    try {
      // Binding reads every part's footer (union_by_name), so a damaged footer fails here.
      await conn.run(viewSql(name, def, base));
    } catch (err) {
      const parts = await damagedPartsBehind(err, conn, dataDir, of, 'footers');
      if (parts.length === 0) throw err;
      unreadable.push({ view: name, parts });
      await conn.run(viewSql(name, def, failingRecordRelation(damageMessage(dataDir, parts))));
    }
  }
  return { names: Object.keys(LAKE_VIEWS), unreadable };
}

function viewSql(name: string, def: ViewDef, base: string): string {
  const derived = ['make_timestamp(ts_ingest * 1000) AS ts', ...def.fields.map(fieldSql)].join(', ');
  return `CREATE OR REPLACE VIEW ${name} AS SELECT *, ${derived} FROM (${base}) AS b`;
}

/** The globs of the layouts that hold parts of a channel (DuckDB refuses a glob matching nothing). */
function layoutGlobs(dataDir: string, channel: string, parts: ParquetFileRef[]): string[] {
  const { current, legacy } = parquetGlobs(dataDir, channel);
  const out: string[] = [];
  if (parts.some((f) => f.legacyPartition === null)) out.push(current);
  if (parts.some((f) => f.legacyPartition !== null)) out.push(legacy);
  return out;
}

/** Which channel each view reads (for docs and `helios query --help`). */
export function viewChannels(): Record<string, string> {
  return Object.fromEntries(Object.entries(LAKE_VIEWS).map(([n, d]) => [n, d.channel === 'all' ? 'every channel' : d.channel]));
}
