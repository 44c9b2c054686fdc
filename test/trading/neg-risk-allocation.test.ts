import { describe, expect, it } from 'vitest';
import { kellyStakeUsdc } from '../../src/domain/trading/edge.ts';
import { allInPerShare } from '../../src/domain/trading/fees.ts';
import type { MarketEvent, MarketSpec } from '../../src/domain/trading/market-spec.ts';
import { allocateAcrossBuckets } from '../../src/domain/trading/neg-risk.ts';
import type { NowcastSignal } from '../../src/domain/trading/policy.ts';
import { book, flush, rig, spec, WEATHER_FEE } from './support.ts';

const EVENT: MarketEvent = { event_id: 'nyc-high', neg_risk: true, outcomes: 3 };
const LABELS = ['70-71', '72-73', '74-75'];

/** A weather bucket market traded by the temporal strategy alone, its fair value from the nowcast. */
function bucket(i: number, event: MarketEvent | null): MarketSpec {
  const tokens = { yes_token: `Y${i}`, no_token: `N${i}` };
  return spec({ market_id: `b${i}`, ...tokens, fee: WEATHER_FEE, fair_source: { kind: 'nowcast', bucket_label: LABELS[i]!, ...tokens }, strategies: { pair_arb: false, temporal: true }, event });
}

function nowcast(ps: number[]): NowcastSignal {
  return {
    judge_day: '2026-12-04',
    max_so_far_f: 70,
    distribution: [],
    buckets: ps.map((p, i) => ({ label: LABELS[i]!, lo_f: 70 + 2 * i, hi_f: 71 + 2 * i, p })),
    peak_time_bins: [],
    confidence: 1,
    qc_gate: 'open',
    inputs: [],
  };
}

// The nowcast: 0.55 / 0.40 / 0.05. YES asks 0.45 / 0.33 / 0.30 (they sum above 1: no set arbitrage).
// Both 0.45 and 0.33 clear the 0.05 edge threshold with fees, and the third bucket's NO (fair 0.95, ask 0.71) does too.
const P = [0.55, 0.4, 0.05];
const YES_ASK = [0.45, 0.33, 0.3];
const NO_ASK = [0.56, 0.68, 0.71];

/** Three buckets, books on every token, then one nowcast; every temporal order sent, by market. */
async function run(event: MarketEvent | null) {
  const r = rig({
    tune: (cfg) => {
      // Only the temporal strategy under test trades: the set arbitrage is tested on its own.
      cfg.trading.neg_risk.enabled = false;
    },
  });
  for (const i of [0, 1, 2]) r.runtime.addMarket(bucket(i, event), { synced: true });
  await r.runtime.start();
  for (const i of [0, 1, 2]) {
    r.setBook(`Y${i}`, book([[YES_ASK[i]! - 0.01, 100]], [[YES_ASK[i]!, 100]]));
    r.setBook(`N${i}`, book([[NO_ASK[i]! - 0.02, 100]], [[NO_ASK[i]!, 100]]));
  }
  for (const i of [0, 1, 2]) r.runtime.send(`b${i}`, { type: 'NOWCAST', nowcast: nowcast(P), ts_ms: r.clock.now() });
  // Books keep coming: each bucket decides again on each, with what it already holds.
  for (let k = 0; k < 5; k++) {
    r.clock.advanceBy(500);
    await flush();
    for (const i of [0, 1, 2]) r.setBook(`Y${i}`, book([[YES_ASK[i]! - 0.01, 100]], [[YES_ASK[i]!, 100]]));
  }
  r.clock.advanceBy(3000);
  await flush();
  const fills = r.sink.events
    .filter((e) => e.type === 'FILL' && (e.payload as { status: string }).status === 'MATCHED')
    .map((e) => ({ market: e.market_id!, token: e.token_id!, ...(e.payload as { strategy: string; size: number; price: number; fee_usdc: number }) }));
  r.runtime.stop();
  const spentOn = (token: string) => fills.filter((f) => f.token === token).reduce((s, f) => s + f.size * f.price + f.fee_usdc, 0);
  return { fills, spentOn, cfg: r.cfg };
}

describe('nowcast allocation across the buckets of a neg-risk event', () => {
  it('standalone buckets are each sized by their own Kelly stake (the baseline the allocation replaces)', async () => {
    const { fills, spentOn, cfg } = await run(null);
    expect(fills.every((f) => f.strategy === 'temporal')).toBe(true);
    // Independent bets: YES of buckets 0 and 1 and NO of bucket 2, together more than one entry's cap.
    const own = (p: number, ask: number) => kellyStakeUsdc(p, allInPerShare(ask, WEATHER_FEE), cfg.trading.temporal, 1);
    expect(spentOn('Y0')).toBeGreaterThan(own(P[0]!, YES_ASK[0]!) - 0.5);
    expect(spentOn('Y1')).toBeGreaterThan(own(P[1]!, YES_ASK[1]!) - 0.5);
    expect(spentOn('N2')).toBeGreaterThan(0);
    expect(spentOn('Y0') + spentOn('Y1') + spentOn('N2')).toBeGreaterThan(cfg.trading.temporal.hard_cap_usdc + 1);
    console.log(`neg-risk allocation baseline (independent Kelly): Y0 ${spentOn('Y0').toFixed(4)}, Y1 ${spentOn('Y1').toFixed(4)}, N2 ${spentOn('N2').toFixed(4)} USDC`);
  });

  it('bets the event as one portfolio: each YES up to its allocated stake, nothing where the allocation gives nothing', async () => {
    const { fills, spentOn, cfg } = await run(EVENT);
    const t = cfg.trading.temporal;
    const alloc = allocateAcrossBuckets({
      buckets: P.map((p, i) => ({ market_id: `b${i}`, p, cost: allInPerShare(YES_ASK[i]!, WEATHER_FEE) })),
      bankrollUsdc: t.bankroll_usdc,
      kellyFraction: t.kelly_fraction,
      maxEventFraction: t.kelly_max_fraction,
      maxEventUsdc: t.hard_cap_usdc,
    });
    const stake = Object.fromEntries(alloc.stakes.map((s) => [s.market_id, s.stakeUsdc]));
    // The allocation: buckets 0 and 1 share the event's $5 (the reserve rate keeps bucket 2 out).
    expect(alloc.totalUsdc).toBeCloseTo(5, 9);
    expect(stake.b0).toBeGreaterThan(stake.b1!);
    expect(stake.b2).toBe(0);
    // The orders follow it: each YES spends what its stake buys in whole shares (within one share), never more.
    for (const i of [0, 1]) {
      const c = allInPerShare(YES_ASK[i]!, WEATHER_FEE);
      expect(spentOn(`Y${i}`)).toBeLessThanOrEqual(stake[`b${i}`]! + 1e-9);
      expect(spentOn(`Y${i}`)).toBeGreaterThan(stake[`b${i}`]! - c - 1e-9);
    }
    // Nothing on bucket 2, not even its NO (a NO there is a bet on the other buckets, already allocated).
    expect(fills.filter((f) => f.market === 'b2')).toEqual([]);
    expect(spentOn('N0') + spentOn('N1')).toBe(0);
    // The whole event stays within the event-level stake, where independent bets went past it.
    expect(spentOn('Y0') + spentOn('Y1')).toBeLessThanOrEqual(alloc.totalUsdc + 1e-9);
    console.log(`neg-risk allocation (event-level Kelly): stakes ${alloc.stakes.map((s) => s.stakeUsdc.toFixed(4)).join('/')}; spent Y0 ${spentOn('Y0').toFixed(4)}, Y1 ${spentOn('Y1').toFixed(4)}, bucket 2 nothing`);
  });
});
