import { OrderBuilder, Side, SignatureTypeV2, getContractConfig, type SignedOrder, type TickSize } from '@polymarket/clob-client-v2';
import { createWalletClient, custom, hashTypedData, type Hex, type WalletClient } from 'viem';
import { orderTypedData } from '../../domain/execution/order-typed-data.ts';
import { privateKeyToAccount } from 'viem/accounts';
import { isWholeCentNotional } from '../../domain/trading/ticks.ts';
import type { OrderType } from '../../domain/trading/orders.ts';

/**
 * Signing real orders with the client's own order builder and a viem signer made from the
 * configured key, and computing the id the venue will give the order (its EIP-712 hash) before it
 * is sent, so an order whose answer is lost can still be found.
 */

export class SignerKeyError extends Error {}

/** A V2/V3 order (no nonce or fee field; a timestamp, metadata and builder instead). */
export type SignedOrderV2 = Extract<SignedOrder, { builder: string }>;

/** A wallet client that signs locally and never talks to an RPC node. */
export function createSigner(privateKey: string): { wallet: WalletClient; address: string } {
  const hex = (privateKey.startsWith('0x') ? privateKey : `0x${privateKey}`) as Hex;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new SignerKeyError('the private key must be 32 bytes of hex (64 hex digits, optional 0x)');
  const account = privateKeyToAccount(hex);
  const wallet = createWalletClient({
    account,
    transport: custom({
      request: async () => {
        throw new Error('helios signs locally: no RPC calls');
      },
    }),
  });
  return { wallet, address: account.address };
}

const TICKS: Record<string, TickSize> = { '0.1': '0.1', '0.01': '0.01', '0.005': '0.005', '0.0025': '0.0025', '0.001': '0.001', '0.0001': '0.0001' };

/** The client's tick name for a tick helios knows from the market channel; null for a tick the venue does not use. */
export function tickName(tick: number): TickSize | null {
  for (const [name, t] of Object.entries(TICKS)) if (Math.abs(Number(name) - tick) < 1e-12) return t;
  return null;
}

export interface OrderToSign {
  tokenId: string;
  side: 'BUY' | 'SELL';
  /** Already on the tick grid. */
  price: number;
  /** Shares, 2 decimals. */
  size: number;
  type: OrderType;
  /** Unix seconds (GTD), venue buffer included; 0 = none. */
  expiration: number;
  tick: TickSize;
  negRisk: boolean;
}

export interface SigningContext {
  builder: OrderBuilder;
  chainId: number;
  version: 1 | 2 | 3;
}

export function orderBuilder(wallet: WalletClient, chainId: number, signatureType: number, funder: string): OrderBuilder {
  return new OrderBuilder(wallet, chainId, signatureType as SignatureTypeV2, funder === '' ? undefined : funder);
}

/**
 * Resting orders are limit orders (size in shares). Marketable ones are the venue's market orders
 * (a BUY names dollars to spend, 2 decimals; a SELL shares) capped at the limit price, whose
 * amounts carry the precision the venue demands of them. The venue fills a BUY's dollars / limit
 * shares: sizing makes that the recorded size (wholeCentBuySize), and an order it would not be
 * is refused here rather than signed for other shares than helios records.
 */
export async function signOrder(ctx: SigningContext, o: OrderToSign): Promise<SignedOrderV2> {
  const side = o.side === 'BUY' ? Side.BUY : Side.SELL;
  const opts = { tickSize: o.tick, negRisk: o.negRisk };
  if (o.type === 'FOK' || o.type === 'FAK') {
    if (o.side === 'BUY' && !isWholeCentNotional(o.size, o.price)) {
      throw new Error(`a marketable BUY of ${o.size} at ${o.price} costs $${(o.size * o.price).toFixed(6)}, not whole cents: the venue would fill other shares than recorded`);
    }
    const amount = o.side === 'BUY' ? Math.round(o.size * o.price * 100) / 100 : o.size;
    const signed = (await ctx.builder.buildMarketOrder({ tokenID: o.tokenId, price: o.price, amount, side, orderType: o.type as never }, opts, ctx.version)) as SignedOrderV2;
    const shares = o.side === 'BUY' ? signed.takerAmount : signed.makerAmount;
    if (BigInt(shares) !== BigInt(Math.round(o.size * 1e6))) throw new Error(`signed ${shares} share units for a marketable ${o.side} of ${o.size}`);
    return signed;
  }
  const order = { tokenID: o.tokenId, price: o.price, size: o.size, side, ...(o.expiration > 0 ? { expiration: o.expiration } : {}) };
  return (await ctx.builder.buildOrder(order, opts, ctx.version)) as SignedOrderV2;
}

/** The venue's order id: the EIP-712 hash of the signed struct under the exchange it was signed for. */
export function orderHash(o: SignedOrderV2, chainId: number, version: 2 | 3, negRisk: boolean): string {
  const c = getContractConfig(chainId);
  const exchange = version === 3 ? c.exchangeV3 : negRisk ? c.negRiskExchangeV2 : c.exchangeV2;
  return hashTypedData(orderTypedData(o, version, exchange as string, chainId));
}
