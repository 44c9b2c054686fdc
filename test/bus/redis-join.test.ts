import { describe, expect, inject, it } from 'vitest';
import { createClient } from 'redis';
import type { Delivery, Subscription } from '../../src/adapters/bus/event-bus.ts';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { encodeEntry } from '../../src/adapters/bus/stream-entry.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { freePort } from '../setup/global-redis.ts';
import { busConfig, testFactory, trade } from '../support/events.ts';
import { redisBusesClosedAfterEach, withRedisClient } from './support/redis-buses.ts';

/**
 * When a `latest` consumer group comes to exist on Redis, against producers on the same bus, on
 * another connection, and while the server was not reachable yet at subscribe time.
 */
const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** SKIPPING the Redis group-join tests: redis-server is not installed ***\n');

const buses = redisBusesClosedAfterEach('join');

function config(prefix: string) {
  return busConfig({ kind: 'redis', redis_url: redisUrl, stream_prefix: prefix });
}

const raw = <T>(fn: (c: ReturnType<typeof createClient>) => Promise<T>): Promise<T> => withRedisClient(redisUrl!, fn);

async function collect(sub: Subscription, count: number): Promise<Delivery[]> {
  const got: Delivery[] = [];
  const it = sub[Symbol.asyncIterator]();
  while (got.length < count) {
    const next = await Promise.race([it.next(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 2_000))]);
    if (next === 'timeout' || next.done) break;
    got.push(...next.value);
    await sub.ack(next.value);
  }
  return got;
}

describe.skipIf(!redisUrl)('RedisStreamsBus: when a latest group exists (real redis-server)', () => {
  it('has created the group when joined() resolves, so a producer on another connection publishing then loses nothing', async () => {
    const prefix = buses.prefix();
    const consumerBus = await RedisStreamsBus.connect(config(prefix), redisUrl, new SystemClock());
    const producer = await RedisStreamsBus.connect(config(prefix), redisUrl, new SystemClock());
    buses.track(consumerBus);
    buses.track(producer);
    const { factory } = testFactory(31);
    const sub = consumerBus.subscribe({ group: 'trading', consumer: 'c', topics: ['tape:a', 'tape:b'], start: 'latest' });
    await sub.joined();
    // Before any read: the groups exist because joined() said so, not because a pull made them.
    const groups = await raw((c) => Promise.all(['tape:a', 'tape:b'].map((t) => c.sendCommand(['XINFO', 'GROUPS', `${prefix}:${t}`]) as Promise<unknown[]>)));
    expect(groups.map((g) => g.length)).toEqual([1, 1]);
    const events = Array.from({ length: 30 }, (_, i) => trade(factory, i % 2 ? 'a' : 'b', 't', i / 100));
    await Promise.all(events.map((e) => producer.publish(`tape:${e.market_id}`, [e])));
    const got = await collect(sub, 30);
    await sub.close();
    expect(got.map((d) => d.event.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
  });

  it('creates a group subscribed before the server answered ahead of the first event published to it', async () => {
    const prefix = buses.prefix();
    const { factory } = testFactory(32);
    const old = trade(factory, 'm', 't', 0.01);
    await raw((c) => c.sendCommand(['XADD', `${prefix}:tape:m`, '*', ...encodeEntry([old])]));
    // Connects in the background: subscribe and publish run before the server has answered.
    const bus = RedisStreamsBus.open(config(prefix), redisUrl, new SystemClock());
    buses.track(bus);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'], start: 'latest' });
    const fresh = Array.from({ length: 20 }, (_, i) => trade(factory, 'm', 't', 0.1 + i / 100));
    const published = bus.publish('tape:m', fresh);
    expect(bus.health().up).toBe(false);
    await published;
    const got = await collect(sub, 21);
    await sub.close();
    expect(got.map((d) => d.event.event_id)).toEqual(fresh.map((e) => e.event_id));
  });

  it('releases a joined() waiter when the subscription closes while the server is unreachable', async () => {
    const port = await freePort(); // nothing listens there
    const url = `redis://127.0.0.1:${port}`;
    const bus = RedisStreamsBus.open({ ...config('nowhere'), redis_url: url }, url, new SystemClock());
    buses.track(bus);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'], start: 'latest' });
    let joined = false;
    const joining = sub.joined().then(() => (joined = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(joined).toBe(false);
    await sub.close();
    await joining;
    expect(joined).toBe(true);
  });
});
