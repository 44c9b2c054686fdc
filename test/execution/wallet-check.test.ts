import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { walletCheck, WALLET_CHECK } from '../../src/apps/daemon/real-execution.ts';
import { loadConfig } from '../../src/config/load.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { startStandIn, TEST_KEY, type StandInRig } from './support.ts';

let rig: StandInRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

function configFor(url: string) {
  return loadConfig({ env: {}, overrides: { 'execution.adapter': 'real', 'execution.real.clob_url': url, 'execution.real.user_ws_url': '', 'execution.real.data_api_url': '' } }).config;
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
});
