import { z } from 'zod';
import { realExecutionSection } from './execution-real.ts';

const probability = z.number().min(0).max(1);
const usdc = z.number().nonnegative();
const ms = z.number().int().nonnegative();

const feeSchedule = z.strictObject({
  rate: z.number().min(0).max(1),
  exponent: z.number().positive(),
  taker_only: z.boolean(),
});

/** Strategy and per-market machine settings (section `trading`). */
export const tradingSection = z.strictObject({
  /** Fee schedule used when a market does not publish its own (Gamma `feeSchedule`). */
  default_fee: feeSchedule,
  /** Fee schedules of simulated markets by category (real markets publish their own). */
  sim_fees: z.strictObject({ esports: feeSchedule, weather: feeSchedule }),
  pair_arb: z.strictObject({
    enabled: z.boolean(),
    /** Enter while eff_yes + eff_no < 1 − fees − safety_margin. */
    safety_margin: probability,
    /** Shares per leg in one chunk. */
    chunk_shares: z.number().positive(),
    /** Pair size (shares per leg) at which a profitable pair is locked. */
    target_pair_shares: z.number().positive(),
    max_leg_imbalance_usdc: usdc,
    max_leg_imbalance_shares: z.number().nonnegative(),
    /** A leg left unpaired this long is closed at the best price available (unwind or complete). */
    naked_leg_max_ms: ms,
  }),
  /** Full-set arbitrage across the buckets of a neg-risk event (exactly one bucket resolves YES). */
  neg_risk: z.strictObject({
    enabled: z.boolean(),
    /** Buy a full YES (or NO) set only while its cost with fees, at the limits, stays below the payoff minus this. */
    safety_margin: probability,
    /** Sets tried first per attempt (halved until every leg fits the book and the per-order cap). */
    max_sets: z.number().positive(),
    /** A set with legs the venue killed has this long to buy them while the set stays profitable; then it is abandoned (alerted). */
    complete_within_ms: ms,
  }),
  temporal: z.strictObject({
    enabled: z.boolean(),
    /** Used when the policy table has no threshold for the market. */
    edge_threshold: probability,
    kelly_fraction: probability,
    /** Largest bankroll fraction any single entry may stake, whatever Kelly says. */
    kelly_max_fraction: probability,
    hard_cap_usdc: usdc,
    bankroll_usdc: usdc,
    /** Extra edge a resting (maker) entry needs on top of the threshold. */
    maker_extra_edge: probability,
  }),
  staleness: z.strictObject({
    book_stale_ms: ms,
    truth_stale_ms: ms,
    nowcast_stale_ms: ms,
    /** How often a market actor re-checks input ages and resting orders' time in book. */
    watchdog_ms: z.number().int().min(1),
  }),
  orders: z.strictObject({
    marketable_type: z.enum(['FOK', 'FAK']),
    resting_type: z.enum(['GTC', 'GTD']),
    /** Resting orders are canceled after this long in the book (3–10 s). */
    max_time_in_book_ms: z.number().int().min(1000).max(60000),
    /** Refuse marketable orders whose worst level is more than this many ticks past the touch. */
    max_slippage_ticks: z.number().int().nonnegative(),
  }),
  halt: z.strictObject({
    /**
     * A halted market takes no new risk for at least this long, then until every cause has cleared
     * (a naked pair leg is closed as soon as the causes have cleared, inside it too).
     */
    cool_down_ms: ms,
  }),
  positions: z.strictObject({
    /**
     * A held market's POSITION events are published again when its book moves their marks, at most
     * this often per market (node-clock ms); every fill publishes at once regardless.
     */
    mark_interval_ms: z.number().int().min(1),
  }),
  /**
   * A resolved market, once settled with nothing left at the venue, leaves the trading side this
   * long (node-clock ms) after it resolved; 0: at the runtime's next tick. Its PnL stays in totals.
   */
  resolved_market_retention_ms: ms,
  /**
   * A fill of a resolved market still without its CONFIRMED/FAILED this long (node-clock ms) after
   * the resolution raises one critical ALERT FILL_UNANSWERED and stops holding the market back: it
   * stays in the ledger as matched (counted in the PnL), and the market retires with it flagged.
   */
  resolved_fill_answer_timeout_ms: ms,
  supervision: z.strictObject({
    max_markets_per_group: z.number().int().min(1).max(1000),
    restart_backoff_min_ms: z.number().int().min(1),
    restart_backoff_max_ms: z.number().int().min(1),
    /** More restarts of one market than this within the window and it stays down. */
    max_restarts: z.number().int().nonnegative(),
    restart_window_ms: z.number().int().min(1),
    /** Events held for one market while its actor restarts (order updates, fills, operator halts, resolution, policy/truth/nowcast); past it they are dropped (alert). */
    restart_backlog_max_events: z.number().int().nonnegative(),
  }),
});

/** Pre-trade and kill-switch limits (section `risk`). */
export const riskSection = z.strictObject({
  max_order_usdc: usdc,
  max_market_usdc: usdc,
  max_total_usdc: usdc,
  /**
   * Orders that add risk, passed and not yet terminal (resting or in flight), at most this many in
   * one market (at least 2: a pair chunk's two legs pass risk together) and in all. Reducing orders
   * (a sell of shares held, a buy completing a naked pair leg) and the legs completing a partial
   * neg-risk set are never refused by these caps; reducing ones are not counted either.
   */
  max_open_orders_per_market: z.number().int().min(2, 'at least 2: a pair chunk sends its two legs together'),
  max_open_orders: z.number().int().min(2, 'at least 2: a pair chunk sends its two legs together'),
  /** Order-rate limit: at most max_orders submits in any window_ms. */
  rate_limit: z.strictObject({ max_orders: z.number().int().min(1), window_ms: z.number().int().min(1) }),
  breakers: z.strictObject({
    max_consecutive_rejects: z.number().int().min(1),
    max_cancel_failures: z.number().int().min(1),
    max_order_latency_ms: z.number().int().min(1),
  }),
  daily_loss_limit_usdc: usdc,
  /** Drawdown from peak equity: sizes shrink linearly from 1 at start to min_scale at reducing. */
  drawdown: z
    .strictObject({
      start_usdc: usdc,
      reducing_usdc: usdc,
      min_scale: probability,
    })
    // Reversed, REDUCING would set in while sizes are still whole, then sizes drop at once to min_scale.
    .superRefine((d, ctx) => {
      if (d.start_usdc <= d.reducing_usdc) return;
      ctx.addIssue({ code: 'custom', path: ['start_usdc'], message: `at most risk.drawdown.reducing_usdc (${d.reducing_usdc}): sizes shrink from start_usdc to reducing_usdc` });
    }),
  /** After any kill (global or per market) trading resumes no sooner than this. */
  cool_down_ms: ms,
  resolution_filter: z.strictObject({
    enabled: z.boolean(),
    /** Rules text containing any of these (case-insensitive) is refused as ambiguous. */
    ambiguous_phrases: z.array(z.string().min(1)),
    /** Rules shorter than this are treated as not understood. */
    min_rules_chars: z.number().int().nonnegative(),
    /** A market must name its resolution source. */
    require_resolution_source: z.boolean(),
  }),
})
  // Above the total, the per-market cap would never be the one to refuse: a typo, not a choice.
  .superRefine((r, ctx) => {
    if (r.max_open_orders_per_market <= r.max_open_orders) return;
    ctx.addIssue({ code: 'custom', path: ['max_open_orders_per_market'], message: `at most risk.max_open_orders (${r.max_open_orders}): the per-market cap lies within the total` });
  });

/** Execution adapter and reconciliation (section `execution`). */
export const executionSection = z.strictObject({
  /**
   * paper (default) or real: Polymarket's CLOB, which also needs HELIOS_CONFIRM_REAL_ORDERS=yes,
   * credentials and a passing live healthcheck (`--execution real` sets it from the command line).
   */
  adapter: z.enum(['paper', 'real']),
  paper: z.strictObject({
    order_latency_ms: ms,
    cancel_latency_ms: ms,
    /** MATCHED fills become CONFIRMED (or FAILED) this long after matching. */
    confirm_delay_ms: ms,
    fail_probability: probability,
    seed: z.number().int().nonnegative(),
  }),
  /** Polymarket CLOB V2 (adapter real). */
  real: realExecutionSection,
  /**
   * A cancel the venue rejected (or the adapter threw on) may be re-sent by its market only after
   * this backoff (node-clock ms), doubling from min with each consecutive failure of that order's
   * cancel, up to max; the breaker still counts every failure.
   */
  cancel_backoff_min_ms: z.number().int().min(1),
  cancel_backoff_max_ms: z.number().int().min(1),
  reconcile: z.strictObject({
    interval_ms: z.number().int().min(1),
    position_tolerance_shares: z.number().nonnegative(),
    /** Orders younger than this are not yet expected at the venue (in flight). */
    recent_order_grace_ms: ms,
    /**
     * A resolved market's order the venue still lists has its cancel re-sent at every reconciliation;
     * after this many re-sends an operator is told once (ALERT ORDER_CANCEL_STUCK). The cancels go on.
     */
    max_cancel_retries: z.number().int().min(1),
    /**
     * A live market's fill still without its CONFIRMED/FAILED this long after a reconciliation first
     * saw it pending is asked of the venue again (a MATCHED trade can still FAIL), then at most once
     * per interval until it is answered.
     */
    fill_answer_after_ms: ms,
    /** At most this many live markets' fills are asked about per reconciliation (the real venue reads each by REST). */
    fill_answer_max_per_reconcile: z.number().int().min(1),
    /**
     * A live market's fill still without its CONFIRMED/FAILED this long after a reconciliation first
     * saw it pending raises one critical ALERT FILL_UNANSWERED and is no longer asked about: it stays
     * in the ledger as matched (counted in the PnL), as a resolved market's does after
     * `trading.resolved_fill_answer_timeout_ms`.
     */
    fill_answer_timeout_ms: ms,
  }).superRefine((r, ctx) => {
    // Below the first ask, a fill would be given up without the venue ever being asked about it.
    if (r.fill_answer_timeout_ms > r.fill_answer_after_ms) return;
    ctx.addIssue({ code: 'custom', path: ['fill_answer_timeout_ms'], message: `more than execution.reconcile.fill_answer_after_ms (${r.fill_answer_after_ms}): a fill is asked about before it is given up` });
  }),
});

export type TradingConfig = z.infer<typeof tradingSection>;
export type RiskConfig = z.infer<typeof riskSection>;
export type ExecutionConfig = z.infer<typeof executionSection>;
