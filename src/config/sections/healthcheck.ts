import { z } from 'zod';

const ms = z.number().int().min(1);

/** `helios healthcheck`: the start-up checklist's probes and tolerances. */
export const healthcheckSection = z.strictObject({
  /** Monotonic and wall clocks are compared over this interval. */
  clock_probe_ms: ms,
  /** Largest tolerated disagreement between them over the probe (a stepping or slewing clock). */
  max_clock_drift_ms: ms,
  /** Largest tolerated offset from the venue's HTTP `Date` header (whole seconds, so ≥ 1000 makes sense). */
  max_venue_skew_ms: ms,
  /** Budget for reaching the venue's REST endpoint for its `Date` header. */
  venue_timeout_ms: ms,
  /** Budget for the market feed to connect and every subscribed book to arrive synced. */
  feed_timeout_ms: ms,
});

export type HealthcheckConfig = z.infer<typeof healthcheckSection>;
