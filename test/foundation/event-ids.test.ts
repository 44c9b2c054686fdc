import fc from 'fast-check';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { seededRng } from '../../src/domain/util/random.ts';

describe('event ids: the ulid package\'s monotonic ids, built without ropes', () => {
  it('gives the same ids as monotonicFactory for the same seed and times (repeats, steps back, jumps)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 2 ** 47 }),
        // Steps between calls: mostly the same millisecond (the increment path), some back, some forward.
        fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -5, max: -1 }), fc.integer({ min: 1, max: 1_000_000 })), { minLength: 1, maxLength: 300 }),
        (seed, t0, steps) => {
          const ours = ulidGenerator(seededRng(seed));
          const theirs = monotonicFactory(seededRng(seed));
          let t = t0;
          for (const step of steps) {
            t = Math.max(1, t + step);
            expect(ours(t)).toBe(theirs(t));
          }
        },
      ),
      { numRuns: 300, seed: 18 },
    );
  });

  it('carries the increment across characters as the package does', () => {
    // The largest digit but for the 16th draw (the leading character): the random part starts at
    // 3ZZZZZZZZZZZZZZZ, so the first increment carries through fifteen characters.
    const source = () => {
      let n = 0;
      return () => (n++ % 16 === 15 ? 0.1 : 0.9999);
    };
    const ours = ulidGenerator(source());
    const theirs = monotonicFactory(source());
    for (let i = 0; i < 40; i++) expect(ours(1_700_000_000_000)).toBe(theirs(1_700_000_000_000));
  });

  it('refuses a time a ULID cannot hold', () => {
    const next = ulidGenerator(seededRng(1));
    expect(() => next(1.5)).toThrow(/ULID time/);
    expect(() => next(2 ** 48)).toThrow(/ULID time/);
  });
});
