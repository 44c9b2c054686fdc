import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { processScope } from '../daemon/support/helios-process.ts';
import { runCli } from '../support/cli.ts';
import { TEST_ADDRESS, TEST_KEY, TEST_WALLETS } from './support.ts';

/**
 * The trial the README's "Real orders" section walks an operator through, as two real processes:
 * `helios clob-standin` (the venue simulator with the daemon's sim universe and the stand-in CLOB
 * matching against it), then `helios run` exactly as it printed (its overlay, its environment), on
 * loopback. The stand-in verifies every order's signature and HMAC headers before accepting it.
 */

const { start, tempDir } = processScope('helios-clob-standin-');
/** A POLY_1271 deposit wallet for the test key (hardhat account 3's address: not derived from the key, as at Polymarket). */
const DEPOSIT_WALLET = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';

interface Announcement {
  kind: 'clob_standin';
  address: string;
  signature_type: number;
  funder: string | null;
  clob: { http: string; user_ws: string };
  venue: { ws_url: string; rest_url: string };
  run: { argv: string[]; env: Record<string, string>; unset: string[] };
  key: string;
}

/** Metric `name` of the daemon at `url` (0 while the series is absent). */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}

/** `helios clob-standin ARGS --overlay FILE` started, its announcement read, the overlay it wrote parsed. */
async function standInTrial(args: string[]) {
  const dir = tempDir();
  const overlayFile = path.join(dir, 'trial.yaml');
  const standIn = start(['clob-standin', ...args, '--overlay', overlayFile]);
  const line = (await standIn.waitForLine(/^\{"kind":"clob_standin".*\}$/, 30_000))[0];
  const a = JSON.parse(line) as Announcement;
  // The command line is printed last, maybe in a later chunk than the announcement.
  await standIn.waitForLine(/^#\s+env .* helios run /, 30_000);
  const overlay = parseYaml(readFileSync(overlayFile, 'utf8')) as Record<string, Record<string, Record<string, unknown>>>;
  return { dir, overlayFile, standIn, a, overlay };
}

describe('helios clob-standin: a real-execution trial from the printed command', () => {
  it.each([
    ['an EOA (the key holds the funds)', [], 0, ''],
    ['a proxy wallet (signature_type 1, POLY_PROXY)', ['--signature-type', '1'], 1, TEST_WALLETS[1]],
    ['a Gnosis Safe (signature_type 2, POLY_GNOSIS_SAFE)', ['--signature-type', '2'], 2, TEST_WALLETS[2]],
    ['a deposit wallet (signature_type 3, POLY_1271)', ['--signature-type', '3', '--deposit-wallet', DEPOSIT_WALLET], 3, DEPOSIT_WALLET],
  ] as const)('%s: a daemon started as printed places real orders the stand-in accepts; SIGTERM stops both cleanly with nothing resting', { timeout: 180_000 }, async (_what, args, signatureType, funder) => {
    const { dir, overlayFile, standIn, a, overlay } = await standInTrial([...args]);
    // The printed overlay: market data from the stand-in's venue simulator, orders to its CLOB, signed for the wallet it funded.
    expect(overlay).toMatchObject({
      daemon: { sim: { venue: 'external' } },
      market_tape: { ws_url: a.venue.ws_url, rest_url: a.venue.rest_url },
      execution: { adapter: 'real', real: { clob_url: a.clob.http, user_ws_url: a.clob.user_ws, data_api_url: a.clob.http, signature_type: signatureType, funder_address: funder } },
    });
    expect(a).toMatchObject({ signature_type: signatureType, funder: funder || null });
    expect(a.run.argv).toEqual(['run', '--execution', 'real', '--config', overlayFile]);
    expect(a.run.env).toEqual({ HELIOS_CONFIRM_REAL_ORDERS: 'yes', HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    expect(a.address).toBe(TEST_ADDRESS);
    expect(a.key).toMatch(/well-known public development key/);
    // The human-readable lines say the same command (the child env drops every other HELIOS_* variable, as `unset` asks).
    expect(standIn.lines.join('\n')).toContain(`HELIOS_CONFIRM_REAL_ORDERS=yes HELIOS_POLY_PRIVATE_KEY=${TEST_KEY} helios ${a.run.argv.join(' ')}`);

    // The operator's next command, as printed; only a free API port, a data directory of the test's
    // own and a simulated match that starts at once with short maps are added: a trade then comes
    // within seconds at any hour (the weather buckets' edges depend on the time of day: in the local
    // day's first hours, before its observations, the nowcast sees none and nothing trades for hours).
    const quickMatch = { HELIOS_TRUTH_ENGINE__SIMULATOR__FIRST_START_AFTER_MS: '0', HELIOS_TRUTH_ENGINE__SIMULATOR__MAP_MS: '15000' };
    const daemon = start([...a.run.argv, '--port', '0', '--data-dir', path.join(dir, 'data')], { ...a.run.env, ...quickMatch });
    const url = await daemon.apiUrl(60_000);
    // An order the venue took and holds (resting or filled): the operator log says so. (The placed
    // counter alone also counts a FOK the venue killed, which leaves nothing at the stand-in.) Only
    // the funded wallet holds collateral, so a held order was made by it and signed for its type.
    const held = /^order \S+ (open|partially_filled|filled): /;
    await vi.waitFor(() => expect(daemon.lines.some((l) => l.startsWith('{"level"') && held.test((JSON.parse(l) as { msg: string }).msg)), `daemon stderr: ${daemon.stderr.slice(-800)}`).toBe(true), { timeout: 120_000, interval: 500 });
    // The adapter counts an order placed only when the venue accepted it (a refusal is counted apart):
    // at the REST answer, which a loaded machine may deliver after the user channel told of the order.
    await vi.waitFor(async () => expect(await metric(url, 'execution_orders_placed_total')).toBeGreaterThanOrEqual(1), { timeout: 15_000, interval: 250 });

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

  it('a daemon naming a proxy wallet its key does not own refuses to start, naming both addresses, before any request to the venue', { timeout: 180_000 }, async () => {
    const { dir, overlayFile, standIn, a, overlay } = await standInTrial(['--signature-type', '1']);
    // The operator's config names another wallet (hardhat account 2's address) than the one the key owns.
    const stranger = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
    overlay.execution!.real!.funder_address = stranger;
    writeFileSync(overlayFile, JSON.stringify(overlay));
    const daemon = start([...a.run.argv, '--port', '0', '--data-dir', path.join(dir, 'data')], a.run.env);
    // A configuration error: exit 2, and the message says which wallet the key owns.
    expect((await daemon.exited).code, daemon.stderr.slice(-1500)).toBe(2);
    expect(daemon.stderr).toContain(`helios run: refused: execution.real.funder_address ${stranger} is not the proxy wallet of the signing key ${TEST_ADDRESS}: `);
    expect(daemon.stderr).toContain(`Polymarket derives that wallet from the key as ${TEST_WALLETS[1]}`);

    standIn.kill('SIGTERM');
    expect((await standIn.exited).code, standIn.stderr.slice(-1500)).toBe(0);
    // The venue never heard from the daemon: no key derived, no order.
    expect(standIn.jsonOfKind('clob_standin_summary')[0]).toMatchObject({ orders: 0, requests: 0 });
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

  it('--seconds-delay gives the esports markets a matching delay and says so (0, none, without it)', async () => {
    const delayed = await runCli(['clob-standin', '--seconds-delay', '2.5', '--duration', '0.2']);
    expect(delayed.code, delayed.err).toBe(0);
    expect(JSON.parse(delayed.out.split('\n')[0]!)).toMatchObject({ kind: 'clob_standin', seconds_delay: 2.5 });
    const plain = await runCli(['clob-standin', '--duration', '0.2']);
    expect(JSON.parse(plain.out.split('\n')[0]!)).toMatchObject({ kind: 'clob_standin', seconds_delay: 0 });
  });

  it('derives the key\'s proxy or safe as Polymarket does, funds it instead of the key, and reports its collateral', async () => {
    const r = await runCli(['clob-standin', '--signature-type', '2', '--usdc', '250', '--duration', '0.2']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out.split('\n')[0]!)).toMatchObject({ address: TEST_ADDRESS, signature_type: 2, funder: TEST_WALLETS[2], usdc: 250 });
    expect(r.out).toContain(`# the key ${TEST_ADDRESS} signs as POLY_GNOSIS_SAFE (signature_type 2) for ${TEST_WALLETS[2]}, its Gnosis Safe as Polymarket derives it from the key, which holds the 250 USDC`);
    expect(r.out).toContain('#     signature_type: 2');
    expect(JSON.parse(r.out.trim().split('\n').pop()!)).toMatchObject({ kind: 'clob_standin_summary', orders: 0, collateral: 250 });
  });

  it('registers and funds a deposit wallet given for signature_type 3 and says it is not derived from the key', async () => {
    const r = await runCli(['clob-standin', '--signature-type', '3', '--deposit-wallet', DEPOSIT_WALLET, '--usdc', '250', '--duration', '0.2']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out.split('\n')[0]!)).toMatchObject({ address: TEST_ADDRESS, signature_type: 3, funder: DEPOSIT_WALLET, usdc: 250 });
    expect(r.out).toContain(`# the key ${TEST_ADDRESS} signs as POLY_1271 (signature_type 3) for ${DEPOSIT_WALLET}, the deposit wallet registered to it here (given, not derived from the key), which holds the 250 USDC`);
    expect(r.out).toContain('#     signature_type: 3');
    expect(r.out).toContain(`#     funder_address: "${DEPOSIT_WALLET}"`);
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
    [['--signature-type', '4'], /--signature-type expects 1 \(POLY_PROXY: email\/Magic accounts\), 2 \(POLY_GNOSIS_SAFE: browser-wallet accounts\) or 3 \(POLY_1271: deposit-wallet accounts, with --deposit-wallet\).*; got "4"/],
    [['--signature-type', '3'], /--signature-type 3 \(POLY_1271\) needs --deposit-wallet ADDRESS: the deposit wallet Polymarket deployed for the account/],
    [['--deposit-wallet', DEPOSIT_WALLET], /--deposit-wallet is only for --signature-type 3 \(POLY_1271\); got no --signature-type/],
    [['--signature-type', '1', '--deposit-wallet', DEPOSIT_WALLET], /--deposit-wallet is only for --signature-type 3 \(POLY_1271\); got --signature-type 1/],
    [['--signature-type', '3', '--deposit-wallet', '0x90F79bf6'], /--deposit-wallet expects a 0x-prefixed 20-byte hex address \(the deposit wallet's, never a key\); got "0x90F79bf6"/],
    [['--signature-type', '3', '--deposit-wallet', TEST_ADDRESS], /--deposit-wallet .* is the key's own address: a deposit wallet is a contract deployed for the key/],
    [['--config', '/nonexistent/helios.yaml'], /nonexistent/],
    [['--seconds-delay', '61'], /--seconds-delay expects a number of seconds from 0 to 60; got "61"/],
    [['--seconds-delay', '-1'], /--seconds-delay expects a number of seconds from 0 to 60; got "-1"/],
    [['--seconds-delay', ''], /--seconds-delay expects a number of seconds from 0 to 60; got ""/],
  ])('bad usage %j exits 2 naming the problem', async (args, message) => {
    const r = await runCli(['clob-standin', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});
