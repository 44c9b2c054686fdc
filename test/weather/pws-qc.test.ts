import { describe, expect, it } from 'vitest';
import { WorldSimulator } from '../../src/sim/world/world-sim.ts';
import { metarVerdict, PwsCluster, type PwsQcThresholds } from '../../src/domain/weather/pws-qc.ts';
import { median, qn, scaledMad } from '../../src/domain/weather/robust.ts';

const T: PwsQcThresholds = {
  range_min_f: -60,
  range_max_f: 130,
  step_max_f: 10,
  step_window_ms: 15 * 60_000,
  flat_line_ms: 3 * 3_600_000,
  flat_line_min_readings: 6,
  z_low: -2.33,
  z_high: 1.64,
  min_support: 5,
  min_spread_f: 1,
  spread: 'qn',
  stale_after_ms: 30 * 60_000,
};
const T0 = Date.UTC(2025, 6, 4, 16);
const obs = (pwsId: string, obsMs: number, tempF: number | null) => ({ pwsId, obsMs, tempF, qcStatus: 1 });

describe('robust statistics', () => {
  it('median, 1.4826·MAD and Qn resist a gross outlier', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(scaledMad([1, 2, 3, 4, 100])).toBeCloseTo(1.4826, 4);
    // n = 5: h = 3, k = 3; pairwise |differences| sorted 1,1,1,1,2,… → 1; × 2.2219 × 0.844.
    expect(qn([1, 2, 3, 4, 5])).toBeCloseTo(2.2219 * 0.844, 4);
    expect(qn([1, 2, 3, 4, 500])!).toBeLessThan(3);
    expect(qn([7])).toBeNull();
  });
});

describe('PWS cluster QC (CrowdQC+ m2, MADIS range, Mesonet step and persistence)', () => {
  it('flags warm and cold outliers with the asymmetric thresholds and leaves the rest passing', () => {
    const ids = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
    const c = new PwsCluster(ids, T);
    const temps = [80, 81, 80, 79, 81, 86, 74];
    ids.forEach((id, i) => c.add(obs(id, T0, temps[i]!)));
    const r = c.evaluate(T0);
    expect(r.support).toBe(7);
    expect(r.median_f).toBe(80);
    const byId = Object.fromEntries(r.stations.map((s) => [s.pws_id, s]));
    expect(byId.F!.flags).toContain('z_high');
    expect(byId.G!.flags).toContain('z_low');
    expect(byId.F!.verdict).toBe('outlier');
    for (const id of ['A', 'B', 'C', 'D', 'E']) expect(byId[id]!.verdict).toBe('pass');
  });

  it('computes no z below the minimum support of 5', () => {
    const c = new PwsCluster(['A', 'B', 'C', 'D'], T);
    [80, 81, 95, 80].forEach((t, i) => c.add(obs('ABCD'[i]!, T0, t)));
    const r = c.evaluate(T0);
    expect(r.stations.every((s) => s.z === null && s.flags.includes('low_support'))).toBe(true);
  });

  it('fails range violations, steps above the limit and stuck sensors; marks stale stations', () => {
    const c = new PwsCluster(['R', 'S', 'F', 'X', 'A', 'B', 'C'], T);
    c.add(obs('R', T0, 140));
    c.add(obs('S', T0 - 5 * 60_000, 70));
    c.add(obs('S', T0, 84));
    for (let k = 0; k <= 40; k++) c.add(obs('F', T0 - 4 * 3_600_000 + k * 6 * 60_000, 77));
    c.add(obs('X', T0 - 3_600_000, 80));
    for (const id of ['A', 'B', 'C']) c.add(obs(id, T0, 80));
    const r = Object.fromEntries(c.evaluate(T0).stations.map((s) => [s.pws_id, s]));
    expect(r.R!.flags).toContain('range');
    expect(r.S!.flags).toContain('step');
    expect(r.F!.flags).toContain('flat_line');
    for (const id of ['R', 'S', 'F']) expect(r[id]!.verdict).toBe('fail');
    expect(r.X!.flags).toEqual(['stale']);
    expect(r.X!.verdict).toBe('none');
  });

  it('catches the simulator’s injected outliers, stuck sensors and stale stations', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `PWS${String(i).padStart(2, '0')}`);
    const sim = new WorldSimulator({ seed: 5, station: 'KLGA', tz: 'America/New_York', pwsIds: ids, speciPerHour: 0, outlierShare: 0.15, stuckShare: 0.1, staleShare: 0.1, pwsIntervalMs: 300_000 });
    const c = new PwsCluster(ids, T);
    const from = Date.UTC(2025, 6, 3, 4);
    const flagged = new Map<string, Set<string>>();
    for (let bin = from; bin < from + 36 * 3_600_000; bin += 600_000) {
      for (const o of sim.pwsBetween(bin - 600_000, bin)) c.add(o);
      for (const s of c.evaluate(bin).stations) for (const f of s.flags) (flagged.get(s.pws_id) ?? flagged.set(s.pws_id, new Set()).get(s.pws_id)!).add(f);
    }
    for (const id of ids) {
      const role = sim.roleOf(id);
      const flags = flagged.get(id) ?? new Set();
      if (role === 'outlier') expect(flags.has('z_high')).toBe(true);
      if (role === 'stuck') expect(flags.has('flat_line')).toBe(true);
      if (role === 'stale') expect(flags.has('stale')).toBe(true);
      if (role === 'good') expect(flags.has('flat_line') || flags.has('range') || flags.has('step')).toBe(false);
    }
  });
});

describe('METAR verdicts for the station QC machine', () => {
  it('fails missing temperatures and impossible hourly changes, suspects malformed or mismatched groups', () => {
    expect(metarVerdict(['nil', 'temp_missing'], null, 70, 1, 35).verdict).toBe('fail');
    expect(metarVerdict([], 70, 30, 1, 35).verdict).toBe('fail');
    expect(metarVerdict(['t_group_malformed:T001060022', 'judge_from_body'], 52, 50, 1, 35).verdict).toBe('outlier');
    expect(metarVerdict(['t_body_mismatch'], 63, 62, 1, 35).verdict).toBe('outlier');
    expect(metarVerdict(['maintenance'], 63, 62, 1, 35)).toEqual({ verdict: 'pass', reason: 'passed (maintenance flag $ set)' });
  });
});
