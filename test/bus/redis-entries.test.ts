import { describe, expect, inject, it, vi } from 'vitest';
import { createClient } from 'redis';
import type { Delivery, Subscription } from '../../src/adapters/bus/event-bus.ts';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { serializeEnvelope } from '../../src/domain/util/stable-json.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { busConfig, testFactory, trade } from '../support/events.ts';
import { redisBusesClosedAfterEach, withRedisClient } from './support/redis-buses.ts';

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** SKIPPING the Redis stream-entry tests: redis-server is not installed ***\n');

const buses = redisBusesClosedAfterEach('entries');

async function open(hooks = {}) {
  const prefix = buses.prefix();
  const bus = await RedisStreamsBus.connect(busConfig({ kind: 'redis', redis_url: redisUrl, stream_prefix: prefix }), redisUrl, new SystemClock(), hooks);
  buses.track(bus);
  return { bus, prefix };
}

const raw = <T>(fn: (c: ReturnType<typeof createClient>) => Promise<T>): Promise<T> => withRedisClient(redisUrl!, fn);

async function next(sub: Subscription, it: AsyncIterator<Delivery[]>): Promise<Delivery[]> {
  const r = await Promise.race([it.next(), new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 5_000))]);
  if (r === 'timeout' || r.done) throw new Error(`no delivery for ${sub.stats.delivered}`);
  return r.value;
}

describe.skipIf(!redisUrl)('RedisStreamsBus stream entries (real redis-server)', () => {
  it('writes one entry per topic per flush, holding all of its events', async () => {
    const { bus, prefix } = await open();
    const { factory } = testFactory(21);
    const a = Array.from({ length: 100 }, (_, i) => trade(factory, 'a', 't', i / 1000));
    const b = Array.from({ length: 7 }, (_, i) => trade(factory, 'b', 't', i / 1000));
    await Promise.all([bus.publish('tape:a', a), bus.publish('tape:b', b)]);
    const lengths = await raw((c) => Promise.all([c.sendCommand(['XLEN', `${prefix}:tape:a`]), c.sendCommand(['XLEN', `${prefix}:tape:b`])]));
    expect(lengths.map(Number)).toEqual([1, 1]);
    expect(await bus.backlog('tape:a')).toBe(100);
    expect(await bus.backlog('tape:b')).toBe(7);
    expect(bus.stats().published).toBe(107);
  });

  it('reads entries written before batching (one event in "e") beside batched ones, in stream order', async () => {
    const { bus, prefix } = await open();
    const { factory } = testFactory(22);
    const legacy = Array.from({ length: 3 }, (_, i) => trade(factory, 'm', 't', i / 100));
    const batched = Array.from({ length: 5 }, (_, i) => trade(factory, 'm', 't', 0.5 + i / 100));
    const legacyAfter = trade(factory, 'm', 't', 0.9);
    await raw(async (c) => {
      for (const e of legacy) await c.sendCommand(['XADD', `${prefix}:tape:m`, '*', 'e', serializeEnvelope(e)]);
    });
    await bus.publish('tape:m', batched);
    await raw((c) => c.sendCommand(['XADD', `${prefix}:tape:m`, '*', 'e', serializeEnvelope(legacyAfter)]));
    expect(await bus.backlog('tape:m')).toBe(9);

    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
    const it = sub[Symbol.asyncIterator]();
    const got: Delivery[] = [];
    while (got.length < 9) {
      const batch = await next(sub, it);
      got.push(...batch);
      await sub.ack(batch);
    }
    await sub.close();
    expect(got.map((d) => d.event.event_id)).toEqual([...legacy, ...batched, legacyAfter].map((e) => e.event_id));
    expect(got[0]!.event).toEqual(legacy[0]);
    expect(got[3]!.event).toEqual(batched[0]);
    expect(await bus.backlog('tape:m', 'g')).toBe(0);
  });

  it('acknowledges an entry on the server only once every event of it is acknowledged, and counts the backlog in events', async () => {
    const { bus, prefix } = await open();
    const { factory } = testFactory(23);
    const events = Array.from({ length: 10 }, (_, i) => trade(factory, 'm', 't', i / 100));
    await bus.publish('tape:m', events);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
    const it = sub[Symbol.asyncIterator]();
    const got = await next(sub, it);
    expect(got).toHaveLength(10);
    const pendingEntries = () => raw(async (c) => ((await c.sendCommand(['XPENDING', `${prefix}:tape:m`, 'g'])) as [number])[0]);

    await sub.ack([got[9]!, got[0]!]);
    await sub.ack([got[0]!]); // twice counts once
    expect(await pendingEntries()).toBe(1);
    expect(await bus.backlog('tape:m', 'g')).toBe(8);
    await sub.ack(got.slice(1, 9));
    expect(await bus.backlog('tape:m', 'g')).toBe(0);
    // ack() does not wait for the server's answer: another connection sees the XACK once it landed.
    await vi.waitFor(async () => expect(await pendingEntries()).toBe(0));
    await sub.close();
  });

  it('after its connection drops, a consumer re-reads its pending entry without the events it already acknowledged', async () => {
    const errors: string[] = [];
    const { bus } = await open({ onError: (e: Error) => errors.push(e.message) });
    const { factory } = testFactory(26);
    const events = Array.from({ length: 6 }, (_, i) => trade(factory, 'm', 't', i / 100));
    await bus.publish('tape:m', events);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
    const it = sub[Symbol.asyncIterator]();
    const got = await next(sub, it);
    expect(got).toHaveLength(6);
    await sub.ack(got.slice(0, 4));
    // Drop the consumer's reading connection (its blocked XREADGROUP) under it, once it is blocked
    // there again (right after a delivery its next read may not have been sent yet).
    await vi.waitFor(async () => {
      const killed = await raw(async (c) => {
        const clients = String(await c.sendCommand(['CLIENT', 'LIST'])).split('\n');
        const readers = clients.filter((l) => /cmd=xreadgroup/.test(l));
        for (const line of readers) await c.sendCommand(['CLIENT', 'KILL', 'ID', /id=(\d+)/.exec(line)![1]!]);
        return readers.length;
      });
      expect(killed).toBeGreaterThan(0);
    });
    const again = await next(sub, it);
    // The drop is reported; the client's error event may come after the re-read it reconnected for.
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0));
    expect(again.map((d) => d.event.event_id)).toEqual(events.slice(4).map((e) => e.event_id));
    expect(again.every((d) => d.deliveries > 1)).toBe(true);
    await sub.ack(again);
    expect(await bus.backlog('tape:m', 'g')).toBe(0);
    await sub.close();
  });

  it('does not hold the consumer for the server\'s answer to an XACK, which lands once the server answers again', async () => {
    const { bus, prefix } = await open();
    const { factory } = testFactory(25);
    await bus.publish('tape:m', Array.from({ length: 3 }, (_, i) => trade(factory, 'm', 't', i / 10)));
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
    const it = sub[Symbol.asyncIterator]();
    const got = await next(sub, it);
    const admin = createClient({ url: redisUrl });
    await admin.connect();
    await admin.sendCommand(['CLIENT', 'PAUSE', '500', 'ALL']);
    // The server answers nobody for 500 ms: an awaited XACK could not resolve before then.
    const outcome = await Promise.race([sub.ack(got).then(() => 'acknowledged'), new Promise((r) => setTimeout(() => r('held'), 300))]);
    expect(outcome).toBe('acknowledged');
    await admin.quit();
    await vi.waitFor(async () => expect(await raw(async (c) => ((await c.sendCommand(['XPENDING', `${prefix}:tape:m`, 'g'])) as [number])[0])).toBe(0));
    expect(await bus.backlog('tape:m', 'g')).toBe(0);
    await sub.close();
  });

  it('counts duplicates dropped by the dedup window towards their entry, so it is acknowledged', async () => {
    const { bus, prefix } = await open();
    const { factory } = testFactory(24);
    const e = trade(factory, 'm', 't', 0.3);
    const f = trade(factory, 'm', 't', 0.4);
    await bus.publish('tape:m', [e, e, f]);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
    const it = sub[Symbol.asyncIterator]();
    const got = await next(sub, it);
    expect(got.map((d) => d.event.event_id)).toEqual([e.event_id, f.event_id]);
    await sub.ack(got);
    await vi.waitFor(async () => expect(await raw(async (c) => ((await c.sendCommand(['XPENDING', `${prefix}:tape:m`, 'g'])) as [number])[0])).toBe(0));
    await sub.close();
  });

  it('reports a malformed event inside a batched entry, delivers the others and acknowledges the entry once they are', async () => {
    const malformed: Array<{ reason: string; id: string }> = [];
    const { bus, prefix } = await open({ onMalformed: (m: { reason: string; id: string }) => malformed.push(m) });
    const { factory } = testFactory(25);
    const good = [trade(factory, 'm', 't', 0.1), trade(factory, 'm', 't', 0.2)];
    const broken = { ...trade(factory, 'm', 't', 0.3), type: 'NOT_A_TYPE' };
    const entryId = await raw((c) => c.sendCommand(['XADD', `${prefix}:tape:m`, '*', 'n', '3', 'b', JSON.stringify([good[0], broken, good[1]])]));
    await raw((c) => c.sendCommand(['XADD', `${prefix}:tape:m`, '*', 'n', '2', 'b', '[{"event_id":']));
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
    const it = sub[Symbol.asyncIterator]();
    const got = await next(sub, it);
    expect(got.map((d) => d.event.event_id)).toEqual(good.map((e) => e.event_id));
    expect(malformed.map((m) => m.reason)).toEqual(['event 1: invalid event at type', expect.stringMatching(/^invalid JSON/)]);
    expect(malformed[0]!.id).toBe(entryId);
    expect(sub.stats.malformed).toBe(2);
    await sub.ack(got);
    expect(await bus.backlog('tape:m', 'g')).toBe(0);
    await sub.close();
  });
});
