import { describe, expect, it } from 'vitest';
import { InMemoryBus } from '../../src/adapters/bus/in-memory-bus.ts';
import { busConfig, testFactory, trade } from '../support/events.ts';

/**
 * The in-memory bus acknowledges as `ack` returns: the consumer's loop awaits one settled promise
 * per batch, not a chain of promises made for nothing, and what it counts is already true.
 */
describe('in-memory bus: an ack is complete as it returns', () => {
  it('counts the batch acknowledged and settles its entries before the returned promise is awaited', async () => {
    const { clock, factory } = testFactory(7);
    const bus = new InMemoryBus(busConfig(), clock);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
    await bus.publish('tape:m', [trade(factory, 'm', 't', 0.1), trade(factory, 'm', 't', 0.2)]);
    const it = sub[Symbol.asyncIterator]();
    const batch = (await it.next()).value!;
    expect(batch).toHaveLength(2);
    const acking = sub.ack(batch);
    expect(sub.stats.acked).toBe(2);
    expect(await bus.backlog('tape:m', 'g')).toBe(0);
    await acking;
    await sub.close();
  });
});
