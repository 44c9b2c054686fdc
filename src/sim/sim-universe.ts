import type { HeliosConfig } from '../config/schema.ts';
import { simFeeFor, syntheticMarketSpecs, type SimMarketSpec } from './venue/synthetic-markets.ts';
import type { MatchSpec } from '../runtime/truth/truth-runtime.ts';
import type { BucketLayout, UniverseMarket } from '../domain/trading/universe.ts';
import { defaultBuckets } from '../domain/weather/nowcast/buckets.ts';

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
 * temperature buckets (YES = that bucket), the rest traded by pair arbitrage alone.
 */
export function buildSimUniverse(config: HeliosConfig, matches: readonly MatchSpec[]): SimUniverse {
  const venue = syntheticMarketSpecs(config.daemon.sim.markets);
  const station = config.weather.stations[0];
  const layout = station ? defaultBuckets(78) : [];
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
        venue: { ...v, neg_risk: true },
        match_id: null,
        station_id: station.id,
      });
      return;
    }
    markets.push({ spec: { ...base, fair_source: { kind: 'none' }, strategies: { pair_arb: true, temporal: false } }, venue: v, match_id: null, station_id: null });
  });
  return { markets, layouts };
}

/** The simulated day's temperature event of a station: one neg-risk event per station and judge day. */
export function simWeatherEventId(stationId: string): string {
  return `sim-weather:${stationId}:judge-day`;
}
