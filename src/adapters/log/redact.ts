import { looksLikeSecretKey, REDACTED, Secret } from '../../config/secrets.ts';

/**
 * Last line of defence for log lines: pino's path redaction only covers the paths it is given, so
 * a token nested three levels deep, inside a list, on an Error, or spelled `x-api-key` would still
 * print. This walks what is about to be logged and replaces
 * - any value under a key that looks like a secret (`api_key`, `apiKey`, `x-api-key`, `password`,
 *   `client_secret`, `authorization`, `token`, …) and any `Secret`;
 * - inside strings (messages, URLs, error messages and stacks): `Bearer …`, secret-looking query
 *   parameters (`?token=…`, `&apiKey=…`) and the password of `scheme://user:password@host`.
 * Logs are never on the hot path, so the copy is affordable.
 */

/** Key names that carry credentials without matching `looksLikeSecretKey` (which wants e.g. `api_token`). */
const EXTRA_SECRET_KEYS = new Set(['token', 'authorization', 'proxy_authorization', 'cookie', 'set_cookie', 'auth', 'signature', 'poly_signature', 'poly_passphrase', 'poly_api_key']);
const MAX_DEPTH = 12;

export function isSecretLogKey(key: string): boolean {
  const k = key.replace(/-/g, '_');
  return looksLikeSecretKey(k) || EXTRA_SECRET_KEYS.has(k.toLowerCase());
}

const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const QUERY_PARAM = /([?&;])([A-Za-z_][\w-]*)=([^&#\s"'<>]*)/g;
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]*:)[^@\s/]+@/gi;

/** A string with the credentials it may embed replaced. */
export function scrubText(text: string): string {
  if (text.length === 0) return text;
  return text
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(QUERY_PARAM, (all, sep: string, name: string) => (isSecretLogKey(name) ? `${sep}${name}=${REDACTED}` : all))
    .replace(USERINFO, `$1${REDACTED}@`);
}

/** A redacted copy of a log object (pino `formatters.log`). */
export function redactForLog(obj: Record<string, unknown>): Record<string, unknown> {
  return walk(obj, 0, new WeakSet()) as Record<string, unknown>;
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Secret) return REDACTED;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, seen));
    if (value instanceof Error) return errorCopy(value, depth, seen);
    if (value instanceof Date || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return value;
    // Objects with their own JSON form (e.g. Secret-like wrappers) keep it.
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return walk((value as { toJSON(): unknown }).toJSON(), depth + 1, seen);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretLogKey(k) ? REDACTED : walk(v, depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * A redacted copy of an Error with the same prototype, so pino's error serializer still prints its
 * real type, message (with causes) and stack, from the scrubbed copy.
 */
function errorCopy(err: Error, depth: number, seen: WeakSet<object>): Error {
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
  const define = (key: string, value: unknown, enumerable: boolean) =>
    Object.defineProperty(copy, key, { value, enumerable, writable: true, configurable: true });
  define('message', scrubText(String(err.message)), false);
  if (typeof err.stack === 'string') define('stack', scrubText(err.stack), false);
  if (err.cause !== undefined) define('cause', walk(err.cause, depth + 1, seen), false);
  for (const [k, v] of Object.entries(err)) {
    if (k === 'message' || k === 'stack' || k === 'cause') continue;
    define(k, isSecretLogKey(k) ? REDACTED : walk(v, depth + 1, seen), true);
  }
  return copy;
}
