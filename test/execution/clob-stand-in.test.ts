import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { ClobSession } from '../../src/adapters/execution/real-clob-session.ts';
import { tickName } from '../../src/adapters/execution/real-signing.ts';
import { deriveCreds, l2Signature } from '../../src/sim/clob/clob-auth.ts';
import { FINE, NEG, OTHER_KEY, TEST_ADDRESS, TEST_KEY, YES, realConfig, startStandIn, type StandInRig, limitOrder, rejection } from './support.ts';

const clock = new SystemClock();
let rig: StandInRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});


describe('stand-in CLOB: what the venue verifies', () => {
  it('L2 HMAC matches the published test vector', () => {
    expect(l2Signature('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', '1000000', 'test-sign', '/orders', '{"hash": "0x123"}')).toBe('ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=');
  });

  it('creates API keys through L1 for a new address (derive fails first, as at the venue)', async () => {
    rig = await startStandIn();
    const other = await ClobSession.open(realConfig(rig.url), { privateKey: OTHER_KEY }, clock);
    expect(rig.standIn.count('GET /auth/derive-api-key')).toBe(1);
    expect(rig.standIn.count('POST /auth/api-key')).toBe(1);
    expect(other.apiCreds).toEqual(deriveCreds(other.address, 0n));
    expect(await other.openOrders()).toEqual([]);
  });

  it('a chain_id other than the venue\'s is refused as an L1 signature, and the message points at chain_id', async () => {
    rig = await startStandIn();
    const err = await ClobSession.open(realConfig(rig.url, { chain_id: 80002 }), { privateKey: OTHER_KEY }, clock).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/create API key/);
    expect(err?.message).toContain('execution.real.chain_id, 80002 here, is not the venue\'s chain');
  });

  it('derives API keys through L1 and accepts an order signed by the key, under the id the signer computed', async () => {
    rig = await startStandIn();
    const s = await ClobSession.open(realConfig(rig.url), { privateKey: TEST_KEY }, clock);
    expect(s.address).toBe(TEST_ADDRESS);
    expect(s.apiCreds).toEqual(deriveCreds(TEST_ADDRESS, 0n));
    const p = await s.prepare(limitOrder(), false);
    const a = await s.postOrder(p);
    expect(a).toMatchObject({ success: true, orderID: p.id, status: 'live' });
    expect((await s.openOrders()).map((o) => o.id)).toEqual([p.id]);
  });

  it('refuses an HMAC made with the wrong secret (401) and an order signed by another key', async () => {
    rig = await startStandIn();
    const creds = deriveCreds(TEST_ADDRESS, 0n);
    const bad = await ClobSession.open(realConfig(rig.url), { privateKey: TEST_KEY, api: { ...creds, secret: deriveCreds(TEST_ADDRESS, 9n).secret } }, clock);
    const e1 = await rejection(bad.openOrders());
    expect(e1.status).toBe(401);
    // The other key signs; the test key's credentials authenticate the call.
    const other = await ClobSession.open(realConfig(rig.url), { privateKey: OTHER_KEY, api: creds }, clock);
    const e2 = await rejection(other.prepare(limitOrder(), false).then((p) => other.postOrder(p)));
    expect(e2.status).toBe(401); // POLY_ADDRESS is the other key's address, which does not own the API key
  });

  it('recovers the EIP-712 signer: an order altered after signing is refused', async () => {
    rig = await startStandIn();
    const s = await ClobSession.open(realConfig(rig.url), { privateKey: TEST_KEY }, clock);
    const p = await s.prepare(limitOrder(), false);
    const tampered = { ...p, signed: { ...p.signed, makerAmount: String(BigInt(p.signed.makerAmount) - 1n) } };
    const e = await rejection(s.postOrder(tampered));
    expect(e.message).toMatch(/invalid signature/);
    expect(rig.standIn.venue.orders.size).toBe(0);
  });

  it('checks tick (0.01, 0.0025, 0.005) and minimum size', async () => {
    rig = await startStandIn();
    const s = await ClobSession.open(realConfig(rig.url), { privateKey: TEST_KEY }, clock);
    const offTick = await rejection(s.prepare(limitOrder({ price: 0.355, tick: '0.001' }), false).then((p) => s.postOrder(p)));
    expect(offTick.message).toMatch(/breaks minimum tick size rule: 0.01/);
    const small = await rejection(s.prepare(limitOrder({ size: 4.99 }), false).then((p) => s.postOrder(p)));
    expect(small.message).toMatch(/lower than the minimum: 5/);
    expect(await s.postOrder(await s.prepare(limitOrder({ tokenId: FINE, price: 0.3975, tick: tickName(0.0025)! }), false))).toMatchObject({ success: true, status: 'live' });
    const fineOff = await rejection(s.prepare(limitOrder({ tokenId: FINE, price: 0.3971, tick: '0.0001' }), false).then((p) => s.postOrder(p)));
    expect(fineOff.message).toMatch(/tick size rule: 0.0025/);
    expect(await s.postOrder(await s.prepare(limitOrder({ tokenId: NEG, price: 0.295, tick: '0.005', negRisk: true }), false))).toMatchObject({ success: true });
  });

  it('neg-risk orders must be signed for the neg-risk exchange; the other version is order_version_mismatch', async () => {
    rig = await startStandIn();
    const s = await ClobSession.open(realConfig(rig.url), { privateKey: TEST_KEY }, clock);
    const wrongExchange = await rejection(s.prepare(limitOrder({ tokenId: NEG, price: 0.295, tick: '0.005', negRisk: false }), false).then((p) => s.postOrder(p)));
    expect(wrongExchange.message).toMatch(/signed for the standard exchange/);
    rig.standIn.version = 3;
    const mismatch = await rejection(s.prepare(limitOrder(), false).then((p) => s.postOrder(p)));
    expect(mismatch.message).toMatch(/order_version_mismatch/);
    await s.refreshVersion();
    expect(s.version).toBe(3);
    expect(await s.postOrder(await s.prepare(limitOrder(), false))).toMatchObject({ success: true });
  });

  it('matches against the true book: a FOK/FAK BUY spends its signed dollars at the asks (more shares when cheaper), a FOK is killed when the dollars do not fit, a FAK takes what there is', async () => {
    rig = await startStandIn();
    const s = await ClobSession.open(realConfig(rig.url), { privateKey: TEST_KEY }, clock);
    // 150 at 0.43 signs $64.50: 100 shares at 0.42 ($42), then $22.50 at 0.43 (52.325581 shares).
    const fok = await s.postOrder(await s.prepare(limitOrder({ price: 0.43, size: 150, type: 'FOK' }), false));
    expect(fok).toMatchObject({ success: true, status: 'matched' });
    // One match, one trade, its two makers (levels) in maker_orders.
    expect(fok.tradeIDs).toHaveLength(1);
    expect(rig.standIn.venue.position(TEST_ADDRESS, YES)).toBeCloseTo(152.325581, 6);
    expect(rig.standIn.venue.balance(TEST_ADDRESS)).toBeCloseTo(1000 - 64.5, 6);
    // $43 at 0.43 is more than the 47.674419 shares left there can take.
    const killed = await rejection(s.prepare(limitOrder({ price: 0.43, size: 100, type: 'FOK' }), false).then((p) => s.postOrder(p)));
    expect(killed.message).toMatch(/FOK orders are fully filled or killed/);
    // A FAK takes what there is up to its limit and the venue cancels the dollars left.
    const fak = await s.postOrder(await s.prepare(limitOrder({ price: 0.43, size: 100, type: 'FAK' }), false));
    expect(fak.tradeIDs).toHaveLength(1);
    // The book keeps hundredths of a share: 47.67 were left at 0.43.
    expect(rig.standIn.venue.position(TEST_ADDRESS, YES)).toBeCloseTo(152.325581 + 47.67, 6);
    expect(rig.standIn.venue.orders.get(fak.orderID!)!.status).toBe('CANCELED');
    const post = await rejection(s.prepare(limitOrder({ price: 0.44 }), true).then((p) => s.postOrder(p)));
    expect(post.message).toMatch(/post-only order: order crosses book/);
  });

  it('/positions reports the volume-weighted average buy price of what is held (a sell leaves it), as the Data API does', async () => {
    rig = await startStandIn();
    const s = await ClobSession.open(realConfig(rig.url), { privateKey: TEST_KEY }, clock);
    // 100 shares at 0.42 and 50 at 0.43: the book's asks, each bought at its own limit.
    await s.postOrder(await s.prepare(limitOrder({ price: 0.42, size: 100, type: 'FOK' }), false));
    await s.postOrder(await s.prepare(limitOrder({ price: 0.43, size: 50, type: 'FOK' }), false));
    const first = (await s.positions()).find((p) => p.asset === YES);
    expect(first).toMatchObject({ asset: YES, conditionId: '0xcond1', size: 150 });
    expect(first!.avgPrice).toBeCloseTo((100 * 0.42 + 50 * 0.43) / 150, 6);
    // Selling 60 into the bids (0.40) realizes a loss but does not change the average of the 90 left.
    await s.postOrder(await s.prepare(limitOrder({ side: 'SELL', price: 0.4, size: 60, type: 'FOK' }), false));
    const after = (await s.positions()).find((p) => p.asset === YES);
    expect(after!.size).toBeCloseTo(90, 6);
    expect(after!.avgPrice).toBeCloseTo((100 * 0.42 + 50 * 0.43) / 150, 6);
    // Another buy averages in at its own price.
    await s.postOrder(await s.prepare(limitOrder({ price: 0.43, size: 10, type: 'FOK' }), false));
    const more = (await s.positions()).find((p) => p.asset === YES);
    expect(more!.size).toBeCloseTo(100, 6);
    expect(more!.avgPrice).toBeCloseTo((90 * ((100 * 0.42 + 50 * 0.43) / 150) + 10 * 0.43) / 100, 6);
  });
});
