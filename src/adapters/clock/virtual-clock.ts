import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { SimulatedClock } from 'xstate';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';

interface Timer {
  id: number;
  deadline: number;
  fn: () => void;
}

/**
 * Virtual time: an XState `SimulatedClock` (machines given it schedule their `after` timers here)
 * whose timers live in a binary heap ordered by (deadline, creation order). Two differences from
 * the base class matter: a jump fires timers deadline by deadline — a timer created by a firing
 * timer starts at *its* virtual time, not at the jump's target, so replay stays faithful — and
 * firing one timer costs O(log n), not a re-sort of every pending timer (thousands of markets).
 */
export class VirtualClock extends SimulatedClock implements Clock {
  private current: number;
  private readonly heap: Timer[] = [];
  private readonly live = new Map<number, Timer>();
  private nextId = 1;
  private firing = false;

  constructor(startMs = 0) {
    super();
    this.current = startMs;
  }

  override now(): number {
    return this.current;
  }

  monotonicNow(): number {
    return this.current;
  }

  override setTimeout(fn: (...args: unknown[]) => void, ms: number): number {
    const timer: Timer = { id: this.nextId++, deadline: this.current + Math.max(0, ms || 0), fn: fn as () => void };
    this.live.set(timer.id, timer);
    this.push(timer);
    return timer.id;
  }

  override clearTimeout(handle: TimerHandle): void {
    // Lazy deletion: the heap entry is skipped when it surfaces.
    this.live.delete(handle as number);
  }

  /** Earliest pending deadline, or undefined when no timer is pending. */
  nextDeadline(): number | undefined {
    this.dropCancelledTop();
    return this.heap[0]?.deadline;
  }

  pendingTimers(): number {
    return this.live.size;
  }

  /** Advance to `target`, firing due timers in (deadline, creation) order, including new ones. */
  advanceTo(target: number): void {
    this.advanceToUnless(target, () => false);
  }

  /**
   * As `advanceTo`, but `pause` is asked after each timer fires: once it answers true the clock
   * stays at that timer's deadline and the timers still due fire on a later call. Returns whether
   * `target` was reached.
   */
  advanceToUnless(target: number, pause: () => boolean): boolean {
    if (target < this.current) throw new Error(`VirtualClock cannot travel back in time: ${target} < ${this.current}`);
    if (this.firing) {
      // Re-entrant call from inside a timer: only move time forward; the outer loop fires the rest.
      this.current = Math.max(this.current, target);
      return true;
    }
    this.firing = true;
    try {
      for (;;) {
        this.dropCancelledTop();
        const top = this.heap[0];
        if (!top || top.deadline > target) break;
        this.pop();
        this.live.delete(top.id);
        if (top.deadline > this.current) this.current = top.deadline;
        top.fn();
        if (pause()) return false;
      }
      this.current = Math.max(this.current, target);
      return true;
    } finally {
      this.firing = false;
    }
  }

  /**
   * Advance to `target` one deadline at a time, running `settle` after each timer fires, so the
   * promise continuations a timer released (async actors, adapters) run before the next deadline,
   * as they would in real time. The one such loop: replay, the simulated day and tests use it. A
   * `settle` that returns nothing keeps the loop synchronous between its own pauses.
   */
  async advanceSettling(target: number, settle: () => Promise<void> | void = () => yieldToLoop()): Promise<void> {
    for (;;) {
      const deadline = this.nextDeadline();
      if (deadline === undefined || deadline > target) break;
      this.advanceTo(deadline);
      const pending = settle();
      if (pending) await pending;
    }
    if (target > this.current) this.advanceTo(target);
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  override set(time: number): void {
    if (time < this.current) throw new Error('Unable to travel back in time');
    this.advanceTo(time);
  }

  override increment(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  private dropCancelledTop(): void {
    while (this.heap.length && !this.live.has(this.heap[0]!.id)) this.pop();
  }

  private less(a: Timer, b: Timer): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.id < b.id);
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
