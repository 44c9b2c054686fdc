import { describe, expect, it } from 'vitest';
import { decideEdge } from '../../src/domain/trading/edge.ts';
import { completeSet, negRiskArbitrage } from '../../src/domain/trading/neg-risk.ts';
import { decidePair } from '../../src/domain/trading/pair-arb.ts';
import { book, defaultSections } from './support.ts';

/**
 * The venue signs a marketable BUY as dollars to spend (whole cents) and fills dollars / limit
 * shares: a size whose notional at its limit is not whole cents would fill fewer shares than
 * helios records (19.76 at 0.08 is $1.5808, signed $1.58, filled 19.75).
 */
const cfg = defaultSections();
const NO_FEE = { rate: 0, exponent: 1, taker_only: true };
const zero = { shares: 0, cost: 0, fees: 0 };

const cents = (size: number, price: number) => Math.round(size * 100) * Math.round(price * 10_000);
const isWholeCents = (size: number, price: number) => cents(size, price) % 10_000 === 0;

function edgeBuy(ask: number, budgetUsdc: number, tick = 0.01, fillOrKill = false) {
  const d = decideEdge({
    tokens: [{ token_id: 'Y', book: book([[ask - tick, 1000]], [[ask, 1000]], tick), fair: 0.99, holding: { shares: 0, cost: 0 } }],
    threshold: 0.01,
    maxOrderUsdc: budgetUsdc,
    maxPositionUsdc: 1000,
    fee: NO_FEE,
    tick,
    maxSlippageTicks: 3,
    minOrderShares: 5,
    sizeScale: 1,
    allowBuy: true,
    fillOrKill,
    cfg: { ...cfg.trading.temporal, kelly_fraction: 1, kelly_max_fraction: 1, hard_cap_usdc: 1000, bankroll_usdc: 1000 },
  });
  if (d.kind !== 'buy') throw new Error(`no buy: ${JSON.stringify(d)}`);
  return d;
}

describe('marketable BUY sizes: a whole-cent notional at the limit, rounding down', () => {
  it.each([
    // [ask, budget, tick, the largest size within budget whose notional is whole cents, at this limit]
    [0.08, 1.5808, 0.01, 19.75, 0.08], // 19.76 would be $1.5808
    [0.07, 1.5, 0.01, 21, 0.07], // 21.42 → whole shares at 7 cents
    [0.13, 2, 0.01, 15, 0.13], // 15.38
    [0.25, 1.5808, 0.01, 6.32, 0.25], // already whole cents: $1.58
    // At three decimals the whole-cent step can be coarse: tens of shares at 0.333 (10, $3.33), twos
    // two ticks up (14 at 0.335, $4.69); the venue fills at the asks' 0.333 either way.
    [0.333, 5, 0.001, 14, 0.335],
    // At 0.539 the step is 10 shares ($5.39, over the budget: no order at all before); at 0.540 one.
    [0.539, 5, 0.001, 9, 0.54],
  ])('an edge entry at %s with $%s to spend (tick %s) buys %s shares at limit %s', (ask, budget, tick, expected, limit) => {
    const d = edgeBuy(ask, budget, tick);
    expect(d.style).toBe('marketable');
    expect(d.limit).toBe(limit);
    expect(d.size).toBe(expected);
    expect(isWholeCents(d.size, d.limit)).toBe(true);
  });

  it('a FOK edge entry goes up a tick to a whole-cent size as a FAK does', () => {
    // At 0.539 whole cents need 10 shares ($5.39, over $5): a FOK held at its walked limit bought nothing.
    const d = edgeBuy(0.539, 5, 0.001, true);
    expect([d.size, d.limit]).toEqual([9, 0.54]);
  });

  it('a pair entry sizes both legs alike, whole cents at either limit', () => {
    const yes = book([[0.07, 1000]], [[0.08, 1000]]);
    const no = book([[0.85, 1000]], [[0.87, 1000]]);
    const d = decidePair({ yes, no, holdings: { yes: zero, no: zero }, fee: NO_FEE, tick: 0.01, maxSlippageTicks: 3, cfg: { ...cfg.trading.pair_arb, chunk_shares: 19.76, target_pair_shares: 100, max_leg_imbalance_usdc: 1000, max_leg_imbalance_shares: 1000 }, sizeScale: 1, maxOrderUsdc: null, nowMs: 0, nakedSinceMs: null });
    if (d.kind !== 'enter') throw new Error(`no entry: ${JSON.stringify(d)}`);
    const [y, n] = d.legs;
    expect([y.size, n.size]).toEqual([19, 19]);
    expect(isWholeCents(y.size, y.limit) && isWholeCents(n.size, n.limit)).toBe(true);
  });

  // The venue hands a market BUY every share its dollars buy at cheaper asks, so a pair's legs end
  // unequal. The surplus is a naked position like any other: under the minimum order it is kept
  // (it can be neither completed nor sold, and it was paid within the leg's signed dollars, so the
  // pair's guaranteed PnL is no worse than entered for); above it the partner leg is topped up
  // while that keeps the pair profitable, else, after naked_leg_max_ms, the cheaper of completing
  // or selling the surplus closes it.
  it('a pair leg filled beyond its size: a surplus under the minimum order leaves the pair locked, a larger one tops up the partner', () => {
    const yes = book([[0.05, 1000]], [[0.06, 10], [0.08, 1000]]);
    const no = book([[0.19, 1000]], [[0.2, 1000]]);
    const input = { yes, no, fee: NO_FEE, tick: 0.01, maxSlippageTicks: 3, cfg: { ...cfg.trading.pair_arb, chunk_shares: 19.75, target_pair_shares: 19.75 }, sizeScale: 1, maxOrderUsdc: null, nowMs: 0, nakedSinceMs: null };
    // $1.58 at 0.07 bought 22.571429 YES for 19.75 NO: 2.82 shares worth $0.20.
    const small = decidePair({ ...input, holdings: { yes: { shares: 22.571429, cost: 1.58, fees: 0 }, no: { shares: 19.75, cost: 3.95, fees: 0 } } });
    expect(small).toMatchObject({ kind: 'locked' });
    // 40 NO and 60 YES bought for $3.60: 20 surplus shares worth $1.20.
    const large = decidePair({ ...input, cfg: { ...input.cfg, target_pair_shares: 40 }, holdings: { yes: { shares: 60, cost: 3.6, fees: 0 }, no: { shares: 40, cost: 8, fees: 0 } } });
    if (large.kind !== 'complete') throw new Error(`no completion: ${JSON.stringify(large)}`);
    expect([large.order.leg, large.order.side, large.order.size, large.order.limit]).toEqual(['no', 'BUY', 20, 0.2]);
  });

  it('a lagging pair leg is bought in a whole-cent size', () => {
    const yes = book([[0.07, 1000]], [[0.08, 1000]]);
    const no = book([[0.85, 1000]], [[0.87, 1000]]);
    const holdings = { yes: { shares: 19.76, cost: 1.58, fees: 0 }, no: zero };
    const d = decidePair({ yes, no, holdings, fee: NO_FEE, tick: 0.01, maxSlippageTicks: 3, cfg: cfg.trading.pair_arb, sizeScale: 1, maxOrderUsdc: null, nowMs: 0, nakedSinceMs: null });
    if (d.kind !== 'complete') throw new Error(`no completion: ${JSON.stringify(d)}`);
    expect(d.order.side).toBe('BUY');
    expect(isWholeCents(d.order.size, d.order.limit)).toBe(true);
    expect(d.order.size).toBeGreaterThanOrEqual(19.76);
  });

  it('a neg-risk set sizes every leg alike, whole cents at each limit', () => {
    const bucket = (id: string, ask: number) => ({ market_id: id, yes_token: `${id}y`, no_token: `${id}n`, yes: book([[ask - 0.01, 1000]], [[ask, 1000]]), no: book([[0.97, 1000]], [[0.99, 1000]]) });
    const d = negRiskArbitrage({ buckets: [bucket('a', 0.08), bucket('b', 0.31), bucket('c', 0.44)], maxSets: 19.76, fee: NO_FEE, safetyMargin: 0.01, tick: 0.01, maxSlippageTicks: 3, maxOrderUsdc: null });
    if (d.kind !== 'buy_yes_set') throw new Error(`no set: ${JSON.stringify(d)}`);
    expect(d.size).toBe(19);
    for (const l of d.legs) expect([l.size, isWholeCents(l.size, l.limit)]).toEqual([19, true]);
  });

  it("a partial set's missing leg is bought at least at the set's size, whole cents at its limit", () => {
    const missing = [{ market_id: 'a', token_id: 'ay', shares: 19.76, book: book([[0.07, 1000]], [[0.08, 1000]]) }];
    const c = completeSet({ missing, setSize: 19.76, paidPerSet: 0.5, payoffPerSet: 1, fee: NO_FEE, safetyMargin: 0.01, tick: 0.01, maxSlippageTicks: 3 });
    if (c.kind !== 'complete') throw new Error(`no completion: ${JSON.stringify(c)}`);
    expect(c.legs.map((l) => [l.size, l.limit])).toEqual([[20, 0.08]]);
  });

  it("a set's legs are FOK: a missing leg's limit is where the asks take all its dollars, not where its size runs out", () => {
    // 20 reach 0.07 (10 at 0.06, 10 at 0.07: $1.30), but a FOK at 0.07 spends $1.40 and the venue would kill it.
    const missing = [{ market_id: 'a', token_id: 'ay', shares: 20, book: book([[0.05, 1000]], [[0.06, 10], [0.07, 10], [0.08, 1000]]) }];
    const c = completeSet({ missing, setSize: 20, paidPerSet: 0.5, payoffPerSet: 1, fee: NO_FEE, safetyMargin: 0.01, tick: 0.01, maxSlippageTicks: 3 });
    if (c.kind !== 'complete') throw new Error(`no completion: ${JSON.stringify(c)}`);
    // At 0.08 it is signed for what the 20 shares cost ($1.30: 16.25 at 0.08), not $1.60, which bought 23.75.
    expect(c.legs.map((l) => [l.size, l.shares, l.limit])).toEqual([[16.25, 20, 0.08]]);
  });
});

/**
 * At three-decimal prices the whole-cent step at an ask can exceed the order (10 shares at 0.539
 * or 0.447): legs sized at their walked limits found no size at all. As for a temporal buy, a leg's
 * limit goes up (within max_slippage_ticks) to where a whole-cent size exists; the venue fills at
 * the asks' prices, but the dollars signed are size × limit, so the legs' limits are chosen for
 * the most guaranteed PnL and a FOK leg only goes where its asks take all its dollars.
 */
describe('marketable BUY legs at three-decimal prices: limits raised to a whole-cent size', () => {
  const pairCfg = { ...cfg.trading.pair_arb, chunk_shares: 9, target_pair_shares: 100, max_leg_imbalance_usdc: 1000, max_leg_imbalance_shares: 1000 };
  const pairAt = (yesAsks: Array<[number, number]>, fillOrKill: boolean) =>
    decidePair({ yes: book([[0.53, 1000]], yesAsks, 0.001), no: book([[0.43, 1000]], [[0.437, 1000]], 0.001), holdings: { yes: zero, no: zero }, fee: NO_FEE, tick: 0.001, maxSlippageTicks: 3, cfg: pairCfg, sizeScale: 1, maxOrderUsdc: null, nowMs: 0, nakedSinceMs: null, fillOrKill });

  it.each([false, true])('a pair at YES 0.539 / NO 0.437 buys 9 of each at 0.540 / 0.440 (FOK: %s)', (fillOrKill) => {
    // At 0.539 and 0.437 whole cents need tens of shares: a chunk of 9 had no size and the pair waited.
    const d = pairAt([[0.539, 1000]], fillOrKill);
    if (d.kind !== 'enter') throw new Error(`no entry: ${JSON.stringify(d)}`);
    expect(d.legs.map((l) => [l.leg, l.size, l.limit])).toEqual([['yes', 9, 0.54], ['no', 9, 0.44]]);
  });

  it("a FOK pair leg is raised only where its asks take all its dollars", () => {
    // 9 at 0.540 spends $4.86, more than 9.01 at 0.539 hold ($4.856: the venue would kill it); 8 ($4.32) they take.
    const thin: Array<[number, number]> = [[0.539, 9.01], [0.545, 1000]];
    const fok = pairAt(thin, true);
    if (fok.kind !== 'enter') throw new Error(`no entry: ${JSON.stringify(fok)}`);
    expect(fok.legs.map((l) => [l.leg, l.size, l.limit])).toEqual([['yes', 8, 0.54], ['no', 8, 0.44]]);
    const fak = pairAt(thin, false);
    if (fak.kind !== 'enter') throw new Error(`no entry: ${JSON.stringify(fak)}`);
    expect(fak.legs.map((l) => [l.leg, l.size, l.limit])).toEqual([['yes', 9, 0.54], ['no', 9, 0.44]]);
  });

  it.each([
    // At 0.539 whole cents rounded the leg up to 10 shares ($5.39); 9 at 0.540 are $4.86.
    [0.001, 0.539, 9, 0.54],
    // At 0.5391 the step is 100 shares ($53.91 for a leg of 9); at 0.5392 it is 1.25 (12.5: $6.74).
    [0.0001, 0.5391, 12.5, 0.5392],
  ])("a partial set's missing leg (tick %s, ask %s) is bought in %s at %s, not rounded up at the ask", (tick, ask, size, limit) => {
    const missing = [{ market_id: 'a', token_id: 'ay', shares: 9, book: book([[0.5, 1000]], [[ask, 1000]], tick) }];
    // The set's bound counts what the leg buys: 12.5 at 0.5392 are 0.749 per set of 9, so 0.2 paid fits.
    const c = completeSet({ missing, setSize: 9, paidPerSet: 0.2, payoffPerSet: 1, fee: NO_FEE, safetyMargin: 0.01, tick, maxSlippageTicks: 3 });
    if (c.kind !== 'complete') throw new Error(`no completion: ${JSON.stringify(c)}`);
    expect(c.legs.map((l) => [l.size, l.limit])).toEqual([[size, limit]]);
  });

  it('a lagging pair leg at 0.447 is bought in 9 at 0.450, not 10 at 0.447', () => {
    const yes = book([[0.5, 1000]], [[0.539, 1000]], 0.001);
    const no = book([[0.44, 1000]], [[0.447, 1000]], 0.001);
    const holdings = { yes: { shares: 9, cost: 4.86, fees: 0 }, no: zero };
    const d = decidePair({ yes, no, holdings, fee: NO_FEE, tick: 0.001, maxSlippageTicks: 3, cfg: cfg.trading.pair_arb, sizeScale: 1, maxOrderUsdc: null, nowMs: 0, nakedSinceMs: null });
    if (d.kind !== 'complete') throw new Error(`no completion: ${JSON.stringify(d)}`);
    expect([d.order.leg, d.order.size, d.order.limit]).toEqual(['no', 9, 0.45]);
    expect(d.guaranteedPnl).toBeCloseTo(9 - 4.86 - 9 * 0.45, 9);
  });

  it('a neg-risk set at 0.539 / 0.219 / 0.187 buys 9 sets at 0.540 / 0.220 / 0.190', () => {
    const bucket = (id: string, ask: number) => ({ market_id: id, yes_token: `${id}y`, no_token: `${id}n`, yes: book([[ask - 0.01, 1000]], [[ask, 1000]], 0.001), no: book([[0.97, 1000]], [[0.99, 1000]], 0.001) });
    const d = negRiskArbitrage({ buckets: [bucket('a', 0.539), bucket('b', 0.219), bucket('c', 0.187)], maxSets: 9, fee: NO_FEE, safetyMargin: 0.01, tick: 0.001, maxSlippageTicks: 3, maxOrderUsdc: null });
    if (d.kind !== 'buy_yes_set') throw new Error(`no set: ${JSON.stringify(d)}`);
    expect(d.legs.map((l) => [l.market_id, l.size, l.limit])).toEqual([['a', 9, 0.54], ['b', 9, 0.22], ['c', 9, 0.19]]);
    expect(d.guaranteedPnl).toBeCloseTo(9 * (1 - 0.95), 9);
  });
});
