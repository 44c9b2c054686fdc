import { backoffDelayMs } from '../retry/backoff.ts';

/**
 * Restart intensity in the Erlang/OTP manner: at most `maxRestarts` restarts within `windowMs`;
 * one more and the supervisor gives up and escalates.
 */
export interface RestartPolicy {
  max_restarts: number;
  window_ms: number;
  backoff_min_ms: number;
  backoff_max_ms: number;
}

/**
 * The rules on a count of failures inside the window, for a state machine that reads no clock: it
 * counts a failure up when it happens and down with a timer of `window_ms`.
 */
export function failuresExceed(failuresInWindow: number, policy: RestartPolicy): boolean {
  return failuresInWindow > policy.max_restarts;
}

/** Exponential backoff by the failures inside the window, capped (the one backoff formula). */
export function backoffAfterFailures(failuresInWindow: number, policy: RestartPolicy): number {
  return backoffDelayMs(failuresInWindow, { initialMs: policy.backoff_min_ms, maxMs: policy.backoff_max_ms, multiplier: 2, jitter: 0 }, 0);
}
