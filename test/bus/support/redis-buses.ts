import { afterEach } from 'vitest';
import { createClient } from 'redis';
import type { RedisStreamsBus } from '../../../src/adapters/bus/redis-streams-bus.ts';

/**
 * Redis buses a test file opens, each closed after the test that opened it, and a fresh stream
 * prefix per call (`name` + pid + a counter), so tests sharing one redis-server never meet.
 */
export function redisBusesClosedAfterEach(name: string): { track<T extends RedisStreamsBus>(bus: T): T; prefix(): string } {
  let seq = 0;
  const opened: RedisStreamsBus[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
  });
  return {
    track: (bus) => {
      opened.push(bus);
      return bus;
    },
    prefix: () => `${name}${process.pid}x${++seq}`,
  };
}

/** Runs `fn` on a connection of its own to the server at `url` (commands a test sends around the bus), closed after. */
export async function withRedisClient<T>(url: string, fn: (c: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const c = createClient({ url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.quit();
  }
}
