import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { generateMatchPlans, SIM_FAULTS, type SimMatchPlan } from '../../src/sim/esports/simulator-plan.ts';
import { simulateMatch, simulationToNdjson } from '../../src/sim/esports/simulator.ts';
import { replayTruth } from '../../src/apps/truth-replay/truth-replay.ts';
import { TruthRuntime } from '../../src/runtime/truth/truth-runtime.ts';
import { simulatedTruth } from '../../src/sim/esports/simulated-truth.ts';
import { SimulatedFeed } from '../../src/sim/esports/simulator.ts';
import { specOfPlan } from '../../src/sim/esports/simulated-truth.ts';
import type { EventOf } from '../../src/domain/events/catalog.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { defaultTruthConfig } from './support.ts';

const config = defaultTruthConfig();
const T0 = Date.UTC(2026, 3, 5, 15, 0, 0);
const MAP = 60_000;

/** A scripted BO3 that FaZe wins 2-1, all three live sources healthy; tests change one thing each. */
function scripted(over: Partial<SimMatchPlan> = {}, mutate?: (p: SimMatchPlan) => void): SimMatchPlan {
  const plan: SimMatchPlan = {
    match_id: 'sim-1',
    title: 'cs2',
    teams: ['FaZe', 'illwill'],
    best_of: 3,
    start_at: T0 + 120_000,
    map_ms: MAP,
    map_winners: [0, 1, 0],
    sources: [
      { source: 'grid', delay_ms: 500, heartbeat_ms: 5000, silent: [], wrong_winner: null, spellings: ['FaZe Clan', 'ILLWILL'] },
      { source: 'pandascore', delay_ms: 3000, heartbeat_ms: 10_000, silent: [], wrong_winner: null, spellings: ['FaZe Clan', 'ILLWILL'] },
      { source: 'polymarket_sports', delay_ms: 1000, heartbeat_ms: 5000, silent: [], wrong_winner: null, spellings: ['FAZE', 'ILL'] },
    ],
    late_invalidation: null,
    ws_drops: [],
    rest_confirm_ms: 1000,
    liquipedia: { delay_ms: 2000, updated_after_end_ms: 5000, spellings: ['FaZe', 'illwill'] },
    external_ids: {},
    ...over,
  };
  mutate?.(plan);
  return plan;
}

const END = T0 + 120_000 + 3 * MAP;

function run(plans: SimMatchPlan[], until: number) {
  const clock = new VirtualClock(T0);
  const sink = new CollectingSink();
  const runtime = new TruthRuntime({
    config,
    clock,
    sink,
    events: new EventFactory(clock, ulidGenerator(seededRng(1))),
    sources: (emit) => [new SimulatedFeed({ clock, emit, plans })],
  });
  for (const p of plans) runtime.addMatch(specOfPlan(p));
  runtime.start();
  clock.advanceTo(until);
  const truth = (id: string) => sink.events.filter((e): e is EventOf<'TRUTH_STATE'> => e.type === 'TRUTH_STATE' && e.match_id === id).map((e) => ({ at: e.ts_ingest, ...e.payload }));
  return { runtime, truth, sink };
}

const states = (list: Array<{ state: string }>) => list.map((t) => t.state).filter((s, i, all) => i === 0 || all[i - 1] !== s);

describe('esports simulator', () => {
  it('a healthy match goes live, final on the Tier-A source, then settles', () => {
    const { truth, runtime } = run([scripted()], END + config.settle_after_ms + 10_000);
    const t = truth('sim-1');
    expect(states(t)).toEqual(['scheduled', 'live', 'effectively_final', 'settled']);
    const final = t.find((x) => x.state === 'effectively_final')!;
    expect(final).toMatchObject({ winner: 'FaZe', at: END + 500, implied_p: { FaZe: 0.99, illwill: 0.01 } });
    expect(t.some((x) => x.state === 'live' && x.implied_p?.FaZe === 0.725)).toBe(true);
    expect(runtime.stats.refused).toBe(0);
  });

  it('a disagreement is disputed until the wrong source corrects itself', () => {
    const fixed = run([scripted({}, (p) => (p.sources[2]!.wrong_winner = { fix_after_ms: 30_000 }))], END + 60_000).truth('sim-1');
    expect(states(fixed)).toEqual(['scheduled', 'live', 'effectively_final', 'disputed', 'effectively_final']);
    const never = run([scripted({}, (p) => (p.sources[2]!.wrong_winner = { fix_after_ms: null }))], END + 60_000).truth('sim-1');
    expect(states(never).at(-1)).toBe('disputed');
  });

  it('a late invalidation leaves effectively_final, and a re-validation returns to it', () => {
    const t = run([scripted({ late_invalidation: { after_end_ms: 20_000, restore_after_ms: 40_000 } })], END + 120_000).truth('sim-1');
    expect(states(t)).toEqual(['scheduled', 'live', 'effectively_final', 'invalidated', 'effectively_final']);
    expect(t.find((x) => x.state === 'invalidated')!.at).toBe(END + 20_000);
  });

  it('silent sources make the match stale, visibly, until they speak again', () => {
    const t = run([scripted({}, (p) => p.sources.forEach((s) => s.silent.push([30_000, 120_000])))], END + 10_000).truth('sim-1');
    expect(states(t)).toEqual(['scheduled', 'live', 'stale', 'live', 'effectively_final']);
    const stale = t.find((x) => x.state === 'stale')!;
    expect(stale).toMatchObject({ stale: true, implied_p: null, stale_sources: ['grid', 'pandascore', 'polymarket_sports'] });
  });

  it('a dropped PandaScore socket only marks that source stale', () => {
    const t = run([scripted({ ws_drops: [{ at_ms: 10_000, reconnect_ms: 90_000 }] })], END + 10_000).truth('sim-1');
    expect(states(t)).toEqual(['scheduled', 'live', 'effectively_final']);
    expect(t.some((x) => x.state === 'live' && x.stale_sources.includes('pandascore') && !x.stale)).toBe(true);
  });

  it('without Tier A, an overdue single final is confirmed through Liquipedia on request', () => {
    const plan = scripted({}, (p) => {
      p.sources = p.sources.filter((s) => s.source !== 'grid');
      p.rest_confirm_ms = 20_000;
    });
    const t = run([plan], END + 60_000).truth('sim-1');
    expect(states(t)).toEqual(['scheduled', 'live', 'pending_final', 'effectively_final']);
    const final = t.find((x) => x.state === 'effectively_final')!;
    // Polymarket says final at END+1 s, overdue at END+11 s asks Liquipedia, which answers 2 s later.
    expect(final).toMatchObject({ at: END + 13_000, winner: 'FaZe', sources: ['liquipedia', 'polymarket_sports'] });
    expect(t.find((x) => x.confirmation_overdue)).toBeDefined();
  });

  it('seeded plans are deterministic, varied, and replayable through the CLI path', () => {
    const plans = generateMatchPlans(42, T0, { ...config.simulator, matches: 40, fault_probability: 0.8 });
    expect(generateMatchPlans(42, T0, { ...config.simulator, matches: 40, fault_probability: 0.8 })).toEqual(plans);
    const faults = new Set(plans.flatMap((p) => [
      p.late_invalidation ? 'late_invalidation' : null,
      p.ws_drops.length > 0 ? 'ws_drop' : null,
      p.sources.some((s) => s.wrong_winner) ? 'disagreement' : null,
      p.sources.some((s) => s.silent.length > 0) ? 'silent_source' : null,
      p.sources.every((s) => s.source !== 'grid') ? 'no_tier_a' : null,
    ]).filter((f) => f !== null));
    expect([...faults].sort()).toEqual([...SIM_FAULTS].sort());
    for (const p of plans) {
      const at = simulateMatch(p).map((e) => e.at);
      expect(at).toEqual([...at].sort((a, b) => a - b));
    }
    const text = simulationToNdjson(plans.slice(0, 3));
    const a = replayTruth(text, config);
    expect(a.errors).toEqual([]);
    expect(replayTruth(text, config)).toEqual(a);
  });

  it('the embedded default runs its seeded matches to a verdict with every report attributed', () => {
    const clock = new VirtualClock(T0);
    const sink = new CollectingSink();
    const sim = simulatedTruth(7, config, clock);
    const runtime = new TruthRuntime({ config, clock, sink, events: new EventFactory(clock, ulidGenerator(seededRng(7))), sources: sim.sources });
    for (const m of sim.matches) runtime.addMatch(m);
    runtime.start();
    const lastEnd = Math.max(...sim.plans.map((p) => p.start_at + p.map_winners.length * p.map_ms));
    clock.advanceTo(lastEnd + 15 * 60_000);
    expect(runtime.stats.refused).toBe(0);
    expect(runtime.stats.accepted).toBeGreaterThan(100);
    for (const m of sim.matches) {
      const last = runtime.engine.view(m.match_id)!;
      expect(['effectively_final', 'settled', 'disputed', 'invalidated', 'pending_final']).toContain(last.state);
    }
  });
});
