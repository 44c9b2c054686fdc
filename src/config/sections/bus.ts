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
  /** redis://[user:password@]host:port[/db] or rediss:// (TLS). */
  redis_url: z
    .string()
    .refine((u) => /^rediss?:\/\/[^\s]+$/.test(u) && URL.canParse(u), { message: 'a redis:// or rediss:// URL' })
    .nullable(),
  stream_prefix: z.string().min(1),
  /** Policy per channel; channels not listed use `default`. */
  default: topicPolicy,
  channels: z.record(z.string(), topicPolicy),
  /**
   * In-memory bus: estimated bytes of events held, retained for late readers plus waiting in
   * consumer groups' queues, across all topics; past it retained events go first (oldest across
   * topics), then a lagging group's oldest queued ones (the journal is the durable record). Redis
   * retains by max_len on the server.
   */
  memory_budget_bytes: z.number().int().min(0),
  /**
   * In-memory bus: of that, at most this much retained for late readers (oldest evicted first), so
   * queues keep the rest. Every retained event outlives young collections and is copied into the
   * old generation; a smaller retention keeps collection pauses (and the frame → decision tail) short.
   */
  retained_budget_bytes: z.number().int().min(0),
  /** Consumers drop an event whose event_id was seen within this many recent (first) deliveries. */
  dedup_window: z.number().int().min(0),
  read_batch: z.number().int().min(1),
  block_ms: z.number().int().min(1),
  /** Entries pending longer than this on a dead consumer are reclaimed (XAUTOCLAIM). */
  claim_idle_ms: z.number().int().min(1),
  claim_interval_ms: z.number().int().min(1),
  /** Redis: events one flush writes at most, over all topics, shared fairly among the topics with events waiting. */
  publish_batch: z.number().int().min(1),
  /** Redis: how long a starting process waits for the server to answer before giving up (exit 3). */
  startup_timeout_ms: z.number().int().min(1),
  /** Redis: PING cadence and the time without an answer after which the bus counts as down (a frozen server). */
  probe_interval_ms: z.number().int().min(1),
  probe_timeout_ms: z.number().int().min(1),
  /**
   * Redis: acknowledged entries kept per never-drop topic (overflow halt: order, fill, control) and
   * re-sent if a restarted server lost them (no AOF, or appendfsync everysec). 0 keeps none.
   */
  redis_resend_entries: z.number().int().min(0),
  /**
   * Redis: a stream nobody writes for this long expires (PEXPIRE, refreshed by the producer at most
   * once per quarter of it): a market that left does not keep up to max_len events per topic on the
   * server forever. Longer than any consumer may lag or stay stopped. 0: streams never expire.
   */
  redis_idle_stream_ttl_ms: z.number().int().min(0),
  /**
   * Redis reconnect backoff, doubling from min to max. The max bounds how long after a server
   * comes back a connection notices; a consumer's own retries are cut short once its connections are back.
   */
  reconnect_min_ms: z.number().int().min(1),
  reconnect_max_ms: z.number().int().min(1),
});
