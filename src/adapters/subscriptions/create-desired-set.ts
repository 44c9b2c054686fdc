import type { createClient } from 'redis';
import type { MarketTapeConfig } from '../../config/sections/market-tape.ts';
import { InMemoryDesiredSet, type DesiredSet } from '../../domain/subscriptions/desired-set.ts';
import { RedisDesiredSet } from './redis-desired-set.ts';

/**
 * The desired set the config asks for: the Redis SET `redis_key` (a connected client is required),
 * or an in-memory set.
 */
export function createDesiredSet(config: MarketTapeConfig['desired_set'], redis: ReturnType<typeof createClient> | null): DesiredSet {
  if (config.kind === 'redis') {
    if (!redis) throw new Error('market_tape.desired_set.kind is redis but no Redis client was given');
    return new RedisDesiredSet(redis, config.redis_key);
  }
  return new InMemoryDesiredSet();
}
