import type { HeliosConfig } from '../config/schema.ts';
import { simFeeFor, syntheticMarketSpecs, type SimMarketSpec } from './venue/synthetic-markets.ts';
import type { MatchSpec } from '../runtime/truth/truth-runtime.ts';
import { planEnd, seriesWinner, type SimMatchPlan } from './esports/simulator-plan.ts';
import type { BucketLayout, UniverseMarket } from '../domain/trading/universe.ts';
import { bucketContains } from '../domain/replay/bucket-resolution.ts';
import { defaultBuckets, type TempBucket } from '../domain/weather/nowcast/buckets.ts';
import { simulatorOptions } from './world/simulated-world.ts';
import { WorldSimulator } from './world/world-sim.ts';

/** The venue's usual resting-order minimum, in shares. */
const SIM_MIN_ORDER_SHARES = 5;

/** One tradable market of the simulated universe, with what the venue simulator needs of it. */
export interface SimUniverseMarket extends UniverseMarket {
  venue: SimMarketSpec;
}

export interface SimUniverse {
  markets: SimUniverseMarket[];
  /** The first station's current-day layout (undated: the simulated day follows the clock). */
  layouts: BucketLayout[];
}

/**
 * The embedded default's market universe: the venue simulator's binary markets, the first ones
 * bound to simulated esports matches (YES = first team), the next ones to the first station's
 * temperature buckets (YES = that bucket), the rest traded by pair arbitrage alone. The buckets are
 * centred on the simulated station's likely maximum of the local day of `startMs` (the daemon's
 * start), as a venue lists a day's buckets around the forecast: a fixed ladder would sit wholly
 * above or below the season's temperatures, every listed bucket certain to lose.
 */
export function buildSimUniverse(config: HeliosConfig, matches: readonly MatchSpec[], startMs: number): SimUniverse {
  const venue = syntheticMarketSpecs(config.daemon.sim.markets);
  const station = config.weather.stations[0];
  const likelyMaxF = station ? new WorldSimulator(simulatorOptions(config.weather, config.app.seed, station.id)).likelyMaxF(startMs) : 0;
  const layout = station ? defaultBuckets(likelyMaxF) : [];
  const layouts: BucketLayout[] = station ? [{ station_id: station.id, judge_day: null, buckets: layout }] : [];
  const markets: SimUniverseMarket[] = [];
  let bucketIndex = 3; // start near the middle of the layout, where the nowcast puts its mass
  venue.forEach((v, i) => {
    const base = {
      market_id: v.market,
      yes_token: v.yes,
      no_token: v.no,
      tick_size: v.tick_size,
      min_order_size: SIM_MIN_ORDER_SHARES,
      fee: config.trading.default_fee,
      admitted: true,
      admission_reason: null,
    };
    const match = matches[i];
    if (match && match.outcomes.length === 2) {
      markets.push({
        spec: {
          ...base,
          fee: simFeeFor('esports', config.trading.sim_fees, config.trading.default_fee),
          fair_source: { kind: 'truth', outcome_by_token: { [v.yes]: match.outcomes[0]!, [v.no]: match.outcomes[1]! } },
          strategies: { pair_arb: true, temporal: true },
        },
        venue: v,
        match_id: match.match_id,
        station_id: null,
      });
      return;
    }
    const bucket = layout[bucketIndex];
    if (station && bucket && bucketIndex < layout.length - 1) {
      bucketIndex++;
      markets.push({
        spec: {
          ...base,
          fee: simFeeFor('weather', config.trading.sim_fees, config.trading.default_fee),
          fair_source: { kind: 'nowcast', bucket_label: bucket.label, yes_token: v.yes, no_token: v.no },
          strategies: { pair_arb: true, temporal: true },
          // The station's judge day is one neg-risk event over the whole layout (not every bucket is listed here).
          event: { event_id: simWeatherEventId(station.id), neg_risk: true, outcomes: layout.length },
        },
        venue: { ...v, neg_risk: true, fair: crowdBucketPrice(likelyMaxF, bucket) },
        match_id: null,
        station_id: station.id,
      });
      return;
    }
    markets.push({ spec: { ...base, fair_source: { kind: 'none' }, strategies: { pair_arb: true, temporal: false } }, venue: v, match_id: null, station_id: null });
  });
  return { markets, layouts };
}

/** When and how the embedded venue resolves a market bound to a simulated match. */
export interface SimResolution {
  market_id: string;
  match_id: string;
  winning_token: string;
  at_ms: number;
}

/**
 * The resolutions of the universe's markets bound to these planned matches: `afterMatchMs` after
 * the match's planned end, to the token of the series winner (YES when it is the first team).
 * Markets of no match (weather buckets, pair-only) are not resolved.
 */
export function simMatchResolutions(markets: readonly UniverseMarket[], plans: readonly SimMatchPlan[], afterMatchMs: number): SimResolution[] {
  const out: SimResolution[] = [];
  for (const m of markets) {
    const plan = plans.find((p) => p.match_id === m.match_id);
    const fs = m.spec.fair_source;
    if (!plan || fs.kind !== 'truth') continue;
    const winner = plan.teams[seriesWinner(plan.map_winners)];
    const token = [m.spec.yes_token, m.spec.no_token].find((t) => fs.outcome_by_token[t] === winner);
    if (token === undefined) throw new Error(`market ${m.spec.market_id} has no token for ${winner}, the winner of match ${plan.match_id}`);
    out.push({ market_id: m.spec.market_id, match_id: plan.match_id, winning_token: token, at_ms: planEnd(plan) + afterMatchMs });
  }
  return out;
}

/** How far the simulated crowd's belief about the day's maximum spreads (°F, one standard deviation). */
const CROWD_SPREAD_F = 4;

/**
 * The simulated crowd's opening price of a bucket's YES: its mass under a normal belief around the
 * likely maximum (whole °F), kept off the price bounds so both sides of the book have levels. The
 * listed buckets then price like one event (their YES prices sum to about one) and the nowcast,
 * which sees the observations, disagrees with the crowd in both directions.
 */
export function crowdBucketPrice(likelyMaxF: number, bucket: TempBucket): number {
  let inside = 0;
  let total = 0;
  for (let f = likelyMaxF - 5 * CROWD_SPREAD_F; f <= likelyMaxF + 5 * CROWD_SPREAD_F; f++) {
    const w = Math.exp(-0.5 * ((f - likelyMaxF) / CROWD_SPREAD_F) ** 2);
    total += w;
    if (bucketContains(bucket, f)) inside += w;
  }
  return Math.min(0.95, Math.max(0.05, inside / total));
}

/** The simulated day's temperature event of a station: one neg-risk event per station and judge day. */
export function simWeatherEventId(stationId: string): string {
  return `sim-weather:${stationId}:judge-day`;
}
