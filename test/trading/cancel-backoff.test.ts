import { describe, expect, it } from 'vitest';
import { CancelBackoff } from '../../src/domain/trading/cancel-backoff.ts';

describe('cancel backoff', () => {
  it('doubles per consecutive failure of one order up to the cap, each order and market on its own', () => {
    const b = new CancelBackoff({ minMs: 1_000, maxMs: 8_000 });
    expect([1, 2, 3, 4, 5].map(() => b.failed('m1', 'o1'))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(b.failed('m1', 'o2')).toBe(1_000);
    expect(b.failed('m2', 'o1')).toBe(1_000);
  });

  it('starts over once the cancel went through or the order ended, and forgets a market that left with all its orders', () => {
    const b = new CancelBackoff({ minMs: 1_000, maxMs: 8_000 });
    b.failed('m1', 'o1');
    b.failed('m1', 'o1');
    b.forget('m1', 'o1');
    expect(b.failed('m1', 'o1')).toBe(1_000);
    // o1 and o2 ended without a last word from the venue (closed out by a rebuild): the market leaves.
    b.failed('m1', 'o2');
    b.forgetMarket('m1');
    expect(b.failed('m1', 'o1')).toBe(1_000);
    expect(b.failed('m1', 'o2')).toBe(1_000);
  });
});
