import type { MarketTapeConfig } from '../../config/sections/market-tape.ts';
import type { BackoffPolicy } from '../../domain/retry/backoff.ts';
import type { DisconnectReason } from './events.ts';

/** Every timer of one connection, in milliseconds. */
export interface FeedTimings {
  pingIntervalMs: number;
  maxMissedPongs: number;
  connectTimeoutMs: number;
  subscribeTimeoutMs: number;
  staleAfterMs: number;
  idleTimeoutMs: number;
  backoff: BackoffPolicy;
  /** Consecutive failed attempts before `failed` (0 = retry forever). */
  maxReconnectAttempts: number;
}

export interface FeedConnectionInput {
  timings: FeedTimings;
  /** Seed of the backoff jitter, so a run's reconnect schedule is reproducible. */
  jitterSeed: number;
}

export interface LastDisconnect {
  reason: DisconnectReason;
  code: number | null;
  detail: string;
}

export interface FeedConnectionContext {
  timings: FeedTimings;
  /** State of the jitter generator (`rngStep`): plain data, as everything in a machine's context. */
  jitterState: number;
  /** Consecutive attempts that did not reach `live`. */
  attempts: number;
  /** Pings sent since the last PONG. */
  missedPongs: number;
  backoffMs: number;
  /** Times the connection went from a session to backoff. */
  disconnects: number;
  lastDisconnect: LastDisconnect | null;
}

export function feedTimingsFrom(c: MarketTapeConfig): FeedTimings {
  return {
    pingIntervalMs: c.ping_interval_ms,
    maxMissedPongs: c.max_missed_pongs,
    connectTimeoutMs: c.connect_timeout_ms,
    subscribeTimeoutMs: c.subscribe_timeout_ms,
    staleAfterMs: c.stale_after_ms,
    idleTimeoutMs: c.idle_timeout_ms,
    backoff: {
      initialMs: c.backoff_initial_ms,
      maxMs: c.backoff_max_ms,
      multiplier: c.backoff_multiplier,
      jitter: c.backoff_jitter,
    },
    maxReconnectAttempts: c.max_reconnect_attempts,
  };
}

export function initialFeedContext(input: FeedConnectionInput): FeedConnectionContext {
  return {
    timings: input.timings,
    jitterState: input.jitterSeed >>> 0,
    attempts: 0,
    missedPongs: 0,
    backoffMs: 0,
    disconnects: 0,
    lastDisconnect: null,
  };
}
