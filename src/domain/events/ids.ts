import type { Rng } from '../util/random.ts';

export type IdGenerator = (timeMs: number) => string;

/** Crockford's base32, as ULIDs spell them. */
const ENCODING = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LEN = 10;
const RANDOM_LEN = 16;
const TIME_MAX = 2 ** 48 - 1;
const CODES = Array.from(ENCODING, (c) => c.charCodeAt(0));

/**
 * ULIDs from the event's own time and an injected random source: monotonic within a millisecond,
 * and reproducible in replay when the source is seeded.
 *
 * The same ids as the `ulid` package's `monotonicFactory(random)` (a test checks them side by side),
 * written for the hot path: that one rebuilds the time part character by character on every call
 * and increments by slicing strings, and returns a concatenation (a rope of two strings); every
 * event carries its id, and a consumer's dedup window keeps the last thousands of them, so here the
 * characters are kept as codes and each id is one flat string. One difference: the package takes
 * the wall clock for a time of 0, this takes 0 (domain code reads no clock).
 */
export function ulidGenerator(random: Rng): IdGenerator {
  let lastTime = -1;
  const chars: number[] = new Array<number>(TIME_LEN + RANDOM_LEN).fill(CODES[0]!);
  /** The random part as base32 digits, most significant first. */
  const digits = new Uint8Array(RANDOM_LEN);
  return (timeMs) => {
    if (timeMs <= lastTime) {
      increment(digits);
    } else {
      encodeTime(timeMs, chars);
      lastTime = timeMs;
      // As the package draws them: each new character goes in front of the ones drawn before.
      for (let i = RANDOM_LEN - 1; i >= 0; i--) digits[i] = Math.floor(random() * ENCODING.length) % ENCODING.length;
    }
    for (let i = 0; i < RANDOM_LEN; i++) chars[TIME_LEN + i] = CODES[digits[i]!]!;
    return String.fromCharCode.apply(null, chars);
  };
}

function encodeTime(timeMs: number, into: number[]): void {
  if (!Number.isInteger(timeMs) || timeMs < 0 || timeMs > TIME_MAX) throw new Error(`ULID time must be an integer in [0, 2^48): ${timeMs}`);
  let now = timeMs;
  for (let i = TIME_LEN - 1; i >= 0; i--) {
    const mod = now % ENCODING.length;
    into[i] = CODES[mod]!;
    now = (now - mod) / ENCODING.length;
  }
}

/** The random part plus one, in base32 (the package throws past all Z's, and so does this). */
function increment(digits: Uint8Array): void {
  for (let i = RANDOM_LEN - 1; i >= 0; i--) {
    if (digits[i]! < ENCODING.length - 1) {
      digits[i]!++;
      return;
    }
    digits[i] = 0;
  }
  throw new Error('ULID random part overflowed within one millisecond');
}
