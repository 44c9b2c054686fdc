/**
 * `x` to `dp` decimal places: what a figure is written at once binary-float arithmetic has left
 * noise on it (1 − 0.21276 is 0.7872399999999999; (0.1 + 0.12) / 2 is 0.11000000000000001).
 */
export function roundDecimals(x: number, dp: number): number {
  const f = 10 ** dp;
  return Math.round(x * f) / f;
}
