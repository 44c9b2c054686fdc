import { z } from 'zod';

/** Gamma REST discovery (events, markets, temperature buckets, esports matches); never the hot path. */
export const discoverySection = z.strictObject({
  gamma_url: z.string().min(1),
  /** At most this many requests per window (Gamma allows 500 /events and 300 /markets per 10 s). */
  rate_limit_max: z.number().int().min(1),
  rate_limit_window_ms: z.number().int().min(1),
  timeout_ms: z.number().int().min(1),
  /** Live mode: Gamma is scanned this often (and at once on the market channel's new_market / market_resolved). */
  poll_interval_ms: z.number().int().min(1000),
  /** Shortest spacing between two scans, however often the market channel asks for one. */
  min_scan_spacing_ms: z.number().int().min(0),
  /** Page size of listing queries (`/events?tag_slug=…`); Gamma caps it. */
  page_limit: z.number().int().min(1).max(500),
  temperature: z.strictObject({
    /** Cities traded (Polymarket's slug word) and the station each must settle on (one of weather.stations). */
    cities: z.array(z.strictObject({ city_slug: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/), station: z.string().regex(/^[A-Z][A-Z0-9]{3}$/) })),
    /** Judge days from the station's today: 0 trades today's event only, 1 today's and tomorrow's. */
    judge_days_ahead: z.number().int().min(0).max(14),
    metrics: z.array(z.enum(['highest', 'lowest'])),
  }),
  esports: z.strictObject({
    /** Slug prefixes of the titles traded (cs2, lol, dota2, val); empty: no esports. */
    games: z.array(z.string().regex(/^[a-z0-9]+$/)),
    /** Gamma tag listed for open match events. */
    tag_slug: z.string().min(1),
    /** Tag slugs or labels an event must carry one of; empty: any league. */
    leagues: z.array(z.string().min(1)),
    /**
     * With HELIOS_PANDASCORE_TOKEN: a moneyline is mapped to the one PandaScore match of its two
     * teams starting within this of its start (none, or more than one: no mapping, logged).
     */
    pandascore_start_tolerance_ms: z.number().int().min(0),
  }),
  /** Traded whatever the filters say (their checks still apply). */
  event_slugs: z.array(z.string().min(1)),
  condition_ids: z.array(z.string().regex(/^0x[0-9a-fA-F]+$/)),
  /** Floors in USDC (Gamma's liquidityNum / volumeNum); a market below either is not traded. */
  min_liquidity: z.number().min(0),
  min_volume: z.number().min(0),
});

export type DiscoveryConfig = z.infer<typeof discoverySection>;
