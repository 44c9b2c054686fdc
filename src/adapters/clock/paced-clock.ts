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
 * its nominal time meanwhile, catching up as fast as the process allows once it can.
 */
export class PacedClock extends VirtualClock {
  private timer: NodeJS.Timeout | null = null;
  private realStart = 0;
  private virtualStart = 0;
  private readonly tickMs: number;
  private readonly budgetMs: number;
  private readonly realNow: () => number;
  private held: () => boolean = () => false;

  constructor(
    startMs: number,
    private speed: number,
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

  startPacing(): void {
    if (this.timer) return;
    this.realStart = this.realNow();
    this.virtualStart = this.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  tick(): void {
    if (this.held()) return;
    const startedAt = this.realNow();
    const target = Math.floor(this.virtualStart + (startedAt - this.realStart) * this.speed);
    if (target <= this.now()) return;
    this.advanceToUnless(target, () => this.held() || this.realNow() - startedAt >= this.budgetMs);
  }

  /** Virtual ms the clock trails its nominal time (real time since pacing began × speed). */
  lagMs(): number {
    return Math.max(0, Math.floor(this.virtualStart + (this.realNow() - this.realStart) * this.speed) - this.now());
  }

  setSpeed(speed: number): void {
    this.tick();
    // The new speed counts from here: time the old one could not catch up is not owed at the new one.
    this.realStart = this.realNow();
    this.virtualStart = this.now();
    this.speed = speed;
  }

  stopPacing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
