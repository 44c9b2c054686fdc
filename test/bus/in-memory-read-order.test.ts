import { describe, expect, it } from 'vitest';
import type { Delivery, Subscription } from '../../src/adapters/bus/event-bus.ts';
import { InMemoryBus } from '../../src/adapters/bus/in-memory-bus.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { busConfig, testFactory, trade } from '../support/events.ts';

/**
 * The in-memory bus reads only the groups that have something queued; what a read returns must be
 * exactly the oldest queued events of the subscribed topics in publish order, across topics (a
 * backlog caught up topic by topic would hand a time-keeping consumer one topic's latest events
 * before another's older ones). A model with one queue for the whole bus is the reference.
 */
class PublishOrderModel {
  readonly topics: string[] = [];
  private queue: string[] = [];
  add(topic: string): void {
    if (!this.topics.includes(topic)) this.topics.push(topic);
  }
  /** Events of topics nobody reads yet are not queued for this group (it starts at `latest`). */
  publish(topic: string, ids: string[]): void {
    if (this.topics.includes(topic)) this.queue.push(...ids.map((id) => `${topic}/${id}`));
  }
  read(budget: number): string[] {
    return this.queue.splice(0, budget);
  }
  queued(): number {
    return this.queue.length;
  }
}

async function read(sub: Subscription): Promise<Delivery[]> {
  const next = await sub[Symbol.asyncIterator]().next();
  const batch = next.done ? [] : next.value;
  await sub.ack(batch);
  return batch;
}

describe('in-memory bus: reads of the ready groups', () => {
  it.each([1, 2, 3])('return the oldest events of every subscribed topic in publish order (seed %i)', async (seed) => {
    const READ_BATCH = 7;
    const bus = new InMemoryBus(busConfig({ read_batch: READ_BATCH }), new VirtualClock(0));
    const { factory } = testFactory(seed);
    const rng = seededRng(seed);
    const pick = (n: number) => Math.floor(rng() * n);
    const names = Array.from({ length: 40 }, (_, i) => `tape:m${String((i * 7919) % 97).padStart(2, '0')}`);
    const model = new PublishOrderModel();
    const initial = names.slice(0, 25);
    for (const t of initial) model.add(t);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: initial, start: 'latest' });
    let reads = 0;
    for (let step = 0; step < 600; step++) {
      const roll = rng();
      if (roll < 0.5) {
        const topic = names[pick(names.length)]!;
        const events = Array.from({ length: 1 + pick(4) }, () => trade(factory, topic, 't', 0.5));
        await bus.publish(topic, events);
        model.publish(topic, events.map((e) => e.event_id));
      } else if (roll < 0.53) {
        // A topic subscribed later (start: latest): its group, and so its queue, begins then.
        const topic = names[25 + pick(15)]!;
        if (!model.topics.includes(topic)) {
          model.add(topic);
          sub.addTopics([topic]);
        }
      } else if (model.queued() > 0) {
        const got = (await read(sub)).map((d) => `${d.topic}/${d.event.event_id}`);
        expect(got).toEqual(model.read(READ_BATCH));
        reads++;
      }
    }
    while (model.queued() > 0) expect((await read(sub)).map((d) => `${d.topic}/${d.event.event_id}`)).toEqual(model.read(READ_BATCH));
    expect(reads).toBeGreaterThan(100);
    await sub.close();
    await bus.close();
  });

  it('competing consumers of one group share the queue, each event once', async () => {
    const bus = new InMemoryBus(busConfig({ read_batch: 5 }), new VirtualClock(0));
    const { factory } = testFactory(9);
    const topics = ['tape:a', 'tape:b', 'tape:c'];
    const one = bus.subscribe({ group: 'g', consumer: 'one', topics });
    const two = bus.subscribe({ group: 'g', consumer: 'two', topics });
    const published: string[] = [];
    const seen: string[] = [];
    for (let round = 0; round < 20; round++) {
      for (const t of topics) {
        const events = [trade(factory, t, 't', 0.1), trade(factory, t, 't', 0.2)];
        await bus.publish(t, events);
        published.push(...events.map((e) => e.event_id));
      }
      seen.push(...(await read(round % 2 ? one : two)).map((d) => d.event.event_id));
    }
    while (seen.length < published.length) seen.push(...(await read(one)).map((d) => d.event.event_id));
    expect(seen.slice().sort()).toEqual(published.slice().sort());
    expect(new Set(seen).size).toBe(published.length);
    await one.close();
    await two.close();
    await bus.close();
  });
});

describe('in-memory bus: reads whose groups moved under the reader', () => {
  it('a group queued again from its log (a replaying consumer joined it) is read from its new, older head', async () => {
    // No dedup: the reader is handed what it read before again, as the group queues it again.
    const bus = new InMemoryBus(busConfig({ read_batch: 100, dedup_window: 0 }), new VirtualClock(0));
    const { factory } = testFactory(4);
    const reader = bus.subscribe({ group: 'g', consumer: 'reader', topics: ['tape:a', 'tape:b'], start: 'latest' });
    const publish = async (topic: string, label: string) => {
      const event = trade(factory, topic, 't', 0.5);
      await bus.publish(topic, [event]);
      return [event.event_id, label] as const;
    };
    const labels = new Map([await publish('tape:a', 'a1'), await publish('tape:b', 'b1'), await publish('tape:a', 'a2')]);
    expect((await read(reader)).map((d) => labels.get(d.event.event_id))).toEqual(['a1', 'b1', 'a2']);
    for (const [id, label] of [await publish('tape:b', 'b2'), await publish('tape:a', 'a3')]) labels.set(id, label);
    // Queues a1, a2, a3 again in the group `reader` reads (the joiner itself never reads).
    const joiner = bus.subscribe({ group: 'g', consumer: 'joiner', topics: ['tape:a'], start: 'replay' });
    expect((await read(reader)).map((d) => labels.get(d.event.event_id))).toEqual(['a1', 'a2', 'b2', 'a3']);
    await joiner.close();
    await reader.close();
    await bus.close();
  });

  it.each(['drop_oldest', 'coalesce'] as const)('queues overflowing (%s) between reads still read in publish order', async (overflow) => {
    const bus = new InMemoryBus(busConfig({ read_batch: 5, default: { queue_size: 4, overflow, max_len: 100 } }), new VirtualClock(0));
    const { factory } = testFactory(6);
    const rng = seededRng(6);
    const topics = Array.from({ length: 12 }, (_, i) => `tape:m${i}`);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics, start: 'latest' });
    let last = 0;
    let read_ = 0;
    for (let step = 0; step < 2_000; step++) {
      if (rng() < 0.93) {
        const topic = topics[Math.floor(rng() * topics.length)]!;
        await bus.publish(topic, [trade(factory, topic, `t${Math.floor(rng() * 3)}`, 0.5)]);
      } else if (!sub.caughtUp) {
        for (const d of await read(sub)) {
          // Entry ids are the bus's publish sequence.
          expect(Number(d.id)).toBeGreaterThan(last);
          last = Number(d.id);
          read_++;
        }
      }
    }
    expect(read_).toBeGreaterThan(500);
    expect(bus.stats().dropped + bus.stats().coalesced).toBeGreaterThan(100);
    await sub.close();
    await bus.close();
  });
});

describe('in-memory bus: a consumer when the bus closes', () => {
  it('ends its iteration, whether it was waiting or reads only afterwards, without asking again and again', async () => {
    const clock = new VirtualClock(0);
    const bus = new InMemoryBus(busConfig(), clock);
    const waiting = bus.subscribe({ group: 'g', consumer: 'c1', topics: ['tape:a'] });
    const later = bus.subscribe({ group: 'h', consumer: 'c1', topics: ['tape:a'] });
    // Every pull asks whether the bus is closed: a consumer that kept asking would hit this limit.
    let asked = 0;
    const closedNow = Object.getOwnPropertyDescriptor(InMemoryBus.prototype, 'isClosed')!.get!;
    Object.defineProperty(bus, 'isClosed', {
      get() {
        if (++asked > 1_000) throw new Error('the consumer keeps pulling from a closed bus');
        return closedNow.call(bus);
      },
    });
    const pending = waiting[Symbol.asyncIterator]().next();
    await bus.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await later[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
    expect(asked).toBeLessThan(10);
  });
});
