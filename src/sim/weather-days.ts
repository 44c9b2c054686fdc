import type { HeliosConfig } from '../config/schema.ts';
import { parseMetarText } from '../adapters/weather/metar-parser.ts';
import { bucketContains } from '../domain/replay/bucket-resolution.ts';
import type { BucketLayout } from '../domain/trading/universe.ts';
import { JudgeCalendar, nextDay } from '../domain/weather/judge-calendar.ts';
import { defaultBuckets, type TempBucket } from '../domain/weather/nowcast/buckets.ts';
import { StationDays } from '../domain/weather/station-days.ts';
import type { SimUniverseMarket } from './sim-universe.ts';
import { derivedMarketSpec } from './venue/derived-market.ts';
import { simFeeFor, type SimMarketSpec } from './venue/synthetic-markets.ts';
import { simulatorOptions } from './world/simulated-world.ts';
import { WorldSimulator } from './world/world-sim.ts';

/** The venue's usual resting-order minimum, in shares. */
export const SIM_MIN_ORDER_SHARES = 5;

/** Which of a day's buckets the simulated venue lists: from this index of the layout (near its middle, where the mass is). */
export const FIRST_LISTED_BUCKET = 3;

/**
 * The simulated venue's temperature event of one station: what it lists each judge day. `null`
 * when the universe has no station or no market left for its buckets.
 */
export interface SimWeatherListing {
  station_id: string;
  /** How many of a day's buckets are listed, from `FIRST_LISTED_BUCKET` on. */
  buckets_per_day: number;
}

/** One station-day the venue lists: its bucket layout and the bucket markets of it. */
export interface SimWeatherDay {
  layout: BucketLayout;
  markets: SimUniverseMarket[];
}

/**
 * A station's temperature event of one judge day (`null`: the undated day that follows the clock).
 * One neg-risk event per station and day, as the venue lists them.
 */
export function simWeatherEventId(stationId: string, judgeDay: string | null = null): string {
  return `sim-weather:${stationId}:${judgeDay ?? 'judge-day'}`;
}

/** The station's judge calendar, as the nowcast and the settlement read the day. */
export function simJudgeCalendar(config: HeliosConfig, stationId: string): JudgeCalendar {
  const station = config.weather.stations.find((s) => s.id === stationId);
  if (!station) throw new Error(`weather: no station ${stationId}`);
  return new JudgeCalendar(station.tz, config.weather.nowcast.judge_day);
}

/**
 * The simulated station's likely maximum (whole °F) of the local day holding `ms`: where the venue
 * centres that day's buckets, as a venue lists a day's buckets around the forecast.
 */
export function simLikelyMaxF(config: HeliosConfig, stationId: string, ms: number): number {
  return new WorldSimulator(simulatorOptions(config.weather, config.app.seed, stationId)).likelyMaxF(ms);
}

/** The bucket layout a day is listed with: the ladder around its likely maximum. */
export function simDayBuckets(likelyMaxF: number): TempBucket[] {
  return defaultBuckets(likelyMaxF);
}

/**
 * One listed bucket of a station's judge day as a tradable market: YES is the bucket. `judgeDay`
 * null: the undated bucket whose nowcast follows the clock (a venue hosted elsewhere lists no days).
 */
export function simBucketMarket(config: HeliosConfig, o: { stationId: string; judgeDay: string | null; buckets: readonly TempBucket[]; bucket: TempBucket; likelyMaxF: number; venue: SimMarketSpec }): SimUniverseMarket {
  const { venue: v } = o;
  return {
    spec: {
      market_id: v.market,
      yes_token: v.yes,
      no_token: v.no,
      tick_size: v.tick_size,
      min_order_size: SIM_MIN_ORDER_SHARES,
      fee: simFeeFor('weather', config.trading.sim_fees, config.trading.default_fee),
      admitted: true,
      admission_reason: null,
      fair_source: { kind: 'nowcast', bucket_label: o.bucket.label, yes_token: v.yes, no_token: v.no, ...(o.judgeDay === null ? {} : { judge_day: o.judgeDay }) },
      strategies: { pair_arb: true, temporal: true },
      // The station's judge day is one neg-risk event over the whole layout (not every bucket is listed here).
      event: { event_id: simWeatherEventId(o.stationId, o.judgeDay), neg_risk: true, outcomes: o.buckets.length },
    },
    venue: { ...v, neg_risk: true, fair: crowdBucketPrice(o.likelyMaxF, o.bucket) },
    match_id: null,
    station_id: o.stationId,
  };
}

/** When the venue lists a station's judge day: `daemon.sim.weather_list_ahead_ms` before it starts on the judge clock. */
export function simListedAtMs(config: HeliosConfig, stationId: string, judgeDay: string): number {
  return simJudgeCalendar(config, stationId).dayStartMs(judgeDay) - config.daemon.sim.weather_list_ahead_ms;
}

/** Whether the day after `judgeDay` is listed by `ms`. */
export function simNextDayListedBy(config: HeliosConfig, stationId: string, judgeDay: string, ms: number): boolean {
  return simListedAtMs(config, stationId, nextDay(judgeDay)) <= ms;
}

/**
 * The markets the venue lists for a station's judge day after the first (the first day's come
 * from the venue's initial markets): `listing.buckets_per_day` buckets of the day's layout from
 * `FIRST_LISTED_BUCKET`, with ids derived from the station, day and bucket (`derivedMarketSpec`).
 */
export function simWeatherDay(config: HeliosConfig, listing: SimWeatherListing, judgeDay: string): SimWeatherDay {
  const { station_id: stationId } = listing;
  const calendar = simJudgeCalendar(config, stationId);
  const likelyMaxF = simLikelyMaxF(config, stationId, calendar.timeOf(judgeDay, 12));
  const buckets = simDayBuckets(likelyMaxF);
  const listed = buckets.slice(FIRST_LISTED_BUCKET, FIRST_LISTED_BUCKET + listing.buckets_per_day);
  const markets = listed.map((bucket) => {
    const key = `${simWeatherEventId(stationId, judgeDay)}:${bucket.label}`;
    return simBucketMarket(config, { stationId, judgeDay, buckets, bucket, likelyMaxF, venue: derivedMarketSpec(key, 0.5) });
  });
  return { layout: { station_id: stationId, judge_day: judgeDay, buckets }, markets };
}

/**
 * The high a station's judge day settles on: the largest whole-°F judge temperature of the
 * simulated station's METARs of that day, read as the world feed reads them (Weather Underground's
 * daily high). Null when the station reported nothing that day (an outage the whole day long).
 */
export function simSettledHighF(config: HeliosConfig, stationId: string, judgeDay: string): number | null {
  const calendar = simJudgeCalendar(config, stationId);
  const world = new WorldSimulator(simulatorOptions(config.weather, config.app.seed, stationId));
  const days = new StationDays(calendar);
  for (const m of world.metarsBetween(calendar.dayStartMs(judgeDay), calendar.dayEndMs(judgeDay))) {
    const parsed = parseMetarText(m.raw, { refMs: m.obsMs });
    if (parsed.ok) days.add(parsed.report);
  }
  return days.maxSoFar(judgeDay)?.f ?? null;
}

/** The token a bucket market resolves to when its day settled on `highF`: YES when the bucket holds it. */
export function settledToken(bucket: TempBucket, market: { yes_token: string; no_token: string }, highF: number): string {
  return bucketContains(bucket, highF) ? market.yes_token : market.no_token;
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
