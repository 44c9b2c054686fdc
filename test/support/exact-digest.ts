import { createHash } from 'node:crypto';

/**
 * A serialization that tells apart everything JSON would blur: -0 from 0, NaN and infinities from
 * null, a key holding undefined from a missing key. Object keys are sorted so the digest does not
 * depend on construction order.
 */
export function exactText(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === null) return 'n';
  if (typeof value === 'number') return Object.is(value, -0) ? '#-0' : `#${String(value)}`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (Array.isArray(value)) return `[${value.map(exactText).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${exactText((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new Error(`exactText: cannot serialize a ${typeof value}`);
}

export function exactDigest(value: unknown): string {
  return createHash('sha256').update(exactText(value)).digest('hex');
}
