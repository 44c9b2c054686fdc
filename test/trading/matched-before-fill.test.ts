import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../src/domain/trading/orders.ts';
import { strategyHolding } from '../../src/domain/trading/pnl-ledger.ts';
import { pairMarket as market } from './support.ts';

/** What a dispatch sends, in short: token, side, size and price of each order; `cancel` for a cancel. */
const orders = (intents: readonly OrderIntent[]) => intents.map((i) => (i.kind === 'place' ? [i.token_id, i.side, i.size, i.price] : 'cancel'));

/** The naked leg may wait longer than this test runs: only a completion that locks no loss is taken. */
const pairMarket = () => market((cfg) => (cfg.pair_arb.naked_leg_max_ms = 600_000));

/**
 * A pair's first chunk (10 YES and 10 NO at 0.45): YES fills and its fill is heard; the venue
 * reports NO matched for `noMatched` shares (the order ends there) but NO's fill has not arrived.
 * A fresh book then offers NO at 0.40 (completing would lock a profit) and YES at 0.60 (no new
 * chunk enters): anything bought now is a hedge.
 */
function noMatchedBeforeItsFill(noMatched: number) {
  const m = pairMarket();
  m.books(0.45, 0.45);
  const [yes, no] = m.dispatched[0]!.map((i) => i.client_order_id);
  m.clock.advanceBy(5);
  m.filled(yes!, 10);
  m.fill(yes!, 'Y', 10, 0.45);
  const status = noMatched < 10 ? 'canceled' : 'filled';
  m.send({ type: 'ORDER_UPDATE', update: { client_order_id: no!, status, filled_size: noMatched } });
  m.clock.advanceBy(95);
  m.books(0.6, 0.4);
  const held = (token: 'Y' | 'N') => strategyHolding(m.actor.getSnapshot().context.ledger, token, 'pair_arb').shares;
  return { ...m, yes: yes!, no: no!, held };
}

describe("a pair leg the venue reports matched before its fill is heard", () => {
  it('is held: the other leg is not taken for naked and nothing is bought to hedge it', () => {
    const m = noMatchedBeforeItsFill(10);
    expect(m.dispatched.slice(1)).toEqual([]);
    const snap = m.actor.getSnapshot();
    expect(snap.context.nakedSinceMs).toBeNull();
    expect(snap.value).toBe('LOCKED_PAIR');
    // The ledger (PnL, positions) still holds only the fills heard.
    expect([m.held('Y'), m.held('N')]).toEqual([10, 0]);
  });

  it('when its late fill arrives is booked once and causes no second hedge', () => {
    const m = noMatchedBeforeItsFill(10);
    m.clock.advanceBy(30_000);
    m.books(0.6, 0.4);
    m.fill(m.no, 'N', 10, 0.45);
    expect(m.dispatched.slice(1)).toEqual([]);
    expect([m.held('Y'), m.held('N')]).toEqual([10, 10]);
    expect(m.actor.getSnapshot().context.ledger.cash).toBeCloseTo(-9, 9);
    expect(m.actor.getSnapshot().value).toBe('LOCKED_PAIR');
  });

  it('partly (size_matched 6 of 10): only the 4 shares not matched are completed, and the late fill adds up to the pair', () => {
    const m = noMatchedBeforeItsFill(6);
    expect(m.dispatched.slice(1).map(orders)).toEqual([[['N', 'BUY', 4, 0.4]]]);
    const completion = m.dispatched[1]![0]!.client_order_id;
    m.clock.advanceBy(5);
    m.filled(completion, 4);
    m.fill(completion, 'N', 4, 0.4);
    m.clock.advanceBy(20_000);
    m.fill(m.no, 'N', 6, 0.45);
    m.books(0.6, 0.4);
    expect(m.dispatched).toHaveLength(2);
    expect([m.held('Y'), m.held('N')]).toEqual([10, 10]);
    expect(m.actor.getSnapshot().context.nakedSinceMs).toBeNull();
  });

  it.each([
    { answers: ['MATCHED', 'FAILED'] as const },
    { answers: ['FAILED'] as const },
  ])('whose fill then FAILS ($answers) is no longer held: the YES leg is naked and completed', ({ answers }) => {
    const m = noMatchedBeforeItsFill(10);
    expect(m.dispatched.slice(1)).toEqual([]);
    m.clock.advanceBy(10_000);
    const failedAt = m.clock.now();
    for (const status of answers) {
      m.send({ type: 'FILL', fill: { client_order_id: m.no, fill_id: `f-${m.no}`, token_id: 'N', strategy: 'pair_arb', side: 'BUY', price: 0.45, size: 10, fee_usdc: 0, status } });
    }
    expect([m.held('Y'), m.held('N')]).toEqual([10, 0]);
    const snap = m.actor.getSnapshot();
    expect(snap.context.nakedSinceMs).toBe(failedAt);
    expect(snap.value).toBe('BUILDING_PAIR');
    expect(m.dispatched.slice(1).map(orders)).toEqual([[['N', 'BUY', 10, 0.4]]]);
  });
});
