import { getAddress } from 'viem';

/**
 * Which address holds a signer's funds, per signature type, as the venue sees it: an EOA (0)
 * trades for itself; a proxy (1, POLY_PROXY: email/Magic accounts) or a Gnosis Safe (2,
 * POLY_GNOSIS_SAFE: browser-wallet accounts) trades for the wallet contract its EOA owns. The real
 * venue derives that contract's address from the EOA (CREATE2 from the proxy or safe factory); the
 * stand-in is told it instead (`helios clob-standin --funder`), so any address can play the part.
 * POLY_1271 deposit wallets (3) are not modelled: their signatures are ERC-1271 checks against the
 * deployed wallet contract, which the stand-in does not have.
 */

export type WalletType = 1 | 2;

/** The venue's names of the signature types (its error texts use them). */
export const SIGNATURE_TYPE_NAMES: Readonly<Record<number, string>> = { 0: 'EOA', 1: 'POLY_PROXY', 2: 'POLY_GNOSIS_SAFE', 3: 'POLY_1271' };

export type FundsAddress = { ok: true; address: string } | { ok: false; error: string };

export class WalletRegistry {
  private readonly funders = new Map<string, string>();

  /** `signer` owns the proxy or safe `funder`: orders it signs with that type may name it as maker. */
  register(signer: string, funder: string, type: WalletType): void {
    this.funders.set(key(signer, type), getAddress(funder));
  }

  /** The proxy or safe of `signer` for `type`, if the stand-in knows one. */
  funderOf(signer: string, type: WalletType): string | undefined {
    return this.funders.get(key(signer, type));
  }

  /**
   * The address whose collateral and positions an authenticated signer's calls read, by the
   * `signature_type` the client sends with them (absent: the signer's own, as for an EOA).
   */
  fundsAddress(signer: string, signatureType: string | null): FundsAddress {
    if (signatureType === null || signatureType === '' || signatureType === '0') return { ok: true, address: signer };
    if (signatureType === '3') return { ok: false, error: 'the stand-in venue does not support POLY_1271 deposit wallets (signature_type 3); use 0, 1 or 2' };
    if (signatureType !== '1' && signatureType !== '2') return { ok: false, error: `invalid signature_type ${signatureType}` };
    const type = Number(signatureType) as WalletType;
    const funder = this.funderOf(signer, type);
    if (!funder) return { ok: false, error: `no ${SIGNATURE_TYPE_NAMES[type]} wallet found for owner ${signer} (the stand-in knows the wallets given to helios clob-standin --funder)` };
    return { ok: true, address: funder };
  }
}

const key = (signer: string, type: WalletType) => `${signer.toLowerCase()}|${type}`;
