import { polymarketWallet, SIGNATURE_TYPE_NAMES, type WalletKind } from '../../domain/execution/polymarket-wallet.ts';

/**
 * Which address holds a signer's funds, per signature type, as the venue sees it: an EOA (0)
 * trades for itself; a proxy (1, POLY_PROXY: email/Magic accounts) or a Gnosis Safe (2,
 * POLY_GNOSIS_SAFE: browser-wallet accounts) trades for the wallet contract its EOA owns, whose
 * address the stand-in derives from the EOA as the venue does (CREATE2 from Polymarket's proxy or
 * safe factory), so no other address can pass for a key's wallet. A POLY_1271 deposit wallet (3)
 * is a contract deployed for its owner, whose address Polymarket's clients take as given rather
 * than derive: the stand-in knows it only when it was registered for the key (ClobStandIn.registerDepositWallet).
 */

export type FundsAddress = { ok: true; address: string } | { ok: false; error: string };

/**
 * The address whose collateral and positions an authenticated signer's calls read, by the
 * `signature_type` the client sends with them (absent: the signer's own, as for an EOA);
 * `depositWallet` is the one registered for the signer, if any.
 */
export function fundsAddress(signer: string, signatureType: string | null, chainId: number, depositWallet: string | null): FundsAddress {
  if (signatureType === null || signatureType === '' || signatureType === '0') return { ok: true, address: signer };
  if (signatureType === '3') return depositWallet ? { ok: true, address: depositWallet } : { ok: false, error: `no deposit wallet is registered for ${signer}: POLY_1271 (signature_type 3) needs one` };
  if (signatureType !== '1' && signatureType !== '2') return { ok: false, error: `invalid signature_type ${signatureType}` };
  const type = Number(signatureType) as WalletKind;
  const w = polymarketWallet(signer, type, chainId);
  if (!w.ok) return { ok: false, error: `no ${SIGNATURE_TYPE_NAMES[type]} wallet for owner ${signer}: ${w.reason}` };
  return { ok: true, address: w.address };
}
