import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { ClobSession } from '../../src/adapters/execution/real-clob-session.ts';
import { createSigner, orderBuilder, signOrder } from '../../src/adapters/execution/real-signing.ts';
import { splitPoly1271Signature } from '../../src/domain/execution/poly-1271-signature.ts';
import { verifyOrderSignature } from '../../src/sim/clob/clob-order-check.ts';
import { OTHER_KEY, TEST_ADDRESS, TEST_KEY, TEST_WALLETS, YES, realConfig, startStandIn, type StandInRig, limitOrder, rejection } from './support.ts';

/**
 * Proxy (signature_type 1) and Gnosis Safe (2) accounts at the stand-in, as at Polymarket: the EOA
 * signs and authenticates (its API key, POLY_ADDRESS = the EOA), the order's maker is the wallet
 * the EOA owns, and that wallet holds the collateral and the positions. The stand-in derives that
 * wallet from the EOA as Polymarket does: nobody tells it which address plays the part.
 */

const clock = new SystemClock();
/** An address the test key does not own (hardhat account 2's). */
const STRANGER = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
let rig: StandInRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});


describe('stand-in CLOB: proxy and safe wallets', () => {
  it.each([
    [1, 'POLY_PROXY'],
    [2, 'POLY_GNOSIS_SAFE'],
  ] as const)('signature_type %i (%s): the key signs, its wallet is the maker and holds the collateral and the shares', async (type, _name) => {
    const wallet = TEST_WALLETS[type];
    rig = await startStandIn({ signatureType: type, usdc: 500 });
    // The wallet the stand-in derived and funded is the one Polymarket's own vectors give for the key.
    expect(rig.standIn.walletOf(TEST_ADDRESS, type)).toBe(wallet);
    const s = await ClobSession.open(realConfig(rig.url, { signature_type: type, funder_address: wallet }), { privateKey: TEST_KEY }, clock);
    expect(s.address).toBe(TEST_ADDRESS);
    // The balance the client asks for with its signature type is the wallet's (the EOA holds nothing).
    expect((await s.collateral()).balance).toBe(500);
    expect(rig.standIn.venue.balance(TEST_ADDRESS)).toBe(0);
    const p = await s.prepare(limitOrder(), false);
    expect(p.signed).toMatchObject({ maker: wallet, signer: TEST_ADDRESS, signatureType: type });
    expect(await s.postOrder(p)).toMatchObject({ success: true, orderID: p.id, status: 'live' });
    expect((await s.openOrders()).map((o) => [o.id, o.maker_address])).toEqual([[p.id, wallet.toLowerCase()]]);
    // A fill moves the wallet's collateral and shares, which the Data API reports for the funds address.
    // 20 at 0.43 signs $8.60, which the 0.42 asks fill with 20.476190 shares.
    await s.postOrder(await s.prepare(limitOrder({ price: 0.43, size: 20, type: 'FOK' }), false));
    expect(rig.standIn.venue.position(wallet, YES)).toBeCloseTo(20.47619, 6);
    expect((await s.positions()).map((x) => [x.asset, x.size])).toEqual([[YES, 20.47619]]);
    expect((await s.collateral()).balance).toBeCloseTo(500 - 8.6, 6);
  });

  it('the user channel carries the key\'s orders that trade for its wallet', async () => {
    const wallet = TEST_WALLETS[1];
    rig = await startStandIn({ signatureType: 1 });
    const s = await ClobSession.open(realConfig(rig.url, { signature_type: 1, funder_address: wallet }), { privateKey: TEST_KEY }, clock);
    const ws = new WebSocket(rig.ws);
    const events: Array<Record<string, unknown>> = [];
    ws.on('message', (m) => events.push(JSON.parse(String(m)) as Record<string, unknown>));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const c = s.apiCreds;
    ws.send(JSON.stringify({ auth: { apiKey: c.key, secret: c.secret, passphrase: c.passphrase }, type: 'user', markets: [] }));
    await expect.poll(() => rig!.standIn.userConnections()).toBe(1);
    const p = await s.prepare(limitOrder(), false);
    await s.postOrder(p);
    await expect.poll(() => events.filter((e) => e.event_type === 'order').map((e) => [e.type, e.id, e.maker_address])).toEqual([['PLACEMENT', p.id, wallet.toLowerCase()]]);
    ws.close();
  });

  it('refuses a maker the signer does not own as an invalid signature of its type, and helios says what to check', async () => {
    rig = await startStandIn({ signatureType: 1 });
    const stranger = await ClobSession.open(realConfig(rig.url, { signature_type: 1, funder_address: STRANGER }), { privateKey: TEST_KEY }, clock);
    const e = await rejection(stranger.prepare(limitOrder(), false).then((p) => stranger.postOrder(p)));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^POST \/order: invalid POLY_PROXY signature \(execution\.real\.signature_type 1 is POLY_PROXY: /);
    expect(e.message).toContain(`execution.real.funder_address ${STRANGER}, is the proxy wallet the signing key ${TEST_ADDRESS} owns`);
    // A batch answers per order, with the same explanation.
    const [batch] = await stranger.postOrders([await stranger.prepare(limitOrder(), false)]);
    expect(batch).toMatchObject({ success: false, errorMsg: expect.stringMatching(/^invalid POLY_PROXY signature \(execution\.real\.signature_type 1 is POLY_PROXY: /) });
    // The right wallet named with the other type: the venue derives a safe and a proxy apart.
    const wrongType = await ClobSession.open(realConfig(rig.url, { signature_type: 2, funder_address: TEST_WALLETS[1] }), { privateKey: TEST_KEY }, clock);
    const e2 = await rejection(wrongType.prepare(limitOrder(), false).then((p) => wrongType.postOrder(p)));
    expect(e2.message).toMatch(/^POST \/order: invalid POLY_GNOSIS_SAFE signature \(execution\.real\.signature_type 2 is POLY_GNOSIS_SAFE: .* is the Gnosis Safe the signing key/);
    expect(rig.standIn.venue.orders.size).toBe(0);
  });

});

/**
 * POLY_1271 deposit wallets (signature_type 3): the order names the wallet as maker and signer,
 * and its signature is the ERC-7739 wrapper of the owner's signature (poly-1271-signature.test.ts
 * has Polymarket's vector). The stand-in checks the wrapper and the owner's inner signature; the
 * wallet is the one registered to the key, since a deposit wallet's address is not derived from it.
 */
describe('stand-in CLOB: POLY_1271 deposit wallets', () => {
  /** A deposit wallet address for the test key (any contract address; hardhat account 3's here). */
  const DEPOSIT_WALLET = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';

  it('signature_type 3: the key signs the wrapped signature, its deposit wallet is maker and signer and holds the funds', async () => {
    rig = await startStandIn({ depositWallet: DEPOSIT_WALLET, usdc: 500 });
    const s = await ClobSession.open(realConfig(rig.url, { signature_type: 3, funder_address: DEPOSIT_WALLET }), { privateKey: TEST_KEY }, clock);
    expect((await s.collateral()).balance).toBe(500);
    const p = await s.prepare(limitOrder(), false);
    expect(p.signed).toMatchObject({ maker: DEPOSIT_WALLET, signer: DEPOSIT_WALLET, signatureType: 3 });
    // The id helios predicts before sending is the one the venue gives the order.
    expect(await s.postOrder(p)).toMatchObject({ success: true, orderID: p.id, status: 'live' });
    expect((await s.openOrders()).map((o) => [o.id, o.maker_address])).toEqual([[p.id, DEPOSIT_WALLET.toLowerCase()]]);
    // 20 at 0.43 signs $8.60, which the 0.42 asks fill with 20.476190 shares.
    await s.postOrder(await s.prepare(limitOrder({ price: 0.43, size: 20, type: 'FOK' }), false));
    expect(rig.standIn.venue.position(DEPOSIT_WALLET, YES)).toBeCloseTo(20.47619, 6);
    expect((await s.collateral()).balance).toBeCloseTo(500 - 8.6, 6);
  });

  it('refuses a key with no deposit wallet, and a deposit wallet that is not the key\'s, for orders and balances', async () => {
    rig = await startStandIn({ signatureType: 1 });
    const none = await ClobSession.open(realConfig(rig.url, { signature_type: 3, funder_address: DEPOSIT_WALLET }), { privateKey: TEST_KEY }, clock);
    expect((await rejection(none.collateral())).message).toMatch(/no deposit wallet is registered for .*POLY_1271 \(signature_type 3\) needs one/);
    expect((await rejection(none.prepare(limitOrder(), false).then((p) => none.postOrder(p)))).message).toMatch(/no deposit wallet is registered for the API KEY's address/);
    rig.standIn.registerDepositWallet(TEST_ADDRESS, DEPOSIT_WALLET);
    const stranger = await ClobSession.open(realConfig(rig.url, { signature_type: 3, funder_address: STRANGER }), { privateKey: TEST_KEY }, clock);
    const e = await rejection(stranger.prepare(limitOrder(), false).then((p) => stranger.postOrder(p)));
    // helios says what to check: no derivation tells it beforehand that this is not the key's deposit wallet.
    expect(e.message).toBe(
      `POST /order: invalid POLY_1271 signature (execution.real.signature_type 3 is POLY_1271: the order's maker and signer are execution.real.funder_address ${STRANGER}, ` +
        `which must be the deposit wallet of the signing key ${TEST_ADDRESS}, deployed, funded and approved; check that funder_address is the deposit wallet Polymarket shows as yours)`,
    );
    expect(rig.standIn.venue.orders.size).toBe(0);
  });

  it('refuses a wrapper whose inner signature or envelope does not belong to the order, and a plain EIP-712 signature', async () => {
    const ctx = { version: 2, negRisk: false, chainId: 137, owner: TEST_ADDRESS, depositWallet: DEPOSIT_WALLET };
    const { wallet } = createSigner(TEST_KEY);
    const signed = await signOrder({ builder: orderBuilder(wallet, 137, 3, DEPOSIT_WALLET), chainId: 137, version: 2 }, limitOrder());
    expect(await verifyOrderSignature(signed, ctx)).toMatchObject({ ok: true });
    const invalid = { ok: false, error: 'invalid POLY_1271 signature' };
    // Another order's envelope (the amounts changed after signing).
    expect(await verifyOrderSignature({ ...signed, makerAmount: String(Number(signed.makerAmount) + 10_000) }, ctx)).toEqual(invalid);
    // The inner signature by another key.
    const { wallet: other } = createSigner(OTHER_KEY);
    const byOther = await signOrder({ builder: orderBuilder(other, 137, 3, DEPOSIT_WALLET), chainId: 137, version: 2 }, limitOrder());
    expect(await verifyOrderSignature(byOther, ctx)).toEqual(invalid);
    // The plain EIP-712 order signature a type 0–2 signer makes is not a deposit wallet's.
    const { innerSignature } = splitPoly1271Signature(signed.signature)!;
    expect(await verifyOrderSignature({ ...signed, signature: innerSignature }, ctx)).toEqual(invalid);
    // Signed for the V3 exchange while the venue is at V2.
    const v3 = await signOrder({ builder: orderBuilder(wallet, 137, 3, DEPOSIT_WALLET), chainId: 137, version: 3 }, limitOrder());
    expect(await verifyOrderSignature(v3, ctx)).toEqual({ ok: false, error: 'order_version_mismatch' });
  });
});
