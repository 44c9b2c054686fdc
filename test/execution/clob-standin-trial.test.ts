import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { processScope } from '../daemon/support/helios-process.ts';
import { runCli } from '../support/cli.ts';
import { TEST_ADDRESS, TEST_KEY } from './support.ts';

/**
 * The trial the README's "Real orders" section walks an operator through, as two real processes:
 * `helios clob-standin` (the venue simulator with the daemon's sim universe and the stand-in CLOB
 * matching against it), then `helios run` exactly as it printed (its overlay, its environment), on
 * loopback. The stand-in verifies every order's signature and HMAC headers before accepting it.
 */

const { start, tempDir } = processScope('helios-clob-standin-');

interface Announcement {
  kind: 'clob_standin';
  address: string;
  clob: { http: string; user_ws: string };
  venue: { ws_url: string; rest_url: string };
  run: { argv: string[]; env: Record<string, string>; unset: string[] };
  key: string;
}

describe('helios clob-standin: a real-execution trial from the printed command', () => {
  it('a daemon started as printed places real orders the stand-in accepts; SIGTERM stops both cleanly with nothing resting', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const overlayFile = path.join(dir, 'trial.yaml');
    const standIn = start(['clob-standin', '--overlay', overlayFile]);
    const line = (await standIn.waitForLine(/^\{"kind":"clob_standin".*\}$/, 30_000))[0];
    const a = JSON.parse(line) as Announcement;
    // The printed overlay: market data from the stand-in's venue simulator, orders to its CLOB.
    const overlay = parseYaml(readFileSync(overlayFile, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(overlay).toMatchObject({
      daemon: { sim: { venue: 'external' } },
      market_tape: { ws_url: a.venue.ws_url, rest_url: a.venue.rest_url },
      execution: { adapter: 'real', real: { clob_url: a.clob.http, user_ws_url: a.clob.user_ws, data_api_url: a.clob.http } },
    });
    expect(a.run.argv).toEqual(['run', '--execution', 'real', '--config', overlayFile]);
    expect(a.run.env).toEqual({ HELIOS_CONFIRM_REAL_ORDERS: 'yes', HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    expect(a.address).toBe(TEST_ADDRESS);
    expect(a.key).toMatch(/well-known public development key/);
    // The human-readable lines say the same command (the child env drops every other HELIOS_* variable, as `unset` asks).
    expect(standIn.lines.join('\n')).toContain(`HELIOS_CONFIRM_REAL_ORDERS=yes HELIOS_POLY_PRIVATE_KEY=${TEST_KEY} helios ${a.run.argv.join(' ')}`);

    // The operator's next command, as printed; only a free API port and a data directory of the test's own are added.
    const daemon = start([...a.run.argv, '--port', '0', '--data-dir', path.join(dir, 'data')], a.run.env);
    const url = await daemon.apiUrl(60_000);
    // The adapter counts an order placed only when the venue accepted it (a refusal is counted apart).
    await vi.waitFor(
      async () => {
        const metrics = await (await fetch(`${url}/metrics`)).text();
        expect(Number(/^execution_orders_placed_total (\d+)$/m.exec(metrics)?.[1] ?? 0), `daemon stderr: ${daemon.stderr.slice(-800)}`).toBeGreaterThanOrEqual(1);
      },
      { timeout: 120_000, interval: 500 },
    );

    daemon.kill('SIGTERM');
    const d = await daemon.exited;
    expect(d.code, daemon.stderr.slice(-1500)).toBe(0);
    expect(daemon.jsonOfKind('run_summary')[0]).toMatchObject({ errors: 0 });
    standIn.kill('SIGTERM');
    const s = await standIn.exited;
    expect(s.code, standIn.stderr.slice(-1500)).toBe(0);
    // The stand-in's own count: it accepted the daemon's orders, and the daemon's SIGTERM left none resting.
    const summary = standIn.jsonOfKind('clob_standin_summary')[0]!;
    expect(summary.orders as number).toBeGreaterThanOrEqual(1);
    expect(summary.orders_live).toBe(0);
  });

  it('funds an address given instead of the development key and never prints a key for it', async () => {
    const address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    const r = await runCli(['clob-standin', '--address', address, '--usdc', '250', '--duration', '0.2'], { HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    expect(r.code, r.err).toBe(0);
    const a = JSON.parse(r.out.split('\n')[0]!) as Announcement & { usdc: number };
    expect(a).toMatchObject({ address, usdc: 250, run: { env: { HELIOS_POLY_PRIVATE_KEY: `<the private key of ${address}>` } } });
    expect(r.out).not.toContain(TEST_KEY.slice(2));
    expect(r.out).toContain('--config FILE');
    expect(JSON.parse(r.out.trim().split('\n').pop()!)).toMatchObject({ kind: 'clob_standin_summary', orders: 0, collateral: 250 });
  });

  it.each([
    [['--port', '70000'], /--port expects a whole number 0–65535/],
    [['--clob-port', 'x'], /--clob-port expects a whole number 0–65535/],
    [['--usdc', '0'], /--usdc expects a positive number/],
    [['--usdc', ''], /--usdc expects a positive number/],
    [['--address', TEST_KEY], /--address expects a 0x-prefixed 20-byte hex address \(the address of your key, never the key\)/],
    [['--duration', '-1'], /--duration expects a number of seconds/],
    [['--port', '8919', '--clob-port', '8919'], /--port and --clob-port must differ/],
    [['--config', '/nonexistent/helios.yaml'], /nonexistent/],
  ])('bad usage %j exits 2 naming the problem', async (args, message) => {
    const r = await runCli(['clob-standin', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});
