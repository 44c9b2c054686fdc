import { performance } from 'node:perf_hooks';
import { VirtualClock } from './virtual-clock.ts';

/**
 * Virtual time paced by real time at `speed`× (sim mode's `--speed`): a real interval advances
 * the virtual clock, which fires its timers deadline by deadline. Speed 1 runs at wall pace.
 */
export class PacedClock extends VirtualClock {
  private timer: NodeJS.Timeout | null = null;
  private realStart = 0;
  private virtualStart = 0;

  constructor(
    startMs: number,
    private speed: number,
    private readonly tickMs = 10,
  ) {
    super(startMs);
  }

  startPacing(): void {
    if (this.timer) return;
    this.realStart = performance.now();
    this.virtualStart = this.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  tick(): void {
    const target = this.virtualStart + (performance.now() - this.realStart) * this.speed;
    if (target > this.now()) this.advanceTo(Math.floor(target));
  }

  setSpeed(speed: number): void {
    this.tick();
    this.realStart = performance.now();
    this.virtualStart = this.now();
    this.speed = speed;
  }

  stopPacing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
