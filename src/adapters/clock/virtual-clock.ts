import { SimulatedClock } from 'xstate';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';

/**
 * Virtual time on top of XState's SimulatedClock, so machines given this clock schedule their
 * `after` timers on it. SimulatedClock fires every due timer at the *new* time when jumped, so a
 * far jump does not cascade through intermediate deadlines; `advanceTo` therefore walks deadline
 * by deadline, which keeps replay faithful.
 */
export class VirtualClock implements Clock {
  private readonly sim = new SimulatedClock();
  /** Pending deadlines by SimulatedClock timer id. */
  private readonly deadlines = new Map<number, number>();

  constructor(startMs = 0) {
    if (startMs > 0) this.sim.set(startMs);
  }

  now(): number {
    return this.sim.now();
  }

  monotonicNow(): number {
    return this.sim.now();
  }

  setTimeout(fn: (...args: unknown[]) => void, ms: number): TimerHandle {
    const handle: number = this.sim.setTimeout(() => {
      this.deadlines.delete(handle);
      fn();
    }, ms);
    this.deadlines.set(handle, this.sim.now() + Math.max(0, ms));
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.deadlines.delete(handle as number);
    this.sim.clearTimeout(handle as number);
  }

  /** Earliest pending deadline, or undefined when no timer is pending. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const d of this.deadlines.values()) if (min === undefined || d < min) min = d;
    return min;
  }

  /** Advance to `target`, firing timers in deadline order, including timers they create. */
  advanceTo(target: number): void {
    if (target < this.sim.now()) throw new Error(`VirtualClock cannot travel back in time: ${target} < ${this.sim.now()}`);
    for (;;) {
      const next = this.nextDeadline();
      if (next === undefined || next > target) break;
      this.sim.set(Math.max(next, this.sim.now()));
    }
    this.sim.set(target);
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.sim.now() + ms);
  }

  pendingTimers(): number {
    return this.deadlines.size;
  }
}
