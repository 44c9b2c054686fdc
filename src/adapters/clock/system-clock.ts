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
  afterTurn(fn: () => void): void {
    setImmediate(fn);
  }
  afterRead(fn: () => void): void {
    queueMicrotask(fn);
  }
}
