import { describe, expect, inject, it } from 'vitest';
import type { Delivery, Subscription } from '../../src/adapters/bus/event-bus.ts';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { busConfig, testFactory, trade } from '../support/events.ts';
import { redisBusesClosedAfterEach } from './support/redis-buses.ts';

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** SKIPPING the Redis reclaim-ahead test: redis-server is not installed ***\n');

const buses = redisBusesClosedAfterEach('reclaimahead');

/** The next batch; a consumer that gets nothing within 5 s is stuck (this is liveness, not speed). */
async function next(sub: Subscription, it: AsyncIterator<Delivery[]>): Promise<Delivery[]> {
  const r = await Promise.race([it.next(), new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 5_000))]);
  if (r === 'timeout' || r.done) throw new Error(`no delivery after ${sub.stats.delivered} delivered`);
  return r.value;
}

describe.skipIf(!redisUrl)('RedisStreamsBus reclaim beside the read-ahead (real redis-server)', () => {
  it('keeps handing over fresh entries while a due reclaim waits for its answer, then hands over what reclaims took', async () => {
    const prefix = buses.prefix();
    const config = busConfig({ kind: 'redis', redis_url: redisUrl, stream_prefix: prefix, claim_interval_ms: 1, claim_idle_ms: 100 });
    const bus = buses.track(await RedisStreamsBus.connect(config, redisUrl!, new SystemClock()));
    const { factory } = testFactory(31);
    const event = (i: number) => trade(factory, 'm', 't', i / 100);

    // A consumer that dies holding three entries: what a reclaim takes once they are idle.
    const dead = bus.subscribe({ group: 'g', consumer: 'dead', topics: ['tape:m'] });
    const orphans = [event(1), event(2), event(3)];
    for (const e of orphans) await bus.publish('tape:m', [e]);
    const deadIt = dead[Symbol.asyncIterator]();
    const taken: Delivery[] = [];
    while (taken.length < 3) taken.push(...(await next(dead, deadIt)));
    await dead.close();

    // From the live consumer's first hand-over on, XAUTOCLAIM answers are held back (a slow reply
    // on the bus's connection): the server runs the command, the consumer hears of it on release.
    let holding = false;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let heldClaims = 0;
    const send = bus.client.sendCommand.bind(bus.client);
    bus.client.sendCommand = ((...args: Parameters<typeof send>) => {
      const reply = send(...args);
      if (!holding || args[0][0] !== 'XAUTOCLAIM') return reply;
      heldClaims++;
      return released.then(() => reply);
    }) as typeof bus.client.sendCommand;

    const live = bus.subscribe({ group: 'g', consumer: 'live', topics: ['tape:m'] });
    const it = live[Symbol.asyncIterator]();
    const fresh = [event(4), event(5), event(6)];
    await bus.publish('tape:m', [fresh[0]!]);
    const got: Delivery[] = [...(await next(live, it))];
    holding = true;
    await live.ack(got);
    // A reclaim is due at every read (interval 1 ms) and its answer is held: fresh entries still come.
    for (const e of fresh.slice(1)) {
      await bus.publish('tape:m', [e]);
      const batch = await next(live, it);
      got.push(...batch);
      await live.ack(batch);
    }
    expect(got.map((d) => d.event.event_id)).toEqual(fresh.map((e) => e.event_id));
    expect(heldClaims).toBeGreaterThan(0);

    // Released, and the orphans idle past claim_idle_ms: a later reclaim hands them over as redeliveries.
    holding = false;
    release();
    await new Promise((r) => setTimeout(r, 150));
    const reclaimed: Delivery[] = [];
    let filler = 7;
    while (reclaimed.length < orphans.length) {
      await bus.publish('tape:m', [event(filler++)]);
      const batch = await next(live, it);
      reclaimed.push(...batch.filter((d) => d.deliveries > 1));
      await live.ack(batch);
    }
    expect(reclaimed.map((d) => d.event.event_id).sort()).toEqual(orphans.map((e) => e.event_id).sort());
    await live.close();
  });
});
