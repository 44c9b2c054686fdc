import { concat, hashDomain, hashStruct, size, slice, toHex, type Hex } from 'viem';
import { ORDER_STRUCT, orderTypedData, type OrderStructFields } from './order-typed-data.ts';

/**
 * The order signature of a POLY_1271 deposit wallet (signature_type 3): an ERC-7739 nested
 * EIP-712 signature. The wallet's owner (the EOA) signs `TypedDataSign{contents: the order, the
 * deposit wallet's own EIP-712 domain fields}` under the exchange's domain, and the venue receives
 * that 65-byte signature followed by what the wallet needs to rebuild the order's hash:
 *
 *   innerSignature (65) || exchange domain separator (32) || order struct hash (32) || ORDER_TYPE_STRING || uint16 big-endian length of it
 *
 * The order itself names the deposit wallet as both `maker` and `signer`, and the exchange asks the
 * wallet contract (ERC-1271 `isValidSignature(orderHash, signature)`) whether its owner signed.
 *
 * Sources (Polymarket's own code):
 * - Polymarket/clob-client-v2 src/order-utils/exchangeOrderBuilderV2.ts (buildOrderSignature) and
 *   src/order-builder/helpers/createOrder.ts (maker = signer = the deposit wallet) @
 *   f3e1a05f868a1fd0c34ef85dfc45c6ce78f5bb69 (v1.1.0, the client helios signs with)
 * - Polymarket/py-clob-client-v2 py_clob_client_v2/order_utils/exchange_order_builder_v2.py
 *   (_build_poly_1271_order_signature) @ b0a97fac6aecb554557b6cb810e997806fc5e036
 * - test vector: the same py repository and commit, tests/order_utils/test_exchange_order_builder_v2.py
 *
 * helios signs with the client library (which already wraps type 3 this way); this module is the
 * one definition the stand-in venue verifies against, checked against Polymarket's vector.
 */

type Hex32 = `0x${string}`;

/** The order's EIP-712 type string (from the struct signed), carried in the signature so the wallet can re-hash the contents. */
export const ORDER_TYPE_STRING = `Order(${ORDER_STRUCT.map((f) => `${f.type} ${f.name}`).join(',')})`;

/** The deposit wallet's EIP-712 domain name and version (Polymarket/clob-client-v2 exchangeOrderBuilderV2.ts). */
export const DEPOSIT_WALLET_DOMAIN = { name: 'DepositWallet', version: '1' } as const;

const TYPED_DATA_SIGN_STRUCT = [
  { name: 'contents', type: 'Order' },
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
  { name: 'salt', type: 'bytes32' },
] as const;

const EIP712_DOMAIN_STRUCT = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
] as const;

const ZERO_BYTES32: Hex32 = `0x${'00'.repeat(32)}`;
const INNER_SIGNATURE_BYTES = 65;

/**
 * What the deposit wallet's owner signs for `o` under the exchange `exchange` (for viem's
 * signTypedData / recoverTypedDataAddress). The wallet is the order's `signer`.
 */
export function poly1271SignTypedData(o: OrderStructFields, version: number, exchange: string, chainId: number) {
  const order = orderTypedData(o, version, exchange, chainId);
  return {
    domain: order.domain,
    types: { TypedDataSign: TYPED_DATA_SIGN_STRUCT, Order: ORDER_STRUCT },
    primaryType: 'TypedDataSign' as const,
    message: {
      contents: order.message,
      ...DEPOSIT_WALLET_DOMAIN,
      chainId: BigInt(chainId),
      verifyingContract: order.message.signer,
      salt: ZERO_BYTES32,
    },
  };
}

/**
 * The bytes that follow the inner signature for `o` under `exchange`: the exchange's domain
 * separator and the order's struct hash (keccak256(0x1901 ‖ both) is the order hash the exchange
 * hands the wallet), then the order's type string and its length.
 */
export function poly1271Envelope(o: OrderStructFields, version: number, exchange: string, chainId: number): Hex {
  const order = orderTypedData(o, version, exchange, chainId);
  const domainSeparator = hashDomain({ domain: { ...order.domain, chainId: BigInt(chainId) }, types: { EIP712Domain: EIP712_DOMAIN_STRUCT } });
  const contentsHash = hashStruct({ data: order.message, primaryType: 'Order', types: order.types });
  return concat([domainSeparator, contentsHash, toHex(ORDER_TYPE_STRING), toHex(ORDER_TYPE_STRING.length, { size: 2 })]);
}

/** The wire signature: the owner's 65-byte signature followed by the envelope. */
export function wrapPoly1271Signature(innerSignature: Hex, envelope: Hex): Hex {
  return concat([innerSignature, envelope]);
}

/** The owner's signature and the envelope of a wire signature, or null when it cannot be one (not hex, or no envelope). */
export function splitPoly1271Signature(signature: string): { innerSignature: Hex; envelope: Hex } | null {
  if (!/^0x(?:[0-9a-fA-F]{2})+$/.test(signature)) return null;
  const sig = signature as Hex;
  if (size(sig) <= INNER_SIGNATURE_BYTES) return null;
  return { innerSignature: slice(sig, 0, INNER_SIGNATURE_BYTES), envelope: slice(sig, INNER_SIGNATURE_BYTES) };
}
