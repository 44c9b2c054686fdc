import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../src/adapters/execution/execution-adapter.ts';
import { heldCost } from '../../src/domain/trading/pnl-ledger.ts';
import type { PlaceOrderRequest } from '../../src/adapters/execution/execution-adapter.ts';
import { allInPerShare } from '../../src/domain/trading/fees.ts';
import { book, flush, rig, spec, startPairFirstChunk, WEATHER_FEE } from './support.ts';

/**
 * The paper venue with its trades held back: every order update reaches the runtime at once, the
 * fills only when `release` is called (on a real venue they may come 10–50 s after the update).
 */
function rigWithLateFills(tune?: NonNullable<Parameters<typeof rig>[0]>['tune']) {
  const r = rig({ tune });
  const late: Array<() => void> = [];
  const subscribe = r.paper.subscribe.bind(r.paper);
  r.paper.subscribe = (listener: (e: ExecutionEvent) => void) => subscribe((e) => (e.kind === 'fill' ? late.push(() => listener(e)) : listener(e)));
  const release = async () => {
    for (const deliver of late.splice(0)) deliver();
    await flush();
  };
  return { ...r, release };
}

describe("risk's exposure of an order the venue reports matched before its fill is heard", () => {
  it('counts its shares from the order update on, and once when the fill arrives', async () => {
    const r = rigWithLateFills();
    await startPairFirstChunk(r, { synced: true });
    r.clock.advanceBy(100);
    await flush();
    const ctx = r.runtime.marketSnapshot('m1')!.context;
    const matched = Object.values(ctx.orders).reduce((s, o) => s + o.filled_size * o.price, 0);
    // Both legs of the first chunk matched (10 shares each at 0.45), none of their fills heard.
    expect(matched).toBeCloseTo(9, 9);
    expect(heldCost(ctx.ledger)).toBe(0);
    expect(r.risk.marketExposure('m1')).toBeCloseTo(matched, 9);

    await r.release();
    const after = r.runtime.marketSnapshot('m1')!.context;
    expect(heldCost(after.ledger)).toBeCloseTo(matched, 9);
    expect(r.risk.marketExposure('m1')).toBeCloseTo(matched, 9);
    r.runtime.stop();
  });
});

describe("pre-trade risk on an order that closes a leg the venue reports matched before its fill is heard", () => {
  it('counts the completing buy as reducing, so it passes while risk only lets reducing orders through', async () => {
    // A drawdown of 2 USDC puts risk in REDUCING, far below the daily-loss kill.
    const r = rigWithLateFills((cfg) => Object.assign(cfg.risk.drawdown, { start_usdc: 1, reducing_usdc: 2 }));
    const placed: PlaceOrderRequest[] = [];
    const place = r.paper.placeOrder.bind(r.paper);
    r.paper.placeOrder = (req) => {
      placed.push(req);
      return place(req);
    };
    await startPairFirstChunk(r, { synced: true });
    // The venue's NO book moved away before the entry reached it: YES matches, NO is killed unfilled.
    r.books.set('N', book([[0.44, 100]], [[0.9, 100]]));
    r.clock.advanceBy(100);
    await flush();
    const entry = placed.map((p) => [p.token_id, p.side, p.size]);
    expect(entry).toEqual([
      ['Y', 'BUY', 10],
      ['N', 'BUY', 10],
    ]);
    const ctx = r.runtime.marketSnapshot('m1')!.context;
    expect(Object.values(ctx.orders).map((o) => [o.token_id, o.status, o.filled_size])).toEqual([
      ['Y', 'filled', 10],
      ['N', 'canceled', 0],
    ]);
    r.risk.onPnl(-3, r.clock.now());
    expect(r.risk.state).toBe('REDUCING');
    // NO is offered again where completing locks a profit: the YES leg, matched, is naked.
    r.setBook('N', book([[0.39, 100]], [[0.4, 100]]));
    r.setBook('Y', book([[0.44, 100]], [[0.45, 100]]));
    r.clock.advanceBy(100);
    await flush();
    expect(placed.slice(2).map((p) => [p.token_id, p.side, p.size, p.price])).toEqual([['N', 'BUY', 10, 0.4]]);
    const completion = r.runtime.marketSnapshot('m1')!.context.orders[placed[2]!.client_order_id]!;
    expect([completion.status, completion.reason]).toEqual(['filled', null]);
    r.runtime.stop();
  });
});

describe("a neg-risk set whose legs the venue reports matched before their fills are heard", () => {
  it("counts in the event's exposure from the order updates on, and once when the fills arrive", async () => {
    const r = rigWithLateFills();
    const event = { event_id: 'ev-1', neg_risk: true, outcomes: 3 };
    for (const i of [0, 1, 2]) {
      r.runtime.addMarket(spec({ market_id: `b${i}`, yes_token: `Y${i}`, no_token: `N${i}`, fee: WEATHER_FEE, fair_source: { kind: 'none' }, strategies: { pair_arb: false, temporal: false }, event }));
    }
    await r.runtime.start();
    await flush();
    for (const i of [0, 1, 2]) {
      r.setBook(`Y${i}`, book([[0.29, 100]], [[0.3, 100]]));
      r.setBook(`N${i}`, book([[0.68, 100]], [[0.71, 100]]));
    }
    // Before the set's orders arrive, bucket 1's YES ask moves above its leg's limit: that FOK is killed.
    r.books.set('Y1', book([[0.34, 100]], [[0.35, 100]]));
    r.clock.advanceBy(3000);
    await flush();
    const ledgers = () => ['b0', 'b1', 'b2'].map((id) => heldCost(r.runtime.marketSnapshot(id)!.context.ledger));
    expect(ledgers()).toEqual([0, 0, 0]);
    // Bucket 1 winning loses both YES legs with their fees, heard or not.
    const partial = 2 * 10 * allInPerShare(0.3, WEATHER_FEE);
    expect(r.runtime.negRisk.exposure('ev-1')).toBeCloseTo(partial, 9);
    expect(r.risk.totalExposure()).toBeCloseTo(partial, 9);

    await r.release();
    expect(ledgers()).toEqual([3, 0, 3]);
    expect(r.runtime.negRisk.exposure('ev-1')).toBeCloseTo(partial, 9);
    expect(r.risk.totalExposure()).toBeCloseTo(partial, 9);
    r.runtime.stop();
  });
});
