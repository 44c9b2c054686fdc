import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { DateTime } from 'luxon';
import { describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { main } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config/load.ts';
import { simulatedTruth } from '../../src/sim/esports/simulated-truth.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import { captureIo } from '../support/cli.ts';
import { fetchJson as json, journalRecords as journal, postJson } from '../daemon/support/daemon-io.ts';
import { processScope, type HeliosProcess } from '../daemon/support/helios-process.ts';

/**
 * Issue 21 items 1, 4, 5 and 9 as an operator meets them: `helios run` as a child process, read
 * through its log lines, its HTTP API, its journal and its run summary.
 */

const TOKEN = 'first-hour-token';
const { start, tempDir } = processScope('helios-first-hour-');
const post = (url: string, body: unknown) => postJson(url, body, TOKEN);

/** Prometheus text → `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const sumOf = (m: Map<string, number>, name: string) => [...m].filter(([k]) => k === name || k.startsWith(`${name}{`)).reduce((s, [, v]) => s + v, 0);

type Log = { level: string; msg: string; [k: string]: any };
const LOUD = new Set(['warn', 'error', 'fatal']);
const ERRORS = new Set(['error', 'fatal']);
const logsOf = (p: HeliosProcess): Log[] => p.lines.filter((l) => l.startsWith('{"level"')).map((l) => JSON.parse(l) as Log);

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('helios run --sim talks to its operator and measures what happened (issue 21 items 1, 4, 5, 9)', () => {
  it('start-up summary, status lines, orders/fills/halts at info, sane metrics, a market catalog, provenance', { timeout: 150_000 }, async () => {
    const dataDir = tempDir();
    const daemon = start(['run', '--port', '0', '--data-dir', dataDir, '--speed', '20'], { HELIOS_API_TOKEN: TOKEN, HELIOS_DAEMON__STATUS_LOG_INTERVAL_MS: '1000' });
    const url = await daemon.apiUrl();

    const stats = await vi.waitFor(async () => {
      const s = (await json(`${url}/stats`)).body;
      expect(s.summary.fills >= 1 && s.counters.truth_states > 0, 'a paper fill and truth states').toBe(true);
      return s;
    }, { timeout: 90_000, interval: 250 });

    // Item 9: the start-up summary names mode, bus, markets, tokens and where to look.
    const logs = () => logsOf(daemon);
    const started = logs().find((l) => l.msg.startsWith('helios started'));
    expect(started, 'a start-up summary line').toBeDefined();
    expect(started).toMatchObject({ level: 'info', mode: 'sim', bus: 'in_memory', markets: stats.summary.markets, tokens: 2 * stats.summary.markets, api: url, ws: `${url.replace('http:', 'ws:')}/ws` });
    expect(started!.msg).toContain(url);
    // A status line on the interval: markets by state, orders, fills, PnL, worst staleness.
    const status = await vi.waitFor(() => {
      const s = logs().filter((l) => l.msg.startsWith('status:'));
      expect(s.length).toBeGreaterThan(0);
      return s.at(-1)!;
    }, { timeout: 10_000 });
    expect(status.level).toBe('info');
    expect(Object.values(status.markets_by_state as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(stats.summary.markets);
    expect(typeof status.orders).toBe('number');
    expect(typeof status.fills).toBe('number');
    expect(typeof status.realized_pnl).toBe('number');
    expect(typeof status.worst_staleness.feed).toBe('string');
    // Every order and fill at info with its correlation id.
    // (the API may answer before the child's log lines have crossed the pipe)
    const { orderLogs, fillLogs } = await vi.waitFor(() => {
      const o = logs().filter((l) => l.msg.startsWith('order '));
      const f = logs().filter((l) => l.msg.startsWith('fill '));
      expect(o.length, 'order log lines').toBeGreaterThan(0);
      expect(f.length, 'fill log lines').toBeGreaterThan(0);
      return { orderLogs: o, fillLogs: f };
    }, { timeout: 10_000 });
    for (const l of [...orderLogs, ...fillLogs]) {
      expect(l.level).toBe('info');
      expect(l.correlation_id).toMatch(/^[0-9A-Z]{26}$/);
    }
    // No warning on a normal first run (e.g. about a missing session.json).
    expect(logs().filter((l) => LOUD.has(l.level)).map((l) => l.msg)).toEqual([]);

    // Halt everything through the API: logged at info with its correlation id; nothing new trades.
    const halt = await post(`${url}/halt`, { scope: 'global', reason: 'operator check' });
    expect(halt.status).toBe(200);
    const haltLog = await vi.waitFor(() => {
      const l = logs().find((x) => x.msg.startsWith('halt ') && x.event_id === halt.body.event_id);
      expect(l, 'the halt in the log').toBeDefined();
      return l!;
    }, { timeout: 10_000 });
    expect(haltLog).toMatchObject({ level: 'info', scope: 'global', reason: 'operator check', correlation_id: expect.stringMatching(/^[0-9A-Z]{26}$/) });

    // The global halt trips the kill switch once, counted under the fixed `manual` label (the
    // operator's text stays in the event).
    const killSwitch = (m: Map<string, number>) => m.get('kill_switch_triggers_total{reason="manual"}') ?? 0;
    await vi.waitFor(async () => expect(killSwitch(parseMetrics(await (await fetch(`${url}/metrics`)).text()))).toBe(1), { timeout: 20_000, interval: 250 });

    // Item 5: once orders and fills stop changing, every metric agrees with /stats.
    const { metrics, final } = await vi.waitFor(async () => {
      const before = (await json(`${url}/stats`)).body;
      const text = await (await fetch(`${url}/metrics`)).text();
      const after = (await json(`${url}/stats`)).body;
      expect([after.summary.orders, after.summary.fills]).toEqual([before.summary.orders, before.summary.fills]);
      // The loop-lag gauge is first set on the first health interval after the components started,
      // which may come after the first fill now (the first simulated match is under way at the start).
      const metrics = parseMetrics(text);
      expect(metrics.get('event_loop_lag_ms'), 'a health interval since the start').toBeGreaterThan(0);
      return { metrics, final: after };
    }, { timeout: 20_000, interval: 500 });
    const lag = metrics.get('event_lag_ms{source="market"}');
    expect(lag, 'event_lag_ms{source="market"}').toBeDefined();
    expect(lag!).toBeGreaterThanOrEqual(0);
    expect(lag!).toBeLessThan(60_000);
    expect(sumOf(metrics, 'orders_total')).toBe(final.summary.orders);
    expect(metrics.get('fills_total{status="MATCHED"}')).toBe(final.summary.fills);
    expect(metrics.get('order_fill_latency_ms_count')).toBe(final.summary.fills);
    expect(metrics.get('slippage_bps_count')).toBe(final.summary.fills);
    expect(metrics.get('book_resyncs_total')).toBe(final.counters.resyncs);
    expect(metrics.get('ws_reconnects_total')).toBe(final.summary.reconnects);
    expect(killSwitch(metrics)).toBe(1);
    expect(metrics.get('feed_staleness_ms{feed="market"}')).toBeGreaterThanOrEqual(0);
    expect([...metrics.keys()].some((k) => k.startsWith('bus_backlog{topic="l2:'))).toBe(true);
    const placeCount = metrics.get('order_place_latency_ms_count')!;

    daemon.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);

    // The journal is what happened: acknowledged orders, truth confidences, reconciliation breaks.
    const records = journal(dataDir);
    const acked = new Set(records.filter((r) => r.type === 'ORDER_UPDATE' && r.payload.status !== 'pending' && r.payload.status !== 'rejected').map((r) => r.payload.client_order_id));
    expect(acked.size).toBeGreaterThan(0);
    expect(placeCount).toBe(acked.size);
    // Truth keeps moving between the scrape and the stop (a loaded machine widens the gap): each
    // match's gauge shows a confidence the journal recorded for that match, not a value of its own.
    const confidences = new Map<string, number[]>();
    for (const r of records.filter((x) => x.type === 'TRUTH_STATE').sort((a, b) => a.seq - b.seq)) confidences.set(r.match_id, [...(confidences.get(r.match_id) ?? []), r.payload.confidence]);
    expect(confidences.size).toBeGreaterThan(0);
    for (const [match, cs] of confidences) expect(cs, match).toContain(metrics.get(`truth_confidence{match_id="${match}"}`));
    expect(metrics.get('reconcile_mismatch_total')).toBe(records.filter((r) => r.type === 'ALERT' && r.payload.code === 'RECONCILE_BREAK').length);

    // Item 1: every record says where it came from.
    expect(new Set(records.map((r) => r.provenance))).toEqual(new Set(['simulator']));

    // Item 4: the run recorded its market catalog, so a backtest of it trades the same markets.
    expect(existsSync(path.join(dataDir, 'markets.json'))).toBe(true);
    const catalog = JSON.parse(readFileSync(path.join(dataDir, 'markets.json'), 'utf8')) as {
      markets: Array<{ spec: { fair_source: { kind: string; bucket_label?: string; judge_day?: string } }; station_id: string | null; bucket?: { judge_day: string; lo_f: number | null; hi_f: number | null } | null }>;
    };
    expect(catalog.markets).toHaveLength(stats.summary.markets);
    // Issue 21 item 3: each bucket market records what it settles on (station, judge day, bounds),
    // so a backtest can score its recorded resolution.
    // The METARs' judge days, and the station's local dates during the run: in the first hour of a
    // New York day the day's market exists before its first routine METAR (at :51); and the day
    // after each, which the venue lists ahead (daemon.sim.weather_list_ahead_ms).
    const judgeDays = new Set(records.filter((r) => r.type === 'METAR_OBS').map((r) => r.payload.judge_day as string));
    for (const r of records) judgeDays.add(DateTime.fromMillis(r.ts_ingest as number, { zone: 'America/New_York' }).toISODate()!);
    for (const day of [...judgeDays]) judgeDays.add(DateTime.fromISO(day).plus({ days: 1 }).toISODate()!);
    const buckets = catalog.markets.filter((m) => m.spec.fair_source.kind === 'nowcast');
    expect(buckets.length).toBeGreaterThan(0);
    for (const m of buckets) {
      expect(m.station_id).toBe('KLGA');
      expect(judgeDays.has(m.bucket!.judge_day), `${m.bucket!.judge_day} among the METARs' judge days and the run's local dates ${[...judgeDays].sort().join(', ')}`).toBe(true);
      // The day the market itself names (the embedded venue lists dated days).
      expect(m.bucket!.judge_day).toBe(m.spec.fair_source.judge_day);
      const [lo, hi] = m.spec.fair_source.bucket_label!.match(/\d+/g)!.map(Number);
      expect([m.bucket!.lo_f, m.bucket!.hi_f]).toEqual([lo, hi]);
    }
    for (const m of catalog.markets.filter((x) => x.spec.fair_source.kind !== 'nowcast')) expect(m.bucket ?? null).toBeNull();
    const times = records.map((r) => r.ts_ingest as number);
    const io = captureIo();
    const code = await main(['backtest', '--data-dir', dataDir, '--from', String(Math.min(...times)), '--to', String(Math.max(...times) + 1), '--no-qc-sensitivity', '--out', path.join(dataDir, 'bt')], io);
    expect(io.stderr()).not.toMatch(/WARNING/);
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'bt', 'report.json'), 'utf8'))).toMatchObject({ market_catalog: 'recorded' });
  });
});

describe('helios run --live without a reachable venue or weather source (issue 21 item 1)', () => {
  it('starts no simulator, records nothing simulated, and reports the unreachable sources as errors', { timeout: 90_000 }, async () => {
    const dataDir = tempDir();
    const dead = await closedPort();
    const daemon = start(['run', '--live', '--port', '0', '--data-dir', dataDir, '--duration', '8'], {
      HELIOS_MARKET_TAPE__WS_URL: `ws://127.0.0.1:${dead}/ws/market`,
      HELIOS_MARKET_TAPE__REST_URL: `http://127.0.0.1:${dead}`,
      HELIOS_WEATHER__METAR__AWC_BASE_URL: `http://127.0.0.1:${dead}`,
      HELIOS_TRUTH_ENGINE__SOURCES__POLYMARKET_SPORTS__WS_URL: `ws://127.0.0.1:${dead}/ws`,
      HELIOS_DISCOVERY__GAMMA_URL: `http://127.0.0.1:${dead}`,
      // METAR is polled for the stations discovered markets need; nothing is discovered here, so ask for one.
      HELIOS_WEATHER__METAR__ALWAYS_POLL: '[KLGA]',
      HELIOS_DAEMON__HEALTH_INTERVAL_MS: '500',
    });
    const url = await daemon.apiUrl();
    const health = await vi.waitFor(async () => {
      const h = (await json(`${url}/health`)).body;
      expect(Object.keys(h.source_errors ?? {})).toEqual(expect.arrayContaining(['discovery', 'market', 'truth', 'weather']));
      return h;
    }, { timeout: 30_000, interval: 250 });
    expect(health.source_errors.market.last_error).toMatch(/127\.0\.0\.1/);
    // The esports sockets are outside sources too: Polymarket's sports socket refused is an error, not a warning.
    expect(health.source_errors.truth.last_error).toMatch(new RegExp(`WS ws://127\\.0\\.0\\.1:${dead}/ws`));
    const stats = (await json(`${url}/stats`)).body;
    expect(stats.counters).toMatchObject({ metar_obs: 0, truth_states: 0 });
    expect((await daemon.exited).code).toBe(0);

    const summary = daemon.jsonOfKind('run_summary')[0]!;
    expect(summary.errors as number).toBeGreaterThan(0);
    const errors = logsOf(daemon).filter((l) => ERRORS.has(l.level));
    expect(errors.some((l) => /venue|market/.test(l.msg))).toBe(true);
    expect(errors.some((l) => /weather|METAR|AWC/i.test(l.msg))).toBe(true);
    expect(errors.some((l) => /discovery|gamma/i.test(l.msg))).toBe(true);
    expect(logsOf(daemon).some((l) => /simulat/i.test(l.msg) && /start/.test(l.msg))).toBe(false);

    const records = journal(dataDir);
    expect(records.filter((r) => r.type === 'METAR_OBS' || r.type === 'TRUTH_STATE' || r.type === 'SOURCE_REPORT')).toEqual([]);
    expect(records.filter((r) => r.provenance !== 'live')).toEqual([]);
  });
});

describe('ws_reconnects_total counts the reconnects that happened (issue 21 item 5)', () => {
  it('after the venue drops every connection twice, the metric equals the run summary\'s reconnects', { timeout: 60_000 }, async () => {
    const overrides = { 'daemon.sim.venue': 'external', 'daemon.health_interval_ms': 200, 'weather.nowcast.enabled': false };
    const base = loadConfig({ env: {}, overrides: { ...overrides, 'market_tape.ws_url': 'ws://127.0.0.1:1/ws/market', 'market_tape.rest_url': 'http://127.0.0.1:1' } }).config;
    // The harness's venue: the universe the daemon builds, as a soak hosts it.
    const universe = buildSimUniverse(base, simulatedTruth(base.app.seed, base.truth_engine, new SystemClock()).matches, Date.now());
    const venue = new VenueSimulator({ seed: base.app.seed, markets: universe.markets.map((m) => m.venue) });
    const endpoints = await venue.start();
    const config = loadConfig({ env: {}, overrides: { ...overrides, 'market_tape.ws_url': endpoints.wsUrl, 'market_tape.rest_url': endpoints.restUrl } }).config;
    const daemon = new Daemon({ config, secrets: {}, logger: createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' }), mode: 'sim', speed: 1, dataDir: tempDir(), inspect: false, apiPort: 0 });
    try {
      await daemon.start();
      const synced = () => vi.waitFor(() => expect(daemon.summary().tokens_synced).toBe(2 * universe.markets.length), { timeout: 20_000, interval: 100 });
      await synced();
      for (let i = 1; i <= 2; i++) {
        venue.dropAllConnections();
        await vi.waitFor(() => expect(daemon.summary().reconnects).toBeGreaterThanOrEqual(i), { timeout: 20_000, interval: 100 });
        await synced();
      }
      const value = await vi.waitFor(async () => {
        const m = parseMetrics(await daemon.metrics.registry.metrics());
        expect(m.get('ws_reconnects_total')).toBe(daemon.summary().reconnects);
        return m.get('ws_reconnects_total')!;
      }, { timeout: 10_000, interval: 100 });
      expect(value).toBeGreaterThanOrEqual(2);
    } finally {
      await daemon.stop();
      await venue.stop();
    }
  });
});
