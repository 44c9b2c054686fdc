import { z } from 'zod';

const probability = z.number().min(0).max(1);

/**
 * `helios soak`: how hard the harness shakes the daemon and how it judges it. The venue
 * probabilities are per order-flow step (disconnect, freeze, tick size, crossed update), per data
 * frame and connection (drop, duplicate, reorder, malformed) or per REST request (429, 5xx).
 */
export const soakSection = z.strictObject({
  venue: z.strictObject({
    disconnect: probability,
    /** Share of disconnects that are TCP resets (1006) rather than close frames (1011). */
    terminate_share: probability,
    /** Subscribe messages naming more assets than this are closed with 1008. */
    policy_close_batch: z.number().int().min(1),
    drop: probability,
    duplicate: probability,
    reorder: probability,
    malformed: probability,
    freeze: probability,
    tick_size_change: probability,
    crossed_update: probability,
    rest_429: probability,
    rest_5xx: probability,
  }),
  /** Chance that a paper fill is FAILED after MATCHED during a soak (the first of each daemon life always is). */
  paper_fail_probability: probability.refine((p) => p > 0, 'must be above 0: paper_fill_failed needs failing fills'),
  /**
   * A planned trading opportunity (paper_fill_failed needs fills): a match whose leading YES team's
   * in-play probability exceeds its market's venue fair value by at least this.
   */
  min_planned_edge: z.number().min(0).max(1),
  /** A METAR/PWS outage of `weather_outage_ms` in every period of this length (per station). */
  weather_outage_every_ms: z.number().int().min(1000),
  weather_outage_ms: z.number().int().min(1000),
  /** Checkpoints: faults and order flow paused, books compared with the venue's true books. */
  checkpoint_every_ms: z.number().int().min(5000),
  /** How long a checkpoint waits for every book to be synced before judging what it has. */
  checkpoint_settle_timeout_ms: z.number().int().min(500),
  /** Fault-free order flow before a checkpoint pauses the flow (books see their best prices again). */
  checkpoint_clean_flow_ms: z.number().int().min(0),
  /** Quiet time after pausing the flow, so frames in flight land before books are compared. */
  checkpoint_quiet_ms: z.number().int().min(50),
  /** One daemon kill (and one Redis kill, with --redis) per this much soak time, at least one each. */
  kill_every_ms: z.number().int().min(10000),
  /** Time a killed daemon or Redis stays down before the harness restarts it. */
  restart_delay_ms: z.number().int().min(0),
  /**
   * The daemon is up this long after the soak starts: the faults its own simulators must show it
   * (esports) are planned after this, and a kill comes only once they have begun.
   */
  daemon_start_allowance_ms: z.number().int().min(0),
  /** A restarted daemon must have every book synced within this. */
  ready_timeout_ms: z.number().int().min(1000),
  /**
   * An event the daemon published this long before it was killed must be in its journal (the
   * recorder writes in batches; a SIGKILL may take the batch in flight with it).
   */
  durability_horizon_ms: z.number().int().min(0),
  /** How often the harness reads the daemon's /stats (errors, simulators' faults). */
  scrape_interval_ms: z.number().int().min(100),
  /** Shortest soak at all: start-up, one forced injection of every venue class, one checkpoint. */
  min_duration_ms: z.number().int().min(5000),
  /** Shortest soak that kills the daemon or Redis: the killed process is back before the final checkpoint. */
  min_duration_with_kills_ms: z.number().int().min(5000),
  /** How long a forced venue fault may take to happen before the harness reports it missing. */
  inject_timeout_ms: z.number().int().min(100),
  /** The redis-server the soak starts for `--redis` without a URL (a path, or a name on PATH). */
  redis_server: z.string().min(1),
});
