import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BoundedQueue, type ByteLedger } from '../../src/adapters/bus/bounded-queue.ts';
import type { Delivery, Subscription } from '../../src/adapters/bus/event-bus.ts';
import { estimateEventBytes } from '../../src/adapters/bus/event-size.ts';
import { InMemoryBus } from '../../src/adapters/bus/in-memory-bus.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { busConfig, testFactory, trade } from '../support/events.ts';

async function readAll(sub: Subscription, expected: number): Promise<Delivery[]> {
  const got: Delivery[] = [];
  if (expected === 0) return got;
  for await (const batch of sub) {
    got.push(...batch);
    await sub.ack(batch);
    if (got.length >= expected) break;
  }
  return got;
}

describe('in-memory bus retention: one byte budget for the whole bus', () => {
  it('accounts retained events in bytes and evicts the oldest across topics to stay within the budget', async () => {
    const { clock, factory } = testFactory(21);
    const sample = trade(factory, 'm0', 't0', 0.5);
    const perEvent = estimateEventBytes(sample);
    // Room for about 250 events, while 40 topics × 50 events are published (each topic well under max_len).
    const budget = perEvent * 250;
    const bus = new InMemoryBus(busConfig({ memory_budget_bytes: budget }), clock);
    const published: HeliosEvent[] = [];
    for (let round = 0; round < 50; round++) {
      for (let m = 0; m < 40; m++) {
        const e = trade(factory, `m${m}`, `t${m}`, (round % 90) / 100 + 0.01);
        published.push(e);
        await bus.publish(`tape:m${m}`, [e]);
        expect(bus.stats().retained_bytes).toBeLessThanOrEqual(budget);
      }
    }
    const stats = bus.stats();
    const retainedCount = published.length - stats.retention_evicted;
    // What is kept is exactly the newest suffix of everything published, whatever the topic.
    const kept = published.slice(published.length - retainedCount);
    expect(stats.retained_bytes).toBe(kept.reduce((n, e) => n + estimateEventBytes(e), 0));
    expect(stats.retained_bytes).toBeGreaterThan(budget - 2 * perEvent);
    expect(retainedCount).toBeGreaterThan(200);
    expect(retainedCount).toBeLessThan(300);

    // A group created now sees, per topic, only the retained (newest) events: the oldest round is gone everywhere.
    let total = 0;
    for (let m = 0; m < 40; m++) {
      const topic = `tape:m${m}`;
      const expected = kept.filter((e) => e.market_id === `m${m}`).map((e) => e.event_id);
      expect(await bus.backlog(topic)).toBe(expected.length);
      const sub = bus.subscribe({ group: `late-${m}`, consumer: 'c', topics: [topic], start: 'earliest' });
      const got = await readAll(sub, expected.length);
      await sub.close();
      expect(got.map((d) => d.event.event_id)).toEqual(expected);
      total += got.length;
    }
    expect(total).toBe(retainedCount);
    await bus.close();
  });

  it('gives back the bytes of events trimmed by a topic max_len, so the budget only evicts what it must', async () => {
    const { clock, factory } = testFactory(22);
    const bus = new InMemoryBus(busConfig({ memory_budget_bytes: 10_000_000, default: { queue_size: 1000, overflow: 'drop_oldest', max_len: 100 } }), clock);
    const events = Array.from({ length: 5000 }, (_, i) => trade(factory, 'm', 't', (i % 90) / 100 + 0.01));
    for (const e of events) await bus.publish('tape:m', [e]);
    const retained = await bus.backlog('tape:m');
    expect(retained).toBeGreaterThanOrEqual(100);
    expect(retained).toBeLessThanOrEqual(110);
    const stats = bus.stats();
    expect(stats.retention_evicted).toBe(0);
    expect(stats.retained_bytes).toBe(events.slice(-retained).reduce((n, e) => n + estimateEventBytes(e), 0));
    await bus.close();
  });

  it('a budget of zero retains nothing, yet a live group still gets every event of a halt topic', async () => {
    const { clock, factory } = testFactory(23);
    const halt = { queue_size: 1000, overflow: 'halt' as const, max_len: 1000 };
    const bus = new InMemoryBus(busConfig({ memory_budget_bytes: 0, channels: { order: halt } }), clock);
    const sub = bus.subscribe({ group: 'live', consumer: 'c', topics: ['order:m'], start: 'latest' });
    const events = Array.from({ length: 20 }, (_, i) => trade(factory, 'm', 't', i / 100 + 0.01));
    await bus.publish('order:m', events);
    const got = await readAll(sub, 20);
    await sub.close();
    expect(got.map((d) => d.event.event_id)).toEqual(events.map((e) => e.event_id));
    expect(bus.stats()).toMatchObject({ retained_bytes: 0, retention_evicted: 20, shed: 0 });
    expect(await bus.backlog('order:m')).toBe(0);
    await bus.close();
  });

  it('counts a lagging group\'s queued events in the same budget: past it the group loses its oldest (never on halt topics)', async () => {
    const { clock, factory } = testFactory(24);
    const perEvent = estimateEventBytes(trade(factory, 'm', 't', 0.5));
    const budget = perEvent * 100;
    const halt = { queue_size: 100_000, overflow: 'halt' as const, max_len: 100_000 };
    const bus = new InMemoryBus(busConfig({ memory_budget_bytes: budget, channels: { order: halt } }), clock);
    // Subscribed, never reading: its queues only grow.
    const lagging = bus.subscribe({ group: 'slow', consumer: 'c', topics: ['tape:m', 'order:m'], start: 'latest' });
    const tape = Array.from({ length: 1000 }, (_, i) => trade(factory, 'm', 't', (i % 90) / 100 + 0.01));
    for (const e of tape) {
      await bus.publish('tape:m', [e]);
      const s = bus.stats();
      expect(s.retained_bytes + s.queued_bytes).toBeLessThanOrEqual(budget);
    }
    const s = bus.stats();
    expect(s.retained_bytes).toBe(0);
    expect(s.shed).toBeGreaterThan(850);
    expect(s.dropped).toBe(s.shed);
    // The backlog kept is the newest events, in order.
    const kept = 1000 - s.shed;
    expect(await bus.backlog('tape:m', 'slow')).toBe(kept);
    const got = await readAll(lagging, kept);
    expect(got.map((d) => d.event.event_id)).toEqual(tape.slice(-kept).map((e) => e.event_id));

    // A halt topic's backlog is never shed, even over budget.
    const orders = Array.from({ length: 300 }, (_, i) => trade(factory, 'm', 't', (i % 90) / 100 + 0.01));
    await bus.publish('order:m', orders);
    expect(await bus.backlog('order:m', 'slow')).toBe(300);
    await lagging.close();
    await bus.close();
  });

  it('retained_budget_bytes caps what is kept for late readers, while a lagging group\'s queue still has the whole memory budget', async () => {
    const { clock, factory } = testFactory(26);
    const perEvent = estimateEventBytes(trade(factory, 'm', 't', 0.5));
    const bus = new InMemoryBus(busConfig({ memory_budget_bytes: perEvent * 1000, retained_budget_bytes: perEvent * 50 }), clock);
    const lagging = bus.subscribe({ group: 'slow', consumer: 'c', topics: ['tape:m'], start: 'latest' });
    const tape = Array.from({ length: 600 }, (_, i) => trade(factory, 'm', 't', (i % 90) / 100 + 0.01));
    for (const e of tape) {
      await bus.publish('tape:m', [e]);
      expect(bus.stats().retained_bytes).toBeLessThanOrEqual(perEvent * 50);
    }
    const s = bus.stats();
    expect(s.retained_bytes).toBe(perEvent * 50);
    expect(s.retention_evicted).toBe(550);
    // The queue is within the whole budget: nothing of it was shed.
    expect(s.shed).toBe(0);
    expect(await bus.backlog('tape:m', 'slow')).toBe(600);
    // A group joining now from the earliest gets what is retained: the newest 50.
    const late = bus.subscribe({ group: 'late', consumer: 'c', topics: ['tape:m'], start: 'earliest' });
    const got = await readAll(late, 50);
    expect(got.map((d) => d.event.event_id)).toEqual(tape.slice(-50).map((e) => e.event_id));
    await late.close();
    await lagging.close();
    await bus.close();
  });

  it('a group queue lets go of the events it delivered (no slot keeps them alive until compaction)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { factory } = testFactory(25);
    const ledger: ByteLedger = { bytes: 0 };
    const hooks = { dropped: () => {}, coalesced: () => {}, halted: () => {} };
    const queue = new BoundedQueue('tape:m', { queue_size: 10_000, overflow: 'drop_oldest', max_len: 10_000 }, hooks, ledger);
    const refs: Array<WeakRef<object>> = [];
    // Fewer than the compaction threshold: only clearing each slot as it is taken releases them.
    for (let i = 0; i < 500; i++) {
      const e = trade(factory, 'm', 't', 0.5);
      refs.push(new WeakRef(e));
      queue.push(e, null, String(i), 100);
    }
    expect(ledger.bytes).toBe(500 * 100);
    expect(queue.take(300)).toHaveLength(300);
    for (let i = 0; i < 100; i++) queue.shed();
    expect(ledger.bytes).toBe(100 * 100);
    await new Promise((r) => setTimeout(r, 0));
    gc();
    await new Promise((r) => setTimeout(r, 0));
    expect(refs.slice(0, 400).filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(refs.slice(400).filter((r) => r.deref() !== undefined)).toHaveLength(100);
  });
});
