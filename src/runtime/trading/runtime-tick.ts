import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import { FillAnswerAsks, type FillAskPolicy } from '../../domain/trading/fill-answer-asks.ts';

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
  /** When reconciliations ask the venue again about live markets' fills long without an answer (`everyMs`: the interval). */
  fillAsks: Omit<FillAskPolicy, 'everyMs'>;
  /** A live market's fill still unanswered `fillAsks.giveUpAfterMs` on: no longer asked about (told once per fill). */
  answerGivenUp(marketId: string, fillId: string): void;
  /** A fill an earlier trading session gave up (the venue adapter, which outlived it, remembers): not asked about nor told of again. */
  answerGivenUpEarlier(fillId: string): boolean;
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

  /** Fills to ask the venue about: a reconciliation then may find what the last one did not (an answer lost on its way here). */
  private readonly asks: FillAnswerAsks;

  constructor(private readonly deps: RuntimeTickDeps) {
    this.asks = new FillAnswerAsks({ ...deps.fillAsks, everyMs: deps.reconcileIntervalMs }, deps.answerGivenUpEarlier);
  }

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

  /**
   * The live markets' fills still pending, seen by a reconciliation at `nowMs` (any: at start, after
   * a restart, by a tick): those to ask the venue about now (FillAnswerAsks.due); those whose wait
   * ran out go to `answerGivenUp`. The tick sleeps no later than the first reconciliation due once
   * the next ask (or give-up) is.
   */
  fillAsksDue(nowMs: number, pendingByMarket: Parameters<FillAnswerAsks['due']>[1]): string[] {
    const { ask: due, givenUp } = this.asks.due(nowMs, pendingByMarket);
    for (const g of givenUp) this.deps.answerGivenUp(g.market_id, g.fill_id);
    const ask = this.asks.nextAskAt();
    if (this.running && ask !== null) {
      const at = Math.max(this.gridAtOrAfter(ask), this.gridAfter(this.deps.clock.now()));
      if (this.armedAt === null || at < this.armedAt) this.arm(at);
    }
    return due;
  }

  /** A live market's fill given up (FillAnswerAsks.isGivenUp). */
  isAnswerGivenUp(fillId: string): boolean {
    return this.asks.isGivenUp(fillId);
  }

  /** A market left: its fills' waits are forgotten. */
  forgetMarket(marketId: string): void {
    this.asks.forgetMarket(marketId);
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
      if (this.reconcileFindsNothingNew(t)) this.lastReconcile = t;
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
    // Woken when a fill's ask falls due, the tick finds the reconciliation due next (below).
    const ask = this.asks.nextAskAt();
    if (ask !== null && ask > t) {
      const at = Math.max(this.gridAtOrAfter(ask), t + this.deps.periodMs);
      if (next === null || at < next) next = at;
    }
    if (!this.reconcileFindsNothingNew(t)) {
      const due = Math.max(this.gridAtOrAfter(this.lastReconcile + this.deps.reconcileIntervalMs), t + this.deps.periodMs);
      if (next === null || due < next) next = due;
    }
    return next;
  }

  /**
   * A reconciliation now would find what the last one that ran found, which sent nothing: the venue
   * changes only through us, nothing happened since, and nothing was inside the grace then. That
   * holds for a resolved market's orders still live too: the run either closed them out (an event
   * to the market, so activity) or they were inside the grace. A fill whose ask fell due by `t` is
   * read at the venue anew: its answer may have been lost on the way here.
   */
  private reconcileFindsNothingNew(t: number): boolean {
    const ask = this.asks.nextAskAt();
    return this.deps.venueChangesOnlyThroughUs && this.lastActivity + this.deps.graceMs < this.lastRun && (ask === null || ask > t);
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
