import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { venueHarness, type Closer } from './daemon-support.ts';
import { runCli } from '../support/cli.ts';
import { processScope } from '../daemon/support/helios-process.ts';
import { TEST_ADDRESS, TEST_KEY } from './support.ts';

/**
 * `helios run` trading through the real adapter: a child daemon in sim mode whose market data come
 * from a venue simulator outside it (daemon.sim.venue external), whose orders go to the stand-in
 * CLOB on loopback, and the stand-in matches them against that simulator's books. Every order the
 * stand-in took was signed by the configured key (it verifies each signature and HMAC header).
 */

const { start, tempDir } = processScope('helios-daemon-real-');
const closers: Closer[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

describe('helios run with real execution against the stand-in CLOB', () => {
  it('trades signed orders, its ledger equals the venue positions, and SIGTERM leaves nothing resting', { timeout: 120_000 }, async () => {
    const h = await venueHarness(closers);
    const dir = tempDir();
    const overlay = path.join(dir, 'real.yaml');
    writeFileSync(
      overlay,
      [
        'daemon:',
        '  sim:',
        '    venue: external',
        'market_tape:',
        `  ws_url: ${h.endpoints.wsUrl}`,
        `  rest_url: ${h.endpoints.restUrl}`,
        'execution:',
        '  adapter: real',
        '  real:',
        `    clob_url: ${h.clob.http}`,
        `    user_ws_url: ${h.clob.ws}`,
        `    data_api_url: ${h.clob.http}`,
        '',
      ].join('\n'),
    );
    const decisions = path.join(dir, 'decisions.ndjson');
    const daemon = start(['run', '--config', overlay, '--port', '0', '--data-dir', path.join(dir, 'data'), '--speed', '20', '--decisions-out', decisions], {
      HELIOS_CONFIRM_REAL_ORDERS: 'yes',
      HELIOS_POLY_PRIVATE_KEY: TEST_KEY,
    });
    const url = await daemon.apiUrl(30_000);
    const venue = h.standIn.venue;
    // Orders reach the stand-in (which took only correctly signed ones) and some of them trade.
    await vi.waitFor(
      () => {
        const trades = [...venue.trades.values()].filter((t) => t.status === 'CONFIRMED');
        expect(trades.length, `confirmed trades at the stand-in; daemon stderr: ${daemon.stderr.slice(-500)}`).toBeGreaterThan(0);
      },
      { timeout: 60_000, interval: 250 },
    );
    const orders = [...venue.orders.values()];
    const known = new Set(venue.orders.keys());
    expect(orders.length).toBeGreaterThan(0);
    expect(new Set(orders.map((o) => o.address.toLowerCase()))).toEqual(new Set([TEST_ADDRESS.toLowerCase()]));
    // The adapter's counters are Prometheus series: the venue accepted what the daemon sent.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(Number(/^execution_orders_placed_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^execution_fail_closed_total 0$/m);
    // Let the last matches settle at the venue before the end.
    await vi.waitFor(() => expect([...venue.trades.values()].filter((t) => t.status !== 'CONFIRMED' && t.status !== 'FAILED')).toEqual([]), { timeout: 10_000 });

    // An order resting at the venue that the runtime did not place (an operator's, same key): SIGTERM's cancel-all pulls it too.
    const manual = await runCli(['orders', 'place', '--token-id', h.tokens[0]!, '--side', 'BUY', '--price', '0.02', '--size', '10', '--execution', 'real', '--clob-url', h.clob.http, '--json'], {
      HELIOS_CONFIRM_REAL_ORDERS: 'yes',
      HELIOS_POLY_PRIVATE_KEY: TEST_KEY,
    });
    expect(manual.code, manual.err).toBe(0);
    // The operator's order is at the venue beside every earlier one (the daemon keeps trading
    // meanwhile and may have added its own: counting all of them raced with it).
    expect([...known].filter((id) => !venue.orders.has(id))).toEqual([]);
    const added = [...venue.orders.entries()].filter(([id]) => !known.has(id)).map(([, o]) => o);
    expect(added.filter((o) => o.price === 0.02 && o.original_size === 10)).toHaveLength(1);
    const resting = [...venue.orders.values()].filter((o) => o.status === 'LIVE');
    expect(resting.length).toBeGreaterThan(0);
    daemon.kill('SIGTERM');
    const exit = await daemon.exited;
    expect(exit.code, daemon.stderr.slice(-1000)).toBe(0);
    // Nothing rests at the venue after SIGTERM.
    expect([...venue.orders.values()].filter((o) => o.status === 'LIVE')).toEqual([]);

    // The ledger (the last POSITION per token the daemon decided) equals the venue's positions.
    const ledger = new Map<string, number>();
    for (const line of readFileSync(decisions, 'utf8').split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line) as { type: string; token_id?: string; payload: { shares?: number } };
      if (e.type === 'POSITION' && e.token_id) ledger.set(e.token_id, e.payload.shares ?? 0);
    }
    const held = h.tokens.filter((t) => Math.abs(venue.position(TEST_ADDRESS, t)) > 1e-9);
    expect(held.length).toBeGreaterThan(0);
    for (const t of h.tokens) expect(ledger.get(t) ?? 0, t).toBeCloseTo(venue.position(TEST_ADDRESS, t), 6);
  });

  it('refuses to start without HELIOS_CONFIRM_REAL_ORDERS=yes and says what is missing (exit 4)', async () => {
    const dir = tempDir();
    const r = await runCli(['run', '--execution', 'real', '--clob-url', 'http://127.0.0.1:9', '--port', '0', '--data-dir', dir], { HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/HELIOS_CONFIRM_REAL_ORDERS=yes/);
    expect(r.err).not.toContain(TEST_KEY.slice(2));
  });
});
