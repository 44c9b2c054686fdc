import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { EventFactory, ulidGenerator, type HeliosEvent } from '../../src/domain/events/index.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { DispatchPump } from '../../src/runtime/trading/dispatch-pump.ts';

const T0 = 1_700_000_000_000;

/** Counts event-loop turns (one setImmediate per turn) until stopped. */
function turnCounter() {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      running = false;
      return turns;
    },
  };
}

describe('dispatch pump: book deltas do not cost a loop turn each', () => {
  it('drains a burst of L2_DELTA in a few turns, while each BEST_PRICE still settles', async () => {
    const clock = new VirtualClock(T0);
    const events = new EventFactory(clock, ulidGenerator(seededRng(1)));
    const applied: string[] = [];
    const pump = new DispatchPump({ clock, apply: (e: HeliosEvent) => (applied.push(e.type), true) });
    const delta = () => events.make('L2_DELTA', { resync_epoch_id: 0, side: 'BUY', price: 0.4, size: 1, best_bid: 0.4, best_ask: 0.6 }, { token_id: 'A', market_id: 'M' });
    const best = () =>
      events.make('BEST_PRICE', { resync_epoch_id: 0, synced: true, best_bid: 0.4, best_bid_size: 1, best_ask: 0.6, best_ask_size: 1, updates_coalesced: 1 }, { token_id: 'A', market_id: 'M' });

    const deltas = turnCounter();
    for (let i = 0; i < 1_000; i++) pump.push({ kind: 'event', event: delta() });
    await pump.drained();
    const deltaTurns = deltas.stop();
    expect(applied.length).toBe(1_000);
    expect(deltaTurns).toBeLessThan(10); // one turn per delta before: ≥ 1,000

    const signals = turnCounter();
    for (let i = 0; i < 20; i++) pump.push({ kind: 'event', event: best() });
    await pump.drained();
    // A signal reaches market actors, whose consequences (orders, acks) settle before the next input.
    expect(signals.stop()).toBeGreaterThanOrEqual(20);
    expect(applied.length).toBe(1_020);
  });
});
