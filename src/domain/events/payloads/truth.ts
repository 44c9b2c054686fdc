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

export type TruthState = (typeof TRUTH_STATES)[number];

const tier = z.enum(['A', 'B', 'C']);
const reportStatus = z.enum(['not_started', 'running', 'finished', 'canceled', 'postponed', 'invalidated']);
const result = z.enum(['win', 'draw', 'forfeit']);

/** Esports truth payloads (channel truth); the envelope carries match_id (and market_id when mapped). */
export const truthPayloads = {
  /** One normalized report from one source (recorded so a match can be replayed). */
  SOURCE_REPORT: {
    ch: 'truth',
    payload: z.strictObject({
      source: z.string(),
      tier,
      status: reportStatus,
      winner: z.string().nullable(),
      result: result.nullable(),
      /** "2-1", aligned with `teams`. */
      score: z.string().nullable(),
      teams: z.array(z.string()),
      game: z.number().int().nullable(),
      best_of: z.number().int().nullable(),
    }),
  },
  /**
   * The truth machine's view of one match, published whenever any field changes. Consumers halt
   * the temporal strategy for the match while `stale` is true (its live feeds fell silent) or the
   * state is disputed/invalidated; implied_p null means "no opinion", never 50/50.
   */
  TRUTH_STATE: {
    ch: 'truth',
    payload: z.strictObject({
      state: z.enum(TRUTH_STATES),
      /** State in the previous TRUTH_STATE for this match (equal to `state` when only other fields changed). */
      previous: z.enum(TRUTH_STATES).nullable(),
      winner: z.string().nullable(),
      result: result.nullable(),
      confidence: z.number(),
      /** Keyed by Polymarket outcome name (team names). */
      implied_p: z.record(z.string(), z.number()).nullable(),
      /** Sources supporting the state (agreeing finals, fresh live feeds, ...), sorted. */
      sources: z.array(z.string()),
      stale: z.boolean(),
      stale_sources: z.array(z.string()),
      confirmation_overdue: z.boolean(),
      progress: z
        .strictObject({
          score: z.record(z.string(), z.number().int()).nullable(),
          best_of: z.number().int().nullable(),
          game: z.number().int().nullable(),
        })
        .nullable(),
      source_states: z.array(
        z.strictObject({ source: z.string(), tier, status: reportStatus, winner: z.string().nullable(), stale: z.boolean() }),
      ),
      title: z.string().nullable(),
      reason: z.string().nullable(),
    }),
  },
} as const;
