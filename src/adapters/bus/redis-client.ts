import { createClient } from 'redis';
import { backoffDelayMs } from '../../domain/retry/backoff.ts';
import type { BusConfig } from './topic-policies.ts';

export type RedisClient = ReturnType<typeof createClient>;
export type StreamEntry = [id: string, fields: string[] | null];
export type StreamReply = Array<[key: string, entries: StreamEntry[]]> | null;

/** Attempt 0 is the first retry (node-redis counts from 0). */
export function backoff(config: BusConfig, attempt: number): number {
  return backoffDelayMs(attempt + 1, { initialMs: config.reconnect_min_ms, maxMs: config.reconnect_max_ms, multiplier: 2, jitter: 0 }, 0);
}

/**
 * A client that reconnects with backoff. Commands issued while it is disconnected fail at once
 * instead of waiting in node-redis's offline queue: the bus decides what is re-sent and when (after
 * checking what a restarted server lost), so nothing slips out ahead of older entries.
 */
export function newClient(config: BusConfig, url: string, onError: (e: Error) => void, onReconnect: () => void, onReady?: () => void): RedisClient {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => backoff(config, retries), connectTimeout: 5_000 },
  });
  client.on('error', onError);
  client.on('reconnecting', onReconnect);
  if (onReady) client.on('ready', onReady);
  return client;
}

/** Stream ids `ms-seq` in numeric order. */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  if (am.length !== bm.length) return am.length - bm.length;
  if (am !== bm) return am < bm ? -1 : 1;
  return Number(as) - Number(bs);
}

export function fieldValue(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Stream entry ids begin with the server's time in ms: the order of entries of several streams. */
export function entryMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/**
 * A read named a stream or group that no longer exists: NOGROUP, or a blocked XREADGROUP the
 * server ended when the stream key was deleted or expired (Redis 7: "UNBLOCKED the stream key no
 * longer exists").
 */
export function streamGone(message: string): boolean {
  return message.includes('NOGROUP') || message.includes('stream key no longer exists');
}
