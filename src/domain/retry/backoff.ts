/**
 * Exponential backoff with bounded jitter: attempt 1 waits about `initialMs`, growing to `maxMs`.
 * The one backoff formula: reconnects, REST retries, bus reconnects and supervisor restarts.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** Fraction of the delay drawn at random: 0 = none, 1 = full jitter. */
  jitter: number;
}

/**
 * Delay before retry number `attempt` (1-based). `u` is a uniform draw in [0, 1) from the
 * caller's seeded source, so the schedule is reproducible; jitter only ever shortens the delay,
 * which keeps `maxMs` a true ceiling.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, u: number): number {
  const n = Math.max(1, Math.floor(attempt));
  // Growth can overflow to Infinity after many attempts; the ceiling still holds (0 stays 0, not NaN).
  const base = policy.initialMs <= 0 ? 0 : Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.multiplier, n - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.max(0, Math.round(base * (1 - jitter * Math.min(1, Math.max(0, u)))));
}
