import { describe, expect, it } from 'vitest';
import { HeldSignals } from '../../src/runtime/trading/held-signals.ts';
import { book, bookSignal } from './support.ts';

describe('held signals', () => {
  it('gives each market its own signal once and keeps the rest in the order they were held', () => {
    const held = new HeldSignals();
    const s = (token: string) => bookSignal(token, book([[0.4, 10]], [[0.6, 10]]), 0);
    const [a, b, c] = [s('A'), s('B'), s('C')];
    held.hold('m1', a);
    held.hold('m2', b);
    held.hold('m3', c);
    expect(held.get('m2')).toBe(b);
    // Taken from the middle: the others keep their order.
    expect(held.take('m2')).toBe(b);
    expect(held.take('m2')).toBeUndefined();
    expect(held.get('m2')).toBeUndefined();
    expect(held.size).toBe(2);
    expect(held.first()).toBe('m1');
    expect(held.take('m1')).toBe(a);
    expect(held.first()).toBe('m3');
    expect(held.take('m3')).toBe(c);
    expect(held.size).toBe(0);
    expect(held.first()).toBeUndefined();
  });
});
