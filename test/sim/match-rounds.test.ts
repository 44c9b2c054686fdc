import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { generateMatchPlans, SOURCES_SPEAK_BEFORE_START_MS } from '../../src/sim/esports/simulator-plan.ts';
import { simMatchRound, simRoundListedAtMs, simRoundResolvedAtMs } from '../../src/sim/match-rounds.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import { specOfPlan } from '../../src/sim/esports/simulated-truth.ts';

const ANCHOR = Date.parse('2026-12-07T13:00:00Z');

function configWith(overrides: Record<string, unknown> = {}) {
  return loadConfig({ env: {}, overrides }).config;
}

describe('the embedded venue match rounds', () => {
  const config = configWith();
  const cfg = config.truth_engine.simulator;
  const roundMs = config.daemon.sim.match_round_ms;

  it('plans round k as the start round k rounds later, with its own matches and ids', () => {
    const start = generateMatchPlans(config.app.seed, ANCHOR, cfg);
    const rounds = [1, 2, 3].map((k) => simMatchRound(config, ANCHOR, k));
    for (const r of rounds) {
      expect(r.plans).toHaveLength(cfg.matches);
      r.plans.forEach((p, n) => {
        expect(p.match_id).toBe(`sim-${config.app.seed}-r${r.round}-${n + 1}`);
        expect(p.start_at).toBe(ANCHOR + r.round * roundMs + cfg.first_start_after_ms + n * cfg.spacing_ms);
      });
      expect(r.matches).toEqual(r.plans.map(specOfPlan));
    }
    // No match id, external id, market id or token id is shared between rounds (nor with the start's).
    const all = [start, ...rounds.map((r) => r.plans)].flat();
    expect(new Set(all.map((p) => p.match_id)).size).toBe(all.length);
    for (const source of Object.keys(all[0]!.external_ids)) expect(new Set(all.map((p) => p.external_ids[source])).size, source).toBe(all.length);
    const ids = rounds.flatMap((r) => r.markets.flatMap((m) => [m.spec.market_id, m.spec.yes_token, m.spec.no_token]));
    const venueIds = buildSimUniverse(config, start.map(specOfPlan), ANCHOR).markets.flatMap((m) => [m.spec.market_id, m.spec.yes_token, m.spec.no_token]);
    expect(new Set([...ids, ...venueIds]).size).toBe(ids.length + venueIds.length);
    // Each round draws its own series (not the start's again).
    expect(rounds.map((r) => r.plans.map((p) => p.teams.join('/')))).not.toContainEqual(start.map((p) => p.teams.join('/')));
  });

  it('derives the same markets on every run, bound to their matches, YES the first team', () => {
    const a = simMatchRound(config, ANCHOR, 2);
    const b = simMatchRound(config, ANCHOR + 5_000, 2);
    expect(b.markets.map((m) => m.spec.market_id)).toEqual(a.markets.map((m) => m.spec.market_id));
    for (const [i, m] of a.markets.entries()) {
      const plan = a.plans[i]!;
      expect(m.match_id).toBe(plan.match_id);
      expect(m.spec.market_id).toMatch(/^0x[0-9a-f]{64}$/);
      expect(m.spec.yes_token).toMatch(/^\d{60,}$/);
      expect(m.spec.fair_source).toEqual({ kind: 'truth', outcome_by_token: { [m.spec.yes_token]: plan.teams[0], [m.spec.no_token]: plan.teams[1] } });
      expect(m.spec.fee).toEqual(config.trading.sim_fees.esports);
      expect(m.venue.market).toBe(m.spec.market_id);
    }
  });

  it('lists a round before its sources first speak of it, and knows when its last market resolves', () => {
    // The default's first match is under way at the round's anchor: listed before the sources speak.
    expect(cfg.first_start_after_ms).toBeLessThan(0);
    expect(simRoundListedAtMs(config, ANCHOR, 1)).toBe(ANCHOR + roundMs + cfg.first_start_after_ms - SOURCES_SPEAK_BEFORE_START_MS);
    // A round starting well after its anchor is listed at the anchor.
    const later = configWith({ 'truth_engine.simulator.first_start_after_ms': 600_000 });
    expect(simRoundListedAtMs(later, ANCHOR, 2)).toBe(ANCHOR + 2 * roundMs);
    const plans = simMatchRound(config, ANCHOR, 1).plans;
    const lastEnd = Math.max(...plans.map((p) => p.start_at + p.map_winners.length * p.map_ms));
    expect(simRoundResolvedAtMs(config, plans)).toBe(lastEnd + config.daemon.sim.resolve_after_match_ms);
    expect(() => simMatchRound(config, ANCHOR, 0)).toThrow(/start's round/);
  });

  it('takes 0 (the start round only) or a period of a minute or more', () => {
    expect(configWith({ 'daemon.sim.match_round_ms': 0 }).daemon.sim.match_round_ms).toBe(0);
    expect(() => configWith({ 'daemon.sim.match_round_ms': 30_000 })).toThrow(/daemon\.sim\.match_round_ms[\s\S]*at least 60000/);
  });
});
