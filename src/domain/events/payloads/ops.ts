import { z } from 'zod';

/** Operations payloads (channels health, control, window). */
export const opsPayloads = {
  HEALTH: {
    ch: 'health',
    payload: z.strictObject({
      ready: z.boolean(),
      staleness_ms: z.record(z.string(), z.number().nullable()),
      stage_latency_ms: z.record(z.string(), z.number().nullable()),
      event_loop_lag_ms: z.number(),
      bus_backlog: z.record(z.string(), z.number()),
      reconnects: z.number().int(),
      resyncs: z.number().int(),
    }),
  },
  HALT: {
    ch: 'control',
    payload: z.strictObject({
      scope: z.enum(['global', 'market']),
      reason: z.string(),
      /**
       * A global halt restored from the kill switch a previous session left on: the kind of kill it
       * was (absent: manual, as every other halt) and the UTC day the daily loss reached its limit.
       */
      kind: z.enum(['manual', 'daily_loss']).optional(),
      daily_limit_day: z.number().int().optional(),
    }),
  },
  RESUME: {
    ch: 'control',
    payload: z.strictObject({ scope: z.enum(['global', 'market']), reason: z.string() }),
  },
  SUBSCRIBE: {
    ch: 'control',
    payload: z.strictObject({ token_ids: z.array(z.string()) }),
  },
  UNSUBSCRIBE: {
    ch: 'control',
    payload: z.strictObject({ token_ids: z.array(z.string()) }),
  },
  RECONCILE_FORCE: {
    ch: 'control',
    payload: z.strictObject({ target: z.enum(['subscriptions', 'orders']) }),
  },
  ALERT: {
    ch: 'control',
    payload: z.strictObject({ severity: z.enum(['info', 'warn', 'critical']), code: z.string(), message: z.string() }),
  },
  WINDOW_OPEN: {
    ch: 'window',
    payload: z.strictObject({ window_id: z.string(), trigger: z.string(), until_ms: z.number() }),
  },
  WINDOW_CLOSE: {
    ch: 'window',
    payload: z.strictObject({ window_id: z.string(), trigger: z.string(), opened_ms: z.number() }),
  },
} as const;
