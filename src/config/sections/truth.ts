import { z } from 'zod';

const probability = z.number().min(0).max(1);
const positiveMs = z.number().int().positive();
const url = z.string().url();

/** A budget of `max` requests in any window of `window_ms` (a 1-per-N limit is max 1, window N). */
const rateLimit = z.strictObject({
  max: z.number().int().min(1),
  window_ms: positiveMs,
});

const inPlayRange = z
  .strictObject({
    /** implied_p for the series leader at the smallest lead the title can show. */
    min: probability,
    /** implied_p approached as the leader nears the maps needed to win. */
    max: probability,
  })
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max' });

const gridSource = z.strictObject({
  series_state_url: url,
  series_events_url: url,
  poll_ms: positiveMs,
  /** Shared by polling and event-triggered refreshes (open-access clients are held to 20/min). */
  rate_limit: rateLimit,
  timeout_ms: positiveMs,
  reconnect_min_ms: positiveMs,
  reconnect_max_ms: positiveMs,
});

const pandascoreSource = z.strictObject({
  rest_url: url,
  ws_url: url,
  poll_ms: positiveMs,
  /** The plan's hourly budget (1k/h on the free plan, 10k/h on real-time plans). */
  rate_limit: rateLimit,
  /** Live frames while REST still says not started ask REST again, at most this often. */
  frame_refresh_min_ms: positiveMs,
  timeout_ms: positiveMs,
  reconnect_min_ms: positiveMs,
  reconnect_max_ms: positiveMs,
});

const polymarketSportsSource = z.strictObject({
  ws_url: url,
  reconnect_min_ms: positiveMs,
  reconnect_max_ms: positiveMs,
});

const liquipediaSource = z.strictObject({
  api_url: url,
  /** Product token of the User-Agent; the contact below is appended (Liquipedia requires both). */
  user_agent: z.string().min(1),
  /** E-mail or URL for Liquipedia to reach the operator; the adapter refuses to run while empty. */
  contact: z.string(),
  /** Liquipedia API terms: at most one request every 2 s, and action=parse at most one every 30 s. */
  min_interval_ms: z.number().int().min(2000),
  parse_min_interval_ms: z.number().int().min(30000),
  /** Pages are human-edited and slow to change: reuse a fetched page this long. */
  cache_ms: z.number().int().nonnegative(),
  timeout_ms: positiveMs,
});

const simulator = z.strictObject({
  /** Seeded matches generated for the embedded default (the seed is app.seed). */
  matches: z.number().int().nonnegative(),
  /**
   * Epoch ms the match times count from; null: the daemon's start. A soak sets it to its own start,
   * so a daemon killed and restarted regenerates the same matches at the same times.
   */
  anchor_ms: z.number().int().nonnegative().nullable(),
  /**
   * When the first match starts, from the anchor; negative: it began that long before, and is
   * under way when the daemon starts (its sources report it from the first heartbeat after the start).
   */
  first_start_after_ms: z.number().int(),
  spacing_ms: z.number().int().nonnegative(),
  map_ms: positiveMs,
  /** Probability that a generated match carries each kind of fault (disagreement, silence, ...). */
  fault_probability: probability,
  /** The kinds of fault a match may carry, one drawn per faulty match. */
  faults: z.array(z.enum(['disagreement', 'late_invalidation', 'silent_source', 'ws_drop', 'no_tier_a'])).min(1),
});

export const truthSection = z.strictObject({
  /** Minimum confidence (noisy-OR of the agreeing sources' tier weights) to call a match effectively final. */
  confirm_threshold: probability,
  /** How long a single-source final waits for confirmation before confirmation is re-requested or it is disputed. */
  max_wait_ms: positiveMs,
  /**
   * Independent agreeing sources needed when no Tier-A source is terminal. At least 2: a single
   * Tier-B or Tier-C source must never make a match effectively final on its own.
   */
  required_sources_for_final: z.number().int().min(2),
  /** Sources trusted to be terminal on their own. */
  tier_a_sources: z.array(z.string().min(1)),
  /** Confirmation-only sources: never a live signal. Every other source is Tier B. */
  tier_c_sources: z.array(z.string().min(1)),
  tier_weights: z.strictObject({ a: probability, b: probability, c: probability }),
  /** Silence after which a source no longer feeds a live match; null: never stale (confirmation-only sources). */
  stale_ms_by_source: z.record(z.string(), positiveMs.nullable()),
  /** Threshold for sources missing from stale_ms_by_source. */
  default_stale_ms: positiveMs,
  /** Every match's TRUTH_STATE is republished this often, so its age tells a dead feed from a quiet match. */
  heartbeat_ms: positiveMs,
  /** An effectively final match with no revocation for this long is settled. */
  settle_after_ms: positiveMs,
  implied_p: z.strictObject({
    /** implied_p of the winner of an effectively final match; losers share the rest. */
    final_winner: z.number().gt(0.5).max(1),
    /** Per title (cs2, lol, dota2, valorant, ...): the range a map lead maps into. Titles missing here get no opinion. */
    in_play_by_title: z.record(z.string(), inPlayRange),
  }),
  /** Canonical team name → other spellings seen in sources (normalization handles case, punctuation, "Team"/"Esports", prefixes and initials acronyms such as HLE). */
  team_aliases: z.record(z.string(), z.array(z.string())),
  sources: z.strictObject({
    grid: gridSource,
    pandascore: pandascoreSource,
    polymarket_sports: polymarketSportsSource,
    liquipedia: liquipediaSource,
  }),
  simulator,
});

export type TruthEngineConfig = z.infer<typeof truthSection>;
