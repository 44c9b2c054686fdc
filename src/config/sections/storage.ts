import { z } from 'zod';
import { CHANNELS } from '../../domain/events/channels.ts';

const ms = z.number().int().min(1);
const channel = z.enum(CHANNELS);

/** NDJSON journal: the recorder's batching and durability. */
const journalSection = z.strictObject({
  enabled: z.boolean(),
  /** A batch is written at least this often... */
  flush_interval_ms: ms,
  /** ...or as soon as this many bytes of serialized lines wait for it. */
  flush_max_bytes: z.number().int().min(1024),
  /** none: leave it to the OS; per_flush: fdatasync after every batch; interval: every fsync_interval_ms. */
  fsync: z.enum(['none', 'per_flush', 'interval']),
  fsync_interval_ms: ms,
  /** Events serialized but not yet handed to a write; beyond this the recorder drops (and counts) rather than grow. */
  max_pending_events: z.number().int().min(1),
  /** Hour files kept open at once (least recently written are closed first). */
  max_open_files: z.number().int().min(1),
  /** Channels never recorded (l2_delta is always filtered to event windows). */
  exclude_channels: z.array(channel),
});

/** Event windows: when to record tick data (l2_delta) and tag records with a window_id. */
const windowsSection = z.strictObject({
  metar_ms: z.number().int().min(60_000).max(180_000),
  qc_outlier_ms: ms,
  /** Mid-price shock: |mid(t) - mid(t - lookback)| strictly above this many ticks. */
  shock_ticks: z.number().positive(),
  shock_lookback_ms: ms,
  shock_ms: ms,
  /** Spread regimes in ticks: locked <= locked_max, wide >= wide_min, normal in between; no two-sided book = one_sided. */
  spread_locked_max_ticks: z.number().min(0),
  spread_wide_min_ticks: z.number().positive(),
  spread_regime_ms: ms,
  /** Depth cliff on a snapshot: top-N size of a side falls below min_size, or drops by drop_fraction since the previous snapshot. */
  depth_levels: z.number().int().min(1),
  depth_min_size: z.number().min(0),
  depth_drop_fraction: z.number().gt(0).max(1),
  depth_cliff_ms: ms,
  /** Used until a token's snapshot tells its tick size. */
  default_tick_size: z.number().positive(),
});

const compactionSection = z.strictObject({
  duckdb_threads: z.number().int().min(1),
  duckdb_memory_limit: z.string().min(1),
});

const retentionSection = z.strictObject({
  ndjson_days: z.number().int().min(1),
  parquet_months: z.number().int().min(1),
  /** Channels holding event-window data, kept for windows_months instead of parquet_months. */
  window_channels: z.array(channel),
  windows_months: z.number().int().min(1),
  /** Refuse to delete a journal date whose hours are not all compacted to Parquet. */
  require_compacted: z.boolean(),
});

/** Optional analytics sink; never feeds the live UI. The password comes from HELIOS_CLICKHOUSE_PASSWORD. */
const clickhouseSection = z.strictObject({
  enabled: z.boolean(),
  url: z.string().min(1),
  database: z.string().min(1),
  table: z.string().min(1),
  user: z.string().min(1),
  channels: z.array(channel),
  batch_max_rows: z.number().int().min(1),
  flush_interval_ms: ms,
  max_pending_rows: z.number().int().min(1),
  request_timeout_ms: ms,
  retry_min_ms: ms,
  retry_max_ms: ms,
});

const replaySection = z.strictObject({
  /** Yield to the event loop after this many emitted events (1 = after each, as live does). */
  drain_every_events: z.number().int().min(1),
  /** Parquet rows / journal hours are loaded in chunks of this span. */
  chunk_ms: ms,
  /**
   * How far past a backtest's range the resolutions of its bucket markets are looked for (a judge
   * day's markets resolve after it ends): the `l2` channel of that span is read, unless every bucket
   * market already resolved in range. 0: only resolutions within the range count.
   */
  resolution_lookahead_ms: z.number().int().min(0),
});

export const storageSection = z.strictObject({
  journal: journalSection,
  windows: windowsSection,
  compaction: compactionSection,
  retention: retentionSection,
  clickhouse: clickhouseSection,
  replay: replaySection,
});

export type StorageConfig = z.infer<typeof storageSection>;
export type JournalConfig = z.infer<typeof journalSection>;
export type WindowsConfig = z.infer<typeof windowsSection>;
export type RetentionConfig = z.infer<typeof retentionSection>;
export type ClickHouseConfig = z.infer<typeof clickhouseSection>;
export type ReplayConfig = z.infer<typeof replaySection>;
