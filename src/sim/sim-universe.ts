import type { HeliosConfig } from '../config/schema.ts';
import { syntheticMarketSpecs, type SimMarketSpec } from './venue/synthetic-markets.ts';
import { simMatchMarket } from './match-rounds.ts';
import type { MatchSpec } from '../runtime/truth/truth-runtime.ts';
import { planEnd, seriesWinner, type SimMatchPlan } from './esports/simulator-plan.ts';
import type { BucketLayout, UniverseMarket } from '../domain/trading/universe.ts';
import { nextDay } from '../domain/weather/judge-calendar.ts';
import { FIRST_LISTED_BUCKET, SIM_MIN_ORDER_SHARES, simBucketMarket, simDayBuckets, simJudgeCalendar, simLikelyMaxF, simNextDayListedBy, simWeatherDay, type SimWeatherListing } from './weather-days.ts';

/** One tradable market of the simulated universe, with what the venue simulator needs of it. */
export interface SimUniverseMarket extends UniverseMarket {
  venue: SimMarketSpec;
}

export interface SimUniverse {
  markets: SimUniverseMarket[];
  /** The first station's layout of the start's judge day (undated unless the days are listed), and the next day's once listed by the start. */
  layouts: BucketLayout[];
  /** What the venue lists of the first station's days (null: no station, or no market for its buckets). */
  weather: SimWeatherListing | null;
}

export interface SimUniverseOptions {
  /**
   * The bucket markets are of the start's judge day (dated), as the embedded venue lists a day's
   * buckets and resolves them when the day is over; false: undated, their nowcast following the
   * clock from day to day (a venue hosted elsewhere lists no new days).
   */
  datedWeather?: boolean;
}

/**
 * The embedded default's market universe: the venue simulator's binary markets, the first ones
 * bound to simulated esports matches (YES = first team), the next ones to the first station's
 * temperature buckets (YES = that bucket), the rest traded by pair arbitrage alone. The buckets are
 * centred on the simulated station's likely maximum of the local day of `startMs` (the daemon's
 * start), as a venue lists a day's buckets around the forecast: a fixed ladder would sit wholly
 * above or below the season's temperatures, every listed bucket certain to lose. With dated
 * weather, the next judge day's buckets follow when the venue has listed them by the start
 * (sim/weather-days.ts: their own ids, beyond the venue's initial markets).
 */
export function buildSimUniverse(config: HeliosConfig, matches: readonly MatchSpec[], startMs: number, opts: SimUniverseOptions = {}): SimUniverse {
  const venue = syntheticMarketSpecs(config.daemon.sim.markets);
  const station = config.weather.stations[0];
  const likelyMaxF = station ? simLikelyMaxF(config, station.id, startMs) : 0;
  const layout = station ? simDayBuckets(likelyMaxF) : [];
  const judgeDay = station && opts.datedWeather ? simJudgeCalendar(config, station.id).dayOf(startMs) : null;
  const layouts: BucketLayout[] = station ? [{ station_id: station.id, judge_day: judgeDay, buckets: layout }] : [];
  const markets: SimUniverseMarket[] = [];
  let bucketIndex = FIRST_LISTED_BUCKET;
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
      markets.push(simMatchMarket(config, match, v));
      return;
    }
    const bucket = layout[bucketIndex];
    if (station && bucket && bucketIndex < layout.length - 1) {
      bucketIndex++;
      markets.push(simBucketMarket(config, { stationId: station.id, judgeDay, buckets: layout, bucket, likelyMaxF, venue: v }));
      return;
    }
    markets.push({ spec: { ...base, fair_source: { kind: 'none' }, strategies: { pair_arb: true, temporal: false } }, venue: v, match_id: null, station_id: null });
  });
  const listed = bucketIndex - FIRST_LISTED_BUCKET;
  const weather = station && listed > 0 ? { station_id: station.id, buckets_per_day: listed } : null;
  // The next day's buckets, when the venue has listed them by the start (`daemon.sim.weather_list_ahead_ms`).
  if (weather && judgeDay !== null && simNextDayListedBy(config, weather.station_id, judgeDay, startMs)) {
    const next = simWeatherDay(config, weather, nextDay(judgeDay));
    markets.push(...next.markets);
    layouts.push(next.layout);
  }
  return { markets, layouts, weather };
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
