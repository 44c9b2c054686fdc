import type { HeliosEvent } from '../../../domain/events/catalog.ts';
import type { EventSink } from '../../../domain/events/sink.ts';
import { backoffDelayMs } from '../../../domain/retry/backoff.ts';
import type { Clock, TimerHandle } from '../../../domain/time/clock.ts';
import { stableStringify } from '../../../domain/util/stable-json.ts';
import type { RecorderLogger } from '../journal/recorder.ts';

export interface ClickHouseSinkOptions {
  url: string;
  database: string;
  table: string;
  user: string;
  channels: readonly string[];
  batch_max_rows: number;
  flush_interval_ms: number;
  max_pending_rows: number;
  request_timeout_ms: number;
  retry_min_ms: number;
  retry_max_ms: number;
}

export interface ClickHouseStats {
  accepted: number;
  inserted: number;
  batches: number;
  failures: number;
  dropped: number;
  pending: number;
}

/** The table the sink writes; `ts` is derived on the server, rows expire after `ttlDays`. */
export function clickhouseDdl(database: string, table: string, ttlDays = 90): string {
  return `CREATE TABLE IF NOT EXISTS ${database}.${table} (
  schema_version UInt16, event_id String, correlation_id String, causation_id Nullable(String),
  ch LowCardinality(String), type LowCardinality(String), ts_ingest UInt64, ts_source Nullable(UInt64),
  market_id Nullable(String), token_id Nullable(String), station_id Nullable(String), match_id Nullable(String),
  window_id Nullable(String), payload String,
  ts DateTime64(3, 'UTC') MATERIALIZED fromUnixTimestamp64Milli(toInt64(ts_ingest))
) ENGINE = MergeTree ORDER BY (ch, ts_ingest, event_id) TTL toDateTime(ts) + INTERVAL ${ttlDays} DAY`;
}

/**
 * Optional analytics sink (off by default): batches selected channels and inserts them over
 * ClickHouse's HTTP interface as JSONEachRow. Never on the live UI path. A failed batch is retried
 * with backoff and an insert_deduplication_token, so a retry after a lost response is not doubled
 * on tables with deduplication enabled; beyond max_pending_rows the oldest rows are dropped.
 */
export class ClickHouseSink implements EventSink {
  private readonly channels: ReadonlySet<string>;
  private pending: HeliosEvent[] = [];
  private inFlight: Promise<void> | null = null;
  private timer: TimerHandle | undefined;
  private attempt = 0;
  private retryAt = 0;
  private closed = false;
  private readonly counters = { accepted: 0, inserted: 0, batches: 0, failures: 0, dropped: 0 };

  constructor(
    private readonly opts: ClickHouseSinkOptions,
    private readonly clock: Clock,
    private readonly password?: string,
    private readonly logger?: RecorderLogger,
  ) {
    this.channels = new Set(opts.channels);
    this.arm();
  }

  emit(event: HeliosEvent): void {
    if (this.closed || !this.channels.has(event.ch)) return;
    this.counters.accepted++;
    this.pending.push(event);
    if (this.pending.length > this.opts.max_pending_rows) {
      const over = this.pending.length - this.opts.max_pending_rows;
      this.pending.splice(0, over);
      this.counters.dropped += over;
    }
  }

  /** Sends everything pending now; resolves when sent, rejects if ClickHouse refused a batch. */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    const run = this.sendAll();
    this.inFlight = run;
    try {
      await run;
    } finally {
      this.inFlight = null;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    await this.flush().catch((err: unknown) => this.logger?.error({ err: (err as Error).message, pending: this.pending.length }, 'clickhouse: rows left unsent at close'));
  }

  stats(): ClickHouseStats {
    return { ...this.counters, pending: this.pending.length };
  }

  private arm(): void {
    this.timer = this.clock.setTimeout(() => {
      if (this.closed) return;
      if (this.pending.length && !this.inFlight && this.clock.now() >= this.retryAt) {
        void this.flush().catch(() => undefined);
      }
      this.arm();
    }, this.opts.flush_interval_ms);
  }

  private async sendAll(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.slice(0, this.opts.batch_max_rows);
      try {
        await this.insert(batch);
      } catch (err) {
        this.counters.failures++;
        this.attempt++;
        this.retryAt = this.clock.now() + backoffDelayMs(this.attempt, { initialMs: this.opts.retry_min_ms, maxMs: this.opts.retry_max_ms, multiplier: 2, jitter: 0 }, 0);
        this.logger?.warn({ err: (err as Error).message, rows: batch.length, attempt: this.attempt }, 'clickhouse: insert failed; will retry');
        throw err;
      }
      this.attempt = 0;
      this.retryAt = 0;
      // Rows may have been dropped from the front while the request was in flight.
      const sent = new Set(batch);
      this.pending = this.pending.filter((e) => !sent.has(e));
      this.counters.inserted += batch.length;
      this.counters.batches++;
    }
  }

  private async insert(batch: HeliosEvent[]): Promise<void> {
    const body = batch.map((e) => JSON.stringify(toRow(e))).join('\n') + '\n';
    const url = new URL(this.opts.url);
    url.searchParams.set('database', this.opts.database);
    url.searchParams.set('query', `INSERT INTO ${this.opts.table} FORMAT JSONEachRow`);
    url.searchParams.set('insert_deduplication_token', `${batch[0]!.event_id}-${batch[batch.length - 1]!.event_id}-${batch.length}`);
    const headers: Record<string, string> = { 'content-type': 'application/x-ndjson', 'x-clickhouse-user': this.opts.user };
    if (this.password) headers['x-clickhouse-key'] = this.password;
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.opts.request_timeout_ms) });
    if (!res.ok) {
      const text = (await res.text()).slice(0, 500);
      throw new Error(`ClickHouse HTTP ${res.status}: ${text}`);
    }
    await res.arrayBuffer();
  }
}

function toRow(e: HeliosEvent): Record<string, unknown> {
  return {
    schema_version: e.schema_version,
    event_id: e.event_id,
    correlation_id: e.correlation_id,
    causation_id: e.causation_id ?? null,
    ch: e.ch,
    type: e.type,
    ts_ingest: e.ts_ingest,
    ts_source: e.ts_source ?? null,
    market_id: e.market_id ?? null,
    token_id: e.token_id ?? null,
    station_id: e.station_id ?? null,
    match_id: e.match_id ?? null,
    window_id: e.window_id ?? null,
    payload: stableStringify(e.payload),
  };
}
