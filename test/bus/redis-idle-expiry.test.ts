import { describe, expect, inject, it, vi } from 'vitest';
import { createClient } from 'redis';
import type { BusHooks, Delivery } from '../../src/adapters/bus/event-bus.ts';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import type { Clock } from '../../src/domain/time/clock.ts';
import { busConfig, testFactory, trade } from '../support/events.ts';
import { redisBusesClosedAfterEach, withRedisClient } from './support/redis-buses.ts';
import { ShiftedClock } from './support/shifted-clock.ts';

/**
 * Topics are per market: the streams of a market that left must not stay on the server, nor its
 * state in the producer, for ever (bus.redis_idle_stream_ttl_ms).
 */
const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** SKIPPING the Redis idle-stream tests: redis-server is not installed ***\n');

const buses = redisBusesClosedAfterEach('idle');

async function open(ttl: number, { clock = new SystemClock() as Clock, hooks = {} as BusHooks, prefix = buses.prefix() } = {}) {
  const control = { queue_size: 10_000, overflow: 'halt' as const, max_len: 10_000 };
  const config = busConfig({ kind: 'redis', redis_url: redisUrl, stream_prefix: prefix, channels: { control }, redis_idle_stream_ttl_ms: ttl, reconnect_min_ms: 20 });
  const bus = buses.track(await RedisStreamsBus.connect(config, redisUrl, clock, hooks));
  return { bus, prefix };
}

const raw = <T>(fn: (c: ReturnType<typeof createClient>) => Promise<T>): Promise<T> => withRedisClient(redisUrl!, fn);

const pttl = (key: string) => raw((c) => c.sendCommand(['PTTL', key])).then(Number);

describe.skipIf(!redisUrl)('RedisStreamsBus: idle streams expire (real redis-server)', () => {
  it('a stream the producer writes carries the idle TTL; with 0 it has none', async () => {
    const ttl = 3_600_000;
    const { bus, prefix } = await open(ttl);
    const { factory } = testFactory(31);
    await bus.publish('tape:m', [trade(factory, 'm', 't', 0.1)]);
    await bus.publish('tape:m', [trade(factory, 'm', 't', 0.2)]);
    const left = await pttl(`${prefix}:tape:m`);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(ttl);

    const never = await open(0);
    await never.bus.publish('tape:m', [trade(factory, 'm', 't', 0.3)]);
    expect(await pttl(`${never.prefix}:tape:m`)).toBe(-1); // exists, no TTL
  });

  it('a stream a consumer group made before anything was written carries it too', async () => {
    const { bus, prefix } = await open(3_600_000);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:quiet'] });
    await sub.joined();
    await vi.waitFor(async () => expect(await pttl(`${prefix}:tape:quiet`)).toBeGreaterThan(0), { timeout: 5_000, interval: 20 });
    await sub.close();
  });

  it('the producer forgets the state of topics nobody wrote for a whole TTL (queues, re-sendable entries)', async () => {
    const ttl = 3_600_000;
    const clock = new ShiftedClock();
    const { bus } = await open(ttl, { clock });
    const { factory } = testFactory(32);
    await bus.publish('control:left', [trade(factory, 'left', 't', 0.1)]);
    await bus.publish('tape:left', [trade(factory, 'left', 't', 0.1)]);
    expect(bus.producerTopics()).toEqual({ queues: 2, acknowledged: 1, expiry: 2 });
    clock.shift += ttl;
    await bus.publish('control:live', [trade(factory, 'live', 't', 0.2)]);
    expect(bus.producerTopics()).toEqual({ queues: 1, acknowledged: 1, expiry: 1 });
  });

  it('a consumer whose idle stream expired while it was subscribed rejoins with a notice, not an error, and misses nothing after', async () => {
    // Short, but longer than the consumer may take to read what is written (it would expire unread).
    const ttl = 2_000;
    const errors: string[] = [];
    const notices: string[] = [];
    const hooks = { onError: (e: Error) => errors.push(e.message), onNotice: (m: string) => notices.push(m) };
    const { bus: consumerBus, prefix } = await open(ttl, { hooks });
    const { bus: writer } = await open(ttl, { hooks, prefix });
    const { factory } = testFactory(33);
    const sub = consumerBus.subscribe({ group: 'trading', consumer: 'c', topics: ['tape:m'] });
    const it = sub[Symbol.asyncIterator]();
    await sub.joined();
    const first = trade(factory, 'm', 't', 0.1);
    await writer.publish('tape:m', [first]);
    const firstBatch = (await it.next()).value as Delivery[];
    await sub.ack(firstBatch);

    // Nobody writes: the stream expires (with the group) while the consumer's read waits on it.
    const reading = it.next();
    await vi.waitFor(() => expect(notices.length).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    const later = [trade(factory, 'm', 't', 0.2), trade(factory, 'm', 't', 0.3)];
    await writer.publish('tape:m', later);
    const received: string[] = [];
    for (let next: Promise<IteratorResult<Delivery[]>> = reading; received.length < later.length; next = it.next()) {
      const got = await Promise.race([next, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
      if (got === 'timeout' || got.done) break;
      received.push(...got.value.map((d) => d.event.event_id));
      await sub.ack(got.value);
    }
    expect(firstBatch.map((d) => d.event.event_id)).toEqual([first.event_id]);
    expect(received).toEqual(later.map((e) => e.event_id));
    expect(errors).toEqual([]);
    expect(notices[0]).toMatch(/^consumer c rejoins group trading: .*\(an idle stream expired, or the server lost it\)$/);
    await sub.close();
  }, 30_000);
});
