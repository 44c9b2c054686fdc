import { describe, expect, it } from 'vitest';
import { marketBuyDollars, walkAskDollars, type AskLevel } from '../../src/domain/trading/market-buy.ts';
import { completeSet, negRiskArbitrage } from '../../src/domain/trading/neg-risk.ts';
import { decidePair } from '../../src/domain/trading/pair-arb.ts';
import { wholeCentBuySize } from '../../src/domain/trading/ticks.ts';
import { book, defaultSections } from './support.ts';

/**
 * The venue fills a marketable BUY as a market order: it spends size × limit at the makers' prices
 * (market-buy.ts). Legs bought in equal shares (a pair, a neg-risk set) whose walks cross cheaper
 * levels than their limits therefore bought more than their size, each leg by another amount: the
 * legs ended unequal. Each leg is now signed for what its walk costs, so each buys its shares to
 * within a whole-cent step. Every leg here is filled by the venue's own rule on its own book.
 */
const cfg = defaultSections();
const NO_FEE = { rate: 0, exponent: 1, taker_only: true };
const zero = { shares: 0, cost: 0, fees: 0 };

/** Shares the venue hands a marketable BUY of `size` at `limit` over `asks`. */
function bought(asks: readonly AskLevel[], size: number, limit: number): number {
  return walkAskDollars(asks, limit, marketBuyDollars(size, limit)).reduce((s, t) => s + t.size, 0);
}

/** The whole-cent step at `limit` in shares, and at most how many shares its dollars buy at the cheapest ask. */
function stepShares(limit: number, asks: readonly AskLevel[]): number {
  return (wholeCentBuySize(0.01, [limit], 'up') * limit) / asks[0]![0];
}

type Case = [name: string, tick: number, yesAsks: AskLevel[], noAsks: AskLevel[], chunk: number];
const cases: Case[] = [
  ['0.01 tick, YES over three levels, NO over two', 0.01, [[0.3, 100], [0.31, 100], [0.32, 1000]], [[0.6, 150], [0.62, 1000]], 300],
  ['0.01 tick, YES over two levels, NO on one', 0.01, [[0.2, 40], [0.23, 1000]], [[0.7, 1000]], 100],
  ['0.001 tick, YES over three levels, NO over two', 0.001, [[0.412, 100], [0.416, 100], [0.42, 1000]], [[0.5, 20], [0.51, 1000]], 300],
  ['0.001 tick, YES over two levels, NO over three', 0.001, [[0.245, 60], [0.25, 1000]], [[0.61, 5], [0.615, 5], [0.62, 1000]], 80],
];

describe('pair entry legs whose walks cross cheaper asks than their limits', () => {
  it.each(cases.flatMap(([name, ...rest]) => [false, true].map((fok) => [`${name} (FOK: ${fok})`, ...rest, fok] as const)))(
    '%s: both legs buy the pair size to a whole-cent step, where signing it at the limit did not',
    (_name, tick, yesAsks, noAsks, chunk, fillOrKill) => {
      const d = decidePair({
        yes: book([[yesAsks[0]![0] - tick, 1000]], yesAsks, tick),
        no: book([[noAsks[0]![0] - tick, 1000]], noAsks, tick),
        holdings: { yes: zero, no: zero },
        fee: NO_FEE,
        tick,
        // Ten ticks of 0.001 are one cent: the walks here reach that far.
        maxSlippageTicks: tick < 0.01 ? 10 : 5,
        fillOrKill,
        cfg: { ...cfg.trading.pair_arb, chunk_shares: chunk, target_pair_shares: chunk, max_leg_imbalance_usdc: 10_000, max_leg_imbalance_shares: 10_000 },
        sizeScale: 1,
        maxOrderUsdc: null,
        nowMs: 0,
        nakedSinceMs: null,
      });
      if (d.kind !== 'enter') throw new Error(`no entry: ${JSON.stringify(d)}`);
      const [y, n] = d.legs;
      expect(y.shares).toBe(n.shares);
      const yes = bought(yesAsks, y.size, y.limit);
      const no = bought(noAsks, n.size, n.limit);
      // Never short of the pair size: every leg fills its shares (a FOK's asks take all its dollars).
      expect(yes).toBeGreaterThanOrEqual(y.shares - 1e-6);
      expect(no).toBeGreaterThanOrEqual(n.shares - 1e-6);
      if (fillOrKill) for (const [l, asks] of [[y, yesAsks], [n, noAsks]] as const) expect(walkAskDollars(asks, l.limit, Infinity).reduce((s, t) => s + t.size * t.price, 0)).toBeGreaterThanOrEqual(marketBuyDollars(l.size, l.limit) - 1e-9);
      const step = Math.max(stepShares(y.limit, yesAsks), stepShares(n.limit, noAsks));
      expect(Math.abs(yes - no)).toBeLessThanOrEqual(step + 1e-6);
      // Signed at the pair size (as before), the cheaper levels' left-over dollars bought on.
      const before = Math.abs(bought(yesAsks, y.shares, y.limit) - bought(noAsks, n.shares, n.limit));
      expect(before).toBeGreaterThan(step);
    },
  );
});

describe('neg-risk set legs whose walks cross cheaper asks than their limits', () => {
  const asksOf: Record<string, AskLevel[]> = {
    a: [[0.2, 10], [0.21, 10], [0.23, 1000]],
    b: [[0.3, 15], [0.33, 1000]],
    c: [[0.4, 1000]],
  };
  const bucket = (id: string) => ({ market_id: id, yes_token: `${id}y`, no_token: `${id}n`, yes: book([[asksOf[id]![0]![0] - 0.01, 1000]], asksOf[id]!), no: book([[0.97, 1000]], [[0.99, 1000]]) });

  it('a set buys the same shares of every bucket, to a whole-cent step, where signing them at the limits did not', () => {
    const d = negRiskArbitrage({ buckets: ['a', 'b', 'c'].map(bucket), maxSets: 40, fee: NO_FEE, safetyMargin: 0.01, tick: 0.01, maxSlippageTicks: 5, maxOrderUsdc: null });
    if (d.kind !== 'buy_yes_set') throw new Error(`no set: ${JSON.stringify(d)}`);
    const got = d.legs.map((l) => bought(asksOf[l.market_id]!, l.size, l.limit));
    const steps = d.legs.map((l) => stepShares(l.limit, asksOf[l.market_id]!));
    for (const [i, l] of d.legs.entries()) {
      expect(l.shares).toBe(d.size);
      expect(got[i]).toBeGreaterThanOrEqual(d.size - 1e-6);
      expect(got[i]! - d.size).toBeLessThanOrEqual(steps[i]! + 1e-6);
    }
    const before = d.legs.map((l) => bought(asksOf[l.market_id]!, l.shares, l.limit));
    expect(Math.max(...before) - Math.min(...before)).toBeGreaterThan(Math.max(...steps));
  });

  it("a partial set's missing leg buys the set's size to a whole-cent step", () => {
    const missing = [{ market_id: 'a', token_id: 'ay', shares: 40, book: book([[0.19, 1000]], asksOf.a!) }];
    const c = completeSet({ missing, setSize: 40, paidPerSet: 0.5, payoffPerSet: 1, fee: NO_FEE, safetyMargin: 0.01, tick: 0.01, maxSlippageTicks: 5 });
    if (c.kind !== 'complete') throw new Error(`no completion: ${JSON.stringify(c)}`);
    const [l] = c.legs;
    const got = bought(asksOf.a!, l!.size, l!.limit);
    expect(got).toBeGreaterThanOrEqual(40 - 1e-6);
    expect(got - 40).toBeLessThanOrEqual(stepShares(l!.limit, asksOf.a!) + 1e-6);
    expect(bought(asksOf.a!, l!.shares, l!.limit) - 40).toBeGreaterThan(stepShares(l!.limit, asksOf.a!));
  });
});
