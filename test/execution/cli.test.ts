import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { deriveCreds } from '../../src/sim/clob/clob-auth.ts';
import { TEST_ADDRESS, TEST_KEY, YES, startStandIn, type StandInRig } from './support.ts';

let rig: StandInRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

const ENV = { HELIOS_POLY_PRIVATE_KEY: TEST_KEY, HELIOS_CONFIRM_REAL_ORDERS: 'yes' };
const place = (url: string, extra: string[] = []) => ['orders', 'place', '--token-id', YES, '--side', 'BUY', '--price', '0.356', '--size', '10', '--execution', 'real', '--clob-url', url, '--json', ...extra];

function noSecrets(r: { out: string; err: string }): void {
  const text = r.out + r.err;
  expect(text).not.toContain(TEST_KEY.slice(2));
  const creds = deriveCreds(TEST_ADDRESS, 0n);
  expect(text).not.toContain(creds.secret);
  expect(text).not.toContain(creds.passphrase);
}

describe('helios orders / account against the stand-in CLOB', () => {
  it('the safety gate: each missing piece refuses with exit 4 and is named', async () => {
    rig = await startStandIn();
    const paper = await runCli(place(rig.url).filter((a) => a !== '--execution' && a !== 'real'), ENV);
    expect(paper.code).toBe(4);
    expect(paper.err).toMatch(/--execution real/);
    const unconfirmed = await runCli(place(rig.url), { HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    expect(unconfirmed.code).toBe(4);
    expect(unconfirmed.err).toMatch(/HELIOS_CONFIRM_REAL_ORDERS=yes/);
    expect(unconfirmed.err).not.toMatch(/PRIVATE_KEY/);
    const shouted = await runCli(place(rig.url), { HELIOS_POLY_PRIVATE_KEY: TEST_KEY, HELIOS_CONFIRM_REAL_ORDERS: 'YES' });
    expect(shouted.code).toBe(4);
    expect(shouted.err).toContain('HELIOS_CONFIRM_REAL_ORDERS=yes in the environment (it is "YES": only the exact word yes confirms)');
    const noKey = await runCli(place(rig.url), { HELIOS_CONFIRM_REAL_ORDERS: 'yes' });
    expect(noKey.code).toBe(4);
    expect(noKey.err).toMatch(/HELIOS_POLY_PRIVATE_KEY/);
    rig.standIn.venue.fund(TEST_ADDRESS, 0);
    const broke = await runCli(place(rig.url), ENV);
    expect(broke.code).toBe(4);
    expect(broke.err).toMatch(/live healthcheck failed: collateral 0 USDC below 1/);
    expect(rig.standIn.count('POST /order')).toBe(0);
    for (const r of [paper, unconfirmed, shouted, noKey, broke]) noSecrets(r);
  });

  it('places (rounded to the tick the venue reports), lists, cancels one and all; account shows balance and positions', async () => {
    rig = await startStandIn();
    const placed = await runCli(place(rig.url), ENV);
    expect(placed.err).toBe('');
    expect(placed.code).toBe(0);
    const line = JSON.parse(placed.out) as { accepted: boolean; status: string; price: number; venue_order_id: string };
    expect(line).toMatchObject({ accepted: true, status: 'open', price: 0.35 });
    const second = await runCli(place(rig.url, ['--tick-size', '0.01', '--neg-risk']), ENV);
    expect(second.code).toBe(1);
    expect(second.out).toMatch(/signed for the neg-risk exchange|invalid signature/);
    await runCli(place(rig.url, ['--price', '0.3']), ENV);
    const listed = await runCli(['orders', 'list', '--execution', 'real', '--clob-url', rig.url, '--json'], { HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    expect(listed.code).toBe(0);
    expect(listed.out.trim().split('\n').map((l) => (JSON.parse(l) as { price: number }).price)).toEqual([0.35, 0.3]);
    const one = await runCli(['orders', 'cancel', '--order-id', line.venue_order_id, '--execution', 'real', '--clob-url', rig.url, '--json'], { HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    expect(JSON.parse(one.out)).toMatchObject({ canceled: [line.venue_order_id] });
    const again = await runCli(['orders', 'cancel', '--order-id', line.venue_order_id, '--execution', 'real', '--clob-url', rig.url], { HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/already canceled or matched/);
    const all = await runCli(['orders', 'cancel-all', '--execution', 'real', '--clob-url', rig.url, '--json'], { HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    expect((JSON.parse(all.out) as { canceled: string[] }).canceled).toHaveLength(1);
    await runCli(place(rig.url, ['--type', 'FOK', '--price', '0.42']), ENV);
    const acct = await runCli(['account', '--execution', 'real', '--clob-url', rig.url, '--json'], { HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    expect(acct.code).toBe(0);
    const a = JSON.parse(acct.out) as { collateral_usdc: number; positions: Array<{ token_id: string; shares: number }>; healthcheck: { ok: boolean } };
    expect(a.collateral_usdc).toBeCloseTo(1000 - 10 * 0.42, 6);
    expect(a.positions).toEqual([{ token_id: YES, shares: 10, avg_price: 0.42 }]);
    expect(a.healthcheck.ok).toBe(true);
    for (const r of [placed, second, listed, one, again, all, acct]) noSecrets(r);
  });

  it('bad usage exits 2 and a venue that is down exits 3, neither printing a secret', async () => {
    const bad = await runCli(['orders', 'place', '--token-id', YES, '--side', 'HOLD', '--price', '0.4', '--size', '10', '--execution', 'real'], ENV);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--side expects BUY or SELL/);
    const badKey = await runCli(['account', '--execution', 'real', '--clob-url', 'http://127.0.0.1:1'], { HELIOS_POLY_PRIVATE_KEY: 'not-a-key-0123' });
    expect(badKey.code).toBe(2);
    expect(badKey.err).not.toContain('not-a-key-0123');
    const down = await runCli(['account', '--execution', 'real', '--clob-url', 'http://127.0.0.1:1'], { HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    expect(down.code).toBe(3);
    noSecrets(down);
  });
});
