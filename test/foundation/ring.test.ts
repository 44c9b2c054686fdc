import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumberRing, Ring } from '../../src/domain/util/ring.ts';
import { pinPropertySeed, propertyRuns } from '../trading/property-seed.ts';

pinPropertySeed('foundation/ring');

/** One operation on a FIFO; pushes dominate so that the buffer grows past the shrink threshold. */
const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('push' as const), n: fc.integer({ min: 1, max: 700 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unshift' as const), n: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('shift' as const), n: fc.integer({ min: 1, max: 900 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), n: fc.constant(0) }) },
);

describe('Ring (a FIFO over a circular buffer)', () => {
  it('behaves as an array used as a queue, through growth, wrap-around, shrinking and clear', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const ring = new Ring<{ v: number }>();
        const numbers = new NumberRing();
        const model: number[] = [];
        let next = 0;
        for (const { kind, n } of ops) {
          for (let i = 0; i < Math.max(1, n); i++) {
            if (kind === 'push') {
              ring.push({ v: next });
              numbers.push(next);
              model.push(next++);
            } else if (kind === 'unshift') {
              ring.unshift({ v: next });
              model.unshift(next++);
            } else if (kind === 'shift') {
              const expected = model.shift();
              expect(ring.shift()?.v).toBe(expected);
            } else {
              ring.clear();
              model.length = 0;
            }
          }
          expect(ring.length).toBe(model.length);
          expect(ring.peek()?.v).toBe(model[0]);
          expect([...ring].map((x) => x.v)).toEqual(model);
          const i = model.length > 0 ? (next * 7919) % model.length : 0;
          expect(ring.at(i)?.v).toBe(model[i]);
          if (model.length > 0) {
            ring.replaceAt(i, { v: next });
            model[i] = next++;
            expect([...ring].map((x) => x.v)).toEqual(model);
          }
        }
        expect(() => ring.replaceAt(model.length, { v: 0 })).toThrow(RangeError);
        expect(ring.at(-1)).toBeUndefined();
        expect(ring.at(model.length)).toBeUndefined();
        // The numeric ring saw only the pushes: it drains to them in order.
        const pushed: number[] = [];
        while (numbers.length > 0) pushed.push(numbers.shift());
        expect(pushed).toEqual([...pushed].sort((a, b) => a - b));
        expect(Number.isNaN(numbers.shift())).toBe(true);
      }),
      propertyRuns(300),
    );
  });

  it('NumberRing keeps order and answers at/peek through wrap-around and shrinking', () => {
    const r = new NumberRing(4);
    const model: number[] = [];
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3000; i++) {
        r.push(round * 10_000 + i);
        model.push(round * 10_000 + i);
      }
      for (let i = 0; i < 2990; i++) expect(r.shift()).toBe(model.shift());
      expect(r.length).toBe(model.length);
      expect(r.peek()).toBe(model[0]);
      expect(r.at(model.length - 1)).toBe(model[model.length - 1]);
    }
    expect(Number.isNaN(r.at(model.length))).toBe(true);
  });
});
