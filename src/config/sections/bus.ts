import { z } from 'zod';

export const overflowPolicy = z.enum(['drop_oldest', 'coalesce', 'halt']);

const topicPolicy = z.strictObject({
  /** Bounded outbound queue per topic (events not yet accepted by the transport). */
  queue_size: z.number().int().min(1),
  overflow: overflowPolicy,
  /** Count-based stream trimming (Redis MAXLEN ~); time-based trimming bloats under bursts. */
  max_len: z.number().int().min(1),
});

export const busSection = z.strictObject({
  /** in_memory is the embedded default; redis is selected by --redis URL or HELIOS_REDIS_URL. */
  kind: z.enum(['in_memory', 'redis']),
  redis_url: z.string().nullable(),
  stream_prefix: z.string().min(1),
  /** Policy per channel; channels not listed use `default`. */
  default: topicPolicy,
  channels: z.record(z.string(), topicPolicy),
  /** Consumers drop an event whose event_id was seen within this many recent events. */
  dedup_window: z.number().int().min(0),
  read_batch: z.number().int().min(1),
  block_ms: z.number().int().min(1),
  /** Entries pending longer than this on a dead consumer are reclaimed (XAUTOCLAIM). */
  claim_idle_ms: z.number().int().min(1),
  claim_interval_ms: z.number().int().min(1),
  publish_batch: z.number().int().min(1),
  reconnect_min_ms: z.number().int().min(1),
  reconnect_max_ms: z.number().int().min(1),
});
