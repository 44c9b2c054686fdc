import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupWindow } from '../../src/adapters/bus/dedup-window.ts';
import { pinPropertySeed, propertyRuns } from '../trading/property-seed.ts';

pinPropertySeed('bus/dedup-window');

describe('dedup window', () => {
  it('drops an id seen within the last `capacity` ids, whatever the position in its generation', () => {
    const capacity = 50;
    for (let offset = 0; offset < 2 * capacity; offset += 7) {
      const w = new DedupWindow(capacity);
      for (let i = 0; i < offset; i++) expect(w.isDuplicate(`pre${i}`)).toBe(false);
      expect(w.isDuplicate('x')).toBe(false);
      for (let i = 0; i < capacity - 1; i++) expect(w.isDuplicate(`y${offset}-${i}`)).toBe(false);
      // 'x' is among the last `capacity` ids recorded.
      expect(w.isDuplicate('x'), `offset ${offset}`).toBe(true);
    }
  });

  it('forgets an id once twice the capacity came after it, and a duplicate is not recorded again', () => {
    const w = new DedupWindow(10);
    expect(w.isDuplicate('a')).toBe(false);
    expect(w.isDuplicate('a')).toBe(true);
    for (let i = 0; i < 20; i++) w.isDuplicate(`n${i}`);
    expect(w.isDuplicate('a')).toBe(false);
  });

  it('answers as a list of the last `capacity` ids recorded, over ids that keep coming back (colliding slots, evictions)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 600 }), (capacity, draws) => {
        const w = new DedupWindow(capacity);
        const model: string[] = [];
        for (const n of draws) {
          const id = `01JX${n}`;
          const seen = model.includes(id);
          expect(w.isDuplicate(id)).toBe(seen);
          if (!seen) {
            model.push(id);
            if (model.length > capacity) model.shift();
          }
        }
      }),
      propertyRuns(300),
    );
  });

  it('capacity 0 remembers nothing', () => {
    const w = new DedupWindow(0);
    expect(w.isDuplicate('a')).toBe(false);
    expect(w.isDuplicate('a')).toBe(false);
  });
});
