import { monotonicFactory } from 'ulid';
import type { Rng } from '../util/random.ts';

export type IdGenerator = (timeMs: number) => string;

/**
 * ULIDs from the event's own time and an injected random source: monotonic within a millisecond,
 * and reproducible in replay when the source is seeded.
 */
export function ulidGenerator(random: Rng): IdGenerator {
  return monotonicFactory(random);
}
