import { z } from 'zod';

export const TRUTH_STATES = [
  'scheduled',
  'live',
  'pending_final',
  'effectively_final',
  'settled',
  'disputed',
  'invalidated',
  'stale',
] as const;

/** Esports truth payloads (channel truth). */
export const truthPayloads = {
  SOURCE_REPORT: {
    ch: 'truth',
    payload: z.strictObject({
      source: z.string(),
      tier: z.enum(['A', 'B', 'C']),
      status: z.enum(['not_started', 'running', 'finished', 'canceled', 'postponed', 'invalidated']),
      winner: z.string().nullable(),
      score: z.string().nullable(),
      teams: z.array(z.string()),
    }),
  },
  TRUTH_STATE: {
    ch: 'truth',
    payload: z.strictObject({
      state: z.enum(TRUTH_STATES),
      winner: z.string().nullable(),
      confidence: z.number(),
      implied_p: z.record(z.string(), z.number()).nullable(),
      sources: z.array(z.string()),
    }),
  },
} as const;
