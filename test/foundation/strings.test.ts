import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { detached } from '../../src/domain/util/strings.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap in use after a full collection, while `keep` holds 200 hashes cut from 100 KB frames. */
function heldBy(cut: (hash: string) => string): number {
  gc();
  const before = v8.getHeapStatistics().used_heap_size;
  const keep: string[] = [];
  for (let i = 0; i < 200; i++) {
    const frame = `{"pad":"${'x'.repeat(100_000)}","n":${i},"hash":"${(i.toString(16) + 'f'.repeat(40)).slice(0, 40)}"}`;
    const at = frame.indexOf('"hash":"') + 8;
    keep.push(cut(frame.slice(at, at + 40)));
  }
  gc();
  const held = v8.getHeapStatistics().used_heap_size - before;
  expect(keep.every((h) => h.length === 40)).toBe(true);
  return held;
}

describe('detached', () => {
  it('is the same string', () => {
    const frame = `{"hash":"${'ab'.repeat(20)}"}`;
    expect(detached(frame.slice(9, 49))).toBe('ab'.repeat(20));
    expect(detached('short')).toBe('short');
    expect(detached('')).toBe('');
  });

  it('does not keep the frame it was sliced from alive (a plain slice keeps all of it)', () => {
    const plain = heldBy((h) => h);
    const copied = heldBy(detached);
    expect(plain).toBeGreaterThan(15_000_000);
    expect(copied).toBeLessThan(2_000_000);
  });
});
