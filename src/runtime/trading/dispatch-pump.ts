import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { VirtualClock } from '../../adapters/clock/virtual-clock.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { Ring } from '../../domain/util/ring.ts';

/**
 * Inputs applied in a row without a loop turn at most: a backlog drained in one go would keep the
 * socket (and the feed's next frames) waiting behind it for its whole length. Counted across turns:
 * resetting the count every turn (no pause for a pump that was idle) shaved the 5,000 frames/s tail
 * but let the trading side outrun the socket under overload (20,000 frames/s: the bus shed and p50
 * rose from ~25 ms to ~1 s in 5 of 6 runs; BENCHMARKS.md, fifth pass).
 */
export const INPUTS_PER_TURN = 128;

/** What the trading node consumes: a bus event, or a tick that lets its time pass without one. */
export type DispatchInput = { kind: 'event'; event: HeliosEvent } | { kind: 'tick'; t: number };

export interface DispatchPumpDeps {
  clock: VirtualClock;
  /**
   * Applies one event; true when that started asynchronous work (a venue call) whose continuations
   * must run before the next input: the pump then yields a loop turn, otherwise it goes straight on.
   */
  apply(event: HeliosEvent): boolean;
  /** Sees each event with its dispatch sequence number, before it is applied (the dispatch log). */
  recordEvent?(seq: number, event: HeliosEvent): void;
  /** Sees each tick with its dispatch sequence number (the dispatch log). */
  recordTick?(seq: number, t: number): void;
  /** After an event was applied. */
  applied?(event: HeliosEvent): void;
  /** An event whose application threw: reported and skipped (without it, the pump stops and `drained` rejects). */
  onError?(err: Error, event: HeliosEvent): void;
}

/**
 * The trading node's scheduler, the same live and in replay. Inputs queue; one pump takes them in
 * order, gives each the next dispatch sequence number (the replay-order authority, as in an event
 * store: not the timestamp), advances the node's virtual clock to the input's time deadline by
 * deadline, yielding to the event loop after every deadline and after every input that started
 * asynchronous work, so what a timer or an order released settles before anything later happens
 * (an input that started nothing has nothing to settle: a loop turn per input is what backlogged the
 * pump behind the tape at 5,000+ frames/s). Time never passes between inputs, so the
 * same inputs in the same order give the same decisions, byte for byte, whoever produced them.
 */
export class DispatchPump {
  /**
   * A ring: the queue empties every turn or so, and an array reset then regrown each time was garbage
   * per turn. An event waits as itself, a tick as its time: no wrapper object per input.
   */
  private readonly queue = new Ring<HeliosEvent | number>();
  private pumping: Promise<void> | null = null;
  /** The pump is inside its loop (it may finish synchronously: inputs that start nothing never await). */
  private running = false;
  private failure: Error | null = null;
  private seq = 0;
  private closed = false;
  private sinceTurn = 0;
  inputs = 0;
  /** Loop turns the pump yielded: after a timer's deadline, after an input that started work, every INPUTS_PER_TURN inputs. */
  readonly yields = { deadline: 0, work: 0, cap: 0 };

  constructor(private readonly deps: DispatchPumpDeps) {}

  push(input: DispatchInput): void {
    this.enqueue(input.kind === 'tick' ? input.t : input.event);
  }

  /** An event from the bus (the hot path: `push` without a wrapper). */
  pushEvent(event: HeliosEvent): void {
    this.enqueue(event);
  }

  private enqueue(input: HeliosEvent | number): void {
    if (this.closed) return;
    this.queue.push(input);
    if (this.running) return;
    const pumping = this.pump();
    // A pump that already ran dry synchronously has nothing left to wait for.
    if (this.running) this.pumping = pumping;
  }

  /** Inputs are being applied, or wait for the pump's next turn: one pushed now would not be applied at once. */
  get busy(): boolean {
    return this.running;
  }

  /** Every input pushed so far applied and settled, without a failure: `drained` would resolve. */
  get idle(): boolean {
    return this.pumping === null && this.failure === null;
  }

  /** Resolves once every input pushed so far has been applied and settled. */
  async drained(): Promise<void> {
    while (this.pumping) await this.pumping;
    if (this.failure) throw this.failure;
  }

  /** No more inputs: what is queued is dropped, what is running finishes. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.clear();
    while (this.pumping) await this.pumping;
  }

  /** Virtual time to `t`, one deadline at a time, letting released continuations run after each. */
  async advance(t: number): Promise<void> {
    await this.deps.clock.advanceSettling(t, () => {
      this.yields.deadline++;
      return settle();
    });
  }

  private applyOne(event: HeliosEvent): boolean {
    if (!this.deps.onError) return this.deps.apply(event);
    try {
      return this.deps.apply(event);
    } catch (err) {
      this.deps.onError(err instanceof Error ? err : new Error(String(err)), event);
      return true;
    }
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        // Shifted out before it is applied: an applied input left in the queue would stay alive
        // through young collections (thousands of events at 5,000 frames/s) and get promoted.
        const input = this.queue.shift()!;
        if (typeof input === 'number') {
          this.deps.recordTick?.(++this.seq, input);
          await this.advance(input);
          continue;
        }
        const event = input;
        this.deps.recordEvent?.(++this.seq, event);
        // No timer due before the event: time moves without a promise hop (the usual case).
        const due = this.deps.clock.nextDeadline();
        if (due !== undefined && due <= event.ts_ingest) await this.advance(event.ts_ingest);
        else if (event.ts_ingest > this.deps.clock.now()) this.deps.clock.advanceTo(event.ts_ingest);
        this.inputs++;
        const started = this.applyOne(event);
        if (started || ++this.sinceTurn >= INPUTS_PER_TURN) {
          if (started) this.yields.work++;
          else this.yields.cap++;
          this.sinceTurn = 0;
          await settle();
        }
        this.deps.applied?.(event);
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.queue.clear();
    } finally {
      this.running = false;
      this.pumping = null;
    }
  }
}

export function settle(): Promise<void> {
  return yieldToLoop();
}
