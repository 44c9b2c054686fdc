import { z } from 'zod';

const qcState = z.enum(['ok', 'outlier_likely', 'degraded', 'stale']);

/**
 * World tape payloads (channels world, features, nowcast). The station is the envelope's
 * `station_id`: the METAR station for METAR_OBS/FEATURES/NOWCAST/PWS_CLUSTER, the QC'd station
 * (METAR station or PWS id) for QC_STATE. Fields added after other areas started consuming these
 * payloads are optional so their fixtures stay valid; the world feed always fills them.
 */
export const worldPayloads = {
  METAR_OBS: {
    ch: 'world',
    payload: z.strictObject({
      raw: z.string(),
      report_type: z.enum(['METAR', 'SPECI']),
      corrected: z.boolean(),
      /** True when this COR replaced an earlier report of the same observation time. */
      replaced_earlier: z.boolean().optional(),
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
          qc_state: qcState,
        }),
      ),
    }),
  },
  QC_STATE: {
    ch: 'world',
    payload: z.strictObject({
      state: qcState,
      previous: qcState.nullable(),
      reason: z.string(),
      kind: z.enum(['metar', 'pws']).optional(),
      /** The METAR station whose cluster the QC'd station belongs to (itself for METAR). */
      target_station: z.string().optional(),
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
      issued_ms: z.number().optional(),
      max_so_far_f: z.number().int().nullable(),
      /** P(final judge max = t °F), ascending temperatures. */
      distribution: z.array(z.tuple([z.number().int(), z.number()])),
      buckets: z.array(z.strictObject({ label: z.string(), lo_f: z.number().nullable(), hi_f: z.number().nullable(), p: z.number() })),
      /** P(the judge max is first reached in local hours [start_hour, start_hour + 2)). */
      peak_time_bins: z.array(z.strictObject({ start_hour: z.number().int(), p: z.number() })),
      confidence: z.number(),
      qc_gate: z.enum(['open', 'closed']),
      qc_reason: z.string().optional(),
      /** Event ids of the inputs used (METAR_OBS, QC_STATE, PWS_CLUSTER). */
      inputs: z.array(z.string()),
    }),
  },
} as const;
