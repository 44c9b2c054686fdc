import { encodeAbiParameters, getAddress, getCreate2Address, keccak256, type Hex } from 'viem';
import type { RealExecutionConfig } from '../../config/sections/execution-real.ts';

/**
 * The Polymarket wallet an EOA signs for: a proxy (POLY_PROXY, signature_type 1, email/Magic
 * accounts) or a Gnosis Safe (POLY_GNOSIS_SAFE, 2, browser-wallet accounts). Each is a CREATE2
 * address fixed by the owning EOA alone, so the venue knows every key's wallet before it is
 * deployed, and the exchange takes a proxy or safe order only when its maker is the signer's own.
 * helios derives it the same way to refuse a `funder_address` the key does not own before the first
 * order, and the stand-in CLOB derives it to decide which maker a signer may name.
 *
 * Sources (Polymarket's own code):
 * - factories per chain (no proxy factory on Amoy): Polymarket/builder-relayer-client
 *   src/config/index.ts @ c42a05473ed73db1d76522d6a4746013880dd56e
 * - init code hashes: the same repository and commit, src/constants/index.ts
 * - salts, keccak256 of the packed 20-byte address (proxy) or of the ABI-encoded 32-byte word
 *   (safe): the same repository and commit, src/builder/derive.ts; the exchange contract hashes
 *   the same (Polymarket/ctf-exchange src/exchange/libraries/PolyProxyLib.sol and PolySafeLib.sol
 *   @ 00945f5c5a475e0bf5764b6d977f2a1ce4e8525d)
 * - test vectors (test/execution/polymarket-wallet.test.ts): Polymarket/rs-clob-client-v2 src/lib.rs
 *   @ 20cbd33d5507b86f58484b16061453bbd9283520
 * POLY_1271 deposit wallets (3) are not derived here.
 */

export type WalletKind = 1 | 2;

/** The venue's names of the signature types (its error texts use them). */
export const SIGNATURE_TYPE_NAMES: Readonly<Record<number, string>> = { 0: 'EOA', 1: 'POLY_PROXY', 2: 'POLY_GNOSIS_SAFE', 3: 'POLY_1271' };

const WALLET_NOUNS: Readonly<Record<WalletKind, string>> = { 1: 'proxy wallet', 2: 'Gnosis Safe' };

const PROXY_INIT_CODE_HASH: Hex = '0xd21df8dc65880a8606f09fe0ce3df9b8869287ab0b058be05aa9e8af6330a00b';
const SAFE_INIT_CODE_HASH: Hex = '0x2bce2127ff07fb632d16c8347c4ebf501f4841168bed00d9e6ef715ddb6fcecf';
const SAFE_FACTORY: Hex = '0xaacFeEa03eb1561C4e67d661e40682Bd20E3541b';
const FACTORIES: Readonly<Record<number, { proxy: Hex | null; safe: Hex }>> = {
  137: { proxy: '0xaB45c5A4B0c941a2F231C04C3f49182e1A254052', safe: SAFE_FACTORY },
  80002: { proxy: null, safe: SAFE_FACTORY },
};

export type DerivedWallet = { ok: true; address: string } | { ok: false; reason: string };

/** The checksummed address of `eoa`'s proxy (1) or safe (2) on `chainId`, or why there is none. */
export function polymarketWallet(eoa: string, kind: WalletKind, chainId: number): DerivedWallet {
  const factories = FACTORIES[chainId];
  if (!factories) return { ok: false, reason: `Polymarket has no wallet factories on chain ${chainId} (137 Polygon, 80002 Amoy)` };
  const owner = getAddress(eoa);
  if (kind === 1) {
    if (!factories.proxy) return { ok: false, reason: `Polymarket has no proxy wallet factory on chain ${chainId}: POLY_PROXY accounts exist on Polygon (137) only` };
    return { ok: true, address: getCreate2Address({ from: factories.proxy, salt: keccak256(owner), bytecodeHash: PROXY_INIT_CODE_HASH }) };
  }
  const salt = keccak256(encodeAbiParameters([{ type: 'address' }], [owner]));
  return { ok: true, address: getCreate2Address({ from: factories.safe, salt, bytecodeHash: SAFE_INIT_CODE_HASH }) };
}

/**
 * Why `funder_address` cannot be the wallet of the key whose address is `signer`, or null when it
 * is (or when the signature type has no derivable wallet to check: 0 signs for the key itself, 3 is
 * a deposit wallet). The venue would refuse every order of a wrong pair as a bad signature.
 */
export function funderAddressProblem(cfg: Pick<RealExecutionConfig, 'chain_id' | 'signature_type' | 'funder_address'>, signer: string): string | null {
  const kind = cfg.signature_type;
  if (kind !== 1 && kind !== 2) return null;
  const setting = `execution.real.signature_type ${kind} (${SIGNATURE_TYPE_NAMES[kind]})`;
  const wallet = polymarketWallet(signer, kind, cfg.chain_id);
  if (!wallet.ok) return `${setting} cannot be used with the signing key ${getAddress(signer)}: ${wallet.reason}`;
  if (cfg.funder_address !== '' && getAddress(cfg.funder_address) === wallet.address) return null;
  const other = polymarketWallet(signer, kind === 1 ? 2 : 1, cfg.chain_id);
  const hint =
    other.ok && cfg.funder_address !== '' && getAddress(cfg.funder_address) === other.address
      ? `; ${cfg.funder_address} is the key's ${WALLET_NOUNS[kind === 1 ? 2 : 1]}: set signature_type ${kind === 1 ? 2 : 1}`
      : `; set funder_address to ${wallet.address}, or use the key of the account that owns ${cfg.funder_address || 'the funds'}`;
  return (
    `execution.real.funder_address ${cfg.funder_address || "''"} is not the ${WALLET_NOUNS[kind]} of the signing key ${getAddress(signer)}: ` +
    `with ${setting} Polymarket derives that wallet from the key as ${wallet.address}, and refuses every order whose maker is another address${hint}`
  );
}
