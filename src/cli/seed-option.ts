/** How a `--seed` error message says the accepted values: those of `app.seed`. */
export const SEED_TEXT = 'a whole number ≥ 0';

/** Whether a number is a seed `app.seed` accepts. */
export function isSeed(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}

/** A `--seed <n>` value: the seed, or null when it is not one (empty, fractional, negative, beyond 2^53). */
export function parseSeed(text: string): number | null {
  const v = text.trim() === '' ? Number.NaN : Number(text);
  return isSeed(v) ? v : null;
}
