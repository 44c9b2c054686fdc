/** Remembers the last `capacity` event ids; a consumer drops an event it has already seen. */
export class DedupWindow {
  private readonly ring: (string | undefined)[];
  private readonly seen = new Set<string>();
  private next = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array(Math.max(0, capacity));
  }

  /** True when the id was seen within the window; records it otherwise. */
  isDuplicate(id: string): boolean {
    if (this.capacity === 0) return false;
    if (this.seen.has(id)) return true;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.seen.delete(evicted);
    this.ring[this.next] = id;
    this.seen.add(id);
    this.next = (this.next + 1) % this.capacity;
    return false;
  }
}
