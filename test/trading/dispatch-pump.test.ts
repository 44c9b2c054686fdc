import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { EventFactory, ulidGenerator, type HeliosEvent } from '../../src/domain/events/index.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { DispatchPump, INPUTS_PER_TURN } from '../../src/runtime/trading/dispatch-pump.ts';

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

describe('dispatch pump: a loop turn only after an input that started asynchronous work', () => {
  it('drains a burst of inputs that started nothing in a few turns, and settles after each that did', async () => {
    const clock = new VirtualClock(T0);
    const events = new EventFactory(clock, ulidGenerator(seededRng(1)));
    const applied: string[] = [];
    // Stands in for the node: a BEST_PRICE "starts a venue call" when asked to, nothing else does.
    let startsWork = false;
    const pump = new DispatchPump({ clock, apply: (e: HeliosEvent) => (applied.push(e.type), e.type === 'BEST_PRICE' && startsWork) });
    const delta = () => events.make('L2_DELTA', { resync_epoch_id: 0, side: 'BUY', price: 0.4, size: 1, best_bid: 0.4, best_ask: 0.6 }, { token_id: 'A', market_id: 'M' });
    const best = () =>
      events.make('BEST_PRICE', { resync_epoch_id: 0, synced: true, best_bid: 0.4, best_bid_size: 1, best_ask: 0.6, best_ask_size: 1, updates_coalesced: 1 }, { token_id: 'A', market_id: 'M' });

    const quiet = turnCounter();
    for (let i = 0; i < 1_000; i++) pump.push({ kind: 'event', event: i % 2 ? delta() : best() });
    await pump.drained();
    const quietTurns = quiet.stop();
    expect(applied.length).toBe(1_000);
    // One turn per input before (≥ 1,000); now one per INPUTS_PER_TURN, so a backlog still lets
    // the socket in now and then.
    expect(quietTurns).toBeLessThanOrEqual(Math.ceil(1_000 / INPUTS_PER_TURN) + 2);
    expect(quietTurns).toBeGreaterThanOrEqual(Math.floor(1_000 / INPUTS_PER_TURN));

    startsWork = true;
    const busy = turnCounter();
    for (let i = 0; i < 20; i++) pump.push({ kind: 'event', event: best() });
    await pump.drained();
    // What an input started (orders, acks) settles before the next input.
    expect(busy.stop()).toBeGreaterThanOrEqual(20);
    expect(applied.length).toBe(1_020);
  });

  it('lets the continuations of started work run before the next input is applied', async () => {
    const clock = new VirtualClock(T0);
    const events = new EventFactory(clock, ulidGenerator(seededRng(2)));
    const seen: string[] = [];
    const pump = new DispatchPump({
      clock,
      apply: (e: HeliosEvent) => {
        seen.push(`apply ${e.payload && 'best_bid' in e.payload ? e.payload.best_bid : '?'}`);
        if (seen.length > 1) return false;
        // A chain of continuations, as an ack that publishes a risk change which reaches an actor.
        void Promise.resolve()
          .then(() => Promise.resolve())
          .then(() => seen.push('ack settled'));
        return true;
      },
    });
    const best = (bid: number) =>
      events.make('BEST_PRICE', { resync_epoch_id: 0, synced: true, best_bid: bid, best_bid_size: 1, best_ask: 0.6, best_ask_size: 1, updates_coalesced: 1 }, { token_id: 'A', market_id: 'M' });
    pump.push({ kind: 'event', event: best(0.1) });
    pump.push({ kind: 'event', event: best(0.2) });
    pump.push({ kind: 'event', event: best(0.3) });
    await pump.drained();
    expect(seen).toEqual(['apply 0.1', 'ack settled', 'apply 0.2', 'apply 0.3']);
  });
});

describe('dispatch pump: memory', () => {
  it('lets go of each input once applied (no queue slot keeps a backlog alive until a compaction)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const clock = new VirtualClock(T0);
    const events = new EventFactory(clock, ulidGenerator(seededRng(3)));
    const refs: Array<WeakRef<object>> = [];
    // The first input started work: the pump yields a turn, and the rest queue behind it.
    const pump = new DispatchPump({ clock, apply: (e: HeliosEvent) => e.type === 'BEST_PRICE' && e.payload.best_bid === 0.1 });
    const push = (bid: number) => {
      const event = events.make('BEST_PRICE', { resync_epoch_id: 0, synced: true, best_bid: bid, best_bid_size: 1, best_ask: 0.6, best_ask_size: 1, updates_coalesced: 1 }, { token_id: 'A', market_id: 'M' });
      refs.push(new WeakRef(event));
      pump.push({ kind: 'event', event });
    };
    // Fewer than the 4,096 inputs a compaction waits for: only clearing each slot releases them.
    for (let i = 0; i < 500; i++) push(i === 0 ? 0.1 : 0.2);
    await pump.drained();
    await new Promise((r) => setTimeout(r, 0));
    gc();
    await new Promise((r) => setTimeout(r, 0));
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
  });
});

describe('dispatch pump: idle says without a promise what drained would wait for', () => {
  it('is idle once inputs applied synchronously, not while started work settles, and not after a failure', async () => {
    const clock = new VirtualClock(T0);
    const events = new EventFactory(clock, ulidGenerator(seededRng(3)));
    let startsWork = false;
    let fails = false;
    const pump = new DispatchPump({
      clock,
      apply: () => {
        if (fails) throw new Error('apply failed');
        return startsWork;
      },
    });
    const delta = () => events.make('L2_DELTA', { resync_epoch_id: 0, side: 'BUY', price: 0.4, size: 1, best_bid: 0.4, best_ask: 0.6 }, { token_id: 'A', market_id: 'M' });
    expect(pump.idle).toBe(true);
    pump.pushEvent(delta());
    expect(pump.idle).toBe(true);
    startsWork = true;
    pump.pushEvent(delta());
    expect(pump.idle).toBe(false);
    await pump.drained();
    expect(pump.idle).toBe(true);
    startsWork = false;
    fails = true;
    pump.pushEvent(delta());
    expect(pump.idle).toBe(false);
    await expect(pump.drained()).rejects.toThrow('apply failed');
  });
});
