import { describe, expect, it } from 'vitest';
import { HeapBudget, growingPercentFor } from '../../src/apps/daemon/heap-budget.ts';

const MB = 1024 * 1024;

describe('heap budget', () => {
  it("leaves V8's own factor while even its largest growth (4×) stays within the budget", () => {
    expect(growingPercentFor(60 * MB, 256 * MB)).toBe(0);
    expect(growingPercentFor(64 * MB, 256 * MB)).toBe(0);
  });

  it('caps the factor so live × factor stays within the budget past that', () => {
    expect(growingPercentFor(128 * MB, 256 * MB)).toBe(100);
    expect(growingPercentFor(137 * MB, 256 * MB)).toBe(86);
    expect(growingPercentFor(200 * MB, 256 * MB)).toBe(28);
  });

  it("never goes below V8's own floor of 1.1×, even past the budget", () => {
    expect(growingPercentFor(250 * MB, 256 * MB)).toBe(10);
    expect(growingPercentFor(400 * MB, 256 * MB)).toBe(10);
  });

  it('a budget of 0 means V8 decides', () => {
    expect(growingPercentFor(400 * MB, 0)).toBe(0);
    const budget = new HeapBudget(0);
    budget.start();
    expect(budget.growingPercent).toBe(-1);
    budget.stop();
  });

  it('applies at start from the heap in use', () => {
    const tight = new HeapBudget(1);
    tight.start();
    expect(tight.growingPercent).toBe(10);
    tight.stop();
    const roomy = new HeapBudget(1_000_000);
    roomy.start();
    expect(roomy.growingPercent).toBe(0);
    roomy.stop();
  });
});
