/**
 * Counts the asynchronous calls the trading side starts (venue orders, cancels, fetches). Their
 * continuations (acks, refusals, the risk updates they publish) must run before the next input, so
 * the dispatch pump yields a loop turn after an input that started one; an input that started none
 * (most book signals decide nothing) lets the next input go on in the same turn. The count depends
 * only on what the inputs made the node do, so live and replay yield at the same inputs.
 */
export class StartedWork {
  private started = 0;

  /** Calls started so far: compare before and after applying an input. */
  get count(): number {
    return this.started;
  }

  /** Counts `call` as started and hands it back. */
  track<T>(call: Promise<T>): Promise<T> {
    this.started++;
    return call;
  }
}
