import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { levelsBook, levelsOf } from '../../src/domain/trading/book-view.ts';
import { haltCauses } from '../../src/domain/trading/halt-causes.ts';
import type { OrderIntent } from '../../src/domain/trading/orders.ts';
import { decidePair, flatPairCannotEnter } from '../../src/domain/trading/pair-arb.ts';
import { plan } from '../../src/domain/trading/plan.ts';
import { emptyLedger } from '../../src/domain/trading/pnl-ledger.ts';
import { emptySignals } from '../../src/domain/trading/signals.ts';
import type { MarketTradingEvent } from '../../src/machines/market-trading/events.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { pinPropertySeed, propertyRuns } from './property-seed.ts';
import { book, bookSignal, defaultSections, ladder, spec, truthSignal } from './support.ts';

pinPropertySeed('hot-path');

const cfg = defaultSections();
const RUNS = propertyRuns(300);
const zero = { shares: 0, cost: 0, fees: 0 };

describe('hot path: what a decision that changes nothing may skip', () => {
  it('the pair screen only rules out books on which decidePair can do nothing but wait', () => {
    let screened = 0;
    let entered = 0;
    fc.assert(
      fc.property(ladder, ladder, fc.double({ min: 0, max: 0.05, noNaN: true }), fc.double({ min: 0, max: 0.1, noNaN: true }), (y, n, margin, rate) => {
        const yes = levelsOf(book(y.bids, y.asks), Infinity);
        const no = levelsOf(book(n.bids, n.asks), Infinity);
        const fee = { rate, exponent: 1, taker_only: true };
        const pairCfg = { ...cfg.trading.pair_arb, safety_margin: margin };
        const d = decidePair({ yes: levelsBook(yes), no: levelsBook(no), holdings: { yes: zero, no: zero }, fee, tick: 0.01, maxSlippageTicks: 10, cfg: pairCfg, sizeScale: 1, maxOrderUsdc: null, nowMs: 0, nakedSinceMs: null });
        if (d.kind === 'enter') entered++;
        if (!flatPairCannotEnter(yes, no, zero, zero, margin)) return;
        screened++;
        expect(d.kind).toBe('wait');
      }),
      RUNS,
    );
    // Both sides of the screen were reached, so the property is not vacuous.
    expect(screened).toBeGreaterThan(0);
    expect(entered).toBeGreaterThan(0);
  });

  it('never screens a pair that holds anything', () => {
    const yes = levelsOf(book([[0.5, 100]], [[0.6, 100]]), Infinity);
    const no = levelsOf(book([[0.5, 100]], [[0.6, 100]]), Infinity);
    expect(flatPairCannotEnter(yes, no, zero, zero, 0.01)).toBe(true);
    expect(flatPairCannotEnter(yes, no, { shares: 10, cost: 4, fees: 0 }, zero, 0.01)).toBe(false);
  });

  it('a decision that finds no halt cause and sends nothing builds no array for either', () => {
    const s = spec({ strategies: { pair_arb: true, temporal: false } });
    const quiet = (t: number) => ({
      ...emptySignals(),
      books: { Y: bookSignal('Y', book([[0.49, 100]], [[0.52, 100 + t]]), t), N: bookSignal('N', book([[0.47, 100]], [[0.5, 100]]), t) },
    });
    const decide = (t: number) =>
      plan({ state: 'IDLE', spec: s, signals: quiet(t), ledger: emptyLedger(), orders: {}, seq: 1, synced: true, finalizing: false, awaitBook: false, haltCauses: [], nowMs: t, cfg: cfg.trading });
    const [first, second] = [decide(1_000), decide(2_000)];
    // Asks summing past 1 on two different books: nothing to send, the same empty array both times.
    expect(first.intents).toEqual([]);
    expect(second.intents).toBe(first.intents);
    const [calm, calmLater] = [haltCauses(s, quiet(1_000), [], cfg.trading, 1_000), haltCauses(s, quiet(2_000), [], cfg.trading, 2_000)];
    expect(calm).toEqual([]);
    expect(calmLater).toBe(calm);
    // A cause is still a fresh array of its own.
    expect(haltCauses(s, quiet(1_000), ['manual'], cfg.trading, 1_000)).toEqual(['manual']);
  });

  it('dispatches only decisions with intents, once each, and leaves the outbox empty', () => {
    const clock = new VirtualClock(1_000_000);
    const dispatched: Array<readonly OrderIntent[]> = [];
    const machine = marketTradingMachine.provide({ actions: { dispatch: (_a, p) => void dispatched.push(p.intents) } });
    const s = spec();
    const actor = createActor(machine, { clock, input: { spec: s, cfg: cfg.trading, now_ms: clock.now(), synced: true } }).start();
    const send = (e: MarketTradingEvent) => actor.send(e);
    send({ type: 'TRUTH', truth: truthSignal('live', 0.5), ts_ms: clock.now(), now_ms: clock.now() });
    // Asks summing past 1: nothing to do, signal after signal.
    const quietY = book([[0.49, 100]], [[0.52, 100]]);
    const quietN = book([[0.47, 100]], [[0.5, 100]]);
    for (let i = 0; i < 10; i++) {
      send({ type: 'BOOK', signal: bookSignal('Y', i % 2 ? quietY : book([[0.48, 50]], [[0.53, 50]]), clock.now()), now_ms: clock.now() });
      send({ type: 'BOOK', signal: bookSignal('N', quietN, clock.now()), now_ms: clock.now() });
    }
    expect(dispatched).toEqual([]);
    expect(actor.getSnapshot().value).toBe('IDLE');
    // A pair priced well under 1: one decision enters it, and its orders go out once.
    send({ type: 'BOOK', signal: bookSignal('N', book([[0.3, 100]], [[0.4, 100]]), clock.now()), now_ms: clock.now() });
    expect(dispatched.length).toBe(1);
    expect(dispatched[0]!.map((i) => i.kind)).toEqual(['place', 'place']);
    const snap = actor.getSnapshot();
    expect(snap.value).toBe('BUILDING_PAIR');
    expect(snap.context.internals.outbox).toEqual([]);
    expect(Object.keys(snap.context.orders).sort()).toEqual(dispatched[0]!.map((i) => i.client_order_id).sort());
    actor.stop();
  });

  it('levelsOf shares with the token\'s previous value exactly the sides and levels that did not change', () => {
    const outcomes = { same: 0, oneSide: 0, both: 0, levelShared: 0 };
    // Half the changes hit a level the book has (a removal then shortens the side), half any price.
    const change = fc.record({ side: fc.constantFrom('BUY' as const, 'SELL' as const), onLevel: fc.boolean(), pick: fc.nat(), cents: fc.integer({ min: 1, max: 99 }), size: fc.integer({ min: 0, max: 60 }) });
    fc.assert(
      fc.property(ladder, fc.array(change, { maxLength: 4 }), fc.integer({ min: 1, max: 6 }), (l, changes, depth) => {
        const b = book(l.bids, l.asks);
        const previous = levelsOf(b, depth);
        for (const c of changes) {
          const side = c.side === 'BUY' ? b.topN(Infinity).bids : b.topN(Infinity).asks;
          const price = c.onLevel && side.length > 0 ? side[c.pick % side.length]![0] : c.cents / 100;
          b.applyLevel(c.side, price, c.size);
        }
        const fresh = levelsOf(b, depth);
        const shared = levelsOf(b, depth, previous);
        expect(shared).toEqual(fresh);
        const sameBids = JSON.stringify(fresh.bids) === JSON.stringify(previous.bids);
        const sameAsks = JSON.stringify(fresh.asks) === JSON.stringify(previous.asks);
        expect(shared.bids === previous.bids).toBe(sameBids);
        expect(shared.asks === previous.asks).toBe(sameAsks);
        expect(shared === previous).toBe(sameBids && sameAsks);
        // Within a side that moved, each level equal to the one at its place before is that level.
        for (const key of ['bids', 'asks'] as const) {
          shared[key].forEach((level, j) => {
            const before = previous[key][j];
            expect(level === before).toBe(before !== undefined && before[0] === level[0] && before[1] === level[1]);
            if (level === before && shared[key] !== previous[key]) outcomes.levelShared++;
          });
        }
        if (sameBids && sameAsks) outcomes.same++;
        else if (sameBids || sameAsks) outcomes.oneSide++;
        else outcomes.both++;
      }),
      RUNS,
    );
    // Every case was reached: unchanged, one side moved, both moved, a level kept in a side that moved.
    expect(Math.min(outcomes.same, outcomes.oneSide, outcomes.both, outcomes.levelShared)).toBeGreaterThan(0);
    // Another tick size is never shared.
    const b = book([[0.5, 10]], [[0.6, 10]]);
    const other = levelsOf(book([[0.5, 10]], [[0.6, 10]], 0.001), 3);
    expect(levelsOf(b, 3, other)).not.toBe(other);
  });
});
