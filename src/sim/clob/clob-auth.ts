import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { getAddress, recoverTypedDataAddress, type Hex } from 'viem';

/**
 * What the venue checks of a request's credentials, written independently of the client under
 * test (node:crypto and viem's recovery, not the client's own signing code), so a signing bug in
 * the client or in helios fails here as it would at Polymarket.
 */

export interface ApiCreds {
  key: string;
  secret: string;
  passphrase: string;
}

export type AuthResult = { ok: true; address: string; creds: ApiCreds } | { ok: false; status: number; error: string };

type Headers = Record<string, string | string[] | undefined>;

const header = (h: Headers, name: string): string | undefined => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** L2: HMAC-SHA256 over `${ts}${METHOD}${path}${body}` keyed by the base64url secret, base64url out with padding. */
export function l2Signature(secret: string, ts: string, method: string, path: string, body: string | undefined): string {
  const key = Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const mac = createHmac('sha256', key)
    .update(`${ts}${method}${path}${body ?? ''}`)
    .digest('base64');
  return mac.replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Checks the five POLY_* headers of an authenticated call against the registered keys: key known,
 * passphrase and address belong to it, timestamp within the allowed skew, HMAC over the exact
 * path (no query string) and exact body text.
 */
export function verifyL2(
  h: Headers,
  req: { method: string; path: string; body: string | undefined },
  keys: ReadonlyMap<string, { creds: ApiCreds; address: string }>,
  nowSeconds: number,
  maxSkewSeconds: number,
): AuthResult {
  const key = header(h, 'POLY_API_KEY');
  const sig = header(h, 'POLY_SIGNATURE');
  const ts = header(h, 'POLY_TIMESTAMP');
  const pass = header(h, 'POLY_PASSPHRASE');
  const addr = header(h, 'POLY_ADDRESS');
  if (!key || !sig || !ts || !pass || !addr) return { ok: false, status: 401, error: 'Unauthorized/Invalid api key' };
  const entry = keys.get(key);
  if (!entry || entry.creds.passphrase !== pass) return { ok: false, status: 401, error: 'Unauthorized/Invalid api key' };
  if (!sameAddress(addr, entry.address)) return { ok: false, status: 401, error: 'Unauthorized/address does not own the api key' };
  if (!/^\d+$/.test(ts) || Math.abs(Number(ts) - nowSeconds) > maxSkewSeconds) return { ok: false, status: 401, error: 'Unauthorized/timestamp out of range' };
  const want = l2Signature(entry.creds.secret, ts, req.method, req.path, req.body);
  if (!constantTimeEqual(want, sig)) return { ok: false, status: 401, error: 'Unauthorized/invalid signature' };
  return { ok: true, address: entry.address, creds: entry.creds };
}

const CLOB_AUTH_MESSAGE = 'This message attests that I control the given wallet';

/** L1: the EIP-712 ClobAuth signature must recover to POLY_ADDRESS. */
export async function verifyL1(h: Headers, chainId: number, nowSeconds: number, maxSkewSeconds: number): Promise<{ ok: true; address: string; nonce: bigint } | { ok: false; status: number; error: string }> {
  const addr = header(h, 'POLY_ADDRESS');
  const sig = header(h, 'POLY_SIGNATURE');
  const ts = header(h, 'POLY_TIMESTAMP');
  const nonceText = header(h, 'POLY_NONCE') ?? '0';
  if (!addr || !sig || !ts) return { ok: false, status: 401, error: 'Unauthorized/missing L1 headers' };
  if (!/^\d+$/.test(ts) || Math.abs(Number(ts) - nowSeconds) > maxSkewSeconds) return { ok: false, status: 401, error: 'Unauthorized/timestamp out of range' };
  if (!/^\d+$/.test(nonceText)) return { ok: false, status: 400, error: 'invalid nonce' };
  const nonce = BigInt(nonceText);
  try {
    const recovered = await recoverTypedDataAddress({
      domain: { name: 'ClobAuthDomain', version: '1', chainId },
      types: {
        ClobAuth: [
          { name: 'address', type: 'address' },
          { name: 'timestamp', type: 'string' },
          { name: 'nonce', type: 'uint256' },
          { name: 'message', type: 'string' },
        ],
      },
      primaryType: 'ClobAuth',
      message: { address: getAddress(addr), timestamp: ts, nonce, message: CLOB_AUTH_MESSAGE },
      signature: sig as Hex,
    });
    if (!sameAddress(recovered, addr)) return { ok: false, status: 401, error: 'Unauthorized/invalid L1 signature' };
  } catch {
    return { ok: false, status: 401, error: 'Unauthorized/invalid L1 signature' };
  }
  return { ok: true, address: getAddress(addr), nonce };
}

/** The venue derives the same key for the same address and nonce, as Polymarket does. */
export function deriveCreds(address: string, nonce: bigint): ApiCreds {
  const d = (label: string) => createHash('sha256').update(`${label}:${address.toLowerCase()}:${nonce}`).digest();
  const hex = d('key').toString('hex');
  return {
    key: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`,
    secret: d('secret').toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
    passphrase: d('pass').toString('hex').slice(0, 32),
  };
}

export function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
