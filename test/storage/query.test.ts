import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { compactJournal } from '../../src/adapters/storage/parquet/compactor.ts';
import { LAKE_VIEWS } from '../../src/adapters/storage/parquet/views.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';
import { makeRecorder, tempDataDir } from './support/recorder.ts';
import { MARKET, syntheticEvents, T0 } from './support/synthetic.ts';

let dir: string;
let empty: string;
const cleanups: Array<() => void> = [];
let events: HeliosEvent[];

beforeAll(async () => {
  const a = tempDataDir('helios-query-');
  const b = tempDataDir('helios-query-empty-');
  cleanups.push(a.cleanup, b.cleanup);
  dir = a.dir;
  empty = b.dir;
  events = syntheticEvents({ durationMs: 90_000, metarAtMs: [30_000], shockAtMs: 60_000, deltaEveryMs: 1000 });
  const { recorder } = makeRecorder(dir);
  for (const e of events) recorder.emit(e);
  await recorder.close();
  await compactJournal({ dataDir: dir, now: T0 + 86_400_000, duckdb: { threads: 1, memory_limit: '512MB' } });
});
afterAll(() => cleanups.forEach((c) => c()));

async function q(sql: string, dataDir = dir): Promise<Array<Record<string, unknown>>> {
  const io = captureIo();
  const code = await main(['query', sql, '--data-dir', dataDir, '--json'], io);
  expect(code, io.stderr()).toBe(0);
  return JSON.parse(io.stdout()) as Array<Record<string, unknown>>;
}

const n = (type: string) => events.filter((e) => e.type === type).length;

describe('helios query over the lake', () => {
  it('l2: snapshots with typed book fields and a UTC timestamp', async () => {
    const rows = await q(`SELECT token_id, count(*) AS n, min(mid) AS lo, max(mid) AS hi, min(ts) AS first FROM l2 WHERE type = 'L2_SNAPSHOT' GROUP BY 1 ORDER BY 1`);
    const mids = (tok: string) => events.flatMap((e) => (e.type === 'L2_SNAPSHOT' && e.token_id === tok && e.payload.mid !== null ? [e.payload.mid] : []));
    const expected = (tok: string) => ({ token_id: tok, n: 90, lo: Math.min(...mids(tok)), hi: Math.max(...mids(tok)), first: '2026-01-29T17:00:00.000Z' });
    expect(rows).toEqual([expected('tok-no'), expected('tok-yes')]);
    expect(rows[1]!.hi).not.toBe(rows[1]!.lo);
  });

  it('tape, world, nowcast, truth, orders, fills, health: one view per channel with its payload fields', async () => {
    expect(await q(`SELECT count(*) AS n, sum(size) > 0 AS sized, bool_and(side IN ('BUY','SELL')) AS sides FROM tape`)).toEqual([{ n: n('TRADE'), sized: true, sides: true }]);
    const [metar] = await q(`SELECT station_id, raw, temp_c, temp_f_judge, obs_time_utc, ts_nyc FROM world WHERE type = 'METAR_OBS'`);
    expect(metar).toMatchObject({ station_id: 'KLGA', obs_time_utc: '2026-01-29T16:59:30.000Z', ts_nyc: '2026-01-29T12:00:30.000-05:00' });
    expect(String(metar!.raw)).toMatch(/^METAR KLGA/);
    expect(await q(`SELECT count(*) AS n, max(confidence) AS c, max(qc_gate) AS g FROM nowcast`)).toEqual([{ n: n('NOWCAST'), c: 0.7, g: 'open' }]);
    expect(await q(`SELECT match_id, state FROM truth LIMIT 1`)).toEqual([{ match_id: 'match-1', state: 'live' }]);
    expect(await q(`SELECT client_order_id, status, price, size FROM orders`)).toEqual([{ client_order_id: 'c-1', status: 'open', price: 0.41, size: 10 }]);
    const fills = await q(`SELECT f.fill_id, f.liquidity, o.client_order_id FROM fills f JOIN orders o ON f.causation_id = o.event_id`);
    expect(fills).toEqual([{ fill_id: 'f-1', liquidity: 'maker', client_order_id: 'c-1' }]);
    expect(await q(`SELECT count(*) AS n, bool_and(ready) AS ready FROM health`)).toEqual([{ n: n('HEALTH'), ready: true }]);
  });

  it('windows: the METAR and shock windows, and the deltas recorded inside them', async () => {
    const w = await q(`SELECT trigger, scope_token, opened_ms FROM (SELECT trigger, token_id AS scope_token, ts_ingest AS opened_ms, type FROM windows) WHERE type = 'WINDOW_OPEN' ORDER BY opened_ms`);
    expect(w).toEqual([
      { trigger: 'metar', scope_token: null, opened_ms: T0 + 30_000 },
      { trigger: 'mid_shock', scope_token: 'tok-yes', opened_ms: T0 + 60_000 },
    ]);
    const d = await q(`SELECT count(*) AS n, count(*) FILTER (WHERE window_id IS NULL) AS untagged FROM l2_delta`);
    expect(d[0]!.untagged).toBe(0);
    expect(d[0]!.n).toBeGreaterThan(0);
    const inShock = await q(
      `SELECT count(*) AS n FROM l2_delta d JOIN windows w ON d.window_id = w.window_id WHERE w.type = 'WINDOW_OPEN' AND w.trigger = 'mid_shock'`,
    );
    expect(inShock[0]!.n).toBeGreaterThan(0);
    expect(await q(`SELECT count(*) AS n FROM events WHERE market_id = '${MARKET}' AND ch = 'l2'`)).toEqual([{ n: 180 }]);
  });

  it('every view exists and is queryable before any data was compacted', async () => {
    for (const view of Object.keys(LAKE_VIEWS)) {
      expect(await q(`SELECT count(*) AS n FROM ${view}`, empty), view).toEqual([{ n: 0 }]);
    }
    expect(await q(`SELECT event_id, ts, mid FROM l2 LIMIT 1`, empty)).toEqual([]);
  });

  it('--json nests JSON columns (payload, json fields, lists of them) as values; integers, timestamps and text stay as they were', async () => {
    const snap = events.find((e) => e.type === 'L2_SNAPSHOT')!;
    const [row] = await q(`SELECT payload, bids, ts, ts_ingest, seq, event_id FROM l2 WHERE event_id = '${snap.event_id}'`);
    expect(row!.payload).toEqual(snap.payload);
    expect(row!.bids).toEqual((snap.payload as { bids: unknown }).bids);
    expect(row).toMatchObject({ ts: new Date(snap.ts_ingest).toISOString(), ts_ingest: snap.ts_ingest, event_id: snap.event_id });
    expect(typeof row!.seq).toBe('number');
    const [listed] = await q(`SELECT list(payload ORDER BY seq)[1:1] AS first, {'p': any_value(payload)} AS s FROM orders`);
    expect(listed!.first).toEqual([events.find((e) => e.type === 'ORDER_UPDATE')!.payload]);
    expect(typeof (listed!.s as { p: unknown }).p).toBe('object');
    // Beyond 2^53 an integer is a decimal string inside JSON as it is for BIGINT: never silently rounded.
    const [big] = await q(`SELECT 9007199254740993::BIGINT AS b, '{"n":9007199254740993,"m":-12345678901234567890,"x":1.5,"s":"9007199254740993"}'::JSON AS j, '{"a":1}' AS text`);
    expect(big).toEqual({ b: '9007199254740993', j: { n: '9007199254740993', m: '-12345678901234567890', x: 1.5, s: '9007199254740993' }, text: '{"a":1}' });
  });

  it('prints an aligned table without --json, and exits 2 on bad SQL', async () => {
    const io = captureIo();
    expect(await main(['query', 'SELECT trigger, count(*) AS n FROM windows GROUP BY 1 ORDER BY 1', '--data-dir', dir], io)).toBe(0);
    expect(io.stdout().split('\n').slice(0, 2)).toEqual(['trigger    n', '---------  -']);
    expect(io.stdout()).toContain('(2 rows)');
    const bad = captureIo();
    expect(await main(['query', 'SELECT nope FROM l2', '--data-dir', dir], bad)).toBe(2);
    expect(bad.stderr()).toMatch(/query: .*nope/);
  });
});

describe('helios query is read-only and confined to the lake', () => {
  async function refused(sql: string): Promise<string> {
    const io = captureIo();
    const code = await main(['query', sql, '--data-dir', dir], io);
    expect(code, `${sql} → ${io.stdout()}`).toBe(2);
    return io.stderr();
  }

  it('refuses writing statements (COPY, ATTACH, CREATE, INSTALL, SET) with a clear message', async () => {
    const target = path.join(dir, 'parquet', 'stolen.csv');
    expect(await refused(`COPY (SELECT * FROM l2) TO '${target}'`)).toContain(
      'refused COPY statement: helios query is read-only (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE over the lake views)',
    );
    expect(existsSync(target)).toBe(false);
    expect(await refused(`ATTACH '${path.join(dir, 'parquet', 'x.db')}' AS x`)).toMatch(/refused ATTACH statement/);
    expect(await refused('CREATE TABLE t AS SELECT 1 AS a')).toMatch(/refused CREATE statement/);
    expect(await refused('INSTALL httpfs')).toMatch(/refused INSTALL statement/);
    expect(await refused('/* note */ -- why\n  LOAD httpfs')).toMatch(/refused LOAD statement/);
    expect(await refused('SET enable_external_access = true')).toMatch(/refused SET statement/);
    // A writing statement after a reading one is refused before anything runs.
    expect(await refused(`SELECT 1; COPY (SELECT 1) TO '${target}'`)).toMatch(/one statement at a time/);
    expect(existsSync(target)).toBe(false);
    // Not even prepared: binding an EXPORT would already create its directory.
    const exportDir = path.join(dir, 'parquet', 'exported');
    expect(await refused(`EXPORT DATABASE '${exportDir}'`)).toMatch(/refused EXPORT statement/);
    expect(existsSync(exportDir)).toBe(false);
  });

  it('runs the reading statements people use to explore', async () => {
    expect((await q('DESCRIBE l2')).map((r) => r.column_name)).toContain('mid');
    expect((await q('SHOW TABLES')).map((r) => r.name)).toContain('orders');
    expect(await q('WITH t AS (SELECT 1 AS a) SELECT a FROM t')).toEqual([{ a: 1 }]);
    expect(await q('/* a comment first */\n-- and another\nSELECT 2 AS b')).toEqual([{ b: 2 }]);
  });

  it('cannot read files outside the lake', async () => {
    expect(await refused(`SELECT * FROM read_csv('/etc/passwd')`)).toMatch(/Permission Error/);
    expect(await refused(`SELECT * FROM glob('/etc/*')`)).toMatch(/Permission Error/);
    expect(await refused(`SELECT * FROM read_json('${path.join(dir, 'journal', '**', '*.ndjson')}')`)).toMatch(/Permission Error/);
    // The lake itself stays readable through its files too, not only the views.
    expect(await q(`SELECT count(*) > 0 AS some FROM read_parquet('${path.join(dir, 'parquet', '**', '*.parquet')}')`)).toEqual([{ some: true }]);
  });
});
