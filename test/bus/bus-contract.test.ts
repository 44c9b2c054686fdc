import { afterEach, describe, expect, inject, it } from 'vitest';
import { createClient } from 'redis';
import type { Delivery, EventBus, Subscription } from '../../src/adapters/bus/event-bus.ts';
import { InMemoryBus } from '../../src/adapters/bus/in-memory-bus.ts';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import type { BusConfig } from '../../src/adapters/bus/topic-policies.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { busConfig, testFactory, trade } from '../support/events.ts';

/**
 * One contract, two buses. `stall` makes the path between producer and consumer unable to keep up
 * (in memory: a group that is not reading; Redis: the server pausing writes), so the backpressure
 * policies can be checked with the same assertions on both.
 */
interface Harness {
  make(config: BusConfig, hooks?: { onHalt?: (t: string, e: HeliosEvent) => void }): Promise<EventBus>;
  /** Makes time pass for reclaim rules (virtual in memory, real for Redis). */
  passIdle(ms: number): Promise<void>;
  stall?(bus: EventBus): Promise<() => Promise<void>>;
}

let prefixSeq = 0;
const opened: EventBus[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});

/** Reads until `count` deliveries arrived (or the timeout), acknowledging as told. */
async function collect(sub: Subscription, count: number, opts: { ack?: boolean; timeoutMs?: number } = {}): Promise<Delivery[]> {
  const got: Delivery[] = [];
  const it = sub[Symbol.asyncIterator]();
  const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
  while (got.length < count && Date.now() < deadline) {
    const next = await Promise.race([it.next(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), Math.max(1, deadline - Date.now())))]);
    if (next === 'timeout' || next.done) break;
    got.push(...next.value);
    if (opts.ack !== false) await sub.ack(next.value);
  }
  return got;
}

function contract(name: string, harness: () => Harness, skip: boolean) {
  describe.skipIf(skip)(`EventBus contract: ${name}`, () => {
    const h = harness();
    const make = async (over: Partial<BusConfig> = {}, hooks = {}) => {
      const bus = await h.make(busConfig({ stream_prefix: `c${process.pid}x${++prefixSeq}`, ...over }), hooks);
      opened.push(bus);
      return bus;
    };

    it('delivers each topic in publish order, batches included', async () => {
      const bus = await make();
      const { factory } = testFactory(1);
      const a = Array.from({ length: 250 }, (_, i) => trade(factory, 'mA', 'tA', i / 1000));
      const b = Array.from({ length: 120 }, (_, i) => trade(factory, 'mB', 'tB', i / 1000));
      await bus.publish('tape:mA', a.slice(0, 100));
      await bus.publish('tape:mB', b);
      await bus.publish('tape:mA', a.slice(100));
      const sub = bus.subscribe({ group: 'g', consumer: 'c1', topics: ['tape:mA', 'tape:mB'] });
      const got = await collect(sub, 370);
      await sub.close();
      expect(got.filter((d) => d.topic === 'tape:mA').map((d) => d.event.event_id)).toEqual(a.map((e) => e.event_id));
      expect(got.filter((d) => d.topic === 'tape:mB').map((d) => d.event.event_id)).toEqual(b.map((e) => e.event_id));
      expect(got[0]!.event).toEqual(a[0]);
    });

    it('keeps no reference to a published batch: a producer may reuse the array at once (BusSink does)', async () => {
      const bus = await make();
      const { factory } = testFactory(3);
      const events = Array.from({ length: 20 }, (_, i) => trade(factory, 'mR', 'tR', i / 1000));
      const sub = bus.subscribe({ group: 'g', consumer: 'c1', topics: ['tape:mR'], start: 'latest' });
      await sub.joined();
      const batch: HeliosEvent[] = [];
      const published: Promise<void>[] = [];
      for (const e of events) {
        batch[0] = e;
        published.push(bus.publish('tape:mR', batch));
        batch[0] = events[0]!;
      }
      await Promise.all(published);
      const got = await collect(sub, events.length);
      await sub.close();
      expect(got.map((d) => d.event.event_id)).toEqual(events.map((e) => e.event_id));
    });

    it('hands a backlog over several topics in publish order across them (to the ms on Redis), not topic by topic', async () => {
      const bus = await make();
      const { factory } = testFactory(3);
      const early = Array.from({ length: 30 }, (_, i) => trade(factory, 'mB', 'tB', i / 1000));
      const middle = Array.from({ length: 30 }, (_, i) => trade(factory, 'mA', 'tA', i / 1000));
      const late = Array.from({ length: 30 }, (_, i) => trade(factory, 'mB', 'tB', 0.5 + i / 1000));
      const pause = () => new Promise((r) => setTimeout(r, 5));
      await bus.publish('tape:mB', early);
      await pause();
      await bus.publish('tape:mA', middle);
      await pause();
      await bus.publish('tape:mB', late);
      const sub = bus.subscribe({ group: 'g', consumer: 'c1', topics: ['tape:mA', 'tape:mB'] });
      const got = await collect(sub, 90);
      await sub.close();
      expect(got.map((d) => d.event.event_id)).toEqual([...early, ...middle, ...late].map((e) => e.event_id));
    });

    it('gives every group every event and shares a group between its consumers', async () => {
      const bus = await make();
      const { factory } = testFactory(2);
      const events = Array.from({ length: 200 }, (_, i) => trade(factory, 'm', 't', i / 1000));
      await bus.publish('tape:m', events);
      const g1a = bus.subscribe({ group: 'g1', consumer: 'a', topics: ['tape:m'] });
      const g2 = bus.subscribe({ group: 'g2', consumer: 'x', topics: ['tape:m'] });
      const firstHalf = await collect(g1a, 100);
      const g1b = bus.subscribe({ group: 'g1', consumer: 'b', topics: ['tape:m'] });
      const rest = await collect(g1b, 200 - firstHalf.length);
      const all2 = await collect(g2, 200);
      await Promise.all([g1a.close(), g1b.close(), g2.close()]);
      const ids1 = [...firstHalf, ...rest].map((d) => d.event.event_id).sort();
      expect(ids1).toEqual(events.map((e) => e.event_id).sort());
      expect(new Set(ids1).size).toBe(200);
      expect(all2.map((d) => d.event.event_id)).toEqual(events.map((e) => e.event_id));
    });

    it('counts unacknowledged entries in the backlog until they are acknowledged', async () => {
      const bus = await make();
      const { factory } = testFactory(3);
      await bus.publish('tape:m', Array.from({ length: 30 }, (_, i) => trade(factory, 'm', 't', i / 100)));
      await bus.drain();
      expect(await bus.backlog('tape:m')).toBe(30);
      const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
      const got = await collect(sub, 30, { ack: false });
      expect(got).toHaveLength(30);
      expect(await bus.backlog('tape:m', 'g')).toBe(30);
      await sub.ack(got.slice(0, 20));
      expect(await bus.backlog('tape:m', 'g')).toBe(10);
      await sub.ack(got.slice(20));
      expect(await bus.backlog('tape:m', 'g')).toBe(0);
      await sub.close();
    });

    it('reclaims what a dead consumer left pending', async () => {
      const bus = await make();
      const { factory } = testFactory(4);
      const events = Array.from({ length: 40 }, (_, i) => trade(factory, 'm', 't', i / 100));
      await bus.publish('tape:m', events);
      const dying = bus.subscribe({ group: 'g', consumer: 'dying', topics: ['tape:m'] });
      const unacked = await collect(dying, 40, { ack: false });
      expect(unacked).toHaveLength(40);
      await dying.close(); // dies without acknowledging
      await h.passIdle(busConfig().claim_idle_ms + 50);
      const heir = bus.subscribe({ group: 'g', consumer: 'heir', topics: ['tape:m'] });
      const reclaimed = await collect(heir, 40);
      await heir.close();
      expect(reclaimed.map((d) => d.event.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
      expect(reclaimed.every((d) => d.deliveries > 1)).toBe(true);
      expect(heir.stats.reclaimed).toBe(40);
      expect(await bus.backlog('tape:m', 'g')).toBe(0);
    });

    it('acknowledges by id: a late ack from the consumer an entry was reclaimed from settles it, the heir\'s ack after that changes nothing', async () => {
      const bus = await make();
      const { factory } = testFactory(41);
      await bus.publish('tape:m', Array.from({ length: 10 }, (_, i) => trade(factory, 'm', 't', i / 100)));
      const slow = bus.subscribe({ group: 'g', consumer: 'slow', topics: ['tape:m'] });
      const first = await collect(slow, 10, { ack: false });
      await h.passIdle(busConfig().claim_idle_ms + 50);
      const heir = bus.subscribe({ group: 'g', consumer: 'heir', topics: ['tape:m'] });
      const again = await collect(heir, 10, { ack: false });
      expect(again.map((d) => d.id).sort()).toEqual(first.map((d) => d.id).sort());
      await slow.ack(first);
      expect(await bus.backlog('tape:m', 'g')).toBe(0);
      await heir.ack(again);
      expect(await bus.backlog('tape:m', 'g')).toBe(0);
      await slow.close();
      await heir.close();
    });

    it('acks in any order leave pending exactly the entries not acknowledged, and those are reclaimed', async () => {
      const bus = await make();
      const { factory } = testFactory(42);
      // One publish each: Redis acknowledges an entry once all of its events are (per-entry accounting).
      for (let i = 0; i < 300; i++) await bus.publish('tape:m', [trade(factory, 'm', 't', (i % 100) / 100)]);
      const a = bus.subscribe({ group: 'g', consumer: 'a', topics: ['tape:m'] });
      const got = await collect(a, 300, { ack: false });
      expect(got).toHaveLength(300);
      const kept = [got[0]!, got[150]!];
      // Newest first, one at a time, around the two kept: the oldest pending one is never acknowledged.
      for (const d of [...got].reverse()) if (!kept.includes(d)) await a.ack([d]);
      expect(await bus.backlog('tape:m', 'g')).toBe(2);
      await a.close();
      await h.passIdle(busConfig().claim_idle_ms + 50);
      const heir = bus.subscribe({ group: 'g', consumer: 'heir', topics: ['tape:m'] });
      const reclaimed = await collect(heir, 2);
      await heir.close();
      expect(reclaimed.map((d) => d.id).sort()).toEqual(kept.map((d) => d.id).sort());
      expect(reclaimed.every((d) => d.deliveries === 2)).toBe(true);
      expect(await bus.backlog('tape:m', 'g')).toBe(0);
    });

    it('drops an event_id seen within the dedup window', async () => {
      const bus = await make();
      const { factory } = testFactory(5);
      const e1 = trade(factory, 'm', 't', 0.1);
      const e2 = trade(factory, 'm', 't', 0.2);
      await bus.publish('tape:m', [e1, e1, e2, e1]);
      const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
      const got = await collect(sub, 2);
      const extra = await collect(sub, 1, { timeoutMs: 300 });
      await sub.close();
      expect([...got, ...extra].map((d) => d.event.event_id)).toEqual([e1.event_id, e2.event_id]);
      expect(sub.stats.duplicates).toBe(2);
      expect(await bus.backlog('tape:m', 'g')).toBe(0);
    });

    it('keeps what a lagging group has not read while the topic holds fewer than max_len events, whatever the batch sizes', async () => {
      const bus = await make({ default: { queue_size: 10_000, overflow: 'drop_oldest', max_len: 1_000 } });
      const { factory } = testFactory(8);
      const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'], start: 'latest' });
      const it = sub[Symbol.asyncIterator]();
      const first = it.next(); // reads nothing until everything is published
      await sub.joined();
      // Many small batches, then one large one: 900 events in all, within max_len.
      const small = Array.from({ length: 600 }, (_, i) => trade(factory, 'm', 't', (i % 100) / 100));
      for (const e of small) await bus.publish('tape:m', [e]);
      const large = Array.from({ length: 300 }, (_, i) => trade(factory, 'm', 't', (i % 100) / 100));
      await bus.publish('tape:m', large);
      await bus.drain();
      const got: Delivery[] = [];
      const head = await first;
      if (!head.done) got.push(...head.value);
      await sub.ack(got);
      got.push(...(await collect(sub, 900 - got.length)));
      await sub.close();
      expect(got.map((d) => d.event.event_id)).toEqual([...small, ...large].map((e) => e.event_id));
    });

    it('gives a replay subscriber of a group that exists already the retained backlog again, then what is published after', async () => {
      const bus = await make();
      const { factory } = testFactory(19);
      const old = Array.from({ length: 10 }, (_, i) => trade(factory, 'm', 't', i / 100));
      await bus.publish('tape:m', old);
      await bus.drain();
      const before = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
      expect((await collect(before, 10)).length).toBe(10);
      await before.close();
      expect(await bus.backlog('tape:m', 'g')).toBe(0);
      const again = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'], start: 'replay' });
      const fresh = Array.from({ length: 5 }, (_, i) => trade(factory, 'm', 't', 0.5 + i / 100));
      await bus.publish('tape:m', fresh);
      const got = await collect(again, 15);
      const extra = await collect(again, 1, { timeoutMs: 200 });
      await again.close();
      expect([...got, ...extra].map((d) => d.event.event_id)).toEqual([...old, ...fresh].map((e) => e.event_id));
    });

    it('gives a latest subscriber every event published right after subscribe returned, and none from before', async () => {
      const bus = await make();
      const { factory } = testFactory(9);
      const old = Array.from({ length: 20 }, (_, i) => trade(factory, 'm', 't', i / 100));
      await bus.publish('tape:m', old);
      await bus.drain();
      const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'], start: 'latest' });
      // No wait for the group: publishing at once is what the daemon's producers do.
      const fresh = Array.from({ length: 60 }, (_, i) => trade(factory, 'm', 't', 0.3 + i / 1000));
      const published = [bus.publish('tape:m', fresh.slice(0, 1)), bus.publish('tape:m', fresh.slice(1, 30))];
      await new Promise((r) => setImmediate(r));
      published.push(bus.publish('tape:m', fresh.slice(30)));
      await Promise.all(published);
      const got = await collect(sub, 60);
      const extra = await collect(sub, 1, { timeoutMs: 200 });
      await sub.close();
      expect([...got, ...extra].map((d) => d.event.event_id)).toEqual(fresh.map((e) => e.event_id));
    });

    it('gives a latest subscriber the events published right after it added a topic', async () => {
      const bus = await make();
      const { factory } = testFactory(10);
      const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:a'], start: 'latest' });
      await sub.joined();
      sub.addTopics(['tape:b']);
      const e = Array.from({ length: 5 }, (_, i) => trade(factory, 'b', 't', i / 10));
      await bus.publish('tape:b', e);
      const got = await collect(sub, 5);
      await sub.close();
      expect(got.map((d) => d.event.event_id)).toEqual(e.map((x) => x.event_id));
    });

    it('follows topics added after subscribing', async () => {
      const bus = await make();
      const { factory } = testFactory(6);
      const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:a'] });
      sub.addTopics(['tape:b']);
      const e = trade(factory, 'b', 't', 0.5);
      await bus.publish('tape:b', [e]);
      const got = await collect(sub, 1);
      await sub.close();
      expect(got.map((d) => d.event.event_id)).toEqual([e.event_id]);
      expect(await bus.topics()).toContain('tape:b');
    });

    it('stops delivering a removed topic and keeps delivering the others', async () => {
      const bus = await make();
      const { factory } = testFactory(12);
      const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:a', 'tape:b'], start: 'latest' });
      await sub.joined();
      const first = trade(factory, 'b', 't', 0.1);
      await bus.publish('tape:b', [first]);
      expect((await collect(sub, 1)).map((d) => d.event.event_id)).toEqual([first.event_id]);
      sub.removeTopics(['tape:b']);
      await sub.joined();
      const gone = trade(factory, 'b', 't', 0.2);
      const kept = trade(factory, 'a', 't', 0.3);
      await bus.publish('tape:b', [gone]);
      await bus.publish('tape:a', [kept]);
      const got = await collect(sub, 2, { timeoutMs: 1_500 });
      await sub.close();
      expect(got.map((d) => d.event.event_id)).toEqual([kept.event_id]);
    });

    describe.skipIf(!h.stall)('backpressure', () => {
      const overflowCase = async (overflow: 'drop_oldest' | 'coalesce' | 'halt') => {
        const halts: string[] = [];
        const bus = await make({ default: { queue_size: 10, overflow, max_len: 10_000 } }, { onHalt: (t: string) => halts.push(t) });
        const { factory } = testFactory(7);
        const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
        const release = await h.stall!(bus);
        // 3 tokens, 10 updates each: 30 events into a queue of 10.
        const events = Array.from({ length: 30 }, (_, i) => trade(factory, 'm', `tok${i % 3}`, i / 100));
        // One publish per event with a turn of the event loop between them, so a stalled transport
        // really holds a batch in flight while the rest pile up.
        const published: Promise<void>[] = [];
        for (const e of events) {
          published.push(bus.publish('tape:m', [e]));
          await new Promise((r) => setImmediate(r));
        }
        await release();
        await Promise.all(published);
        const got = await collect(sub, 30, { timeoutMs: 1_500 });
        await sub.close();
        return { got: got.map((d) => d.event.event_id), events, halts, stats: bus.stats() };
      };

      // At most one batch already in flight when the stall began may get through beyond the queue.
      it('drop_oldest keeps the newest queue_size events', async () => {
        const { got, events, stats } = await overflowCase('drop_oldest');
        expect(got.slice(-10)).toEqual(events.slice(20).map((e) => e.event_id));
        expect(got.length).toBeLessThanOrEqual(11);
        expect(stats.dropped).toBe(30 - got.length);
      });

      it('coalesce keeps the newest event per key when full', async () => {
        const { got, events, stats } = await overflowCase('coalesce');
        // The first 10 fill the queue; every later event replaces the queued one of its token.
        expect(got.length).toBeGreaterThanOrEqual(10);
        expect(got.length).toBeLessThanOrEqual(11);
        const lastPerToken = [27, 28, 29].map((i) => events[i]!.event_id);
        for (const id of lastPerToken) expect(got).toContain(id);
        expect(stats.coalesced).toBeGreaterThan(0);
        expect(stats.coalesced + stats.dropped).toBe(30 - got.length);
      });

      it('halt keeps everything and raises a halt for the topic', async () => {
        const { got, events, halts, stats } = await overflowCase('halt');
        expect(got).toEqual(events.map((e) => e.event_id));
        expect(halts).toEqual(['tape:m']);
        expect(stats.dropped + stats.coalesced).toBe(0);
      });
    });
  });
}

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** SKIPPING the Redis half of the bus contract: redis-server is not installed ***\n');

contract(
  'InMemoryBus',
  () => {
    const { clock } = testFactory(0);
    return {
      make: async (config, hooks) => new InMemoryBus(config, clock, hooks),
      passIdle: async (ms) => clock.advanceBy(ms),
      stall: async () => async () => {},
    };
  },
  false,
);

contract(
  'RedisStreamsBus',
  () => ({
    make: (config, hooks) => RedisStreamsBus.connect({ ...config, kind: 'redis', redis_url: redisUrl }, redisUrl, new SystemClock(), hooks),
    passIdle: (ms) => new Promise((r) => setTimeout(r, ms)),
    stall: async () => {
      const admin = createClient({ url: redisUrl });
      await admin.connect();
      await admin.sendCommand(['CLIENT', 'PAUSE', '400', 'WRITE']);
      return async () => {
        await new Promise((r) => setTimeout(r, 450));
        await admin.quit();
      };
    },
  }),
  !redisUrl,
);
