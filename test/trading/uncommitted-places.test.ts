import { describe, expect, it } from 'vitest';
import { newOrderRecord, type OrderRecord } from '../../src/domain/trading/orders.ts';
import { emptyLedger } from '../../src/domain/trading/pnl-ledger.ts';
import type { MarketResume } from '../../src/machines/market-trading/context.ts';
import { UncommittedPlaces } from '../../src/runtime/trading/uncommitted-places.ts';

function order(id: string): OrderRecord {
  return newOrderRecord({ kind: 'place', client_order_id: id, market_id: 'm1', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.5, size: 10, strategy: 'temporal', expires_at_ms: null }, 1000);
}

function resume(seq: number, orders: Record<string, OrderRecord> = {}): MarketResume {
  return { ledger: emptyLedger(), orders, seq, nakedSinceMs: null, latched: [], signals: { policy: null, truth: null, nowcast: null, resolved: null } };
}

describe('orders sent in a step a market actor may not have completed', () => {
  it('hands over only the failing step\'s places: an earlier completed step\'s order the context no longer holds (pruned) is not brought back', () => {
    const places = new UncommittedPlaces();
    places.sent('m1', order('m1-tp-0'), 1, 0);
    // The next step sends from a snapshot at sequence 1: the first step completed.
    places.sent('m1', order('m1-tp-1'), 2, 1);
    const resumed = places.handOver('m1', resume(1));
    expect(Object.keys(resumed.orders)).toEqual(['m1-tp-1']);
    expect(resumed.seq).toBe(1);
  });

  it('hands over every place of one failing macrostep (two decisions in it), not over a record the resumed context holds', () => {
    const places = new UncommittedPlaces();
    places.sent('m1', order('m1-pa-0'), 1, 0);
    places.sent('m1', order('m1-pa-1'), 2, 0);
    expect(places.handOver('m1', resume(0)).orders).toEqual({ 'm1-pa-0': order('m1-pa-0'), 'm1-pa-1': order('m1-pa-1') });
    const held = { ...order('m1-pa-2'), status: 'open' as const };
    places.sent('m1', order('m1-pa-2'), 3, 2);
    expect(places.handOver('m1', resume(2, { 'm1-pa-2': held })).orders).toEqual({ 'm1-pa-2': held });
  });

  it('hands nothing over once a step completed past them, nor twice, nor for a market that left', () => {
    const places = new UncommittedPlaces();
    const r = resume(2);
    places.sent('m1', order('m1-tp-1'), 2, 1);
    expect(places.handOver('m1', r)).toBe(r);
    places.sent('m1', order('m1-tp-2'), 3, 2);
    expect(Object.keys(places.handOver('m1', r).orders)).toEqual(['m1-tp-2']);
    expect(places.handOver('m1', r)).toBe(r);
    places.sent('m1', order('m1-tp-3'), 4, 3);
    places.forget('m1');
    expect(places.handOver('m1', r)).toBe(r);
  });
});
