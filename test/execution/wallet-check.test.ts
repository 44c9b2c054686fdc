import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { walletCheck, WALLET_CHECK } from '../../src/apps/daemon/real-execution.ts';
import { loadConfig } from '../../src/config/load.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { startStandIn, TEST_ADDRESS, TEST_KEY, TEST_WALLETS, type StandInRig } from './support.ts';

let rig: StandInRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

function configFor(url: string, wallet: Record<string, unknown> = {}) {
  return loadConfig({ env: {}, overrides: { 'execution.adapter': 'real', 'execution.real.clob_url': url, 'execution.real.user_ws_url': '', 'execution.real.data_api_url': '', ...wallet } }).config;
}

describe('healthcheck --live: the wallet item of real execution', () => {
  it('passes with collateral and an allowance, and says how much', async () => {
    rig = await startStandIn({ usdc: 250 });
    const r = await walletCheck({ config: configFor(rig.url), secrets: loadSecrets({ HELIOS_POLY_PRIVATE_KEY: TEST_KEY }), env: {}, clock: new SystemClock() });
    expect(r).toEqual({ name: WALLET_CHECK, status: 'pass', detail: expect.stringMatching(/^250 USDC collateral/) });
  });

  it('fails on an empty wallet, and without a key names what is missing', async () => {
    rig = await startStandIn({ usdc: 0 });
    const empty = await walletCheck({ config: configFor(rig.url), secrets: loadSecrets({ HELIOS_POLY_PRIVATE_KEY: TEST_KEY }), env: {}, clock: new SystemClock() });
    expect(empty.status).toBe('fail');
    expect(empty.detail).toMatch(/collateral 0 USDC below 1/);
    const keyless = await walletCheck({ config: configFor(rig.url), secrets: {}, env: {}, clock: new SystemClock() });
    expect(keyless).toMatchObject({ status: 'fail', detail: expect.stringMatching(/HELIOS_POLY_PRIVATE_KEY/) });
  });

  it('fails when funder_address is not the key\'s proxy, naming the wallet the key owns; passes with it', async () => {
    rig = await startStandIn({ signatureType: 1, usdc: 250 });
    const secrets = loadSecrets({ HELIOS_POLY_PRIVATE_KEY: TEST_KEY });
    // The key's Gnosis Safe named as its proxy: the venue would refuse every order.
    const wrong = await walletCheck({ config: configFor(rig.url, { 'execution.real.signature_type': 1, 'execution.real.funder_address': TEST_WALLETS[2] }), secrets, env: {}, clock: new SystemClock() });
    expect(wrong.status).toBe('fail');
    expect(wrong.detail).toContain(`execution.real.funder_address ${TEST_WALLETS[2]} is not the proxy wallet of the signing key ${TEST_ADDRESS}: `);
    expect(wrong.detail).toContain(`as ${TEST_WALLETS[1]}, `);
    expect(wrong.detail).toMatch(/is the key's Gnosis Safe: set signature_type 2/);
    const right = await walletCheck({ config: configFor(rig.url, { 'execution.real.signature_type': 1, 'execution.real.funder_address': TEST_WALLETS[1] }), secrets, env: {}, clock: new SystemClock() });
    expect(right).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^250 USDC collateral/) });
  });
});
