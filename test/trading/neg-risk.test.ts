import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGammaEvent, parseTemperatureEvent } from '../../src/domain/discovery/index.ts';
import { allInPerShare, fillFee } from '../../src/domain/trading/fees.ts';
import { allocateAcrossBuckets, eventExposure, eventOutcomes, negRiskArbitrage, type EventBucket } from '../../src/domain/trading/neg-risk.ts';
import { applyFill, emptyLedger, resolutionPrices, settle } from '../../src/domain/trading/pnl-ledger.ts';
import { pinPropertySeed, propertyRuns } from './property-seed.ts';
import { book, defaultSections, WEATHER_FEE } from './support.ts';

pinPropertySeed('neg-risk');

/** Issue #20, "beyond": the event-level view of neg-risk (temperature bucket) events. */
const cfg = defaultSections();

const bucketsWithAsks = (ids: string[], yesAsks: number[], noAsks: number[], depth = 100): EventBucket[] =>
  ids.map((id, i) => ({
    market_id: id,
    yes_token: `${id}-Y`,
    no_token: `${id}-N`,
    yes: book([[Math.max(0.01, yesAsks[i]! - 0.01), depth]], [[yesAsks[i]!, depth]]),
    no: book([[Math.max(0.01, noAsks[i]! - 0.01), depth]], [[noAsks[i]!, depth]]),
  }));

const arbInput = (buckets: EventBucket[], maxSets = 10) => ({ buckets, fee: WEATHER_FEE, safetyMargin: cfg.trading.pair_arb.safety_margin, maxSets, tick: 0.01, maxSlippageTicks: 3, maxOrderUsdc: cfg.risk.max_order_usdc });

describe('neg-risk arbitrage on simulated events', () => {
  it('a bought set pays the same whichever bucket wins, more than it cost with fees at its limits', () => {
    let found = 0;
    fc.assert(
      fc.property(fc.array(fc.record({ y: fc.integer({ min: 2, max: 60 }), n: fc.integer({ min: 40, max: 99 }) }), { minLength: 2, maxLength: 8 }), (rows) => {
        const ids = rows.map((_, i) => `b${i}`);
        const d = negRiskArbitrage(arbInput(bucketsWithAsks(ids, rows.map((r) => r.y / 100), rows.map((r) => r.n / 100))));
        if (d.kind === 'none') return;
        found++;
        expect(d.legs).toHaveLength(rows.length);
        let spent = 0;
        // Judged at the limits: each leg's shares of the set as if every one cost its limit (a leg
        // walking cheaper asks is signed for less, never for more).
        for (const l of d.legs) {
          expect(l.size).toBeLessThanOrEqual(l.shares);
          spent += l.shares * l.limit + fillFee(l.shares, l.limit, 'taker', WEATHER_FEE);
          expect(l.shares * allInPerShare(l.limit, WEATHER_FEE)).toBeLessThanOrEqual(cfg.risk.max_order_usdc + 1e-9);
        }
        const yes = d.kind === 'buy_yes_set';
        const outcomes = eventOutcomes(d.legs.map((l) => ({ market_id: l.market_id, yes_shares: yes ? l.shares : 0, no_shares: yes ? 0 : l.shares })), spent);
        for (const pnl of Object.values(outcomes)) {
          expect(pnl).toBeGreaterThan(0);
          expect(pnl).toBeCloseTo(d.guaranteedPnl, 3);
        }
        expect(eventExposure(d.legs.map((l) => ({ market_id: l.market_id, yes_shares: yes ? l.shares : 0, no_shares: yes ? 0 : l.shares })), spent)).toBe(0);
      }),
      propertyRuns(300),
    );
    expect(found).toBeGreaterThan(0);
  });

  it('finds the NO set when every NO is cheap enough: n − 1 of them pay', () => {
    // 3 buckets, NO asks 0.60: 1.80 + fees < 2.
    const d = negRiskArbitrage(arbInput(bucketsWithAsks(['a', 'b', 'c'], [0.5, 0.5, 0.5], [0.6, 0.6, 0.6])));
    expect(d).toMatchObject({ kind: 'buy_no_set', payoffPerSet: 2 });
  });
});

describe('one exposure per event', () => {
  it('YES on every bucket is hedged: no outcome loses, where the per-market view sees the whole cost', () => {
    const positions = ['a', 'b', 'c'].map((market_id) => ({ market_id, yes_shares: 10, no_shares: 0 }));
    expect(eventExposure(positions, 9)).toBe(0);
    // Two of three: the third bucket winning loses everything.
    expect(eventExposure(positions.slice(0, 2).concat({ market_id: 'c', yes_shares: 0, no_shares: 0 }), 6)).toBe(6);
    // YES a + NO b: b winning loses both.
    expect(eventOutcomes([{ market_id: 'a', yes_shares: 10, no_shares: 0 }, { market_id: 'b', yes_shares: 0, no_shares: 10 }, { market_id: 'c', yes_shares: 0, no_shares: 0 }], 9)).toEqual({ a: 11, b: -9, c: 1 });
  });
});

describe('nowcast-driven allocation across buckets', () => {
  it('bets only where p / cost beats the reserve rate, within the event caps, and grows faster than independent per-market Kelly', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ w: fc.integer({ min: 1, max: 100 }), c: fc.integer({ min: 2, max: 95 }) }), { minLength: 2, maxLength: 10 }), (rows) => {
        const total = rows.reduce((s, r) => s + r.w, 0);
        const buckets = rows.map((r, i) => ({ market_id: `b${i}`, p: r.w / total, cost: r.c / 100 }));
        const a = allocateAcrossBuckets({ buckets, bankrollUsdc: 100, kellyFraction: 1, maxEventFraction: 1, maxEventUsdc: 1e9 });
        // A bucket without an edge of its own may still be bought as the hedge of the set (p / cost above R).
        for (const s of a.stakes) {
          expect(s.stakeUsdc).toBeGreaterThanOrEqual(0);
          if (s.stakeUsdc > 0) expect(s.p / s.cost).toBeGreaterThan(a.reserve - 1e-12);
        }
        expect(a.totalUsdc).toBeLessThanOrEqual(100 + 1e-9);
        // Growth-optimal for one event: its expected log growth (exactly one bucket wins) is at least
        // that of independent full Kelly per market, (p − c)/(1 − c) of the bankroll each.
        const growth = (stake: (b: (typeof buckets)[number]) => number) => {
          const spent = buckets.reduce((t, b) => t + stake(b), 0);
          return buckets.reduce((g, w) => g + w.p * Math.log(Math.max(1e-300, 1 - spent + stake(w) / w.cost)), 0);
        };
        const kelly = new Map(a.stakes.map((x) => [x.market_id, x.stakeUsdc / 100]));
        const independent = (b: (typeof buckets)[number]) => (b.p > b.cost ? (b.p - b.cost) / (1 - b.cost) : 0);
        expect(growth((b) => kelly.get(b.market_id)!)).toBeGreaterThanOrEqual(growth(independent) - 1e-9);
        const capped = allocateAcrossBuckets({ buckets, bankrollUsdc: 100, kellyFraction: 0.25, maxEventFraction: 0.05, maxEventUsdc: 5 });
        expect(capped.totalUsdc).toBeLessThanOrEqual(5 + 1e-9);
      }),
      propertyRuns(300),
    );
  });
});

describe('the NYC daily-high event shape (test/fixtures/market, the discovery tests\' event)', () => {
  const raw = (JSON.parse(readFileSync(new URL('../fixtures/market/gamma-event-nyc-highest-2026-06-12.json', import.meta.url), 'utf8')) as unknown[])[0];
  const info = parseGammaEvent(raw);
  if (!info.ok) throw new Error(info.error.message);
  const parsed = parseTemperatureEvent(info.value);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const nyc = parsed.value;

  it('its eleven buckets as one event: a YES set under 1 after fees settles to the same profit whichever bucket resolves YES', () => {
    expect(nyc.neg_risk).toBe(true);
    expect(nyc.buckets).toHaveLength(11);
    const buckets: EventBucket[] = nyc.buckets.map((b) => ({
      market_id: b.condition_id,
      yes_token: b.yes_token_id,
      no_token: b.no_token_id,
      yes: book([[0.07, 100]], [[0.08, 100]]),
      no: book([[0.91, 100]], [[0.93, 100]]),
    }));
    // 10 sets would be $0.80 legs, under the venue's $1 marketable minimum: a leg refused there leaves a partial set.
    const tooSmall = negRiskArbitrage(arbInput(buckets, 10));
    expect(tooSmall.kind === 'none' && tooSmall.reason).toMatch(/below \$1/);
    const d = negRiskArbitrage(arbInput(buckets, 20));
    expect(d.kind).toBe('buy_yes_set');
    if (d.kind === 'none') return;
    // Resolve the event every possible way: exactly one bucket YES, each market settled by its ledger.
    for (const winner of nyc.buckets) {
      let total = 0;
      for (const leg of d.legs) {
        const b = nyc.buckets.find((x) => x.condition_id === leg.market_id)!;
        let l = applyFill(emptyLedger(), { fill_id: leg.token_id, token_id: leg.token_id, strategy: 'pair_arb', side: 'BUY', price: leg.limit, size: leg.size, fee_usdc: fillFee(leg.size, leg.limit, 'taker', WEATHER_FEE), status: 'CONFIRMED' });
        l = settle(l, resolutionPrices([b.yes_token_id, b.no_token_id], b === winner ? b.yes_token_id : b.no_token_id));
        total += l.cash;
      }
      expect(total).toBeCloseTo(d.guaranteedPnl, 3);
      expect(total).toBeGreaterThan(0);
    }
  });

  it('a nowcast centred on 86-87°F spreads one event stake over the likely buckets', () => {
    const centre = nyc.buckets.findIndex((b) => b.market.group_item_title === '86-87°F');
    expect(centre).toBeGreaterThanOrEqual(0);
    const weights = nyc.buckets.map((_, i) => Math.exp(-((i - centre) ** 2) / 2));
    const sum = weights.reduce((s, w) => s + w, 0);
    const a = allocateAcrossBuckets({
      buckets: nyc.buckets.map((b, i) => ({ market_id: b.condition_id, p: weights[i]! / sum, cost: allInPerShare(0.2, WEATHER_FEE) })),
      bankrollUsdc: cfg.trading.temporal.bankroll_usdc,
      kellyFraction: cfg.trading.temporal.kelly_fraction,
      maxEventFraction: cfg.trading.temporal.kelly_max_fraction,
      maxEventUsdc: cfg.trading.temporal.hard_cap_usdc,
    });
    const bet = a.stakes.filter((s) => s.stakeUsdc > 0).map((s) => nyc.buckets.find((b) => b.condition_id === s.market_id)!.market.group_item_title);
    expect(bet).toContain('86-87°F');
    expect(bet.length).toBeGreaterThan(1);
    expect(bet.length).toBeLessThan(nyc.buckets.length);
    expect(a.totalUsdc).toBeLessThanOrEqual(cfg.trading.temporal.hard_cap_usdc + 1e-9);
  });
});
