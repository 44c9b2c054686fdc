import { hashTypedData, recoverTypedDataAddress, type Hex } from 'viem';
import { orderTypedData } from '../../domain/execution/order-typed-data.ts';
import { sameAddress } from './clob-auth.ts';
import { polymarketWallet, SIGNATURE_TYPE_NAMES } from '../../domain/execution/polymarket-wallet.ts';
import { poly1271Envelope, poly1271SignTypedData, splitPoly1271Signature } from '../../domain/execution/poly-1271-signature.ts';

/**
 * The venue's checks of one signed V2 order as it arrives on the wire: the EIP-712 signature
 * against the exchange its order version (and neg-risk flag) names, the amounts' precision, the
 * market's tick and minimum size. The EIP-712 struct is the protocol's one definition (domain);
 * the rest is independent of the client's signing code on purpose: the
 * amount and tick checks re-implement the venue's rules rather than share the adapter's rounding,
 * so an adapter rounding bug is refused here as the venue would refuse it.
 */

export interface WireOrder {
  salt: number | string;
  maker: string;
  signer: string;
  taker?: string;
  tokenId: string;
  makerAmount: string;
  takerAmount: string;
  side: 'BUY' | 'SELL';
  signatureType: number;
  timestamp: string;
  expiration?: string;
  metadata: string;
  builder: string;
  signature: string;
}

export interface ClobMarketInfo {
  /** Condition id (the user channel's `market`). */
  market: string;
  tick_size: number;
  min_order_size: number;
  neg_risk: boolean;
  /**
   * The market's matching delay (`sd` in MarketDetails; Polymarket sets it on sports markets): an
   * order that would match is accepted DELAYED and matched against the book as it is this many
   * seconds later. Absent or 0: matched at once.
   */
  seconds_delay?: number;
}

export type OrderType = 'GTC' | 'GTD' | 'FOK' | 'FAK';

export interface CheckedOrder {
  side: 'BUY' | 'SELL';
  tokenId: string;
  price: number;
  /** Shares. */
  size: number;
  maker: string;
  /** Unix seconds; 0 = none. */
  expiration: number;
}

export type OrderCheck = { ok: true; order: CheckedOrder } | { ok: false; error: string };

/** Polygon mainnet exchanges (polymarket.md §3): the signed domain names one of them. */
export const EXCHANGES = {
  v2: '0xE111180000d2663C0091e4f400237545B87B996B',
  v2NegRisk: '0xe2222d279d744050d28e00520010520000310F59',
  v3: '0xe3333700cA9d93003F00f0F71f8515005F6c00Aa',
} as const;

const UNITS = 1_000_000;
const EPS = 1e-9;

export function exchangeFor(version: number, negRisk: boolean): string {
  if (version === 3) return EXCHANGES.v3;
  return negRisk ? EXCHANGES.v2NegRisk : EXCHANGES.v2;
}

/** Who signed `o` for `exchange`: the EIP-712 signer for types 0–2, the deposit wallet's owner for 3 (null: nobody recoverable). */
async function signedBy(o: WireOrder, version: number, exchange: string, chainId: number): Promise<string | null> {
  try {
    if (o.signatureType !== 3) return await recoverTypedDataAddress({ ...orderTypedData(o, version, exchange, chainId), signature: o.signature as Hex });
    // The wallet rebuilds the order hash from the envelope: one made for another order or exchange is not this order's.
    const parts = splitPoly1271Signature(o.signature);
    if (!parts || parts.envelope.toLowerCase() !== poly1271Envelope(o, version, exchange, chainId).toLowerCase()) return null;
    return await recoverTypedDataAddress({ ...poly1271SignTypedData(o, version, exchange, chainId), signature: parts.innerSignature });
  } catch {
    return null;
  }
}

/**
 * The signature must be the authenticated key's (`owner`, the EOA that signs for every signature
 * type) and the domain the exchange of the venue's current version. A signature valid for another
 * version's exchange is the venue's `order_version_mismatch`. The maker is the signer itself for an
 * EOA (0), and the signer's own proxy (1) or safe (2): the exchange contract checks a proxy or safe
 * signature as "the EOA signed it and owns the maker", so a maker the signer does not own is an
 * invalid signature of that type, as the venue answers it. A deposit wallet (3) is both maker and
 * signer of its orders and must be the one registered to the key (`depositWallet`); the signature
 * is the ERC-7739 wrapper (domain/execution/poly-1271-signature.ts) whose inner signature the owner
 * made. What the stand-in cannot do is the exchange's on-chain ERC-1271 call into the deployed
 * wallet contract: it checks the wrapper as Polymarket's clients build it instead.
 */
export async function verifyOrderSignature(
  o: WireOrder,
  ctx: { version: number; negRisk: boolean; chainId: number; owner: string; depositWallet?: string | null },
): Promise<{ ok: true; id: string } | { ok: false; error: string }> {
  if (!/^\d+$/.test(String(o.salt)) || !/^\d+$/.test(o.tokenId) || !/^\d+$/.test(o.timestamp)) return { ok: false, error: 'invalid order payload' };
  if (o.signatureType !== 0 && o.signatureType !== 1 && o.signatureType !== 2 && o.signatureType !== 3) return { ok: false, error: 'invalid order payload: unknown signatureType' };
  const invalid = o.signatureType === 0 ? 'invalid signature' : `invalid ${SIGNATURE_TYPE_NAMES[o.signatureType]} signature`;
  if (o.signatureType === 3) {
    if (!ctx.depositWallet) return { ok: false, error: `no deposit wallet is registered for the API KEY's address ${ctx.owner}: POLY_1271 orders need one` };
    if (!sameAddress(o.signer, ctx.depositWallet) || !sameAddress(o.maker, ctx.depositWallet)) return { ok: false, error: invalid };
  } else if (!sameAddress(o.signer, ctx.owner)) return { ok: false, error: 'the order signer address has to be the address of the API KEY' };
  if (o.signatureType === 0 && !sameAddress(o.maker, o.signer)) return { ok: false, error: 'maker address not allowed, please use the deposit wallet flow' };
  const expected = exchangeFor(ctx.version, ctx.negRisk);
  const got = await signedBy(o, ctx.version, expected, ctx.chainId);
  if (got !== null && sameAddress(got, ctx.owner)) {
    if (o.signatureType === 1 || o.signatureType === 2) {
      // The signer's own proxy or safe, derived from it as the exchange contract does.
      const wallet = polymarketWallet(o.signer, o.signatureType, ctx.chainId);
      if (!wallet.ok || !sameAddress(wallet.address, o.maker)) return { ok: false, error: invalid };
    }
    // The venue's order id is the EIP-712 hash of the order it verified.
    return { ok: true, id: hashTypedData(orderTypedData(o, ctx.version, expected, ctx.chainId)) };
  }
  for (const [v, nr] of [[2, false], [2, true], [3, false]] as const) {
    const ex = exchangeFor(v, nr);
    if (ex === expected) continue;
    const r = await signedBy(o, v, ex, ctx.chainId);
    if (r !== null && sameAddress(r, ctx.owner)) {
      return { ok: false, error: v === ctx.version ? `${invalid}: signed for the ${nr ? 'neg-risk' : 'standard'} exchange` : 'order_version_mismatch' };
    }
  }
  return { ok: false, error: invalid };
}

const decimalsOf = (units: bigint, dp: number): boolean => units % BigInt(10 ** (6 - dp)) === 0n;

/** Amounts, tick, minimum size and expiration, as the venue refuses them. */
export function checkOrderTerms(o: WireOrder, type: OrderType, postOnly: boolean, m: ClobMarketInfo, nowSeconds: number, expirationBufferSeconds: number): OrderCheck {
  if (!/^\d+$/.test(o.makerAmount) || !/^\d+$/.test(o.takerAmount)) return { ok: false, error: 'invalid amounts' };
  const maker = BigInt(o.makerAmount);
  const taker = BigInt(o.takerAmount);
  if (maker <= 0n || taker <= 0n) return { ok: false, error: 'invalid amounts, must be positive' };
  if (postOnly && (type === 'FOK' || type === 'FAK')) return { ok: false, error: 'invalid post-only order: FOK/FAK orders cannot be post-only' };
  const shares = o.side === 'BUY' ? taker : maker;
  const collateral = o.side === 'BUY' ? maker : taker;
  const size = Number(shares) / UNITS;
  const price = Number(collateral) / Number(shares);
  const tick = m.tick_size;
  if (price < tick - EPS || price > 1 - tick + EPS) return { ok: false, error: `invalid price (${price}), min: ${tick} - max: ${1 - tick}` };
  const marketable = type === 'FOK' || type === 'FAK';
  if (marketable) {
    // Market orders: the dollar side of a BUY and the share side of a SELL have 2 decimals.
    if (!decimalsOf(o.side === 'BUY' ? maker : shares, 2)) return { ok: false, error: 'invalid amounts, the market buy orders maker amount supports a max accuracy of 2 decimals' };
    if (Number(collateral) / UNITS + EPS < 1) return { ok: false, error: `invalid amount for a marketable ${o.side} order ($${(Number(collateral) / UNITS).toFixed(4)}), min size: $1` };
  } else {
    if (!decimalsOf(shares, 2)) return { ok: false, error: 'invalid amounts, the size supports a max accuracy of 2 decimals' };
    if (Math.abs(price / tick - Math.round(price / tick)) > 1e-6) return { ok: false, error: `invalid price (${price}), breaks minimum tick size rule: ${tick}` };
    if (size + EPS < m.min_order_size) return { ok: false, error: `Size (${size}) lower than the minimum: ${m.min_order_size}` };
  }
  const expiration = Number(o.expiration ?? '0');
  if (type === 'GTD') {
    if (!(expiration > nowSeconds + expirationBufferSeconds)) return { ok: false, error: `invalid expiration value (${expiration}): must be at least ${expirationBufferSeconds} s in the future` };
  } else if (expiration !== 0) return { ok: false, error: 'only GTD orders may have a non-zero expiration' };
  return { ok: true, order: { side: o.side, tokenId: o.tokenId, price: Math.round(price * 1e6) / 1e6, size, maker: o.maker, expiration } };
}
