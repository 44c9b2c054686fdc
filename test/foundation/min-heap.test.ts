import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/domain/util/min-heap.ts';
import { seededRng } from '../../src/domain/util/random.ts';

describe('MinHeap', () => {
  it.each([1, 2, 3])('hands values out by key, smallest first, through pushes, pops, raised tops and filters (seed %i)', (seed) => {
    const rng = seededRng(seed);
    const heap = new MinHeap<string>();
    // The reference: every live value with its key, searched at each look.
    let model: Array<[string, number]> = [];
    const smallest = () => model.reduce<[string, number] | undefined>((m, e) => (m === undefined || e[1] < m[1] ? e : m), undefined);
    for (let step = 0, n = 0; step < 5_000; step++) {
      const roll = rng();
      if (roll < 0.45) {
        // Unique keys: equal ones come out in no particular order.
        const entry: [string, number] = [`v${n}`, Math.floor(rng() * 1e6) + n++ / 1e7];
        heap.push(entry[0], entry[1]);
        model.push(entry);
      } else if (roll < 0.8) {
        const top = smallest();
        expect(heap.pop()).toBe(top?.[0]);
        model = model.filter((e) => e !== top);
      } else if (roll < 0.97) {
        const top = smallest();
        if (top === undefined) continue;
        top[1] += Math.floor(rng() * 1e5);
        heap.increaseTopKey(top[1]);
      } else {
        const drop = `v${Math.floor(rng() * n)}`;
        heap.retain((v) => v !== drop);
        model = model.filter((e) => e[0] !== drop);
      }
      expect(heap.size).toBe(model.length);
      expect(heap.peek()).toBe(smallest()?.[0]);
      expect(heap.peekKey()).toBe(smallest()?.[1] ?? Number.POSITIVE_INFINITY);
    }
  });
});
