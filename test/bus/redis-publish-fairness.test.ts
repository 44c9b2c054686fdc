import { describe, expect, inject, it } from 'vitest';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import type { Delivery } from '../../src/adapters/bus/event-bus.ts';
import { busConfig, testFactory, trade } from '../support/events.ts';
import { redisBusesClosedAfterEach } from './support/redis-buses.ts';

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** SKIPPING the Redis publish-fairness tests: redis-server is not installed ***\n');

const buses = redisBusesClosedAfterEach('fair');

async function open(publishBatch: number) {
  const config = busConfig({ kind: 'redis', redis_url: redisUrl, stream_prefix: buses.prefix(), publish_batch: publishBatch });
  return buses.track(await RedisStreamsBus.connect(config, redisUrl!, new SystemClock()));
}

describe.skipIf(!redisUrl)('RedisStreamsBus publish fairness across topics (real redis-server)', () => {
  it('writes later topics within a few flushes while the first topic has a backlog of many batches', async () => {
    const publishBatch = 4;
    const bus = await open(publishBatch);
    const { factory } = testFactory(41);
    const backlog = 400;
    // One publish per event, so the count written of the first topic can be read at any moment.
    let firstWritten = 0;
    const first = Array.from({ length: backlog }, (_, i) => bus.publish('tape:first', [trade(factory, 'first', 't', (i % 100) / 100)]).then(() => firstWritten++));
    const writtenOfFirstWhenDone = (topic: string, n: number) =>
      bus.publish(topic, Array.from({ length: n }, (_, i) => trade(factory, topic, 't', i / 100))).then(() => firstWritten);
    const later = await Promise.all([writtenOfFirstWhenDone('tape:second', 6), writtenOfFirstWhenDone('tape:third', 6)]);
    await Promise.all(first);

    // Served fairly, the 12 later events share each flush's 4 with the first topic's backlog: all
    // written within a handful of flushes, long before the first topic's 400 drain.
    for (const firstAtThatPoint of later) expect(firstAtThatPoint).toBeLessThanOrEqual(8 * publishBatch);
    expect(firstWritten).toBe(backlog);
    expect(bus.stats().published).toBe(backlog + 12);
  });

  it('keeps each topic in publish order while the topics share flushes', async () => {
    const bus = await open(5);
    const { factory } = testFactory(42);
    const topics = ['tape:a', 'tape:b', 'tape:c'];
    const sizes = [53, 17, 2];
    const published = topics.map((topic, t) => Array.from({ length: sizes[t]! }, (_, i) => trade(factory, topic, 't', i / 100)));
    await Promise.all(topics.map((topic, t) => bus.publish(topic, published[t]!)));

    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics });
    const got = new Map<string, string[]>(topics.map((t) => [t, []]));
    const it = sub[Symbol.asyncIterator]();
    for (let n = 0; n < 72; ) {
      const r = await it.next();
      if (r.done) break;
      for (const d of r.value as Delivery[]) got.get(d.topic)!.push(d.event.event_id);
      n += r.value.length;
      await sub.ack(r.value);
    }
    await sub.close();
    topics.forEach((topic, t) => expect(got.get(topic)).toEqual(published[t]!.map((e) => e.event_id)));
  });
});
