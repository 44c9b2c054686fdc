import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { Channel } from '../../domain/events/channels.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { ReplayRecord } from '../../domain/replay/order.ts';
import { pacedDelayMs } from '../../domain/replay/pacing.ts';
import { matchesStepTarget, type StepTarget } from '../../domain/replay/targets.ts';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import { SystemClock } from '../../adapters/clock/system-clock.ts';
import { VirtualClock } from '../../adapters/clock/virtual-clock.ts';
import type { ReplaySource } from '../../domain/replay/source.ts';

export interface ReplayEngineOptions {
  source: ReplaySource;
  /** Receives every recorded event unchanged, in replay order (the bus, a WS hub, actors). */
  sink: EventSink;
  from: number;
  to: number;
  channels?: readonly Channel[];
  /** Multiple of real time; Infinity replays as fast as possible. Default 1. */
  speed?: number;
  /** Real time, for pacing finite speeds. Default: the system clock. */
  pacer?: Clock;
  /** Yield to the event loop after this many events, letting promise-based actors settle (1 = like live). */
  drainEvery?: number;
  /**
   * Called with a fresh virtual clock when a backward seek restarts the replay from `from`:
   * whoever built actors on `engine.clock` rebuilds them on this one.
   */
  onReset?: (clock: VirtualClock) => void;
  onStatus?: (status: ReplayStatus) => void;
}

export type ReplayState = 'idle' | 'playing' | 'paused' | 'ended' | 'stopped';

export interface ReplayStatus {
  state: ReplayState;
  /** Virtual time. */
  now: number;
  from: number;
  to: number;
  speed: number;
  emitted: number;
  last_event_ts: number | null;
  /** Where playing pauses by itself (the end of a range chosen inside the replay); null: none. */
  pause_at: number | null;
}

export interface ReplaySummary {
  emitted: number;
  from: number;
  to: number;
  first_event_ts: number | null;
  last_event_ts: number | null;
  wall_ms: number;
  /** Virtual time covered per real time spent. */
  speed_multiple: number | null;
}

type Goal =
  | { kind: 'match'; target: StepTarget; resolve: (e: HeliosEvent | null) => void; reject: (err: Error) => void }
  | { kind: 'until'; ts: number; resolve: () => void; reject: (err: Error) => void };

/** Reads a chunked source one record at a time; `current()` is synchronous while a chunk lasts. */
class Cursor {
  private chunk: ReplayRecord[] = [];
  private i = 0;
  private done = false;
  private readonly it: AsyncIterator<ReplayRecord[]>;
  constructor(source: AsyncIterable<ReplayRecord[]>) {
    this.it = source[Symbol.asyncIterator]();
  }
  current(): ReplayRecord | undefined {
    return this.chunk[this.i];
  }
  advance(): void {
    this.i++;
  }
  /** Loads the next non-empty chunk when the current one is used up; false at the end. */
  async fill(): Promise<boolean> {
    while (this.i >= this.chunk.length) {
      if (this.done) return false;
      const n = await this.it.next();
      if (n.done) {
        this.done = true;
        return false;
      }
      this.chunk = n.value;
      this.i = 0;
    }
    return true;
  }
  async close(): Promise<void> {
    this.done = true;
    await this.it.return?.();
  }
}

/**
 * Replays recorded events as if live: events go to the sink unchanged and in (ts, seq) order while
 * a VirtualClock follows them, advanced deadline by deadline so machines' `after` timers fire at the
 * same virtual instants they would have live, including timers created by other timers.
 *
 * Controls: play / pause / setSpeed (1×, 5×, 10×, …, Infinity), step (to the next event, METAR,
 * window or shock, then pause), seek (forward: emit everything before t fast; backward: restart from
 * `from` on a new clock via onReset, then forward), pauseAt (playing pauses exactly at a virtual
 * time: the end of a range chosen inside the replay), stop. Single-threaded: one loop owns the cursor
 * and the clock; controls only set intentions and wake it.
 */
export class ReplayEngine {
  private cursor: Cursor;
  private virtualClock: VirtualClock;
  private readonly pacer: Clock;
  private readonly drainEvery: number;
  private state: ReplayState = 'idle';
  private speed: number;
  private anchor = { real: 0, virtual: 0 };
  /** Where paced virtual time had flowed to when paused mid-wait (resuming continues from there). */
  private pausedVirtual: number | null = null;
  private goal: Goal | null = null;
  private pauseAtTs: number | null = null;
  private driving: Promise<void> | null = null;
  private interrupt: (() => void) | null = null;
  private endWaiters: Array<{ resolve: (s: ReplaySummary) => void; reject: (e: Error) => void }> = [];
  private emitted = 0;
  private sinceDrain = 0;
  private firstTs: number | null = null;
  private lastTs: number | null = null;
  private wallStart: number | null = null;
  private wallEnd: number | null = null;
  private failure: Error | null = null;

  constructor(private readonly opts: ReplayEngineOptions) {
    if (!(opts.to > opts.from)) throw new Error(`replay range is empty: from ${opts.from} to ${opts.to}`);
    this.pacer = opts.pacer ?? new SystemClock();
    this.drainEvery = Math.max(1, Math.floor(opts.drainEvery ?? 1));
    this.speed = validSpeed(opts.speed ?? 1);
    this.virtualClock = new VirtualClock(opts.from);
    this.cursor = this.openCursor();
  }

  /** The virtual clock actors must run on (`createActor(machine, { clock: engine.clock })`). */
  get clock(): VirtualClock {
    return this.virtualClock;
  }

  /** Plays (or resumes); resolves when the range has been replayed or the replay is stopped. */
  play(): Promise<ReplaySummary> {
    const ended = this.settledSummary();
    if (ended) return ended;
    const resumeAt = Math.max(this.pausedVirtual ?? this.virtualClock.now(), this.virtualClock.now());
    this.pausedVirtual = null;
    // Play again at (or past) the pause point: the operator means to go on beyond it.
    if (this.pauseAtTs !== null && this.pauseAtTs <= resumeAt) this.pauseAtTs = null;
    this.setState('playing');
    this.anchorAt(resumeAt);
    return this.untilEnd();
  }

  pause(): void {
    if (this.state === 'playing') {
      this.pausedVirtual = this.flowingVirtual();
      this.setState('paused');
    }
    this.wake();
  }

  setSpeed(speed: number): void {
    const v = this.flowingVirtual();
    this.speed = validSpeed(speed);
    this.anchorAt(v);
    this.wake();
    this.notify();
  }

  /** Emits up to and including the next event matching `target`, then pauses. Null at the end of the range. */
  step(target: StepTarget = 'event'): Promise<HeliosEvent | null> {
    if (this.state === 'ended' || this.state === 'stopped') return Promise.resolve(null);
    return new Promise<HeliosEvent | null>((resolve, reject) => {
      this.replaceGoal({ kind: 'match', target, resolve, reject });
    });
  }

  /** Moves virtual time to `t` (clamped to the range); playing continues, paused stays paused. */
  seek(t: number): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    const ts = Math.min(Math.max(t, this.opts.from), this.opts.to);
    if (this.state === 'ended') this.state = 'paused';
    return new Promise<void>((resolve, reject) => {
      this.replaceGoal({ kind: 'until', ts, resolve, reject });
    });
  }

  /**
   * Playing pauses by itself when virtual time reaches `t`: every event before `t` is emitted, the
   * clock stands at `t` exactly (its timers up to `t` fired). Null removes it. Steps and seeks ignore it.
   */
  pauseAt(t: number | null): void {
    if (t !== null && Number.isNaN(t)) throw new Error('replay pause-at must be a time');
    this.pauseAtTs = t;
    this.wake();
    this.notify();
  }

  stop(): void {
    if (this.state === 'stopped') return;
    this.setState('stopped');
    this.completeGoal(null);
    this.wake();
    void this.cursor.close();
    this.settleEnd();
  }

  status(): ReplayStatus {
    return {
      state: this.state,
      now: this.virtualClock.now(),
      from: this.opts.from,
      to: this.opts.to,
      speed: this.speed,
      emitted: this.emitted,
      last_event_ts: this.lastTs,
      pause_at: this.pauseAtTs,
    };
  }

  private openCursor(): Cursor {
    return new Cursor(this.opts.source.read({ from: this.opts.from, to: this.opts.to, channels: this.opts.channels }));
  }

  private replaceGoal(goal: Goal): void {
    this.completeGoal(null);
    this.goal = goal;
    if (this.state === 'idle') this.state = 'paused';
    this.wallStart ??= this.pacer.monotonicNow();
    this.ensureDriving();
    this.wake();
  }

  private completeGoal(event: HeliosEvent | null): void {
    const g = this.goal;
    this.goal = null;
    if (!g) return;
    if (g.kind === 'match') g.resolve(event);
    else g.resolve();
  }

  private untilEnd(): Promise<ReplaySummary> {
    this.wallStart ??= this.pacer.monotonicNow();
    const p = new Promise<ReplaySummary>((resolve, reject) => this.endWaiters.push({ resolve, reject }));
    this.ensureDriving();
    this.wake();
    return p;
  }

  private settledSummary(): Promise<ReplaySummary> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state === 'ended' || this.state === 'stopped') return Promise.resolve(this.summary());
    return undefined;
  }

  private ensureDriving(): void {
    if (this.driving) return;
    this.driving = this.drive()
      .catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.driving = null;
      });
  }

  private async drive(): Promise<void> {
    for (;;) {
      if (this.state === 'stopped' || this.state === 'ended') return;
      const goal = this.goal;
      if (!goal && this.state !== 'playing') {
        await this.waitForCommand();
        continue;
      }
      let next = this.cursor.current();
      if (!next && (await this.cursor.fill())) next = this.cursor.current();
      // A control may have stopped the replay while the chunk loaded.
      if ((this.state as ReplayState) === 'stopped') return;

      if (goal?.kind === 'until') {
        if (goal.ts < this.virtualClock.now()) {
          await this.rewind();
          continue;
        }
        if (next && next.ts < goal.ts) {
          await this.emit(next);
          continue;
        }
        this.virtualClock.advanceTo(goal.ts);
        this.goal = null;
        this.reanchor();
        goal.resolve();
        this.notify();
        continue;
      }
      if (goal?.kind === 'match') {
        if (!next) {
          this.finish();
          return;
        }
        await this.emit(next);
        if (matchesStepTarget(next.event, goal.target)) {
          this.goal = null;
          if (this.state === 'playing') this.state = 'paused';
          this.reanchor();
          goal.resolve(next.event);
          this.notify();
        }
        continue;
      }

      // Playing: wait (in real time) for the next record or timer deadline, whichever is first.
      // A pause point before the next record (ranges end exclusive, like `to`) is a stop of its own.
      const stop = this.pauseAtTs;
      const pauseHere = stop !== null && (next ? stop <= next.ts : stop < this.opts.to) ? stop : null;
      const target = pauseHere ?? (next ? next.ts : this.opts.to);
      if (Number.isFinite(this.speed)) {
        const deadline = this.virtualClock.nextDeadline();
        const stopAt = deadline !== undefined && deadline < target ? deadline : target;
        const delay = pacedDelayMs(this.anchor, stopAt, this.speed, this.pacer.monotonicNow());
        if (delay > 0 && (await this.sleep(delay))) continue;
        if (stopAt < target) {
          this.virtualClock.advanceTo(stopAt);
          continue;
        }
      }
      if (pauseHere !== null) {
        this.reachPauseAt(pauseHere);
        continue;
      }
      if (!next) {
        this.finish();
        return;
      }
      await this.emit(next);
    }
  }

  private async emit(rec: ReplayRecord): Promise<void> {
    this.cursor.advance();
    if (rec.ts > this.virtualClock.now()) this.virtualClock.advanceTo(rec.ts);
    this.opts.sink.emit(rec.event);
    this.emitted++;
    this.firstTs ??= rec.ts;
    this.lastTs = rec.ts;
    if (++this.sinceDrain >= this.drainEvery) {
      this.sinceDrain = 0;
      await yieldToLoop();
    }
  }

  /** Back to `from` on a new clock; onReset lets the owner rebuild what ran on the old one. */
  private async rewind(): Promise<void> {
    await this.cursor.close();
    this.cursor = this.openCursor();
    this.virtualClock = new VirtualClock(this.opts.from);
    this.emitted = 0;
    this.firstTs = null;
    this.lastTs = null;
    this.opts.onReset?.(this.virtualClock);
  }

  private reachPauseAt(t: number): void {
    if (this.virtualClock.now() < t) this.virtualClock.advanceTo(t);
    this.state = 'paused';
    this.reanchor();
    this.notify();
  }

  private finish(): void {
    if (this.virtualClock.now() < this.opts.to) this.virtualClock.advanceTo(this.opts.to);
    this.setState('ended');
    this.completeGoal(null);
    this.settleEnd();
  }

  private settleEnd(): void {
    this.wallEnd = this.pacer.monotonicNow();
    const s = this.summary();
    const waiters = this.endWaiters;
    this.endWaiters = [];
    for (const w of waiters) w.resolve(s);
  }

  private fail(err: Error): void {
    this.failure = err;
    this.state = 'stopped';
    const g = this.goal;
    this.goal = null;
    g?.reject(err);
    const waiters = this.endWaiters;
    this.endWaiters = [];
    for (const w of waiters) w.reject(err);
    this.notify();
  }

  private summary(): ReplaySummary {
    const wall = this.wallStart === null ? 0 : (this.wallEnd ?? this.pacer.monotonicNow()) - this.wallStart;
    const covered = this.firstTs === null || this.lastTs === null ? 0 : this.lastTs - this.firstTs;
    return {
      emitted: this.emitted,
      from: this.opts.from,
      to: this.opts.to,
      first_event_ts: this.firstTs,
      last_event_ts: this.lastTs,
      wall_ms: wall,
      speed_multiple: wall > 0 ? covered / wall : null,
    };
  }

  /** After a jump (step, seek): pacing restarts from the clock. */
  private reanchor(): void {
    this.pausedVirtual = null;
    this.anchorAt(this.virtualClock.now());
  }

  private anchorAt(virtual: number): void {
    this.anchor = { real: this.pacer.monotonicNow(), virtual };
  }

  /**
   * Virtual time as it flows in real time while playing: the clock itself only moves at stops
   * (records, timer deadlines), so a speed change or pause mid-wait starts from here, not from the
   * last stop.
   */
  private flowingVirtual(): number {
    const c = this.virtualClock.now();
    if (this.state !== 'playing' || !Number.isFinite(this.speed)) return c;
    return Math.max(c, this.anchor.virtual + (this.pacer.monotonicNow() - this.anchor.real) * this.speed);
  }

  private setState(state: ReplayState): void {
    if (this.state === state) return;
    this.state = state;
    this.notify();
  }

  private notify(): void {
    this.opts.onStatus?.(this.status());
  }

  private wake(): void {
    const i = this.interrupt;
    this.interrupt = null;
    i?.();
  }

  private waitForCommand(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.interrupt = resolve;
    });
  }

  /** Real-time wait; true when a control interrupted it. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let handle: TimerHandle | undefined = undefined;
      this.interrupt = () => {
        if (handle !== undefined) this.pacer.clearTimeout(handle);
        resolve(true);
      };
      handle = this.pacer.setTimeout(() => {
        this.interrupt = null;
        resolve(false);
      }, ms);
    });
  }
}

function validSpeed(speed: number): number {
  if (!(speed > 0)) throw new Error(`replay speed must be positive (Infinity = as fast as possible), got ${speed}`);
  return speed;
}
