import type { TruthEngineConfig } from '../../config/sections/truth.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { ReportListener, TruthSource } from '../../adapters/esports/source.ts';
import type { MatchSpec } from '../../runtime/truth/truth-runtime.ts';
import { generateMatchPlans, type SimMatchPlan } from './simulator-plan.ts';
import { SimulatedFeed } from './simulator.ts';

/**
 * The embedded default: seeded simulated matches and one simulated feed for all their sources.
 * `addPlan` gives the feed a later match (the embedded venue's next rounds) before it is watched.
 */
export function simulatedTruth(seed: number, config: TruthEngineConfig, clock: Clock): {
  plans: SimMatchPlan[];
  matches: MatchSpec[];
  sources: (emit: ReportListener) => TruthSource[];
  addPlan: (plan: SimMatchPlan) => void;
} {
  // Anchored, a restart regenerates the same matches; otherwise they begin after this start.
  const plans = generateMatchPlans(seed, config.simulator.anchor_ms ?? clock.now(), config.simulator);
  const later: SimMatchPlan[] = [];
  let feed: SimulatedFeed | null = null;
  return {
    plans,
    matches: plans.map(specOfPlan),
    sources: (emit) => [(feed = new SimulatedFeed({ clock, emit, plans: [...plans, ...later] }))],
    addPlan: (plan) => {
      if (feed) feed.addPlan(plan);
      else later.push(plan);
    },
  };
}

export function specOfPlan(plan: SimMatchPlan): MatchSpec {
  return { match_id: plan.match_id, title: plan.title, outcomes: plan.teams, best_of: plan.best_of, source_ids: plan.external_ids };
}

