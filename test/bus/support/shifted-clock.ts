import { SystemClock } from '../../../src/adapters/clock/system-clock.ts';

/** The system clock with its monotonic time moved on by `shift` ms (a producer that ran that long). */
export class ShiftedClock extends SystemClock {
  shift = 0;
  override monotonicNow(): number {
    return super.monotonicNow() + this.shift;
  }
}
