import { describe, expect, it } from 'vitest';
import { backoffDelayMs, type BackoffPolicy } from '../../src/domain/retry/backoff.ts';
import { backoffAfterFailures } from '../../src/domain/supervision/restart-intensity.ts';

const policy: BackoffPolicy = { initialMs: 100, maxMs: 5_000, multiplier: 2, jitter: 0 };

describe('the one backoff formula', () => {
  it('doubles from the initial delay up to the ceiling, and jitter only shortens', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelayMs(a, policy, 0.5))).toEqual([100, 200, 400, 800, 1600, 3200, 5000]);
    expect(backoffDelayMs(3, { ...policy, jitter: 0.5 }, 1)).toBe(200);
    expect(backoffDelayMs(3, { ...policy, jitter: 0.5 }, 0)).toBe(400);
  });

  it('stays a number after thousands of attempts, also from a zero initial delay', () => {
    expect(backoffDelayMs(5_000, policy, 0)).toBe(5_000);
    expect(backoffDelayMs(5_000, { ...policy, initialMs: 0 }, 0)).toBe(0);
  });

  it('is what a supervisor waits before a restart: one doubling per restart inside the window', () => {
    const restart = { max_restarts: 100, window_ms: 60_000, backoff_min_ms: 250, backoff_max_ms: 4_000 };
    const waits = [0, 1, 2, 3, 4, 5, 6].map((n) => backoffAfterFailures(n, restart));
    expect(waits).toEqual([250, 250, 500, 1000, 2000, 4000, 4000]);
    expect(backoffAfterFailures(2_000, { ...restart, backoff_min_ms: 0 })).toBe(0);
  });
});
