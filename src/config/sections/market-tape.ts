import { z } from 'zod';

const ms = z.number().int().min(1);

/** Polymarket market channel feed: connection timings, pool, subscriptions, bus outputs. */
export const marketTapeSection = z.strictObject({
  ws_url: z.string().min(1),
  rest_url: z.string().min(1),
  /** Text PING cadence; the venue answers PONG. */
  ping_interval_ms: ms,
  /** Pings sent without a PONG before the connection is declared dead. */
  max_missed_pongs: z.number().int().min(1),
  connect_timeout_ms: ms,
  subscribe_timeout_ms: ms,
  /** No market data for this long: live.healthy → live.stale. */
  stale_after_ms: ms,
  /** No market data for this long (socket open, pings fine): the silent freeze; reconnect. */
  idle_timeout_ms: ms,
  /** Data-seen signals to the connection machine are coalesced to at most one per interval. */
  data_signal_interval_ms: ms,
  backoff_initial_ms: ms,
  backoff_max_ms: ms,
  backoff_multiplier: z.number().min(1),
  /** Fraction of the delay drawn at random (full jitter = 1). */
  backoff_jitter: z.number().min(0).max(1),
  /** Consecutive failed attempts before a connection gives up (0 = never). */
  max_reconnect_attempts: z.number().int().min(0),
  /** Assets per connection (the venue drops initial snapshots above 500). */
  max_assets_per_connection: z.number().int().min(1).max(500),
  /** Assets per subscribe message; a close with code 1008 halves it, down to the minimum. */
  subscribe_batch_size: z.number().int().min(1),
  min_subscribe_batch_size: z.number().int().min(1),
  custom_feature_enabled: z.boolean(),
  rest_timeout_ms: ms,
  rest_max_attempts: z.number().int().min(1),
  rest_backoff_initial_ms: ms,
  rest_backoff_max_ms: ms,
  /** Tokens per POST /books request during a resync. */
  rest_books_batch: z.number().int().min(1),
  /** Declarative subscriptions: diff desired against actual this often. */
  reconcile_interval_ms: ms,
  desired_set: z.strictObject({
    kind: z.enum(['in_memory', 'redis']),
    /** Redis SET holding the desired token ids (the single source of truth when on Redis). */
    redis_key: z.string().min(1),
  }),
  snapshot_interval_ms: ms,
  /**
   * L2_SNAPSHOTs go out in this many groups spread over snapshot_interval_ms (each book still once
   * per interval): with hundreds of books, snapshotting them all at once stopped the loop for
   * milliseconds every interval, and the frames arriving meanwhile waited.
   */
  snapshot_slices: z.number().int().min(1).max(1000),
  /**
   * Floor between two BEST_PRICE of one token. 0: one per token per event-loop turn, with no timer
   * (every top-of-book change is decided on), or per socket read while this process's trading node
   * on the in-memory bus is idle; above 0 the first change after a quiet spell still goes out at once.
   */
  best_price_flush_ms: z.number().int().min(0),
  /**
   * Levels of each side a BEST_PRICE carries: the trading node's books (it reads no L2_DELTA) take
   * them as their top, and keep the last L2_SNAPSHOT's below. At least
   * trading.orders.max_slippage_ticks + 2, the levels a decision reads (see best-price-levels.ts).
   */
  best_price_levels: z.number().int().min(1).max(50),
  /**
   * When a BEST_PRICE goes out: `touch`, on a change of the best bid or ask (its levels are exact at
   * every decision a book change wakes); `levels`, on a change of any level it carries (between
   * touch changes too: paper's queue estimates and decisions on other inputs see them exact, at
   * ~2.4x the BEST_PRICEs).
   */
  best_price_on: z.enum(['touch', 'levels']),
  top_n_levels: z.number().int().min(1).max(50),
  imbalance_levels: z.number().int().min(1),
  emit_l2_delta: z.boolean(),
  /** Book integrity checks (a failed check resyncs the token). */
  integrity: z.strictObject({
    /** Our top of book against the best_bid/best_ask each price_change carries. */
    verify_best_prices: z.boolean(),
    /** An update older than the last applied one counts as a gap. */
    check_timestamp_order: z.boolean(),
    /** Also check against best_bid_ask events (not documented to be ordered with price_change). */
    verify_best_bid_ask_events: z.boolean(),
  }),
  /** Malformed-frame samples are logged at most this often. */
  malformed_sample_interval_ms: ms,
});

export type MarketTapeConfig = z.infer<typeof marketTapeSection>;
