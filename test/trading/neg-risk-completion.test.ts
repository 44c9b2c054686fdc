import { describe, expect, it } from 'vitest';
import { marketBuyDollars, walkAskDollars, type AskLevel } from '../../src/domain/trading/market-buy.ts';
import { completeSet, negRiskArbitrage, SET_LEG_SHARE_TOLERANCE, setLegShortfall, shortfallBuyable } from '../../src/domain/trading/neg-risk.ts';
import { wholeCentBuySize } from '../../src/domain/trading/ticks.ts';
import { book } from './support.ts';

/**
 * A partial neg-risk set is completed leg by leg for what each leg lacks: a killed leg its whole
 * share of the set, a leg whose FOK spent its dollars at asks dearer than the set was judged on
 * (the book moved) its shortfall. Every leg here is filled by the venue's own rule on its book.
 */
const NO_FEE = { rate: 0, exponent: 1, taker_only: true };
const completion = { fee: NO_FEE, payoffPerSet: 1, safetyMargin: 0.01, tick: 0.01, maxSlippageTicks: 3 };

/** Shares the venue hands a marketable BUY of `size` at `limit` over `asks`. */
function bought(asks: readonly AskLevel[], size: number, limit: number): number {
  return walkAskDollars(asks, limit, marketBuyDollars(size, limit)).reduce((s, t) => s + t.size, 0);
}

/** The whole-cent step at `limit` in shares, and at most how many shares its dollars buy at the cheapest ask. */
function stepShares(limit: number, asks: readonly AskLevel[]): number {
  return (wholeCentBuySize(0.01, [limit], 'up') * limit) / asks[0]![0];
}

const short = (id: string, asks: AskLevel[], shares: number) => ({ market_id: id, token_id: `${id}y`, shares, book: book([[asks[0]![0] - 0.01, 1000]], asks) });

describe('completing a partial set leg by leg', () => {
  it('each short leg buys its own shortfall, to a whole-cent step, and the set is judged with what each buys', () => {
    const asks: Record<string, AskLevel[]> = { a: [[0.3, 1000]], b: [[0.2, 10], [0.21, 1000]] };
    // A set of 40: a filled 33.4 (6.6 short), b was killed (40 short); 0.3 + 33.4 / 40 × 0.3 paid per set.
    const paidPerSet = 0.3 + (33.4 * 0.3) / 40;
    const c = completeSet({ ...completion, missing: [short('a', asks.a!, 6.6), short('b', asks.b!, 40)], setSize: 40, paidPerSet });
    if (c.kind !== 'complete') throw new Error(`no completion: ${JSON.stringify(c)}`);
    expect(c.legs.map((l) => [l.market_id, l.shares])).toEqual([['a', 6.6], ['b', 40]]);
    let atLimits = paidPerSet;
    for (const l of c.legs) {
      const got = bought(asks[l.market_id]!, l.size, l.limit);
      expect(got).toBeGreaterThanOrEqual(l.shares - 1e-6);
      expect(got - l.shares).toBeLessThanOrEqual(stepShares(l.limit, asks[l.market_id]!) + 1e-6);
      atLimits += (l.shares * l.limit) / 40;
    }
    // Per set of 40: the 6.6 a lacks count for 6.6 / 40 of its limit, b's 40 for all of it.
    expect(c.costPerSet).toBeGreaterThanOrEqual(atLimits - 1e-9);
    expect(c.costPerSet).toBeLessThan(completion.payoffPerSet - completion.safetyMargin);
  });

  it("a shortfall's part of the set, not a whole leg, is what the profitability bound adds", () => {
    const asks: AskLevel[] = [[0.5, 1000]];
    // 0.9 paid per set: 4 of 40 at 0.50 add 0.05 (0.95 < 0.99); the whole leg would add 0.50.
    const part = completeSet({ ...completion, missing: [short('a', asks, 4)], setSize: 40, paidPerSet: 0.9 });
    expect(part.kind).toBe('complete');
    const whole = completeSet({ ...completion, missing: [short('a', asks, 40)], setSize: 40, paidPerSet: 0.9 });
    expect(whole.kind === 'wait' && whole.reason).toMatch(/completed set would cost 1\.4000/);
  });

  it('a shortfall not whole cents at its limit is rounded up (short would leave the set open), and counted as bought', () => {
    const asks: AskLevel[] = [[0.3, 1000]];
    // At 0.30 whole cents are tenths of a share: 6.65 is bought as 6.7.
    const c = completeSet({ ...completion, missing: [short('a', asks, 6.65)], setSize: 40, paidPerSet: 0.5 });
    if (c.kind !== 'complete') throw new Error(`no completion: ${JSON.stringify(c)}`);
    const [l] = c.legs;
    expect(bought(asks, l!.size, l!.limit)).toBeGreaterThanOrEqual(6.65 - 1e-6);
    expect(c.costPerSet).toBeCloseTo(0.5 + (wholeCentBuySize(6.65, [0.3], 'up') * 0.3) / 40, 9);
  });

  it("waits while a shortfall's purchase is under the venue's $1 minimum or beyond the slippage bound", () => {
    const cheap = completeSet({ ...completion, missing: [short('a', [[0.3, 1000]], 2)], setSize: 40, paidPerSet: 0.5 });
    expect(cheap.kind === 'wait' && cheap.reason).toMatch(/below \$1/);
    // The same 2 shares at 0.60 are $1.20: bought.
    expect(completeSet({ ...completion, missing: [short('a', [[0.6, 1000]], 2)], setSize: 40, paidPerSet: 0.2 }).kind).toBe('complete');
    // 6.6 short over 0.30 (1) and 0.35 (1000): five ticks past the touch, beyond 3.
    const deep = completeSet({ ...completion, missing: [short('a', [[0.3, 1], [0.35, 1000]], 6.6)], setSize: 40, paidPerSet: 0.5 });
    expect(deep.kind === 'wait' && deep.reason).toMatch(/^a /);
  });
});

describe('what a set leg lacks', () => {
  const asksOf: Record<string, AskLevel[]> = { a: [[0.2, 10], [0.21, 10], [0.23, 1000]], b: [[0.3, 15], [0.33, 1000]], c: [[0.4, 1000]] };
  const bucket = (id: string, asks: AskLevel[]) => ({ market_id: id, yes_token: `${id}y`, no_token: `${id}n`, yes: book([[asks[0]![0] - 0.01, 1000]], asks), no: book([[0.97, 1000]], [[0.99, 1000]]) });
  const set = negRiskArbitrage({ buckets: Object.entries(asksOf).map(([id, asks]) => bucket(id, asks)), maxSets: 40, fee: NO_FEE, safetyMargin: 0.01, tick: 0.01, maxSlippageTicks: 5, maxOrderUsdc: null });
  if (set.kind !== 'buy_yes_set') throw new Error(`no set: ${JSON.stringify(set)}`);

  it('nothing, filled on the book the set was judged on', () => {
    for (const l of set.legs) expect(setLegShortfall(l.shares, bought(asksOf[l.market_id]!, l.size, l.limit))).toBe(0);
  });

  it('what the dearer asks left unbought, once the cheaper levels are gone, beyond the tolerance', () => {
    const moved = (asks: AskLevel[]): AskLevel[] => asks.slice(-1);
    const lacking = set.legs.filter((l) => asksOf[l.market_id]!.length > 1);
    expect(lacking.length).toBeGreaterThan(0);
    for (const l of lacking) {
      const got = bought(moved(asksOf[l.market_id]!), l.size, l.limit);
      // The FOK still spends all its dollars within its limit: the venue fills it, with fewer shares.
      expect(got * l.limit).toBeCloseTo(marketBuyDollars(l.size, l.limit), 6);
      expect(setLegShortfall(l.shares, got)).toBeCloseTo(l.shares - got, 6);
      expect(setLegShortfall(l.shares, got)).toBeGreaterThan(SET_LEG_SHARE_TOLERANCE);
    }
    // A killed leg lacks its whole share; micro-share rounding is no shortfall.
    expect(setLegShortfall(40, 0)).toBe(40);
    expect(setLegShortfall(40, 40 - 1e-6)).toBe(0);
  });

  it("is bought on its own only where it reaches the venue's $1 minimum at some price a share trades at (≤ 1 − tick)", () => {
    expect(shortfallBuyable(0.5, 0.01)).toBe(false);
    // 1 share at 0.99 is $0.99; 1.02 are $1.0098.
    expect(shortfallBuyable(1, 0.01)).toBe(false);
    expect(shortfallBuyable(1.02, 0.01)).toBe(true);
    expect(shortfallBuyable(1.002, 0.001)).toBe(true);
    expect(shortfallBuyable(6.6, 0.01)).toBe(true);
  });
});
