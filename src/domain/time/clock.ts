/**
 * The only way anything in helios learns the time. Domain code and machines receive a Clock;
 * the system clock lives in adapters, the virtual clock drives replay and tests.
 */
export type TimerHandle = unknown;

export interface Clock {
  /** Wall time, epoch milliseconds (virtual in replay). */
  now(): number;
  /** Monotonic milliseconds for measuring durations; never goes backwards. */
  monotonicNow(): number;
  setTimeout(fn: (...args: unknown[]) => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /**
   * Run `fn` once the current event-loop turn's I/O has been handled (Node's `setImmediate`), so
   * everything that arrived in one turn can be coalesced without waiting on a timer. Optional: a
   * clock without it (the virtual clock) gets a zero-delay timer, which is deterministic there.
   */
  afterTurn?(fn: () => void): void;
  /**
   * Run `fn` as soon as the I/O callback running now returns (a microtask): after the frames of one
   * socket read, before the turn's other I/O. Optional, as `afterTurn`.
   */
  afterRead?(fn: () => void): void;
}

/** The earlier of two instants that may not exist (null: never). */
export function earliest(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}
