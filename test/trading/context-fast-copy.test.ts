import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { book, bookSignal, defaultSections, spec, truthSignal } from './support.ts';

// V8's own answer whether an object keeps fast (hidden-class) properties or became a dictionary.
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

/**
 * Every `assign` copies the market's context into a new object (XState's
 * `Object.assign({}, context, update)`). On Node 20 a copy of 20 or more top-level fields comes out
 * as a dictionary object, and the copy then costs about 14 times as much (3.7 µs instead of 0.26 µs
 * per copy measured): a book signal took 2.9 times the CPU with six more fields. Context fields
 * beyond today's belong in a nested object.
 */
describe('the market context stays an object V8 copies fast', () => {
  it('after the copies a truth and book signals make', () => {
    const clock = new VirtualClock(1_000_000);
    const s = spec();
    const actor = createActor(marketTradingMachine, { clock, input: { spec: s, cfg: defaultSections().trading, now_ms: clock.now(), synced: true } }).start();
    actor.send({ type: 'TRUTH', truth: truthSignal('live', 0.5), ts_ms: clock.now(), now_ms: clock.now() });
    const b = book(
      [
        [0.49, 100],
        [0.48, 300],
      ],
      [
        [0.5, 100],
        [0.51, 300],
      ],
    );
    for (let i = 0; i < 4; i++) actor.send({ type: 'BOOK', signal: bookSignal(i % 2 ? s.no_token : s.yes_token, b, clock.now()), now_ms: clock.now() });
    const context = actor.getSnapshot().context;
    expect(Object.keys(context).length).toBeGreaterThan(4); // the copies' fields go past the in-object ones
    expect(hasFastProperties(context)).toBe(true);
    actor.stop();
  });

  it('copies on a book signal only the fields outside the machine read: its own are one nested object', () => {
    // Each top-level field costs ~13 ns a copy on every signal (19 fields took 6 % more CPU per
    // signal than these 14 in bench/support/one-actor-cpu.ts); the nested ones change on rare steps.
    const clock = new VirtualClock(1_000_000);
    const s = spec();
    const actor = createActor(marketTradingMachine, { clock, input: { spec: s, cfg: defaultSections().trading, now_ms: clock.now(), synced: true } }).start();
    actor.send({ type: 'BOOK', signal: bookSignal(s.yes_token, book([[0.49, 100]], [[0.5, 100]]), clock.now()), now_ms: clock.now() });
    const context = actor.getSnapshot().context;
    expect(Object.keys(context)).toHaveLength(14);
    expect(Object.keys(context.internals).sort()).toEqual(['announcedHalt', 'awaitBook', 'awaitBookChange', 'coolDownElapsed', 'haltSinceMs', 'lastState', 'outbox', 'selfWatchdog']);
    actor.stop();
  });
});
