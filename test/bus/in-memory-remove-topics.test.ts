import { describe, expect, it } from 'vitest';
import type { Delivery, Subscription } from '../../src/adapters/bus/event-bus.ts';
import { InMemoryBus } from '../../src/adapters/bus/in-memory-bus.ts';
import { busConfig, testFactory, trade } from '../support/events.ts';

async function readOne(sub: Subscription): Promise<Delivery[]> {
  for await (const batch of sub) {
    await sub.ack(batch);
    return batch;
  }
  return [];
}

/**
 * A topic a consumer stopped reading (a retired market's) must not keep a queue for it in the
 * in-memory bus: nobody would ever take what piles up there. On a `halt` topic (control) nothing is
 * ever shed, so it would grow without bound and, past queue_size, halt the market over backpressure.
 */
describe('in-memory bus: a topic its group no longer reads queues nothing', () => {
  it('events published after the last consumer removed the topic are not queued, and no backpressure halt follows', async () => {
    const { clock, factory } = testFactory(3);
    const halts: string[] = [];
    const bus = new InMemoryBus(busConfig({ default: { queue_size: 10, overflow: 'halt', max_len: 10_000 } }), clock, { onHalt: (t) => halts.push(t) });
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m0', 'tape:m1'] });
    // One event arrived and was not read yet when the market left (its own MARKET_RETIRED alert does so).
    await bus.publish('tape:m0', [trade(factory, 'm0', 't0', 0.1)]);
    sub.removeTopics(['tape:m0']);
    expect(bus.stats().queued_bytes).toBe(0);
    for (let i = 0; i < 30; i++) await bus.publish('tape:m0', [trade(factory, 'm0', 't0', 0.2)]);
    expect(await bus.backlog('tape:m0', 'g')).toBe(0);
    expect(bus.stats().queued_bytes).toBe(0);
    expect(halts).toEqual([]);
    // The topic it still reads is delivered as before.
    const kept = trade(factory, 'm1', 't1', 0.3);
    await bus.publish('tape:m1', [kept]);
    expect((await readOne(sub)).map((d) => d.event.event_id)).toEqual([kept.event_id]);
    await sub.close();
  });

  it('another consumer of the group still reading the topic keeps getting it', async () => {
    const { clock, factory } = testFactory(4);
    const bus = new InMemoryBus(busConfig(), clock);
    const leaving = bus.subscribe({ group: 'g', consumer: 'a', topics: ['tape:m0'] });
    const staying = bus.subscribe({ group: 'g', consumer: 'b', topics: ['tape:m0'] });
    leaving.removeTopics(['tape:m0']);
    const e = trade(factory, 'm0', 't0', 0.4);
    await bus.publish('tape:m0', [e]);
    expect((await readOne(staying)).map((d) => d.event.event_id)).toEqual([e.event_id]);
    await leaving.close();
    await staying.close();
  });

  it('forgets the topics of markets that left once nothing of them is retained: the topic map does not grow with them', async () => {
    const { clock, factory } = testFactory(5);
    // A retained budget of a few events: those of markets gone long ago are evicted by newer ones.
    const bus = new InMemoryBus(busConfig({ retained_budget_bytes: 4 * 1024 }), clock);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['control:_'], start: 'latest' });
    const topicsAfter = async (markets: number, from: number) => {
      for (let i = from; i < from + markets; i++) {
        const topics = [`tape:m${i}`, `l2:m${i}`];
        sub.addTopics(topics);
        for (const t of topics) await bus.publish(t, [trade(factory, `m${i}`, `t${i}`, 0.5)]);
        // Published by the trading side, read by no group of this process.
        await bus.publish(`orders:m${i}`, [trade(factory, `m${i}`, `t${i}`, 0.5)]);
        let read = 0;
        while (read < topics.length) read += (await readOne(sub)).length;
        sub.removeTopics(topics);
      }
      return (await bus.topics()).length;
    };
    const after50 = await topicsAfter(50, 0);
    const after500 = await topicsAfter(450, 50);
    expect(after500).toBeLessThanOrEqual(after50);
    // What is still retained stays readable by a late group; the topic still read stays.
    expect(await bus.topics()).toContain('control:_');
    expect(await bus.backlog('orders:m499')).toBe(1);
    await sub.close();
  });

  it('a topic forgotten right after a publish to it starts afresh when published to and read again', async () => {
    const { clock, factory } = testFactory(6);
    // Nothing fits the retained budget: each publish evicts its own event, and the topic goes with it.
    const bus = new InMemoryBus(busConfig({ retained_budget_bytes: 1 }), clock);
    await bus.publish('tape:x', [trade(factory, 'x', 't', 0.5)]);
    expect(await bus.topics()).toEqual([]);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:x'], start: 'latest' });
    const e = trade(factory, 'x', 't', 0.6);
    await bus.publish('tape:x', [e]);
    expect(await bus.topics()).toEqual(['tape:x']);
    expect(await bus.backlog('tape:x', 'g')).toBe(1);
    expect((await readOne(sub)).map((d) => d.event.event_id)).toEqual([e.event_id]);
    await sub.close();
  });
});
