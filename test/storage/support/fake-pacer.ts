import type { Clock, TimerHandle } from '../../../src/domain/time/clock.ts';

/**
 * Real time under test control, for pacing a replay without a wall clock: a wait completes on the
 * next turn of the loop, advancing `now` by its length.
 */
export class FakePacer implements Clock {
  private t = 0;
  private seq = 0;
  private readonly live = new Set<number>();
  onWait?: () => void;
  now(): number {
    return this.t;
  }
  monotonicNow(): number {
    return this.t;
  }
  setTimeout(fn: (...args: unknown[]) => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.live.add(id);
    setImmediate(() => {
      if (!this.live.delete(id)) return;
      this.t += ms;
      this.onWait?.();
      fn();
    });
    return id;
  }
  clearTimeout(handle: TimerHandle): void {
    this.live.delete(handle as number);
  }
}
