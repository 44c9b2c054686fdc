/** Seeded pseudo-random numbers (mulberry32): deterministic simulators, ids and fault schedules. */
export type Rng = () => number;

export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    const [u, next] = rngStep(a);
    a = next;
    return u;
  };
}

/**
 * One draw of `seededRng` as a pure step: the number in [0, 1) and the next state. Where the
 * generator's state must be plain data (a state machine's context), keep the state and step it.
 */
export function rngStep(state: number): [u: number, next: number] {
  const a = (state + 0x6d2b79f5) >>> 0;
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, a];
}

/** A stable 32-bit hash of a string (FNV-1a), e.g. to derive per-entity seeds or shards. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
