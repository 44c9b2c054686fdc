/**
 * The EIP-712 typed data of a signed V2/V3 CLOB order (polymarket.md §3): the struct the venue
 * verifies signatures against and whose hash is the order's id. One definition for the adapter
 * (which predicts the id before sending) and the stand-in venue (which recovers the signer and
 * assigns the id); the stand-in's independence comes from checking signatures made by the
 * client library's own builder and from choosing the exchange address itself.
 */

type Hex = `0x${string}`;

export const ORDER_STRUCT = [
  { name: 'salt', type: 'uint256' },
  { name: 'maker', type: 'address' },
  { name: 'signer', type: 'address' },
  { name: 'tokenId', type: 'uint256' },
  { name: 'makerAmount', type: 'uint256' },
  { name: 'takerAmount', type: 'uint256' },
  { name: 'side', type: 'uint8' },
  { name: 'signatureType', type: 'uint8' },
  { name: 'timestamp', type: 'uint256' },
  { name: 'metadata', type: 'bytes32' },
  { name: 'builder', type: 'bytes32' },
] as const;

/** The signed fields of an order, as both the client library and the wire carry them. */
export interface OrderStructFields {
  salt: number | string;
  maker: string;
  signer: string;
  tokenId: string;
  makerAmount: string;
  takerAmount: string;
  side: string;
  signatureType: number | string;
  timestamp: string;
  metadata: string;
  builder: string;
}

/** Typed data for viem's hashTypedData / recoverTypedDataAddress under the given exchange. */
export function orderTypedData(o: OrderStructFields, version: number, exchange: string, chainId: number) {
  return {
    domain: { name: 'Polymarket CTF Exchange', version: String(version), chainId, verifyingContract: exchange as Hex },
    types: { Order: ORDER_STRUCT },
    primaryType: 'Order' as const,
    message: {
      salt: BigInt(o.salt),
      maker: o.maker as Hex,
      signer: o.signer as Hex,
      tokenId: BigInt(o.tokenId),
      makerAmount: BigInt(o.makerAmount),
      takerAmount: BigInt(o.takerAmount),
      side: o.side === 'BUY' ? 0 : 1,
      signatureType: Number(o.signatureType),
      timestamp: BigInt(o.timestamp),
      metadata: o.metadata as Hex,
      builder: o.builder as Hex,
    },
  };
}
