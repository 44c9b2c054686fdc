import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { HotPathStage, StageRecorder } from '../../src/adapters/metrics/stage-latency.ts';
import { tapeRig } from './support/tape-rig.ts';

const M = '0xm';

/** The tape's two in-process hot-path stages, timed on the injected clock's monotonic reading. */
describe('market tape stage timing (frame_to_book, book_to_best_price)', () => {
  it('times a data frame to its books, and a top-of-book change to the BEST_PRICE that carries it (its oldest change)', () => {
    const clock = new VirtualClock(1_000);
    const samples: Array<[HotPathStage, number]> = [];
    const stages: StageRecorder = { record: (stage, ms) => void samples.push([stage, ms]) };
    const { sink, publisher, books, frame } = tapeRig(clock, ['A'], { bestPriceFlushMs: 100, stages });
    publisher.start(() => books.states(), (t) => books.books.get(t));
    frame({ event_type: 'book', asset_id: 'A', market: M, bids: [{ price: '0.4', size: '10' }], asks: [{ price: '0.6', size: '5' }], timestamp: '1', hash: 'h', tick_size: '0.01' });
    const level = (size: string) =>
      frame({ market: M, price_changes: [{ asset_id: 'A', price: '0.4', size, side: 'BUY', hash: 'x', best_bid: '0.4', best_ask: '0.6' }], timestamp: '2', event_type: 'price_change' });
    frame('not json');
    // The snapshot's own top of book goes out at once (nothing published before it).
    clock.advanceBy(0);
    expect(samples).toEqual([
      ['frame_to_book', 0],
      ['book_to_best_price', 0],
    ]);
    samples.length = 0;

    // Within the 100 ms floor: the change at +10 ms and the one at +50 ms wait for +100 ms together.
    clock.advanceBy(10);
    level('11');
    clock.advanceBy(40);
    level('12');
    clock.advanceBy(50);
    expect(samples).toEqual([
      ['frame_to_book', 0],
      ['frame_to_book', 0],
      ['book_to_best_price', 90],
    ]);
    expect(sink.events.filter((e) => e.type === 'BEST_PRICE')).toHaveLength(2);
  });

  it('reads no clock per frame when nothing times it', () => {
    const clock = new VirtualClock(0);
    let reads = 0;
    const counting = Object.assign(Object.create(clock) as VirtualClock, { monotonicNow: () => (reads++, clock.monotonicNow()) });
    const { books } = tapeRig(clock, ['A'], {}, counting);
    books.handleFrame(JSON.stringify({ event_type: 'book', asset_id: 'A', market: M, bids: [{ price: '0.4', size: '10' }], asks: [], timestamp: '1', hash: 'h', tick_size: '0.01' }));
    expect(reads).toBe(0);
  });
});
