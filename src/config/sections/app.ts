import { z } from 'zod';

export const appSection = z.strictObject({
  /** paper is the default; live data with real orders needs mode live AND execution.allow_real_orders. */
  mode: z.enum(['paper', 'live']),
  /** Seed for every simulator and id generator in sim mode (determinism). */
  seed: z.number().int().nonnegative(),
  data_dir: z.string().min(1),
});

export const logSection = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** auto: pretty on a terminal, JSON lines otherwise. */
  format: z.enum(['auto', 'json', 'pretty']),
});
