/**
 * FIFOs over a circular buffer that keeps its storage: once a queue has had its room, a push or a
 * shift allocates nothing. The queues they replace (an array pushed at the tail and read from a head
 * index, sliced when the head passed half) reallocated their backing store every time they grew and
 * again after each slice; a backing store that holds a queue lives for seconds, so each one was
 * copied by young collections and promoted (per topic and consumer group on the in-memory bus).
 *
 * The capacity is a power of two; it doubles when full and halves when a large buffer is at most a
 * quarter used, so a burst's room is given back.
 */
const MIN_CAPACITY = 16;
/** Below this, a buffer is never shrunk (the copy would cost more than the room it returns). */
const SHRINK_ABOVE = 1024;

abstract class RingBase {
  protected head = 0;
  protected count = 0;
  protected mask: number;

  constructor(capacity: number) {
    this.mask = capacity - 1;
  }

  get length(): number {
    return this.count;
  }

  protected static capacityFor(n: number): number {
    let c = MIN_CAPACITY;
    while (c < n) c *= 2;
    return c;
  }

  protected abstract resize(capacity: number): void;

  protected growIfFull(): void {
    if (this.count === this.mask + 1) this.resize((this.mask + 1) * 2);
  }

  protected shrinkIfSparse(): void {
    const capacity = this.mask + 1;
    if (capacity > SHRINK_ABOVE && this.count * 4 <= capacity) this.resize(capacity / 2);
  }
}

/** A FIFO of values (object slots: what it holds stays reachable until shifted out). */
export class Ring<T> extends RingBase {
  private slots: (T | undefined)[];

  constructor(capacity = MIN_CAPACITY) {
    const c = RingBase.capacityFor(capacity);
    super(c);
    this.slots = new Array<T | undefined>(c).fill(undefined);
  }

  push(value: T): void {
    this.growIfFull();
    this.slots[(this.head + this.count) & this.mask] = value;
    this.count++;
  }

  /** Puts a value in front of the oldest one. */
  unshift(value: T): void {
    this.growIfFull();
    this.head = (this.head - 1) & this.mask;
    this.slots[this.head] = value;
    this.count++;
  }

  /** Removes and returns the oldest value; the slot lets go of it at once. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const value = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    this.shrinkIfSparse();
    return value;
  }

  /** The oldest value, left in place. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.slots[this.head];
  }

  /** The `i`-th value from the oldest (0). */
  at(i: number): T | undefined {
    return i < 0 || i >= this.count ? undefined : this.slots[(this.head + i) & this.mask];
  }

  /** Puts `value` in the `i`-th place from the oldest (0), in place of the value there. */
  replaceAt(i: number, value: T): void {
    if (i < 0 || i >= this.count) throw new RangeError(`ring index ${i} outside 0..${this.count - 1}`);
    this.slots[(this.head + i) & this.mask] = value;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.slots[(this.head + i) & this.mask]!;
  }

  protected resize(capacity: number): void {
    const next = new Array<T | undefined>(capacity).fill(undefined);
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.head + i) & this.mask];
    this.slots = next;
    this.head = 0;
    this.mask = capacity - 1;
  }
}

/** A FIFO of numbers in a typed array: no slot for a collector to visit. */
export class NumberRing extends RingBase {
  private slots: Float64Array;

  constructor(capacity = MIN_CAPACITY) {
    const c = RingBase.capacityFor(capacity);
    super(c);
    this.slots = new Float64Array(c);
  }

  push(value: number): void {
    this.growIfFull();
    this.slots[(this.head + this.count) & this.mask] = value;
    this.count++;
  }

  /** Removes and returns the oldest value (NaN when empty). */
  shift(): number {
    if (this.count === 0) return Number.NaN;
    const value = this.slots[this.head]!;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    this.shrinkIfSparse();
    return value;
  }

  /** The oldest value (NaN when empty). */
  peek(): number {
    return this.count === 0 ? Number.NaN : this.slots[this.head]!;
  }

  /** The `i`-th value from the oldest (NaN out of range). */
  at(i: number): number {
    return i < 0 || i >= this.count ? Number.NaN : this.slots[(this.head + i) & this.mask]!;
  }

  protected resize(capacity: number): void {
    const next = new Float64Array(capacity);
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.head + i) & this.mask]!;
    this.slots = next;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
