import type { Clock } from '../../domain/time/clock.ts';
import type { BusHooks, EventBus } from './event-bus.ts';
import { InMemoryBus } from './in-memory-bus.ts';
import { RedisStreamsBus } from './redis-streams-bus.ts';
import type { BusConfig } from './topic-policies.ts';

/** The bus named by configuration: in memory by default, Redis Streams with a URL. */
export async function createBus(config: BusConfig, clock: Clock, hooks: BusHooks = {}): Promise<EventBus> {
  if (config.kind === 'redis') {
    if (!config.redis_url) throw new Error('bus.kind is redis but no bus.redis_url / --redis URL / HELIOS_REDIS_URL was given');
    return RedisStreamsBus.connect(config, config.redis_url, clock, hooks);
  }
  return new InMemoryBus(config, clock, hooks);
}

/**
 * The bus named by configuration without waiting for a Redis server: it connects in the
 * background (publishing queues meanwhile) and `health()` tells why it is down; the caller bounds
 * the wait with `whenConnected` (Redis) so an HTTP API can report the outage first.
 */
export function openBus(config: BusConfig, clock: Clock, hooks: BusHooks = {}): EventBus {
  if (config.kind === 'redis') {
    if (!config.redis_url) throw new Error('bus.kind is redis but no bus.redis_url / --redis URL / HELIOS_REDIS_URL was given');
    return RedisStreamsBus.open(config, config.redis_url, clock, hooks);
  }
  return new InMemoryBus(config, clock, hooks);
}
