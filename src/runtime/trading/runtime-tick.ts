import type { Clock, TimerHandle } from '../../domain/time/clock.ts';

export interface RuntimeTickDeps {
  clock: Clock;
  /** The tick's period: its ticks fall on `start + k × periodMs`. */
  periodMs: number;
  reconcileIntervalMs: number;
  /** Orders younger than this are not yet compared with the venue (reconcile's grace). */
  graceMs: number;
  /**
   * The venue changes only through what the runtime sees (the paper venue: its answers, fills and
   * expiries all come back as execution events). Then a reconcile with nothing new since the last
   * one that ran finds what that one found. A real venue can change behind the runtime's back.
   */
  venueChangesOnlyThroughUs: boolean;
  /** The time-driven changes, applied (risk poll and flush, resolved markets leaving). */
  poll(nowMs: number): void;
  /** When `poll` next changes anything with time alone (null: never). */
  nextTimedChange(): number | null;
  /** Starts a reconciliation (which reports itself through `reconciled`). */
  reconcile(): void;
}

/**
 * The runtime's periodic work: the time-driven changes every period, a reconciliation with the
 * venue every interval. Its ticks fall where a tick every period would, but while nothing happens
 * it sleeps to the next tick that can change something: a breaker's cool-down ending, a day
 * rolling over, a resolved market's retention running out, a reconciliation that may find something. Each skipped reconciliation would have
 * been a no-op, and it still counts as one, so the reconciliations that do run fall on the same
 * instants as before. Any event to a market (`touch`) brings the next tick back to the next period.
 */
export class RuntimeTick {
  private timer: TimerHandle | null = null;
  /** When the armed timer fires (null: none armed). */
  private armedAt: number | null = null;
  private origin = 0;
  /** The last reconciliation, run or skipped as a no-op: the next one is an interval later. */
  private lastReconcile = 0;
  /** The last one that ran. */
  private lastRun = Number.NEGATIVE_INFINITY;
  private lastActivity = Number.NEGATIVE_INFINITY;
  private active = false;
  private running = false;

  constructor(private readonly deps: RuntimeTickDeps) {}

  start(): void {
    this.running = true;
    this.origin = this.deps.clock.now();
    this.arm(this.origin + this.deps.periodMs);
  }

  stop(): void {
    this.running = false;
    this.disarm();
  }

  /** A reconciliation started (by a tick, at start, after a market restarted). */
  reconciled(nowMs: number): void {
    this.lastReconcile = nowMs;
    this.lastRun = nowMs;
  }

  /** Something is about to change (an event to a market, its orders): tick again from the next period. */
  touch(): void {
    const now = this.deps.clock.now();
    this.lastActivity = now;
    this.active = true;
    if (!this.running) return;
    const next = this.gridAfter(now);
    if (this.armedAt === null || this.armedAt > next) this.arm(next);
  }

  private fire(t: number): void {
    this.timer = null;
    this.armedAt = null;
    if (!this.running) return;
    const wasActive = this.active;
    this.active = false;
    this.deps.poll(t);
    // Reconciliations slept through were no-ops (see `next`): each counts as done when it fell due.
    const { reconcileIntervalMs } = this.deps;
    for (let due = this.gridAtOrAfter(this.lastReconcile + reconcileIntervalMs); due < t; due = this.gridAtOrAfter(due + reconcileIntervalMs)) this.lastReconcile = due;
    if (t - this.lastReconcile >= reconcileIntervalMs) {
      if (this.reconcileFindsNothingNew()) this.lastReconcile = t;
      else this.deps.reconcile();
    }
    // What this tick itself started (a risk change sent to a market) counts as activity too.
    const next = wasActive || this.active ? t + this.deps.periodMs : this.quietNext(t);
    if (next !== null && (this.armedAt === null || next < this.armedAt)) this.arm(next);
  }

  /** After a tick with nothing new since the last: the first tick that can change something, or none. */
  private quietNext(t: number): number | null {
    let next: number | null = null;
    const timed = this.deps.nextTimedChange();
    if (timed !== null) next = Math.max(this.gridAtOrAfter(timed), t + this.deps.periodMs);
    if (!this.reconcileFindsNothingNew()) {
      const due = Math.max(this.gridAtOrAfter(this.lastReconcile + this.deps.reconcileIntervalMs), t + this.deps.periodMs);
      if (next === null || due < next) next = due;
    }
    return next;
  }

  /**
   * A reconciliation now would find what the last one that ran found, which sent nothing: the venue
   * changes only through us, nothing happened since, and nothing was inside the grace then. That
   * holds for a resolved market's orders still live too: the run either closed them out (an event
   * to the market, so activity) or they were inside the grace.
   */
  private reconcileFindsNothingNew(): boolean {
    return this.deps.venueChangesOnlyThroughUs && this.lastActivity + this.deps.graceMs < this.lastRun;
  }

  private arm(at: number): void {
    this.disarm();
    this.armedAt = at;
    this.timer = this.deps.clock.setTimeout(() => this.fire(at), at - this.deps.clock.now());
  }

  private disarm(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = null;
  }

  private gridAfter(ms: number): number {
    const { periodMs } = this.deps;
    return this.origin + (Math.floor((ms - this.origin) / periodMs) + 1) * periodMs;
  }

  private gridAtOrAfter(ms: number): number {
    const { periodMs } = this.deps;
    return this.origin + Math.ceil((ms - this.origin) / periodMs) * periodMs;
  }
}
