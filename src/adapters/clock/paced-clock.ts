import { performance } from 'node:perf_hooks';
import { VirtualClock } from './virtual-clock.ts';

export interface PacingOptions {
  /** Real ms between two advances. */
  tickMs?: number;
  /**
   * Real ms one advance may spend firing timers before it hands the event loop back. What the
   * timers cause grows with the speed; unbounded, one advance outlasted the next, the one after
   * had more to fire, and signals, `--duration` and the shutdown deadline waited behind them.
   */
  budgetMs?: number;
  /** Reads real time in ms (tests step it by hand). */
  realNow?: () => number;
}

/**
 * Virtual time paced by real time at `speed`× (sim mode's `--speed`): a real interval advances
 * the virtual clock, which fires its timers deadline by deadline. Speed 1 runs at wall pace.
 * The clock never runs ahead of the process: an advance stops once its budget of real time is
 * spent or `holdWhile`'s condition holds (a journal that is behind), and the clock falls behind
 * its nominal time meanwhile. It catches up as fast as the process allows once it can, firing
 * every timer it owes deadline by deadline: it never jumps over them (what they simulate would
 * be lost, or fired at once at the target's time).
 */
export class PacedClock extends VirtualClock {
  private timer: NodeJS.Timeout | null = null;
  private realStart = 0;
  private virtualStart = 0;
  private readonly tickMs: number;
  private readonly budgetMs: number;
  private readonly realNow: () => number;
  private held: () => boolean = () => false;
  /** The virtual time the clock should be at now; by default its own start plus real time × speed. */
  private nominal: () => number = () => this.virtualStart + (this.realNow() - this.realStart) * this.speed;
  private behindMs = 0;

  constructor(
    startMs: number,
    private readonly speed: number,
    opts: PacingOptions = {},
  ) {
    super(startMs);
    this.tickMs = opts.tickMs ?? 10;
    this.budgetMs = opts.budgetMs ?? this.tickMs / 2;
    this.realNow = opts.realNow ?? (() => performance.now());
  }

  /** While `held` answers true, virtual time stands still (asked before and during each advance). */
  holdWhile(held: () => boolean): void {
    this.held = held;
  }

  /**
   * Paces the clock to `nominal` when given (a scale-out's shared timeline: every process then
   * aims at the same virtual time, not at its own start plus its own count of real time).
   */
  startPacing(nominal?: () => number): void {
    if (this.timer) return;
    if (nominal) this.nominal = nominal;
    this.realStart = this.realNow();
    this.virtualStart = this.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  tick(): void {
    const startedAt = this.realNow();
    const target = Math.floor(this.nominal());
    if (!this.held() && target > this.now()) this.advanceToUnless(target, () => this.held() || this.realNow() - startedAt >= this.budgetMs);
    this.behindMs = Math.max(0, target - this.now());
  }

  /**
   * Virtual ms the clock trailed its nominal time when its latest advance ended: what the budget
   * or a hold left undone, not the ≤ one tick × speed any clock trails between two advances.
   */
  lagMs(): number {
    return this.behindMs;
  }

  stopPacing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
