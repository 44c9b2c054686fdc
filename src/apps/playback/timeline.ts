import type { Clock } from '../../domain/time/clock.ts';

/**
 * Capture time as a function of the playback's clock: the capture's start is "now" when the
 * playback starts, and capture time runs `speed` times as fast as the clock from then on.
 */
export class PlaybackTimeline {
  private startedAt: number | null = null;

  constructor(
    private readonly clock: Clock,
    /** Capture time at which playback begins (the manifest's start). */
    readonly captureStartMs: number,
    readonly speed: number,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`playback speed must be a positive number (got ${speed})`);
  }

  start(): void {
    this.startedAt ??= this.clock.now();
  }

  /** The capture time the playback is at. */
  captureNow(): number {
    if (this.startedAt === null) return this.captureStartMs;
    return this.captureStartMs + (this.clock.now() - this.startedAt) * this.speed;
  }

  /** Clock milliseconds until the playback reaches capture time `t` (0 when it has). */
  delayUntil(t: number): number {
    return Math.max(0, Math.ceil((t - this.captureNow()) / this.speed));
  }
}
