import { describe, expect, it } from 'vitest';
import { truthFaultsBegun, truthFaultStarts } from '../../src/sim/esports/simulator-faults.ts';
import { generateMatchPlans } from '../../src/sim/esports/simulator-plan.ts';
import { defaultTruthConfig } from './support.ts';

const config = defaultTruthConfig();
const T0 = Date.UTC(2026, 3, 5, 15, 0, 0);

describe('injected truth faults of the simulator plans', () => {
  const plans = generateMatchPlans(42, T0, { ...config.simulator, matches: 40, fault_probability: 0.8 });
  const starts = truthFaultStarts(plans);

  it('one start per injected fault, at the moment it begins, in time order', () => {
    const endOf = (p: (typeof plans)[number]) => p.start_at + p.map_winners.length * p.map_ms;
    const expected = {
      truth_conflict: plans.flatMap((p) => p.sources.filter((s) => s.wrong_winner).map(() => endOf(p))),
      truth_stale: plans.flatMap((p) => (p.sources.some((s) => s.silent.length) ? [p.start_at + p.sources[0]!.silent[0]![0]] : [])),
      truth_ws_drop: plans.flatMap((p) => p.ws_drops.map((d) => p.start_at + d.at_ms)),
      truth_invalidation: plans.flatMap((p) => (p.late_invalidation ? [endOf(p) + p.late_invalidation.after_end_ms] : [])),
    };
    for (const [kind, times] of Object.entries(expected)) {
      expect(times.length, kind).toBeGreaterThan(0);
      expect(starts.filter((s) => s.kind === kind).map((s) => s.at), kind).toEqual([...times].sort((a, b) => a - b));
    }
    expect(starts.map((s) => s.at)).toEqual(starts.map((s) => s.at).sort((a, b) => a - b));
  });

  it('counts the faults begun in [from, to), additive over any split', () => {
    const all = truthFaultsBegun(plans, T0, Number.MAX_SAFE_INTEGER);
    expect(all).toEqual({
      truth_conflict: starts.filter((s) => s.kind === 'truth_conflict').length,
      truth_stale: starts.filter((s) => s.kind === 'truth_stale').length,
      truth_ws_drop: starts.filter((s) => s.kind === 'truth_ws_drop').length,
      truth_invalidation: starts.filter((s) => s.kind === 'truth_invalidation').length,
    });
    expect(truthFaultsBegun(plans, 0, T0)).toEqual({ truth_conflict: 0, truth_stale: 0, truth_ws_drop: 0, truth_invalidation: 0 });
    const f = starts[Math.floor(starts.length / 2)]!;
    expect(truthFaultsBegun(plans, f.at, f.at + 1)[f.kind]).toBeGreaterThanOrEqual(1);
    expect(truthFaultsBegun(plans, f.at - 1, f.at)[f.kind]).toBe(starts.filter((s) => s.kind === f.kind && s.at === f.at - 1).length);
    const a = truthFaultsBegun(plans, T0, f.at);
    const b = truthFaultsBegun(plans, f.at, Number.MAX_SAFE_INTEGER);
    for (const k of Object.keys(all) as Array<keyof typeof all>) expect(a[k] + b[k], k).toBe(all[k]);
  });
});
