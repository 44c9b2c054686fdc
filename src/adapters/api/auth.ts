import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Secret } from '../../config/secrets.ts';

/** Why a server without HELIOS_API_TOKEN refuses every mutating request (also what its dashboard says). */
export const ACTIONS_DISABLED = 'mutating endpoints are disabled: set HELIOS_API_TOKEN to enable them';

export type AuthResult = { ok: true } | { ok: false; status: 401 | 403; message: string };

/**
 * Mutating endpoints need `Authorization: Bearer <HELIOS_API_TOKEN>`. Without a configured token
 * they are disabled. Digests of equal length make the comparison timing-safe whatever the input.
 */
export function checkBearer(req: IncomingMessage, token: Secret | undefined): AuthResult {
  if (!token) return { ok: false, status: 403, message: ACTIONS_DISABLED };
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) return { ok: false, status: 401, message: 'missing bearer token' };
  const given = createHash('sha256').update(match[1]!).digest();
  const expected = createHash('sha256').update(token.reveal()).digest();
  if (!timingSafeEqual(given, expected)) return { ok: false, status: 401, message: 'invalid bearer token' };
  return { ok: true };
}
