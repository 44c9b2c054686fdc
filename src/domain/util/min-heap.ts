/**
 * A binary min-heap of values by a numeric key, in two parallel arrays that keep their storage (a
 * heap refilled every read allocates nothing once it has had its room). Equal keys come out in no
 * particular order: give unique keys where order must be deterministic.
 */
export class MinHeap<T> {
  private readonly values: T[] = [];
  private readonly keys: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The smallest key (+Infinity when empty). */
  peekKey(): number {
    return this.count > 0 ? this.keys[0]! : Number.POSITIVE_INFINITY;
  }

  /** The value with the smallest key (undefined when empty). */
  peek(): T | undefined {
    return this.count > 0 ? this.values[0] : undefined;
  }

  push(value: T, key: number): void {
    let i = this.count++;
    const { values, keys } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! <= key) break;
      values[i] = values[parent]!;
      keys[i] = keys[parent]!;
      i = parent;
    }
    values[i] = value;
    keys[i] = key;
  }

  /** Removes and returns the value with the smallest key. */
  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const top = this.values[0];
    const last = --this.count;
    const value = this.values[last]!;
    const key = this.keys[last]!;
    // The slot lets go of its value (the arrays keep their length).
    this.values[last] = undefined as T;
    if (last > 0) this.siftDown(value, key);
    return top;
  }

  /** Gives the top value a new key, no smaller than its old one (cheaper than pop and push). */
  increaseTopKey(key: number): void {
    if (this.count > 0) this.siftDown(this.values[0]!, key);
  }

  /** Keeps only the values `keep` accepts. */
  retain(keep: (value: T) => boolean): void {
    const kept: Array<[T, number]> = [];
    for (let i = 0; i < this.count; i++) if (keep(this.values[i]!)) kept.push([this.values[i]!, this.keys[i]!]);
    this.values.fill(undefined as T, 0, this.count);
    this.count = 0;
    for (const [value, key] of kept) this.push(value, key);
  }

  /** Puts `value` with `key` at the root's place and moves it down to where it belongs. */
  private siftDown(value: T, key: number): void {
    const { values, keys, count } = this;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= count) break;
      if (child + 1 < count && keys[child + 1]! < keys[child]!) child++;
      if (keys[child]! >= key) break;
      values[i] = values[child]!;
      keys[i] = keys[child]!;
      i = child;
    }
    values[i] = value;
    keys[i] = key;
  }
}
