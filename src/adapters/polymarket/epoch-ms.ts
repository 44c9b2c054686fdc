/** The last millisecond of year 9999: a later "epoch ms" is units mixed up (µs, ns) or garbage. */
export const MAX_EPOCH_MS = 253_402_300_799_999;

/** A venue timestamp in epoch milliseconds: not before 1970, not past year 9999. */
export function isEpochMs(n: number): boolean {
  return n >= 0 && n <= MAX_EPOCH_MS;
}
