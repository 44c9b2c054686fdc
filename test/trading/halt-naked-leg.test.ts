import { describe, expect, it } from 'vitest';
import type { TradingConfig } from '../../src/config/sections/trading.ts';
import type { OrderIntent } from '../../src/domain/trading/orders.ts';
import { emptyLedger } from '../../src/domain/trading/pnl-ledger.ts';
import { plan } from '../../src/domain/trading/plan.ts';
import { emptySignals } from '../../src/domain/trading/signals.ts';
import { book, bookSignal, defaultSections, pairMarket, spec, truthSignal } from './support.ts';

/** What a dispatch sends, in short: token, side, size and price of each order; `cancel` for a cancel. */
const orders = (intents: readonly OrderIntent[]) => intents.map((i) => (i.kind === 'place' ? [i.token_id, i.side, i.size, i.price] : 'cancel'));

/**
 * A pair whose first chunk (10 YES and 10 NO at 0.45) filled only on YES: the NO order was killed
 * unfilled. A fresh book then offers NO at 0.55, where completing would lock a loss, so the YES leg
 * waits naked (its fill at `nakedFrom`); the books then age past the staleness bound and a pulse
 * halts the market on `stale_book` (at `haltAt`).
 */
function nakedLegInStaleBookHalt(tune?: (cfg: TradingConfig) => void) {
  const m = pairMarket(tune);
  m.books(0.45, 0.45);
  const [yes, no] = m.dispatched[0]!.map((i) => i.client_order_id);
  m.clock.advanceBy(5);
  m.filled(yes!, 10);
  m.fill(yes!, 'Y', 10, 0.45);
  const nakedFrom = m.clock.now();
  m.send({ type: 'ORDER_UPDATE', update: { client_order_id: no!, status: 'canceled', filled_size: 0 } });
  m.clock.advanceBy(95);
  m.books(0.4, 0.55);
  expect(m.actor.getSnapshot().context.plan.note).toMatch(/^naked yes leg/);
  m.clock.advanceBy(m.cfg.staleness.book_stale_ms + 1);
  m.send({ type: 'WATCHDOG' });
  const snap = m.actor.getSnapshot();
  expect(snap.value).toBe('HALT');
  expect(snap.context.halt).toEqual(['stale_book']);
  expect(snap.context.nakedSinceMs).toBe(nakedFrom);
  expect(m.dispatched).toHaveLength(1);
  return { ...m, nakedFrom, haltAt: m.clock.now() };
}

describe('a naked pair leg during a halt', () => {
  it('is completed as soon as the books are fresh again, inside the cool-down, and nothing new is bought before the cool-down ends', () => {
    // The leg may wait longer than this test runs: only a completion that locks no loss is taken.
    const m = nakedLegInStaleBookHalt((cfg) => (cfg.pair_arb.naked_leg_max_ms = 600_000));
    m.clock.advanceBy(1_000);
    m.books(0.45, 0.5);
    expect(m.dispatched.slice(1).map(orders)).toEqual([[['N', 'BUY', 10, 0.5]]]);
    expect(m.actor.getSnapshot().value).toBe('BUILDING_PAIR');
    expect(m.clock.now()).toBeLessThan(m.haltAt + m.cfg.halt.cool_down_ms);

    // The completion fills: the pair is balanced at a profit and could take its next chunk, but
    // that would be new risk while the halt's cool-down still runs.
    const completion = m.dispatched[1]![0]!.client_order_id;
    m.filled(completion, 10);
    m.fill(completion, 'N', 10, 0.5);
    const coolDownEnds = m.haltAt + m.cfg.halt.cool_down_ms;
    while (m.clock.now() + 5_000 < coolDownEnds) {
      m.clock.advanceBy(5_000);
      m.books(0.45, 0.45);
      expect(m.dispatched).toHaveLength(2);
      expect(m.actor.getSnapshot().context.plan.note).toMatch(/cool-down/);
    }
    m.clock.advanceBy(coolDownEnds - m.clock.now());
    m.books(0.45, 0.45);
    expect(m.dispatched.slice(2).map(orders)).toEqual([
      [
        ['Y', 'BUY', 10, 0.45],
        ['N', 'BUY', 10, 0.45],
      ],
    ]);
  });

  it.each([
    { way: 'completed', yesAsk: 0.4, noAsk: 0.55, order: ['N', 'BUY', 10, 0.55] },
    { way: 'unwound', yesAsk: 0.45, noAsk: 0.7, order: ['Y', 'SELL', 10, 0.44] },
  ])('past naked_leg_max_ms during the halt is $way, whatever it costs, on the first fresh books', ({ yesAsk, noAsk, order }) => {
    // The shipped bound (5 s) passes while the books are stale.
    const m = nakedLegInStaleBookHalt();
    expect(m.haltAt - m.nakedFrom).toBeGreaterThan(m.cfg.pair_arb.naked_leg_max_ms);
    m.clock.advanceBy(1_000);
    m.books(yesAsk, noAsk);
    expect(m.dispatched.slice(1).map(orders)).toEqual([[order]]);
  });

  it('falls due naked_leg_max_ms after its fill, not after the halt: a pulse inside the cool-down closes it', () => {
    const m = nakedLegInStaleBookHalt((cfg) => (cfg.pair_arb.naked_leg_max_ms = 20_000));
    m.clock.advanceBy(1_000);
    // Fresh, but completing at 0.55 still locks a loss: the leg waits, as it would outside a halt.
    m.books(0.4, 0.55);
    expect(m.dispatched).toHaveLength(1);
    expect(m.actor.getSnapshot().context.plan.note).toMatch(/^naked yes leg/);
    const due = m.nakedFrom + m.cfg.pair_arb.naked_leg_max_ms;
    m.clock.advanceBy(due - 1 - m.clock.now());
    m.books(0.4, 0.55);
    expect(m.dispatched).toHaveLength(1);
    m.clock.advanceBy(1);
    m.send({ type: 'WATCHDOG' });
    expect(m.dispatched.slice(1).map(orders)).toEqual([[['N', 'BUY', 10, 0.55]]]);
    expect(m.clock.now()).toBeLessThan(m.haltAt + m.cfg.halt.cool_down_ms);
  });

  /** Fresh books (`send`) every two seconds until past the leg's bound and the cool-down: while the halt's cause holds, none is traded on. */
  function keepBooksFresh(m: ReturnType<typeof nakedLegInStaleBookHalt>, send: () => void) {
    const until = m.haltAt + m.cfg.halt.cool_down_ms + m.cfg.pair_arb.naked_leg_max_ms + 5_000;
    while (m.clock.now() < until) {
      m.clock.advanceBy(2_000);
      send();
      expect(m.dispatched.slice(1).flat().filter((i) => i.kind === 'place')).toEqual([]);
      expect(m.actor.getSnapshot().value).toBe('HALT');
    }
  }

  it('is not traded while the halt still has a cause: a book still stale, even when the one to trade on is fresh', () => {
    const m = nakedLegInStaleBookHalt();
    // NO, the book a completion buys on, is fresh and cheap; YES stays stale.
    keepBooksFresh(m, () => m.send({ type: 'BOOK', signal: bookSignal('N', book([[0.39, 100]], [[0.4, 100]]), m.clock.now()) }));
    expect(m.actor.getSnapshot().context.halt).toEqual(['stale_book']);
  });

  it("is not traded under an operator's market halt, on fresh books", () => {
    const m = nakedLegInStaleBookHalt();
    m.send({ type: 'HALT_CMD', reason: 'operator' });
    keepBooksFresh(m, () => m.books(0.45, 0.5));
    expect(m.actor.getSnapshot().context.halt).toEqual(['manual']);
  });

  it('is not traded while the global kill switch is on, on fresh books (as before)', () => {
    const m = nakedLegInStaleBookHalt();
    m.send({ type: 'RISK', risk: { state: 'HALTED', size_scale: 1, market_tripped: false, reason: 'kill switch' } });
    keepBooksFresh(m, () => m.books(0.45, 0.5));
    expect(m.actor.getSnapshot().context.halt).toEqual(['risk_halted']);
  });
});

describe('a market out of HALT early for its naked leg', () => {
  it('sends no edge order before the cool-down ends', () => {
    const t = 1_000_000;
    // Truth puts YES at 0.7 against an ask of 0.62: an edge entry, once nothing holds it back.
    const signals = {
      ...emptySignals(),
      books: { Y: bookSignal('Y', book([[0.6, 50]], [[0.62, 50]]), t), N: bookSignal('N', book([[0.36, 50]], [[0.38, 50]]), t) },
      truth: { payload: truthSignal('live', 0.7), ts_ms: t },
    };
    const at = (entriesHeldUntilMs: number) =>
      plan({ state: 'IDLE', spec: spec(), signals, ledger: emptyLedger(), orders: {}, seq: 1, synced: true, finalizing: false, awaitBook: false, haltCauses: [], nowMs: t, entriesHeldUntilMs, cfg: defaultSections().trading });
    const held = at(t + 1);
    expect(held.intents).toEqual([]);
    expect(held.note).toMatch(/cool-down/);
    expect(at(t).intents.map((i) => (i.kind === 'place' ? [i.token_id, i.side] : 'cancel'))).toEqual([['Y', 'BUY']]);
  });
});
