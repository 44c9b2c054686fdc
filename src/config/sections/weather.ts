import { z } from 'zod';
import { isTimeZone, TIME_ZONE_TEXT } from '../../domain/time/zones.ts';

const station = z.strictObject({
  /** ICAO id of the settlement station (KLGA for NYC). */
  id: z.string().regex(/^[A-Z][A-Z0-9]{3}$/),
  /** IANA zone of the station's judge clock. */
  tz: z.string().refine(isTimeZone, { message: TIME_ZONE_TEXT }),
  /** Weather Underground PWS ids clustered around the station. */
  pws: z.array(z.string().min(1)),
  /** Fitted nowcast model (`helios nowcast fit`); null fits one from simulated history in sim mode. */
  model_path: z.string().nullable(),
});

const metar = z.strictObject({
  /** simulator: the seeded world simulator; awc: the aviationweather.gov data API. */
  source: z.enum(['simulator', 'awc']),
  awc_base_url: z.string().url(),
  poll_interval_ms: z.number().int().min(1000),
  /** Hours of history per request (obs time, not report time). */
  lookback_hours: z.number().int().min(1).max(72),
  cache_ttl_ms: z.number().int().min(0),
  /** Minimum spacing between requests to the same host (AWC asks clients to keep it gentle). */
  min_request_interval_ms: z.number().int().min(0),
  request_timeout_ms: z.number().int().min(100),
  /** Requests in any rolling minute (the data API allows 100 per minute). */
  max_requests_per_minute: z.number().int().min(1),
  /** After a 429, a 5xx or no answer: no request for initial_ms, doubling per failure up to max_ms (or Retry-After). */
  backoff_initial_ms: z.number().int().min(0),
  backoff_max_ms: z.number().int().min(0),
  /** Minute of the routine report when the source omits METAR/SPECI (51 at most US ASOS). */
  routine_minute: z.number().int().min(0).max(59),
  /**
   * Live mode polls METAR only for the stations discovered markets need: these stations (ids of
   * `weather.stations`) are polled whether or not a market needs them. Sim mode polls every station.
   */
  always_poll: z.array(z.string().min(1)),
});

const pws = z.strictObject({
  source: z.enum(['simulator', 'wu']),
  wu_base_url: z.string().url(),
  poll_interval_ms: z.number().int().min(1000),
  cache_ttl_ms: z.number().int().min(0),
  min_request_interval_ms: z.number().int().min(0),
  /** Requests per rolling minute across all PWS ids (the WU key's quota). */
  max_requests_per_minute: z.number().int().min(1),
  request_timeout_ms: z.number().int().min(100),
  /** Cluster time bin. */
  bin_ms: z.number().int().min(1000),
});

const qc = z.strictObject({
  range_min_f: z.number(),
  range_max_f: z.number(),
  step_max_f: z.number().positive(),
  step_window_ms: z.number().int().positive(),
  flat_line_ms: z.number().int().positive(),
  flat_line_min_readings: z.number().int().min(2),
  z_low: z.number().negative(),
  z_high: z.number().positive(),
  min_support: z.number().int().min(2),
  min_spread_f: z.number().positive(),
  spread: z.enum(['qn', 'mad']),
  pws_stale_after_ms: z.number().int().positive(),
  metar_stale_after_ms: z.number().int().positive(),
  /** MADIS 1-hour temperature change limit. */
  metar_max_change_per_hour_f: z.number().positive(),
  outliers_to_degrade: z.number().int().min(1),
  passes_to_recover: z.number().int().min(1),
})
  // Reversed (or empty), every PWS reading would be out of range: the whole cluster rejected, silently.
  .superRefine((q, ctx) => {
    if (q.range_min_f < q.range_max_f) return;
    ctx.addIssue({ code: 'custom', path: ['range_min_f'], message: `below weather.qc.range_max_f (${q.range_max_f}): readings outside the range are rejected` });
  });

const nowcast = z.strictObject({
  enabled: z.boolean(),
  recompute_interval_ms: z.number().int().min(1000),
  /** Local-time judge day (WU) or local standard time (NWS climate day). */
  judge_day: z.enum(['local', 'standard']),
  /** Days of simulated history to fit a model from when a station has no model file (sim mode). */
  simulated_fit_days: z.number().int().min(30),
  /** Inputs older than this close the QC gate. */
  max_input_age_ms: z.number().int().positive(),
});

const simulator = z
  .strictObject({
    /** Probability per hour of a SPECI between routine reports. */
    speci_per_hour: z.number().min(0).max(1),
    /** Share of PWS that are warm-biased outliers, stuck, or go stale. */
    outlier_share: z.number().min(0).max(1),
    stuck_share: z.number().min(0).max(1),
    stale_share: z.number().min(0).max(1),
    pws_interval_ms: z.number().int().min(1000),
    /** Within every period of this length (0: never) a station's METAR and PWS reports are withheld for outage_ms. */
    outage_every_ms: z.number().int().min(0),
    outage_ms: z.number().int().min(0),
  })
  .refine((s) => s.outage_every_ms === 0 || s.outage_ms < s.outage_every_ms, { message: 'outage_ms must be shorter than outage_every_ms', path: ['outage_ms'] });

export const weatherSection = z.strictObject({
  stations: z.array(station).min(1),
  metar,
  pws,
  qc,
  nowcast,
  simulator,
})
  .refine((w) => new Set(w.stations.map((s) => s.id)).size === w.stations.length, {
    message: 'station ids that appear once each (one judge clock, one model per station)',
    path: ['stations'],
  })
  .refine((w) => w.metar.always_poll.every((id) => w.stations.some((s) => s.id === id)), {
    message: 'every station of metar.always_poll must be one of weather.stations',
    path: ['metar', 'always_poll'],
  });

export type WeatherConfig = z.infer<typeof weatherSection>;
export type WeatherStationConfig = z.infer<typeof station>;
export type WeatherQcConfig = z.infer<typeof qc>;
