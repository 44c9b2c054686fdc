import { describe, expect, it } from 'vitest';
import { newOrderRecord, type OrderRecord } from '../../src/domain/trading/orders.ts';
import { emptyLedger } from '../../src/domain/trading/pnl-ledger.ts';
import type { MarketResume } from '../../src/machines/market-trading/context.ts';
import { UncommittedSends } from '../../src/runtime/trading/uncommitted-sends.ts';

function order(id: string): OrderRecord {
  return newOrderRecord({ kind: 'place', client_order_id: id, market_id: 'm1', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.5, size: 10, strategy: 'temporal', expires_at_ms: null }, 1000);
}

function resume(seq: number, orders: Record<string, OrderRecord> = {}): MarketResume {
  return { ledger: emptyLedger(), orders, seq, nakedSinceMs: null, latched: [], signals: { policy: null, truth: null, nowcast: null, resolved: null } };
}

/** The cancelling step's record of `o`. */
function cancelRequested(o: OrderRecord): OrderRecord {
  return { ...o, cancel_requested: true };
}

describe('orders sent in a step a market actor may not have completed', () => {
  it("hands over only the failing step's places: an earlier completed step's order the context no longer holds (pruned) is not brought back", () => {
    const sends = new UncommittedSends();
    sends.placed('m1', order('m1-tp-0'), 1, resume(0));
    // The next step sends from a snapshot at sequence 1: the first step completed.
    sends.placed('m1', order('m1-tp-1'), 2, resume(1));
    const resumed = sends.handOver('m1', resume(1));
    expect(Object.keys(resumed.orders)).toEqual(['m1-tp-1']);
    expect(resumed.seq).toBe(1);
  });

  it('hands over every place of one failing macrostep (two decisions in it), not over a record the resumed context holds', () => {
    const sends = new UncommittedSends();
    sends.placed('m1', order('m1-pa-0'), 1, resume(0));
    sends.placed('m1', order('m1-pa-1'), 2, resume(0));
    expect(sends.handOver('m1', resume(0)).orders).toEqual({ 'm1-pa-0': order('m1-pa-0'), 'm1-pa-1': order('m1-pa-1') });
    const held = { ...order('m1-pa-2'), status: 'open' as const };
    sends.placed('m1', order('m1-pa-2'), 3, resume(2));
    expect(sends.handOver('m1', resume(2, { 'm1-pa-2': held })).orders).toEqual({ 'm1-pa-2': held });
  });

  it('hands nothing over once a step completed past them, nor twice, nor for a market that left', () => {
    const sends = new UncommittedSends();
    const r = resume(2);
    sends.placed('m1', order('m1-tp-1'), 2, resume(1));
    expect(sends.handOver('m1', r)).toBe(r);
    sends.placed('m1', order('m1-tp-2'), 3, resume(2));
    expect(Object.keys(sends.handOver('m1', r).orders)).toEqual(['m1-tp-2']);
    expect(sends.handOver('m1', r)).toBe(r);
    sends.placed('m1', order('m1-tp-3'), 4, resume(3));
    sends.forget('m1');
    expect(sends.handOver('m1', r)).toBe(r);
  });
});

describe('cancels sent in a step a market actor may not have completed', () => {
  it("hands over the failing step's cancel: the resumed order, the very record the cancel started from, has its cancel requested", () => {
    const open = { ...order('m1-tp-0'), status: 'open' as const };
    const committed = resume(1, { 'm1-tp-0': open });
    const sends = new UncommittedSends();
    sends.cancelled('m1', cancelRequested(open), committed);
    const resumed = sends.handOver('m1', committed);
    expect(resumed.orders['m1-tp-0']).toEqual(cancelRequested(open));
    expect(resumed.seq).toBe(1);
    expect(sends.handOver('m1', committed)).toBe(committed);
  });

  it('hands over nothing once the cancelling step completed, even when a rejection cleared the request since (the market re-decides that cancel itself)', () => {
    const open = { ...order('m1-tp-0'), status: 'open' as const };
    const sends = new UncommittedSends();
    sends.cancelled('m1', cancelRequested(open), resume(1, { 'm1-tp-0': open }));
    // The step completed, then CANCEL_REJECTED cleared the request: a new record, equal to the old one.
    const cleared = { ...cancelRequested(open), cancel_requested: false };
    expect(cleared).toEqual(open);
    const r = resume(1, { 'm1-tp-0': cleared });
    expect(sends.handOver('m1', r)).toBe(r);
  });

  it('forgets a completed step\'s cancel at the next send, and hands over a cancel of an order placed earlier in the same failing step', () => {
    const open = { ...order('m1-tp-0'), status: 'open' as const };
    const sends = new UncommittedSends();
    sends.cancelled('m1', cancelRequested(open), resume(1, { 'm1-tp-0': open }));
    // A later step sends from a snapshot holding the cancel's record: that step completed.
    const placedLater = order('m1-tp-1');
    sends.placed('m1', placedLater, 2, resume(1, { 'm1-tp-0': cancelRequested(open) }));
    sends.cancelled('m1', cancelRequested(placedLater), resume(1, { 'm1-tp-0': cancelRequested(open) }));
    // Resumed from before both (as if the first had failed too): only the failing step's own sends come back.
    const resumed = sends.handOver('m1', resume(1, { 'm1-tp-0': open }));
    expect(resumed.orders).toEqual({ 'm1-tp-0': open, 'm1-tp-1': cancelRequested(placedLater) });
  });
});
