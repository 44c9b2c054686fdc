import { describe, expect, it } from 'vitest';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import type { MarketSpec } from '../../src/domain/trading/market-spec.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { CrowdBeliefs } from '../../src/sim/venue/crowd-beliefs.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';

const events = new EventFactory(new VirtualClock(1_700_000_000_000), ulidGenerator(seededRng(5)));
const base = { tick_size: 0.01, min_order_size: 5, fee: { rate: 0.05, exponent: 1, taker_only: true }, admitted: true, admission_reason: null, strategies: { pair_arb: true, temporal: true } };
const bucket = (id: string, judgeDay?: string) => ({
  spec: { ...base, market_id: id, yes_token: `${id}-y`, no_token: `${id}-n`, fair_source: { kind: 'nowcast', bucket_label: '40-41°F', yes_token: `${id}-y`, no_token: `${id}-n`, ...(judgeDay ? { judge_day: judgeDay } : {}) } } as MarketSpec,
  station_id: 'KLGA',
  match_id: null,
});
const esports = { spec: { ...base, market_id: 'e', yes_token: 'e-y', no_token: 'e-n', fair_source: { kind: 'truth', outcome_by_token: { 'e-y': 'G2', 'e-n': 'Vitality' } } } as MarketSpec, station_id: null, match_id: 'm1' };
const nowcast = (day: string, p: number) =>
  events.make('NOWCAST', { judge_day: day, max_so_far_f: 40, distribution: [], buckets: [{ label: '40-41°F', lo_f: 40, hi_f: 41, p }], peak_time_bins: [], confidence: 1, qc_gate: 'open', inputs: [] } as never, { station_id: 'KLGA' });
const truth = (pG2: number) => events.make('TRUTH_STATE', { implied_p: { G2: pG2, Vitality: 1 - pG2 } } as never, { match_id: 'm1' });

function crowd(seed = 1) {
  const c = new CrowdBeliefs(seededRng(seed));
  c.track(bucket('today', '2026-12-08'), 0.2);
  c.track(bucket('tomorrow', '2026-12-09'), 0.2);
  c.track(esports, 0.5);
  return c;
}
const run = (c: CrowdBeliefs, steps: number) => {
  let last = new Map<string, number>();
  for (let i = 0; i < steps; i++) last = new Map(c.step().map((b) => [b.market_id, b.belief]));
  return last;
};

describe('a simulated venue’s crowd', () => {
  it('moves only once the model spoke, toward it (within its bias), each market by its own day’s nowcast and its match’s truth', () => {
    const c = crowd();
    expect(c.step()).toEqual([]);
    c.observe(nowcast('2026-12-08', 0.95));
    c.observe(truth(0.1));
    const first = run(c, 1);
    expect([...first.keys()]).toEqual(['today', 'e']);
    // A few per cent of the gap per step: late.
    expect(first.get('today')!).toBeGreaterThan(0.2);
    expect(first.get('today')!).toBeLessThan(0.25);
    const later = run(c, 400);
    expect(Math.abs(later.get('today')! - 0.95)).toBeLessThanOrEqual(0.16);
    expect(Math.abs(later.get('e')! - 0.1)).toBeLessThanOrEqual(0.16);
    // The other day's nowcast never moved tomorrow's bucket; its own does.
    expect(later.has('tomorrow')).toBe(false);
    c.observe(nowcast('2026-12-09', 0.05));
    expect(run(c, 400).get('tomorrow')!).toBeLessThan(0.2);
  });

  it('is the same sequence for the same seed, and leaves out a market it no longer tracks', () => {
    const feed = (c: CrowdBeliefs) => {
      c.observe(nowcast('2026-12-08', 0.6));
      c.observe(truth(0.7));
      return Array.from({ length: 50 }, () => c.step());
    };
    expect(feed(crowd(7))).toEqual(feed(crowd(7)));
    expect(feed(crowd(7))).not.toEqual(feed(crowd(8)));
    const c = crowd();
    c.untrack('e');
    c.observe(truth(0.9));
    expect(c.step().map((b) => b.market_id)).toEqual([]);
  });

  it('agrees with the model once the outcome is decided (no bias)', () => {
    const c = crowd(3);
    c.observe(truth(0.99));
    c.resolving('e');
    const end = run(c, 600).get('e')!;
    expect(end).toBeCloseTo(0.98, 2);
  });
});
