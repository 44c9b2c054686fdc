/**
 * Real milliseconds to wait before virtual time `target`, pacing from an anchor (the real and
 * virtual times when play last started or changed speed) so waits never accumulate drift.
 */
export function pacedDelayMs(anchor: { real: number; virtual: number }, target: number, speed: number, realNow: number): number {
  if (!Number.isFinite(speed)) return 0;
  return anchor.real + (target - anchor.virtual) / speed - realNow;
}
