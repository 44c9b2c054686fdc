import { z } from 'zod';

/** World tape payloads (channels world, features, nowcast). */
export const worldPayloads = {
  METAR_OBS: {
    ch: 'world',
    payload: z.strictObject({
      raw: z.string(),
      report_type: z.enum(['METAR', 'SPECI']),
      corrected: z.boolean(),
      obs_time_utc: z.string(),
      temp_c: z.number().nullable(),
      dewpoint_c: z.number().nullable(),
      precision: z.enum(['tenths', 'whole']).nullable(),
      temp_f_judge: z.number().int().nullable(),
      max6h_c: z.number().nullable(),
      min6h_c: z.number().nullable(),
      max24h_c: z.number().nullable(),
      min24h_c: z.number().nullable(),
      flags: z.array(z.string()),
      judge_day: z.string(),
      judge_max_so_far_f: z.number().int().nullable(),
      official_max_f: z.number().int().nullable(),
    }),
  },
  PWS_CLUSTER: {
    ch: 'world',
    payload: z.strictObject({
      bin_start_ms: z.number(),
      support: z.number().int().nonnegative(),
      median_f: z.number().nullable(),
      spread_f: z.number().nullable(),
      stations: z.array(
        z.strictObject({
          pws_id: z.string(),
          temp_f: z.number().nullable(),
          z: z.number().nullable(),
          flags: z.array(z.string()),
          qc_state: z.enum(['ok', 'outlier_likely', 'degraded', 'stale']),
        }),
      ),
    }),
  },
  QC_STATE: {
    ch: 'world',
    payload: z.strictObject({
      state: z.enum(['ok', 'outlier_likely', 'degraded', 'stale']),
      previous: z.enum(['ok', 'outlier_likely', 'degraded', 'stale']).nullable(),
      reason: z.string(),
    }),
  },
  FEATURES: {
    ch: 'features',
    payload: z.strictObject({
      minute_start_ms: z.number(),
      values: z.record(z.string(), z.number().nullable()),
      staleness_ms: z.record(z.string(), z.number().nullable()),
    }),
  },
  NOWCAST: {
    ch: 'nowcast',
    payload: z.strictObject({
      judge_day: z.string(),
      max_so_far_f: z.number().int().nullable(),
      /** P(final judge max = t °F), ascending temperatures. */
      distribution: z.array(z.tuple([z.number().int(), z.number()])),
      buckets: z.array(z.strictObject({ label: z.string(), lo_f: z.number().nullable(), hi_f: z.number().nullable(), p: z.number() })),
      peak_time_bins: z.array(z.strictObject({ start_hour: z.number().int(), p: z.number() })),
      confidence: z.number(),
      qc_gate: z.enum(['open', 'closed']),
      inputs: z.array(z.string()),
    }),
  },
} as const;
