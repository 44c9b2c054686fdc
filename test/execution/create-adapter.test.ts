import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { createRealExecutionAdapter } from '../../src/adapters/execution/create-adapter.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { Secret } from '../../src/config/secrets.ts';
import { FAST, TEST_ADDRESS, TEST_KEY, TEST_WALLETS, realConfig, startStandIn, type StandInRig } from './support.ts';

let rig: StandInRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
const secrets = { polymarket_private_key: new Secret(TEST_KEY) };

describe('createRealExecutionAdapter: the gate in front of the real adapter', () => {
  it('opens behind the whole gate, reconciles at start, and cancels every resting order on the kill switch', async () => {
    rig = await startStandIn();
    const made = await createRealExecutionAdapter({ real: realConfig('https://clob.polymarket.com', FAST), clobUrl: rig.url, executionReal: true, env: { HELIOS_CONFIRM_REAL_ORDERS: 'yes' }, secrets, clock: new SystemClock(), logger });
    if (!made.ok) throw new Error(made.message);
    const a = made.adapter;
    a.registerMarket({ market_id: 'm1', condition_id: '0xcond1', tokens: [[...rig.books.keys()][0]!], tick_size: 0.01, min_order_size: 5, neg_risk: false, fee: { rate: 0, exponent: 1, taker_only: true } });
    expect(await a.start()).toMatchObject({ open_orders: 0, collateral_usdc: 1000 });
    for (const p of [0.3, 0.31]) await a.placeOrder({ client_order_id: `k${p}`, market_id: 'm1', token_id: [...rig.books.keys()][0]!, side: 'BUY', order_type: 'GTC', price: p, size: 10, strategy: 'temporal', expires_at_ms: null });
    expect(await a.cancelAll()).toHaveLength(2);
    expect([...rig.standIn.venue.orders.values()].filter((o) => o.status === 'LIVE')).toEqual([]);
    expect(['k0.3', 'k0.31'].map((id) => a.tracker.get(id)!.status)).toEqual(['canceled', 'canceled']);
    a.stop();
  });

  it('refuses (never opening an adapter) without the confirmation, or when the live healthcheck fails', async () => {
    rig = await startStandIn();
    const base = { real: realConfig('https://clob.polymarket.com', FAST), clobUrl: rig.url, executionReal: true, secrets, clock: new SystemClock(), logger };
    const unconfirmed = await createRealExecutionAdapter({ ...base, env: {} });
    expect(unconfirmed).toMatchObject({ ok: false, kind: 'refused', message: expect.stringMatching(/HELIOS_CONFIRM_REAL_ORDERS=yes/) });
    rig.standIn.venue.fund(TEST_ADDRESS, 0.5);
    const poor = await createRealExecutionAdapter({ ...base, env: { HELIOS_CONFIRM_REAL_ORDERS: 'yes' } });
    expect(poor).toMatchObject({ ok: false, kind: 'refused', message: expect.stringMatching(/collateral 0.5 USDC below 1/) });
  });

  it.each([1, 2] as const)('signature_type %i: a funder_address the key does not own is refused before any request to the venue, naming both addresses; the key\'s own wallet opens', async (type) => {
    rig = await startStandIn({ signatureType: type });
    const stranger = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
    const base = { clobUrl: rig.url, executionReal: true, env: { HELIOS_CONFIRM_REAL_ORDERS: 'yes' }, secrets, clock: new SystemClock(), logger };
    const wrong = await createRealExecutionAdapter({ ...base, real: realConfig('https://clob.polymarket.com', { ...FAST, signature_type: type, funder_address: stranger }) });
    const noun = type === 1 ? 'proxy wallet' : 'Gnosis Safe';
    expect(wrong).toEqual({
      ok: false,
      kind: 'config',
      message: expect.stringContaining(`refused: execution.real.funder_address ${stranger} is not the ${noun} of the signing key ${TEST_ADDRESS}: with execution.real.signature_type ${type} `),
    });
    expect((wrong as { message: string }).message).toContain(`Polymarket derives that wallet from the key as ${TEST_WALLETS[type]}`);
    expect(rig.standIn.requests).toEqual([]);
    const own = await createRealExecutionAdapter({ ...base, real: realConfig('https://clob.polymarket.com', { ...FAST, signature_type: type, funder_address: TEST_WALLETS[type] }) });
    if (!own.ok) throw new Error(own.message);
    expect(await own.adapter.start()).toMatchObject({ collateral_usdc: 1000 });
    own.adapter.stop();
  });
});
