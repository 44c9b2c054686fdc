import { describe, expect, it } from 'vitest';
import { createActor, initialTransition, transition } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import type { MarketTradingEvent } from '../../src/machines/market-trading/events.ts';
import { book, bookSignal, defaultSections, spec } from './support.ts';

const cfg = defaultSections();
const T0 = 1_700_000_000_000;

/** Steps the machine purely (no actor, no clock): everything it knows came in its input and events. */
function run(events: MarketTradingEvent[]) {
  let [snap] = initialTransition(marketTradingMachine, { spec: spec({ strategies: { pair_arb: false, temporal: false } }), cfg: cfg.trading, now_ms: T0, synced: true });
  for (const e of events) [snap] = transition(marketTradingMachine, snap, e);
  return snap;
}

describe('the market machine takes its time from its events', () => {
  const fresh = (t: number): MarketTradingEvent[] => {
    const b = book([[0.4, 10]], [[0.6, 10]]);
    return [
      { type: 'BOOK', signal: bookSignal('Y', b, t), now_ms: t },
      { type: 'BOOK', signal: bookSignal('N', b, t), now_ms: t },
    ];
  };

  it('a watchdog pulse past the staleness bound halts on a stale book; one inside it does not', () => {
    const stale = cfg.trading.staleness.book_stale_ms;
    const inside = run([...fresh(T0), { type: 'WATCHDOG', now_ms: T0 + stale }]);
    expect(inside.value).toBe('IDLE');
    expect(inside.context.now_ms).toBe(T0 + stale);
    const past = run([...fresh(T0), { type: 'WATCHDOG', now_ms: T0 + stale + 1 }]);
    expect(past.value).toBe('HALT');
    expect(past.context.halt).toEqual(['stale_book']);
  });

  it('time never runs backwards (a group pulse may trail the last event)', () => {
    const snap = run([...fresh(T0 + 5_000), { type: 'WATCHDOG', now_ms: T0 + 1_000 }]);
    expect(snap.context.now_ms).toBe(T0 + 5_000);
  });

  it('the halt cool-down timer fires at a time the machine knows: its start plus the cool-down', () => {
    const clock = new VirtualClock(T0);
    const input = { spec: spec({ strategies: { pair_arb: false, temporal: false } }), cfg: cfg.trading, now_ms: T0, synced: true };
    const actor = createActor(marketTradingMachine, { clock, input }).start();
    clock.advanceBy(250);
    actor.send({ type: 'HALT_CMD', reason: 'test', now_ms: clock.now() });
    expect(actor.getSnapshot().value).toBe('HALT');
    clock.advanceBy(cfg.trading.halt.cool_down_ms);
    // Its own watchdog ticks on whole seconds since T0; only the cool-down ends at T0 + 250 + cool-down.
    expect(actor.getSnapshot().context.internals.coolDownElapsed).toBe(true);
    expect(actor.getSnapshot().context.now_ms).toBe(T0 + 250 + cfg.trading.halt.cool_down_ms);
    actor.stop();
  });

  it('a halt does not end on an input that went stale during its cool-down: it ends on fresh inputs only', () => {
    const clock = new VirtualClock(T0);
    const placed: unknown[] = [];
    const machine = marketTradingMachine.provide({ actions: { dispatch: (_a, p) => placed.push(...p.intents) } });
    const input = { spec: spec({ strategies: { pair_arb: false, temporal: true } }), cfg: cfg.trading, now_ms: T0, synced: true, watchdog: 'parent' as const };
    const actor = createActor(machine, { clock, input }).start();
    const send = (e: Record<string, unknown>) => actor.send({ ...e, now_ms: clock.now() } as MarketTradingEvent);
    const risk = (state: 'ACTIVE' | 'HALTED') => send({ type: 'RISK', risk: { state, size_scale: 1, market_tripped: false, reason: null } });
    // A fair value well above the ask: the market buys whenever it may.
    send({ type: 'POLICY', policy: { fair_value: { Y: 0.9, N: 0.1 }, edge_threshold: 0.05, max_position_usdc: 5, max_order_usdc: 5, source: 'truth', valid_until_ms: T0 + 3_600_000 } });
    risk('HALTED');
    expect(actor.getSnapshot().value).toBe('HALT');
    // Fresh books and risk back, both during the cool-down; the books then age before it ends.
    const cooled = T0 + cfg.trading.halt.cool_down_ms;
    clock.advanceTo(cooled - cfg.trading.staleness.book_stale_ms - 500);
    const b = book([[0.5, 100]], [[0.6, 100]]);
    send({ type: 'BOOK', signal: bookSignal('Y', b, clock.now()), partner: bookSignal('N', b, clock.now()) });
    risk('ACTIVE');
    expect(actor.getSnapshot().context.halt).toEqual([]);
    clock.advanceTo(cooled);
    // The cool-down is over, but the books it would trade on are 10.5 s old: still halted, nothing sent.
    expect(actor.getSnapshot().value).toBe('HALT');
    expect(actor.getSnapshot().context.halt).toEqual(['stale_book']);
    expect(placed).toEqual([]);
    // A fresh book ends it, and the market trades.
    send({ type: 'BOOK', signal: bookSignal('Y', b, clock.now()), partner: bookSignal('N', b, clock.now()) });
    expect(actor.getSnapshot().value).toBe('TEMPORAL_ACTIVE');
    expect(placed).toHaveLength(1);
    actor.stop();
  });
});
