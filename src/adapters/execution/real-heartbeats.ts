import type { Clock, TimerHandle } from '../../domain/time/clock.ts';

/**
 * The venue's dead-man switch, kept alive while any order rests: each beat sends the id the last
 * one returned; a failed beat restarts the chain (empty id) and counts a miss. After `maxMisses`
 * misses in a row the venue will cancel everything anyway, so helios fails closed first.
 */
export interface HeartbeatDeps {
  clock: Clock;
  intervalMs: number;
  maxMisses: number;
  beat: (previousId: string) => Promise<string>;
  onMiss: (misses: number, err: unknown) => void;
  onFailClosed: (reason: string) => void;
}

export class HeartbeatChain {
  private timer: TimerHandle | null = null;
  private inFlight = false;
  private lastId = '';
  private active = false;
  private dead = false;
  misses = 0;
  beats = 0;

  constructor(private readonly deps: HeartbeatDeps) {}

  /** Beats while `resting`; stops (and forgets the chain) when nothing rests. */
  ensure(resting: boolean): void {
    if (this.dead || resting === this.active) return;
    this.active = resting;
    if (resting) {
      this.lastId = '';
      this.schedule(0);
    } else this.cancelTimer();
  }

  stop(): void {
    this.active = false;
    this.dead = true;
    this.cancelTimer();
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.deps.clock.setTimeout(() => void this.tick(), ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (!this.active || this.inFlight) return;
    this.inFlight = true;
    try {
      this.lastId = await this.deps.beat(this.lastId);
      this.beats++;
      this.misses = 0;
    } catch (err) {
      this.misses++;
      this.lastId = '';
      this.deps.onMiss(this.misses, err);
      if (this.misses >= this.deps.maxMisses) {
        this.stop();
        this.deps.onFailClosed(`${this.misses} heartbeats in a row failed (last: ${(err as Error).message ?? String(err)})`);
        return;
      }
    } finally {
      this.inFlight = false;
    }
    if (this.active) this.schedule(this.deps.intervalMs);
  }
}
