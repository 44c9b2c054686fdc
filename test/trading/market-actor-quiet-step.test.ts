import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { OrderIntent } from '../../src/domain/trading/orders.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { book, bookSignal, defaultSections, spec } from './support.ts';

const cfg = defaultSections();
const T0 = 1_700_000_000_000;

describe('a market actor evaluation that changes nothing costs close to nothing', () => {
  it('a book signal that leaves the decision as it was keeps the plan and halt objects, and dispatches nothing', () => {
    const clock = new VirtualClock(T0);
    const dispatched: OrderIntent[][] = [];
    const machine = marketTradingMachine.provide({ actions: { dispatch: (_a, p) => void dispatched.push(p.intents) } });
    const actor = createActor(machine, { clock, input: { spec: spec(), cfg: cfg.trading, now_ms: T0, synced: true } }).start();
    // YES + NO asks above 1: no pair edge, no fair source edge; the plan concludes "none" every time.
    const b = book([[0.55, 10]], [[0.6, 10]]);
    actor.send({ type: 'BOOK', signal: bookSignal('Y', b, T0), now_ms: T0 });
    actor.send({ type: 'BOOK', signal: bookSignal('N', b, T0), now_ms: T0 });
    const before = actor.getSnapshot().context;
    dispatched.length = 0; // entering IDLE decided once (with no intents)
    expect(actor.getSnapshot().value).toBe('IDLE');
    for (let i = 1; i <= 5; i++) actor.send({ type: 'BOOK', signal: bookSignal('Y', book([[0.55, 10 + i]], [[0.6, 10 + i]]), T0 + i), now_ms: T0 + i });
    const after = actor.getSnapshot().context;
    expect(after.signals.books['Y']?.ts_ms).toBe(T0 + 5); // the signal was stored...
    expect(after.now_ms).toBe(T0 + 5);
    expect(after.plan).toBe(before.plan); // ...and the unchanged decision allocated no new plan
    expect(after.halt).toBe(before.halt);
    expect(after.outbox).toEqual([]);
    expect(dispatched).toEqual([]);
    actor.stop();
  });
});
