import type { HeliosConfig } from '../config/schema.ts';
import type { MatchSpec } from '../runtime/truth/truth-runtime.ts';
import { specOfPlan } from './esports/simulated-truth.ts';
import { generateMatchPlans, planEnd, SOURCES_SPEAK_BEFORE_START_MS, type SimMatchPlan } from './esports/simulator-plan.ts';
import type { SimUniverseMarket } from './sim-universe.ts';
import { derivedMarketSpec } from './venue/derived-market.ts';
import { simFeeFor, type SimMarketSpec } from './venue/synthetic-markets.ts';
import { SIM_MIN_ORDER_SHARES } from './weather-days.ts';

/**
 * The embedded venue's esports schedule: the start's matches (round 0, on the venue's first
 * markets) and then, every `daemon.sim.match_round_ms`, a new round of
 * `truth_engine.simulator.matches` matches, each on a new market, played and resolved as the
 * start's are. Round k is the start's round `k × match_round_ms` later, counted from the anchor
 * (`truth_engine.simulator.anchor_ms`, or the daemon's start).
 */
export interface SimMatchRound {
  round: number;
  plans: SimMatchPlan[];
  matches: MatchSpec[];
  markets: SimUniverseMarket[];
}

/** A market bound to a simulated match: YES is the match's first team. */
export function simMatchMarket(config: HeliosConfig, match: MatchSpec, venue: SimMarketSpec): SimUniverseMarket {
  return {
    spec: {
      market_id: venue.market,
      yes_token: venue.yes,
      no_token: venue.no,
      tick_size: venue.tick_size,
      min_order_size: SIM_MIN_ORDER_SHARES,
      fee: simFeeFor('esports', config.trading.sim_fees, config.trading.default_fee),
      admitted: true,
      admission_reason: null,
      fair_source: { kind: 'truth', outcome_by_token: { [venue.yes]: match.outcomes[0]!, [venue.no]: match.outcomes[1]! } },
      strategies: { pair_arb: true, temporal: true },
    },
    venue,
    match_id: match.match_id,
    station_id: null,
  };
}

/** When round `round` starts: the anchor, `round × match_round_ms` on. */
function roundAnchorMs(config: HeliosConfig, anchorMs: number, round: number): number {
  return anchorMs + round * config.daemon.sim.match_round_ms;
}

/** A later round (≥ 1): its plans, and its markets with ids derived from each match's id. */
export function simMatchRound(config: HeliosConfig, anchorMs: number, round: number): SimMatchRound {
  if (round < 1) throw new Error(`match round ${round}: the start's round is the venue's first markets`);
  const plans = generateMatchPlans(config.app.seed, roundAnchorMs(config, anchorMs, round), config.truth_engine.simulator, round);
  const matches = plans.map(specOfPlan);
  const markets = matches.map((m) => simMatchMarket(config, m, derivedMarketSpec(`sim-match:${m.match_id}`, 0.5)));
  return { round, plans, matches, markets };
}

/**
 * When the venue lists round `round`: at its anchor, or earlier when its first match starts before
 * the sources first speak of it (a negative `first_start_after_ms`: the round begins under way, as
 * the start's does).
 */
export function simRoundListedAtMs(config: HeliosConfig, anchorMs: number, round: number): number {
  const at = roundAnchorMs(config, anchorMs, round);
  return Math.min(at, at + config.truth_engine.simulator.first_start_after_ms - SOURCES_SPEAK_BEFORE_START_MS);
}

/** When the last of a round's markets resolves: its last match's end, plus `daemon.sim.resolve_after_match_ms`. */
export function simRoundResolvedAtMs(config: HeliosConfig, plans: readonly SimMatchPlan[]): number {
  return Math.max(...plans.map(planEnd)) + config.daemon.sim.resolve_after_match_ms;
}
