import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { funderAddressProblem, polymarketWallet } from '../../src/domain/execution/polymarket-wallet.ts';
import { TEST_ADDRESS } from './support.ts';

/**
 * The vectors are Polymarket's own: Polymarket/rs-clob-client-v2 src/lib.rs
 * @ 20cbd33d5507b86f58484b16061453bbd9283520 (tests derive_proxy_wallet_polygon,
 * derive_safe_wallet_polygon, derive_safe_wallet_amoy, derive_proxy_wallet_amoy_not_supported), for
 * the hardhat/anvil account 0 that is also helios's development key. Their letter case is not
 * EIP-55 (Rust's address! takes any case): the bytes are compared, and helios answers checksummed.
 */
const EOA = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const PROXY_VECTOR = '0x365f0cA36ae1F641E02Fe3b7743673DA42A13a70';
const SAFE_VECTOR = '0xd93b25Cb943D14d0d34FBAf01fc93a0F8b5f6e47';
const PROXY = getAddress(PROXY_VECTOR.toLowerCase());
const SAFE = getAddress(SAFE_VECTOR.toLowerCase());

describe('Polymarket proxy and safe addresses (CREATE2 from the owning EOA)', () => {
  it('derives the proxy and the safe of Polymarket\'s test vectors on Polygon', () => {
    expect(EOA).toBe(TEST_ADDRESS);
    expect([PROXY.toLowerCase(), SAFE.toLowerCase()]).toEqual([PROXY_VECTOR.toLowerCase(), SAFE_VECTOR.toLowerCase()]);
    expect(polymarketWallet(EOA, 1, 137)).toEqual({ ok: true, address: PROXY });
    expect(polymarketWallet(EOA, 2, 137)).toEqual({ ok: true, address: SAFE });
    // The owner's spelling does not matter.
    expect(polymarketWallet(EOA.toLowerCase(), 2, 137)).toEqual({ ok: true, address: SAFE });
  });

  it('on Amoy: the same safe, and no proxy wallets at all', () => {
    expect(polymarketWallet(EOA, 2, 80002)).toEqual({ ok: true, address: SAFE });
    expect(polymarketWallet(EOA, 1, 80002)).toEqual({ ok: false, reason: expect.stringMatching(/no proxy wallet factory on chain 80002/) });
    expect(polymarketWallet(EOA, 2, 1)).toEqual({ ok: false, reason: expect.stringMatching(/no wallet factories on chain 1 /) });
  });

  it('funder_address: the key\'s own wallet passes; any other is named with the derived one', () => {
    const cfg = (signature_type: number, funder_address: string, chain_id: 137 | 80002 = 137) => ({ signature_type, funder_address, chain_id });
    expect(funderAddressProblem(cfg(1, PROXY), EOA)).toBeNull();
    expect(funderAddressProblem(cfg(2, SAFE.toLowerCase()), EOA)).toBeNull();
    // EOA and deposit-wallet accounts have nothing to derive.
    expect(funderAddressProblem(cfg(0, ''), EOA)).toBeNull();
    expect(funderAddressProblem(cfg(3, PROXY), EOA)).toBeNull();
    const stranger = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
    expect(funderAddressProblem(cfg(1, stranger), EOA)).toBe(
      `execution.real.funder_address ${stranger} is not the proxy wallet of the signing key ${EOA}: with execution.real.signature_type 1 (POLY_PROXY) ` +
        `Polymarket derives that wallet from the key as ${PROXY}, and refuses every order whose maker is another address; set funder_address to ${PROXY}, or use the key of the account that owns ${stranger}`,
    );
    // The right wallet with the other type: the hint says which type it is.
    expect(funderAddressProblem(cfg(1, SAFE), EOA)).toMatch(new RegExp(`is not the proxy wallet .*; ${SAFE} is the key's Gnosis Safe: set signature_type 2$`));
    expect(funderAddressProblem(cfg(2, PROXY), EOA)).toMatch(new RegExp(`is not the Gnosis Safe .* as ${SAFE}, .*; ${PROXY} is the key's proxy wallet: set signature_type 1$`));
    expect(funderAddressProblem(cfg(1, PROXY, 80002), EOA)).toMatch(/^execution\.real\.signature_type 1 \(POLY_PROXY\) cannot be used with the signing key .*: Polymarket has no proxy wallet factory on chain 80002/);
  });
});
