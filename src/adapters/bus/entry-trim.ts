/**
 * How many entries a topic keeps (XADD MAXLEN ~) so it holds about `max_len` events when an entry
 * holds a flush's worth. Dividing by the size of the entry being written would let one large entry
 * trim away a long run of small ones a lagging group has not read; dividing by the smaller of that
 * size and a slow average of recent sizes errs towards keeping more: retention dips below
 * `max_len` events only when the newest entries are far smaller than an average that already
 * followed them down.
 */
const SMOOTHING = 0.1;

export class EntryTrim {
  private readonly averageSize = new Map<string, number>();

  /** MAXLEN for an entry of `events` events written to `topic`. */
  entriesToKeep(topic: string, maxEvents: number, events: number): number {
    const n = Math.max(1, events);
    const previous = this.averageSize.get(topic);
    const average = previous === undefined ? n : previous + SMOOTHING * (n - previous);
    this.averageSize.set(topic, average);
    return Math.max(1, Math.ceil(maxEvents / Math.min(n, previous ?? n)));
  }

  /** Forgets a topic nobody writes any more. */
  forget(topic: string): void {
    this.averageSize.delete(topic);
  }
}
