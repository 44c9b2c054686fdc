import { polymarketWallet, SIGNATURE_TYPE_NAMES, type WalletKind } from '../../domain/execution/polymarket-wallet.ts';

/**
 * Which address holds a signer's funds, per signature type, as the venue sees it: an EOA (0)
 * trades for itself; a proxy (1, POLY_PROXY: email/Magic accounts) or a Gnosis Safe (2,
 * POLY_GNOSIS_SAFE: browser-wallet accounts) trades for the wallet contract its EOA owns, whose
 * address the stand-in derives from the EOA as the venue does (CREATE2 from Polymarket's proxy or
 * safe factory), so no other address can pass for a key's wallet. POLY_1271 deposit wallets (3)
 * are not modelled: their signatures are ERC-1271 checks against the deployed wallet contract,
 * which the stand-in does not have.
 */

export type FundsAddress = { ok: true; address: string } | { ok: false; error: string };

/**
 * The address whose collateral and positions an authenticated signer's calls read, by the
 * `signature_type` the client sends with them (absent: the signer's own, as for an EOA).
 */
export function fundsAddress(signer: string, signatureType: string | null, chainId: number): FundsAddress {
  if (signatureType === null || signatureType === '' || signatureType === '0') return { ok: true, address: signer };
  if (signatureType === '3') return { ok: false, error: 'the stand-in venue does not support POLY_1271 deposit wallets (signature_type 3); use 0, 1 or 2' };
  if (signatureType !== '1' && signatureType !== '2') return { ok: false, error: `invalid signature_type ${signatureType}` };
  const type = Number(signatureType) as WalletKind;
  const w = polymarketWallet(signer, type, chainId);
  if (!w.ok) return { ok: false, error: `no ${SIGNATURE_TYPE_NAMES[type]} wallet for owner ${signer}: ${w.reason}` };
  return { ok: true, address: w.address };
}
