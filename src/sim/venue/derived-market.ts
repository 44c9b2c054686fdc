import { createHash } from 'node:crypto';
import type { SimMarketSpec } from './synthetic-markets.ts';

/**
 * A market the embedded venue lists after its initial ones (a judge day's bucket, a later round's
 * match): its ids derived from `key`, so the same on every run and restart, and shaped like the
 * venue's (a 32-byte condition id, long decimal token ids).
 */
export function derivedMarketSpec(key: string, fair: number, tickSize = 0.01): SimMarketSpec {
  return { market: `0x${sha256Hex(key)}`, yes: decimalId(`${key}:yes`), no: decimalId(`${key}:no`), fair, tick_size: tickSize };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A token id as the venue writes them: a long decimal number. */
function decimalId(text: string): string {
  return BigInt(`0x${sha256Hex(text)}`).toString(10);
}
