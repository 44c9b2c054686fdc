import { describe, expect, it } from 'vitest';
import { BusSink } from '../../src/adapters/bus/bus-sink.ts';
import type { EventBus } from '../../src/adapters/bus/event-bus.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { testFactory, trade } from '../support/events.ts';

/** A bus that records what each publish was handed (copied: the contract lets the caller reuse the array). */
function recordingBus(onPublish?: (topic: string) => void) {
  const calls: Array<{ topic: string; events: HeliosEvent[]; batch: readonly HeliosEvent[] }> = [];
  const bus = {
    kind: 'in_memory',
    publish(topic: string, events: readonly HeliosEvent[]) {
      calls.push({ topic, events: [...events], batch: events });
      onPublish?.(topic);
      return Promise.resolve();
    },
  } as unknown as EventBus;
  return { bus, calls };
}

describe('bus sink', () => {
  it('publishes each event alone to its topic and keeps none of them once the publish returned', () => {
    const { bus, calls } = recordingBus();
    const sink = new BusSink(bus);
    const { factory } = testFactory(1);
    const a = trade(factory, 'mA', 'tA', 0.5);
    const b = trade(factory, 'mB', 'tB', 0.6);
    sink.emit(a);
    sink.emit(b);
    expect(calls.map((c) => [c.topic, c.events])).toEqual([
      ['tape:mA', [a]],
      ['tape:mB', [b]],
    ]);
    // The batch handed over is not left holding the event (it would stay reachable until the next emit).
    for (const c of calls) expect(c.batch.every((e) => e === null)).toBe(true);
  });

  it('an emit from inside a publish (an overflow hook halting a market) is published too, with its own batch', () => {
    const { factory } = testFactory(2);
    const halt = trade(factory, 'mH', 'tH', 0.1);
    let sink: BusSink | null = null;
    const { bus, calls } = recordingBus((topic) => {
      if (topic === 'tape:mA') sink!.emit(halt);
    });
    sink = new BusSink(bus);
    const a = trade(factory, 'mA', 'tA', 0.5);
    sink.emit(a);
    expect(calls.map((c) => [c.topic, c.events])).toEqual([
      ['tape:mA', [a]],
      ['tape:mH', [halt]],
    ]);
    expect(calls[0]!.batch).not.toBe(calls[1]!.batch);
  });
});
