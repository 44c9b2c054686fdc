import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';

/** Real time for the live daemon. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  monotonicNow(): number {
    return performance.now();
  }
  setTimeout(fn: (...args: unknown[]) => void, ms: number): TimerHandle {
    return setTimeout(fn, ms);
  }
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  }
  /**
   * A microtask: it runs once the running callback (one socket read, with every frame of it) has
   * returned, so a burst still coalesces, and nothing else queued on the loop (other immediates,
   * timers, the next read) runs in between, as it did with `setImmediate`.
   */
  afterTurn(fn: () => void): void {
    queueMicrotask(fn);
  }
}
