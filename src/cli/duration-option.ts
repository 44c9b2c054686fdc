/**
 * The longest `--duration` a command can honour: a timer cannot wait longer than 2^31 − 1 ms, and
 * Node fires a longer one at once, so the run would stop immediately instead of after weeks.
 */
export const MAX_DURATION_S = Math.floor((2 ** 31 - 1) / 1000);

/** How a `--duration` error message says the accepted values. */
export const DURATION_RANGE_TEXT = `a number of seconds up to ${MAX_DURATION_S} (about 24 days)`;

/**
 * A `--duration <seconds>` value: the number, or null when it is not one a timer can wait for
 * (not a number, empty, negative, beyond MAX_DURATION_S, or 0 where 0 means nothing).
 */
export function parseDurationSeconds(text: string, opts: { allowZero: boolean }): number | null {
  const v = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(v) || v < 0 || v > MAX_DURATION_S) return null;
  return v === 0 && !opts.allowZero ? null : v;
}
