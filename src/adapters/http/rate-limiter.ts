import type { Clock, TimerHandle } from '../../domain/time/clock.ts';

/** At most `max` grants in any window of `windowMs`. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/**
 * Grants requests first come first served under every one of its limits at once, timed on the
 * injected clock (so limits are testable on a virtual clock). A minimum spacing of 2 s is
 * `{ max: 1, windowMs: 2000 }`; a spacing plus a per-minute quota is two limits.
 */
export class RateLimiter {
  /** Times of the most recent grants, oldest first; never longer than the largest `max`. */
  private readonly grants: number[] = [];
  private readonly waiting: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private readonly keep: number;
  private timer: TimerHandle | null = null;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    readonly limits: readonly RateLimit[],
  ) {
    for (const l of limits) {
      if (!(l.max >= 1) || !(l.windowMs > 0)) throw new Error(`rate limiter needs max ≥ 1 and window > 0 (got ${l.max}/${l.windowMs})`);
    }
    this.keep = Math.max(0, ...limits.map((l) => l.max));
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
    let at = this.clock.now();
    for (const l of this.limits) {
      if (this.grants.length >= l.max) at = Math.max(at, this.grants[this.grants.length - l.max]! + l.windowMs);
    }
    return at;
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
      if (this.grants.length > this.keep) this.grants.shift();
      this.waiting.shift()!.resolve();
    }
  }
}
