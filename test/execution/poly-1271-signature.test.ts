import { concat, hashTypedData, keccak256, recoverTypedDataAddress, slice, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { orderTypedData } from '../../src/domain/execution/order-typed-data.ts';
import {
  ORDER_TYPE_STRING,
  poly1271Envelope,
  poly1271SignTypedData,
  splitPoly1271Signature,
  wrapPoly1271Signature,
} from '../../src/domain/execution/poly-1271-signature.ts';
import { createSigner, orderBuilder, signOrder } from '../../src/adapters/execution/real-signing.ts';
import { EXCHANGES } from '../../src/sim/clob/clob-order-check.ts';
import { TEST_ADDRESS, TEST_KEY, limitOrder } from './support.ts';

/**
 * Polymarket's own vector for a deposit-wallet (POLY_1271) order signature:
 * Polymarket/py-clob-client-v2 tests/order_utils/test_exchange_order_builder_v2.py
 * @ b0a97fac6aecb554557b6cb810e997806fc5e036 (test_build_order_signature_poly_1271_matches_expected_signature):
 * the hardhat/anvil account 0 key (helios's development key) signing for the deposit wallet
 * 0x1111…1111 on Amoy (80002) under the V2 exchange.
 */
const AMOY = 80002;
const EXCHANGE_V2 = '0xE111180000d2663C0091e4f400237545B87B996B';
const DEPOSIT_WALLET = '0x1111111111111111111111111111111111111111';
const ZERO32 = `0x${'00'.repeat(32)}`;
const VECTOR_ORDER = {
  salt: '479249096354',
  maker: DEPOSIT_WALLET,
  signer: DEPOSIT_WALLET,
  tokenId: '1234',
  makerAmount: '100000000',
  takerAmount: '50000000',
  side: 'BUY',
  signatureType: 3,
  timestamp: '1710000000000',
  metadata: ZERO32,
  builder: ZERO32,
};
const EXPECTED_POLY_1271_SIGNATURE = (
  '0xa3a093c83b6c20c83355c16ce94c92e6e9fcbdeb840618cc74f6c57a42ad145b' +
  '2b98db73d2c73cbf1f2b6af288566ae81960ddbc3a13921027358a8bff3be6ff1c' +
  'a440cbd865bc0c6243d7a8df9a8bf48a8827b0a4abbb61c30e96d305423af148' +
  'd23d42d3ad94e65d78258cecaf8dcbaddac0f73dc085040f2c12bb595dd83804' +
  '4f726465722875696e743235362073616c742c61646472657373206d616b65722c' +
  '61646472657373207369676e65722c75696e7432353620746f6b656e49642c75' +
  '696e74323536206d616b6572416d6f756e742c75696e743235362074616b6572' +
  '416d6f756e742c75696e743820736964652c75696e7438207369676e61747572' +
  '65547970652c75696e743235362074696d657374616d702c6279746573333220' +
  '6d657461646174612c62797465733332206275696c6465722900ba'
) as Hex;

describe('POLY_1271 (deposit wallet) order signatures', () => {
  it('reproduces Polymarket\'s vector byte for byte from the owner key', async () => {
    const owner = privateKeyToAccount(TEST_KEY as Hex);
    const inner = await owner.signTypedData(poly1271SignTypedData(VECTOR_ORDER, 2, EXCHANGE_V2, AMOY));
    expect(wrapPoly1271Signature(inner, poly1271Envelope(VECTOR_ORDER, 2, EXCHANGE_V2, AMOY))).toBe(EXPECTED_POLY_1271_SIGNATURE);
  });

  it('takes Polymarket\'s vector apart: the owner signed it, and its envelope rebuilds the order hash', async () => {
    const parts = splitPoly1271Signature(EXPECTED_POLY_1271_SIGNATURE);
    expect(parts).not.toBeNull();
    const { innerSignature, envelope } = parts!;
    expect(await recoverTypedDataAddress({ ...poly1271SignTypedData(VECTOR_ORDER, 2, EXCHANGE_V2, AMOY), signature: innerSignature })).toBe(TEST_ADDRESS);
    expect(envelope).toBe(poly1271Envelope(VECTOR_ORDER, 2, EXCHANGE_V2, AMOY));
    // The trailing uint16 is the type string's length (186 = 0x00ba), the string sits before it.
    expect(ORDER_TYPE_STRING.length).toBe(0xba);
    // 0x1901 ‖ domain separator ‖ contents hash is the order's EIP-712 hash: what the exchange asks the wallet about, and the venue's order id.
    expect(keccak256(concat(['0x1901', slice(envelope, 0, 64)]))).toBe(hashTypedData(orderTypedData(VECTOR_ORDER, 2, EXCHANGE_V2, AMOY)));
    // The owner signed for this wallet on this chain under this exchange: any other is a different digest.
    const otherWallet = { ...VECTOR_ORDER, maker: TEST_ADDRESS, signer: TEST_ADDRESS };
    expect(await recoverTypedDataAddress({ ...poly1271SignTypedData(otherWallet, 2, EXCHANGE_V2, AMOY), signature: innerSignature })).not.toBe(TEST_ADDRESS);
    expect(poly1271Envelope(VECTOR_ORDER, 3, EXCHANGES.v3, AMOY)).not.toBe(envelope);
  });

  it('is not a signature without an envelope or hex', () => {
    expect(splitPoly1271Signature(slice(EXPECTED_POLY_1271_SIGNATURE, 0, 65))).toBeNull();
    expect(splitPoly1271Signature('0xzz')).toBeNull();
    expect(splitPoly1271Signature('0x123')).toBeNull();
  });

  it('helios\'s signer (the client library\'s order builder) wraps signature_type 3 orders exactly this way', async () => {
    const { wallet } = createSigner(TEST_KEY);
    const builder = orderBuilder(wallet, 137, 3, DEPOSIT_WALLET);
    const signed = await signOrder({ builder, chainId: 137, version: 2 }, limitOrder());
    expect(signed).toMatchObject({ maker: DEPOSIT_WALLET, signer: DEPOSIT_WALLET, signatureType: 3 });
    const { innerSignature, envelope } = splitPoly1271Signature(signed.signature)!;
    expect(envelope).toBe(poly1271Envelope(signed, 2, EXCHANGES.v2, 137));
    expect(await recoverTypedDataAddress({ ...poly1271SignTypedData(signed, 2, EXCHANGES.v2, 137), signature: innerSignature })).toBe(TEST_ADDRESS);
  });
});
