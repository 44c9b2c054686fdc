import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import type { DaemonContext } from '../../src/apps/daemon/context.ts';
import { haltFor } from '../../src/apps/daemon/real-execution.ts';
import { loadConfig } from '../../src/config/load.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { runCli } from '../support/cli.ts';
import { realDaemonOverrides, startedDaemon, venueHarness, type Closer } from './daemon-support.ts';
import { startStandIn, TEST_ADDRESS, TEST_KEY } from './support.ts';

/**
 * The daemon's real-execution safety wiring, in-process against the stand-in: failing closed on
 * heartbeat misses publishes a global HALT the runtime applies, the kill switch cancels every
 * resting order of the key at the venue (one the runtime never placed included), the adapter's
 * counters are Prometheus series.
 */

const TOKEN = 'test-token-0123456789';
const closers: Closer[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`no series ${name}`);
  return Number(m[1]);
}

describe('real execution in the daemon: failing closed, the kill switch, metrics', () => {
  it('heartbeat misses halt everything over the bus; a global halt cancels every resting order at the venue', { timeout: 90_000 }, async () => {
    const h = await venueHarness(closers);
    const config = loadConfig({
      env: {},
      overrides: {
        ...realDaemonOverrides(h),
        'execution.real.heartbeat.interval_ms': 50,
        'execution.real.heartbeat.max_misses': 2,
      },
    }).config;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-real-safety-'));
    closers.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const daemon = await startedDaemon(closers, config, dataDir, { HELIOS_POLY_PRIVATE_KEY: TEST_KEY, HELIOS_API_TOKEN: TOKEN }, createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' }));
    const ctx = (daemon as unknown as { ctx: DaemonContext }).ctx;
    const adapter = ctx.execution!;
    expect(adapter).not.toBeNull();
    expect(await metric(daemon.url, 'execution_fail_closed_total')).toBe(0);
    expect(await metric(daemon.url, 'execution_orders_in_flight')).toBe(0);

    // Heartbeats that the venue refuses: after max_misses the adapter fails closed.
    const published = new CollectingSink();
    ctx.sink.add(published);
    h.standIn.inject('POST /v1/heartbeats', ...Array.from({ length: 10 }, () => ({ kind: 'status' as const, status: 500, error: 'heartbeat store down' })));
    adapter.heartbeats.ensure(true);
    await vi.waitFor(() => expect(published.events.filter((e) => e.type === 'HALT' && e.payload.scope === 'global').length).toBe(1), 10_000);
    expect(adapter.failedClosed).toMatch(/heartbeat/);
    // The runtime applied it from the bus (the kill switch's trip counts), and the counters show it.
    await vi.waitFor(async () => expect(await metric(daemon.url, 'kill_switch_triggers_total{reason="manual"}')).toBeGreaterThanOrEqual(1), 10_000);
    expect(await metric(daemon.url, 'execution_fail_closed_total')).toBe(1);
    expect(await metric(daemon.url, 'execution_heartbeat_misses_total')).toBeGreaterThanOrEqual(2);

    // An order of the same key that the runtime never placed rests at the venue...
    const placed = await runCli(['orders', 'place', '--token-id', h.tokens[0]!, '--side', 'BUY', '--price', '0.02', '--size', '10', '--execution', 'real', '--clob-url', h.clob.http, '--json'], {
      HELIOS_CONFIRM_REAL_ORDERS: 'yes',
      HELIOS_POLY_PRIVATE_KEY: TEST_KEY,
    });
    expect(placed.code, placed.err).toBe(0);
    const manual = [...h.standIn.venue.orders.values()].find((o) => o.status === 'LIVE')!;
    expect(manual).toBeDefined();
    // ...and the kill switch pulls it.
    const halt = await fetch(`${daemon.url}/halt`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ scope: 'global', reason: 'operator' }) });
    expect(halt.status).toBe(200);
    // Within a moment: not the runtime's next reconciliation (execution.reconcile.interval_ms) that would find it too.
    await vi.waitFor(() => expect(h.standIn.venue.orders.get(manual.id)!.status).toBe('CANCELED'), 2_000);
    expect(await daemon.stop()).toBe(0);
  });

  it('a restart holding a position: the reconciliation break and the rebuild from the venue are in the log at their severity', { timeout: 90_000 }, async () => {
    const h = await venueHarness(closers);
    // What a previous session left: shares of one token, bought with the same key.
    const token = h.tokens[0]!;
    const bought = await runCli(['orders', 'place', '--token-id', token, '--side', 'BUY', '--price', '0.99', '--size', '10', '--type', 'FAK', '--execution', 'real', '--clob-url', h.clob.http, '--json'], {
      HELIOS_CONFIRM_REAL_ORDERS: 'yes',
      HELIOS_POLY_PRIVATE_KEY: TEST_KEY,
    });
    expect(bought.code, bought.err).toBe(0);
    await vi.waitFor(() => expect(h.standIn.venue.position(TEST_ADDRESS, token)).toBeGreaterThan(0), 5_000);
    // Settled before the daemon starts: a trade still MATCHED or MINED would be carried as this
    // key's unsettled fill (its shares known here, pending), and there would be no break to log.
    // The FAK's $9.90 walks the asks up to 0.99, so it may be several trades.
    await vi.waitFor(() => {
      const statuses = [...h.standIn.venue.trades.values()].filter((t) => t.asset_id === token).map((t) => t.status);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 'CONFIRMED')).toEqual([]);
    }, 5_000);
    const held = h.standIn.venue.position(TEST_ADDRESS, token);
    const config = loadConfig({
      env: {},
      overrides: {
        ...realDaemonOverrides(h),
      },
    }).config;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-real-restart-'));
    closers.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString()));
    const lines = () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: string; code?: string; msg: string; market_id?: string });
    const daemon = await startedDaemon(closers, config, dataDir, { HELIOS_POLY_PRIVATE_KEY: TEST_KEY }, createLogger({ destination: out, format: 'json', level: 'info' }));
    // The ledger starts empty, the venue holds the shares: the market halts and is rebuilt from the venue.
    const brk = await vi.waitFor(() => {
      const l = lines().find((x) => x.code === 'RECONCILE_BREAK');
      expect(l, 'the reconciliation break in the log').toBeDefined();
      return l!;
    }, 10_000);
    expect(brk).toMatchObject({ level: 'error', market_id: expect.any(String) });
    expect(brk.msg).toContain(`token ${token}: 0 shares here, ${held} at the venue`);
    expect(lines().find((x) => x.code === 'MARKET_REBUILT')).toMatchObject({ level: 'warn', market_id: brk.market_id });
    expect(await daemon.stop()).toBe(0);
  });

  it('failing closed is a global HALT, a balance the venue keeps refusing or a trade it cannot find a market HALT, other alerts none', () => {
    const factory = new EventFactory(new VirtualClock(0), ulidGenerator(seededRng(1)));
    const global = haltFor({ severity: 'critical', code: 'EXECUTION_FAIL_CLOSED', message: 'execution failed closed: 2 heartbeats missed' }, factory);
    expect(global).toMatchObject({ type: 'HALT', payload: { scope: 'global', reason: 'execution failed closed: 2 heartbeats missed' } });
    expect(global!.market_id).toBeUndefined();
    const market = haltFor({ severity: 'critical', code: 'MARKET_HALTED_BALANCE', message: 'm1: not enough balance', market_id: 'm1' }, factory);
    expect(market).toMatchObject({ type: 'HALT', market_id: 'm1', payload: { scope: 'market', reason: 'm1: not enough balance' } });
    const missing = haltFor({ severity: 'critical', code: 'TRADE_NOT_FOUND', message: 'm1: trade(s) t9 named by an open order were not found', market_id: 'm1' }, factory);
    expect(missing).toMatchObject({ type: 'HALT', market_id: 'm1', payload: { scope: 'market' } });
    // Named by a recorded fill only: no market to halt.
    expect(haltFor({ severity: 'critical', code: 'TRADE_NOT_FOUND', message: 'trade(s) t9 named by a recorded fill were not found' }, factory)).toBeNull();
    expect(haltFor({ severity: 'warning', code: 'HEARTBEAT_MISSED', message: 'one miss' }, factory)).toBeNull();
  });

  it('does not trade when start-up reconciliation fails (exit 3)', { timeout: 60_000 }, async () => {
    const rig = await startStandIn();
    closers.push(() => rig.close());
    const dir = mkdtempSync(path.join(tmpdir(), 'helios-real-reconcile-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const overlay = path.join(dir, 'real.yaml');
    // The venue answers REST, but its user channel (the order stream trading needs) is not there.
    writeFileSync(overlay, ['execution:', '  adapter: real', '  real:', `    clob_url: ${rig.url}`, `    data_api_url: ${rig.url}`, '    user_ws_url: ws://127.0.0.1:9/ws/user', '    request_timeout_ms: 500', ''].join('\n'));
    const r = await runCli(['run', '--config', overlay, '--port', '0', '--data-dir', path.join(dir, 'data')], {
      HELIOS_CONFIRM_REAL_ORDERS: 'yes',
      HELIOS_POLY_PRIVATE_KEY: TEST_KEY,
      HELIOS_LOG__LEVEL: 'silent',
    });
    expect(r.code).toBe(3);
    expect(rig.standIn.venue.orders.size).toBe(0);
  });
});
