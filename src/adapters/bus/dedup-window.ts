/**
 * Remembers the last `capacity` event ids at least (and at most twice as many); a consumer drops
 * an event it has already seen. Ids go into the current generation; a full one becomes the
 * previous generation and the one before is let go whole. Nothing is deleted one by one: every
 * delete from a Set leaves a tombstone, and a Set of thousands of ids with one delete per insert
 * rebuilt its table every few thousand events on the consumer's hot path.
 */
export class DedupWindow {
  private current = new Set<string>();
  private previous = new Set<string>();

  constructor(readonly capacity: number) {}

  /** True when the id was seen within the window; records it otherwise. */
  isDuplicate(id: string): boolean {
    if (this.capacity === 0) return false;
    if (this.current.has(id) || this.previous.has(id)) return true;
    if (this.current.size >= this.capacity) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(id);
    return false;
  }
}
