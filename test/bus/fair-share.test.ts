import { describe, expect, it } from 'vitest';
import { fairShares } from '../../src/adapters/bus/fair-share.ts';

const sharesOf = (wanted: number[], budget: number, turn = 0) => fairShares(wanted, budget, turn).shares;

describe('fairShares', () => {
  it('gives every topic all it wants when the budget covers everything', () => {
    expect(sharesOf([3, 0, 7], 500)).toEqual([3, 0, 7]);
  });

  it('does not let the first topic’s backlog take the whole budget', () => {
    expect(sharesOf([400, 6, 6], 12)).toEqual([4, 4, 4]);
  });

  it('gives what a small want leaves over to the topics wanting more, using the whole budget', () => {
    expect(sharesOf([1000, 2, 50, 1000], 100)).toEqual([33, 2, 33, 32]);
    expect(sharesOf([1000, 2, 20, 1000], 100)).toEqual([39, 2, 20, 39]);
  });

  it('gives what an equal split leaves over from the turn on, and moves the turn past them', () => {
    expect(fairShares([10, 10, 10], 4, 0)).toEqual({ shares: [2, 1, 1], nextTurn: 1 });
    expect(fairShares([10, 10, 10], 4, 1)).toEqual({ shares: [1, 2, 1], nextTurn: 2 });
    expect(fairShares([10, 10, 10], 4, 5)).toEqual({ shares: [1, 1, 2], nextTurn: 3 });
  });

  it('serves every topic within ceil(topics / budget) flushes when the budget is smaller than the number of topics', () => {
    const served = new Set<number>();
    let turn = 0;
    for (let flush = 0; flush < 3; flush++) {
      const { shares, nextTurn } = fairShares([9, 9, 9, 9, 9], 2, turn);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(2);
      shares.forEach((s, i) => s > 0 && served.add(i));
      turn = nextTurn;
    }
    expect([...served].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
