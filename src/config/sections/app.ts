import { z } from 'zod';

export const appSection = z.strictObject({
  /** A label for the run's intent; what data and which venue are used is `helios run --live` and execution.adapter. */
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
