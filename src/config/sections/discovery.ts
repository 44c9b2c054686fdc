import { z } from 'zod';

/** Gamma REST discovery (events, markets, temperature buckets, esports matches); never the hot path. */
export const discoverySection = z.strictObject({
  gamma_url: z.string().min(1),
  /** At most this many requests per window (Gamma allows 500 /events and 300 /markets per 10 s). */
  rate_limit_max: z.number().int().min(1),
  rate_limit_window_ms: z.number().int().min(1),
  timeout_ms: z.number().int().min(1),
});

export type DiscoveryConfig = z.infer<typeof discoverySection>;
