/**
 * Assets per subscribe message, shared by every connection of a pool: the venue answers a message
 * it finds too large with close 1008, and each such close halves the size down to the minimum.
 */
export class SubscribeBatch {
  private current: number;
  halvings = 0;

  constructor(
    initial: number,
    readonly minimum: number,
  ) {
    this.current = Math.max(minimum, Math.floor(initial));
  }

  get size(): number {
    return this.current;
  }

  get atMinimum(): boolean {
    return this.current <= this.minimum;
  }

  /**
   * After a 1008 close of a socket whose largest subscribe message had `used` assets: half of
   * that. Several sockets closed for the same size halve once, not once each. Returns the size.
   */
  halveFrom(used: number): number {
    if (used <= 0) return this.current;
    const next = Math.max(this.minimum, Math.floor(used / 2));
    if (next < this.current) {
      this.current = next;
      this.halvings++;
    }
    return this.current;
  }

  /** Whether a socket that sent messages of `used` assets was already at the floor. */
  isFloor(used: number): boolean {
    return used > 0 && used <= this.minimum;
  }
}
