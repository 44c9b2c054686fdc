import type { Clock, TimerHandle } from '../../domain/time/clock.ts';

/**
 * At most `max` grants in any window of `windowMs`, first come first served, timed on the
 * injected clock (so limits are testable on a virtual clock). A 1-request-per-2-s limit is
 * `new RateLimiter(clock, 1, 2000)`.
 */
export class RateLimiter {
  /** Times of the most recent grants, oldest first; never longer than `max`. */
  private readonly grants: number[] = [];
  private readonly waiting: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private timer: TimerHandle | null = null;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    readonly max: number,
    readonly windowMs: number,
  ) {
    if (!(max >= 1) || !(windowMs > 0)) throw new Error(`rate limiter needs max ≥ 1 and window > 0 (got ${max}/${windowMs})`);
  }

  /** Resolves when the caller may send one request. */
  acquire(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('rate limiter closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.pump();
    });
  }

  /** Earliest time a new request could be granted, ignoring the queue. */
  nextFreeAt(): number {
    const now = this.clock.now();
    if (this.grants.length < this.max) return now;
    return Math.max(now, this.grants[this.grants.length - this.max]! + this.windowMs);
  }

  queued(): number {
    return this.waiting.length;
  }

  /** Rejects everything still waiting; later acquires fail. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.waiting.splice(0)) w.reject(new Error('rate limiter closed'));
  }

  private pump(): void {
    if (this.timer !== null) return;
    while (this.waiting.length > 0) {
      const now = this.clock.now();
      const at = this.nextFreeAt();
      if (at > now) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = null;
          this.pump();
        }, at - now);
        return;
      }
      this.grants.push(now);
      if (this.grants.length > this.max) this.grants.shift();
      this.waiting.shift()!.resolve();
    }
  }
}
