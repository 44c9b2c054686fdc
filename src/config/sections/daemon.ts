import { z } from 'zod';

export const daemonSection = z.strictObject({
  /** Supervisor restart intensity: at most max_restarts within window_ms, then escalate (exit 3). */
  restart: z.strictObject({
    max_restarts: z.number().int().min(0),
    window_ms: z.number().int().min(1),
    backoff_min_ms: z.number().int().min(1),
    backoff_max_ms: z.number().int().min(1),
  }),
  /** Health published on `health` and served on /health. */
  health_interval_ms: z.number().int().min(100),
  /** Samples per hot-path stage kept per health interval for its p50/p99 (the newest win beyond it). */
  stage_latency_samples: z.number().int().min(1),
  /** One info line for the operator this often: markets by state, orders, fills, PnL, worst staleness (0: off). */
  status_log_interval_ms: z.number().int().min(0),
  /** An unreachable outside source is logged at error at once, then at most this often while it stays down. */
  source_error_log_interval_ms: z.number().int().min(0),
  /**
   * The trading node's time moves with what it consumes; while the bus is quiet, a tick this often
   * (process-clock ms, journaled like an input) lets its timers fire: watchdogs, risk polls, order expiry.
   */
  trading_tick_ms: z.number().int().min(10),
  /**
   * No tick while the node's subscription still holds unread events (they move its time), unless
   * the node's time trails the process clock by more than this, in real ms (virtual ms ÷ speed):
   * then the tick goes in, and books that old halt their markets as stale.
   */
  trading_max_input_lag_ms: z.number().int().min(0),
  /**
   * Journal the trading node's inputs in dispatch order (DATA_DIR/dispatch/), which `helios replay`
   * turns back into the run's exact decisions. About 1 MB per simulated minute of the embedded default.
   */
  dispatch_log: z.boolean(),
  /**
   * Paper state (DATA_DIR/state/paper-state.json) is saved in the turn of every fill, market and
   * risk state change; when only risk's marks of the held positions moved, at most this often
   * (process-clock ms). Shutdown saves it regardless.
   */
  paper_state_mark_save_ms: z.number().int().min(0),
  /** Staleness threshold per feed; a feed beyond it makes the daemon not ready. */
  staleness_ms: z.strictObject({
    market: z.number().int().min(1),
    metar: z.number().int().min(1),
    pws: z.number().int().min(1),
    truth: z.number().int().min(1),
    nowcast: z.number().int().min(1),
  }),
  /**
   * Feeds whose staleness is reported (/health staleness_ms, stale_feeds) but does not make the
   * daemon not ready: a process can trade without them (PWS only sharpens the nowcast).
   */
  optional_feeds: z.array(z.enum(['market', 'metar', 'pws', 'truth', 'nowcast'])),
  /**
   * SIGTERM/SIGINT: cancel orders, flush the journal, drain the bus, exit within this bound (exit 3
   * when the bus could not be drained: the events that reached only the journal are counted in the log).
   */
  shutdown_timeout_ms: z.number().int().min(100),
  /**
   * The heap V8 may grow to before collecting in full: after each full collection the growth
   * factor is chosen so what it kept × factor stays within this (V8's own factor, up to 4×, while
   * that is smaller; 0: V8's own always). See apps/daemon/heap-budget.ts.
   */
  heap_budget_mb: z.number().int().min(0),
  /** Simulated world for the embedded default. */
  sim: z.strictObject({
    markets: z.number().int().min(1),
    /** Venue events per second of the simulated order flow. */
    venue_events_per_s: z.number().positive(),
    speed: z.number().positive(),
    /**
     * Real ms one advance of the simulated clock (every 10 ms) may spend firing its timers before
     * the event loop gets a turn (signals, --duration, the shutdown deadline, I/O). A speed the
     * process cannot keep is not kept: the clock falls behind.
     */
    pace_budget_ms: z.number().positive(),
    /**
     * The simulated clock stands still while this many events wait for the journal writer, so a
     * speed the writer cannot keep slows the clock rather than dropping events. Below
     * storage.journal.max_pending_events, with room for what one timer and the venue's real-time
     * order flow add meanwhile.
     */
    hold_at_journal_backlog: z.number().int().min(1),
    /**
     * Virtual ms the simulated clock may trail the pace it was asked for (a scale-out's shared
     * timeline at --speed) before a warn ALERT SIM_CLOCK_BEHIND: the other processes' events look
     * that much older or newer to it than they are.
     */
    max_lag_ms: z.number().int().positive(),
    /** Once behind, the lag it must be back within for the info ALERT SIM_CLOCK_CAUGHT_UP (below max_lag_ms: no alert per wobble). */
    caught_up_lag_ms: z.number().int().min(0),
    /**
     * embedded: sim mode runs its own venue simulator; external: it does not, and the market feed
     * reads market_tape.ws_url/rest_url (a simulator someone else hosts on the same universe).
     */
    venue: z.enum(['embedded', 'external']),
    /**
     * The embedded venue resolves each esports market this long after its simulated match's
     * planned end (its last map), to the series winner; as the day `helios sample-data` simulates.
     */
    resolve_after_match_ms: z.number().int().min(0),
    /**
     * The embedded venue lists a new round of `truth_engine.simulator.matches` matches, each on a
     * new market, this often: round k is the start's round k times this later (0: the start's
     * matches only).
     */
    match_round_ms: z
      .number()
      .int()
      .refine((ms) => ms === 0 || ms >= 60_000, { message: "expected 0 (the start's matches only) or at least 60000 ms" }),
    /**
     * The embedded venue lists the first station's next judge day's buckets (new, dated markets)
     * this long before that day starts on the station's judge clock (at most a day).
     */
    weather_list_ahead_ms: z.number().int().min(0).max(86_400_000),
    /**
     * The embedded venue resolves a judge day's bucket markets this long after the day ends, each to
     * whether its bucket holds the day's settled high (the simulated station's METAR maximum).
     */
    resolve_after_day_ms: z.number().int().min(0).max(7 * 86_400_000),
    /**
     * The embedded venue's crowd follows the model the daemon publishes (nowcast bucket
     * probabilities, the truth engine's implied probabilities), late and off by a wandering bias,
     * as `helios sample-data`'s day; false: its prices stay around where the markets were listed.
     */
    crowd_follows_model: z.boolean(),
    /**
     * Where the simulated clock starts: an ISO 8601 time with its offset (e.g.
     * 2026-12-07T00:05:00-05:00), to see the simulated world at a chosen hour of the stations'
     * day; null: now. A single process only (a scale-out's processes share one timeline from now).
     */
    start_at: z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time with its offset, e.g. 2026-12-07T00:05:00-05:00, or null (now)' }).nullable(),
  }),
});
