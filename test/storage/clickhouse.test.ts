import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { ClickHouseSink, clickhouseDdl, type ClickHouseSinkOptions } from '../../src/adapters/storage/clickhouse/sink.ts';
import { syntheticEvents, T0 } from './support/synthetic.ts';

/**
 * A loopback stand-in for ClickHouse's HTTP interface: accepts `INSERT INTO t FORMAT JSONEachRow`
 * with the rows as NDJSON in the body, checks credentials, answers 200 with an empty body (as
 * ClickHouse does), or fails on demand with ClickHouse's error format.
 */
class FakeClickHouse {
  readonly rows: Array<Record<string, unknown>> = [];
  readonly requests: Array<{ query: string; database: string | null; token: string | null; user: string | undefined }> = [];
  failNext = 0;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req).then(([code, body]) => res.writeHead(code, { 'content-type': 'text/plain' }).end(body)));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage): Promise<[number, string]> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://x');
    const query = u.searchParams.get('query') ?? '';
    this.requests.push({ query, database: u.searchParams.get('database'), token: u.searchParams.get('insert_deduplication_token'), user: req.headers['x-clickhouse-user'] as string | undefined });
    if (req.method !== 'POST') return [405, 'Code: 0. DB::Exception: POST required'];
    if (req.headers['x-clickhouse-key'] !== 'pw') return [516, 'Code: 516. DB::Exception: default: Authentication failed. (AUTHENTICATION_FAILED)'];
    const m = /^INSERT INTO (\w+) FORMAT JSONEachRow$/.exec(query);
    if (!m) return [400, `Code: 62. DB::Exception: Syntax error: ${query}. (SYNTAX_ERROR)`];
    if (this.failNext > 0) {
      this.failNext--;
      return [500, 'Code: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED)'];
    }
    for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) if (line) this.rows.push(JSON.parse(line) as Record<string, unknown>);
    return [200, ''];
  }
}

const OPTS: Omit<ClickHouseSinkOptions, 'url'> = {
  database: 'helios',
  table: 'events',
  user: 'writer',
  channels: ['l2', 'health', 'nowcast'],
  batch_max_rows: 100,
  flush_interval_ms: 1000,
  max_pending_rows: 10_000,
  request_timeout_ms: 5000,
  retry_min_ms: 500,
  retry_max_ms: 5000,
};

let server: FakeClickHouse | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('ClickHouse sink (optional analytics)', () => {
  it('batches the configured channels as JSONEachRow inserts over HTTP', async () => {
    server = new FakeClickHouse();
    await server.start();
    const sink = new ClickHouseSink({ ...OPTS, url: server.url }, new VirtualClock(T0), 'pw');
    const events = syntheticEvents({ durationMs: 120_000 });
    for (const e of events) sink.emit(e);
    await sink.close();
    const wanted = events.filter((e) => OPTS.channels.includes(e.ch));
    expect(server.rows.map((r) => r.event_id)).toEqual(wanted.map((e) => e.event_id));
    expect(server.requests).toHaveLength(Math.ceil(wanted.length / 100));
    expect(server.requests.every((r) => r.query === 'INSERT INTO events FORMAT JSONEachRow' && r.database === 'helios' && r.user === 'writer' && r.token)).toBe(true);
    const snap = server.rows.find((r) => r.type === 'L2_SNAPSHOT')!;
    expect(snap).toMatchObject({ ch: 'l2', market_id: '0xmkt-klga-29jan', token_id: 'tok-yes', station_id: null, ts_ingest: T0 });
    expect(JSON.parse(String(snap.payload))).toMatchObject({ tick_size: 0.01, synced: true });
    expect(sink.stats()).toMatchObject({ accepted: wanted.length, inserted: wanted.length, failures: 0, dropped: 0, pending: 0 });
  });

  it('keeps a refused batch and retries it with backoff on its timer, with the same deduplication token', async () => {
    server = new FakeClickHouse();
    await server.start();
    server.failNext = 1;
    const clock = new VirtualClock(T0);
    const sink = new ClickHouseSink({ ...OPTS, url: server.url }, clock, 'pw');
    const events = syntheticEvents({ durationMs: 10_000 }).filter((e) => e.ch === 'l2');
    for (const e of events) sink.emit(e);
    await expect(sink.flush()).rejects.toThrow(/HTTP 500: Code: 241/);
    expect(sink.stats()).toMatchObject({ failures: 1, pending: events.length, inserted: 0 });
    clock.advanceBy(OPTS.flush_interval_ms);
    await expect.poll(() => sink.stats().inserted, { timeout: 10_000 }).toBe(events.length);
    expect(server.rows).toHaveLength(events.length);
    expect(server.requests[1]!.token).toBe(server.requests[0]!.token);
    await sink.close();
  });

  it('drops the oldest rows beyond max_pending_rows rather than grow without bound; ships a DDL with a TTL', async () => {
    const sink = new ClickHouseSink({ ...OPTS, url: 'http://127.0.0.1:9/', max_pending_rows: 10 }, new VirtualClock(T0));
    const events = syntheticEvents({ durationMs: 30_000 }).filter((e) => e.ch === 'l2');
    for (const e of events) sink.emit(e);
    expect(sink.stats()).toMatchObject({ pending: 10, dropped: events.length - 10 });
    expect(clickhouseDdl('helios', 'events', 60)).toMatch(/TTL toDateTime\(ts\) \+ INTERVAL 60 DAY/);
  });
});
