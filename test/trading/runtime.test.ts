import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { RealExecutionAdapter } from '../../src/adapters/execution/real-adapter.ts';
import { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { book, defaultSections, flush, offerLockablePair, overstayTimeInBook, rig, spec, startRestingEdgeEntry } from './support.ts';

describe('trading runtime with the paper venue', () => {
  it('builds a pair from a mispriced book, locks it and settles to the guaranteed PnL', async () => {
    const r = rig();
    r.runtime.addMarket(spec({ strategies: { pair_arb: true, temporal: false } }));
    await r.runtime.start();
    await flush();
    expect(r.runtime.marketSnapshot('m1')!.context.synced).toBe(true);
    // 0.45 + 0.45 = 0.90 < 1 − fees − margin
    await offerLockablePair(r);
    const snap = r.runtime.marketSnapshot('m1')!;
    expect(snap.state, JSON.stringify(snap.context.plan)).toBe('LOCKED_PAIR');
    const pos = r.paper.positionsNow();
    expect(pos.map((p) => p.shares)).toEqual([20, 20]);
    r.runtime.send('m1', { type: 'MARKET_RESOLVED', winning_token_id: 'Y' });
    const done = r.runtime.marketSnapshot('m1')!;
    expect(done.state).toBe('RESOLVED');
    // 20 × 1 − 20 × 0.9 − fees
    const fees = 2 * 20 * 0.03 * 0.45 * 0.55;
    expect(done.context.ledger.cash).toBeCloseTo(20 - 18 - fees, 4);
    const states = r.sink.events.filter((e) => e.type === 'MARKET_STATE').map((e) => (e.payload as { state: string }).state);
    expect(states).toEqual(['IDLE', 'BUILDING_PAIR', 'LOCKED_PAIR', 'FINALIZING', 'RESOLVED']);
    expect(r.sink.events.some((e) => e.type === 'FILL')).toBe(true);
    r.runtime.stop();
  });

  it('reconciliation break halts the market, alerts, rebuilds from the venue, and resumes after the cool-down', async () => {
    const r = rig();
    // The venue holds a position the actor never saw (a fill lost while nobody listened).
    r.books.set('Y', book([[0.4, 100]], [[0.41, 100]]));
    r.paper.registerMarket({ market_id: 'm1', tokens: ['Y', 'N'], tick_size: 0.01, min_order_size: 5, fee: spec().fee });
    void r.paper.placeOrder({ client_order_id: 'external-1', market_id: 'm1', token_id: 'Y', side: 'BUY', order_type: 'FAK', price: 0.41, size: 10, strategy: 'temporal', expires_at_ms: null });
    r.clock.advanceBy(3000);
    await flush();
    expect(r.paper.positionsNow()).toEqual([{ token_id: 'Y', shares: 10, avg_cost: 0.41 }]);

    r.runtime.addMarket(spec({ strategies: { pair_arb: false, temporal: false } }));
    const report = await r.runtime.start();
    expect(report.breaks.map((b) => b.mismatches.map((m) => m.kind))).toEqual([['position_mismatch']]);
    let snap = r.runtime.marketSnapshot('m1')!;
    expect(snap.state).toBe('HALT');
    expect(snap.context.latched).toEqual(['reconcile_break']);
    expect(snap.context.ledger.lots['Y|reconciled']?.shares).toBe(10);
    expect(r.sink.events.some((e) => e.type === 'ALERT' && e.payload.code === 'RECONCILE_BREAK')).toBe(true);

    // Next check agrees; the latch clears, but HALT holds until the cool-down is over.
    r.clock.advanceBy(r.cfg.execution.reconcile.interval_ms + 1000);
    await flush();
    snap = r.runtime.marketSnapshot('m1')!;
    expect(snap.context.latched).toEqual([]);
    expect(snap.state).toBe('HALT');
    r.clock.advanceBy(r.cfg.trading.halt.cool_down_ms);
    await flush();
    expect(r.runtime.marketSnapshot('m1')!.state).toBe('IDLE');
    r.runtime.stop();
  });

  it('the real adapter refuses: start-up reconciliation fails and nothing trades', async () => {
    const clock = new VirtualClock(0);
    const cfg = defaultSections();
    const runtime = new TradingRuntime({ clock, ...cfg, riskEngine: new RiskEngine(cfg.risk), adapter: new RealExecutionAdapter(), sink: new CollectingSink(), events: new EventFactory(clock, ulidGenerator(seededRng(1))) });
    runtime.addMarket(spec());
    await expect(runtime.start()).rejects.toThrow(/out of scope/);
    await expect(new RealExecutionAdapter().placeOrder({ client_order_id: 'x', market_id: 'm', token_id: 't', side: 'BUY', order_type: 'FAK', price: 0.5, size: 2, strategy: 'temporal', expires_at_ms: null })).rejects.toThrow(
      /refused/,
    );
    runtime.stop();
  });
});

describe('resting orders on the paper venue', () => {
  it('a passive edge entry rests behind the queue, fills from traded volume as maker, and the rest is canceled after its time in book', async () => {
    const r = rig();
    const order = await startRestingEdgeEntry(r);
    expect(order).toMatchObject({ token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.56 });
    expect(r.runtime.marketSnapshot('m1')!.state).toBe('TEMPORAL_ACTIVE');
    expect(r.paper.orderState(order.client_order_id)!.queue_ahead).toBe(0);
    // A 3-share print at our price fills 3 shares as maker (nothing displayed ahead of us at 0.56).
    r.paper.onTrade('Y', { price: 0.56, size: 3, side: 'SELL' });
    await flush();
    const fill = r.sink.events.find((e) => e.type === 'FILL');
    expect(fill?.payload).toMatchObject({ liquidity: 'maker', fee_usdc: 0, size: 3, price: 0.56, status: 'MATCHED' });
    // Keep inputs fresh while the order overstays its time in book; then the sweep cancels it.
    await overstayTimeInBook(r);
    expect(r.paper.orderState(order.client_order_id)!.status).toBe('canceled');
    const mine = r.runtime.marketSnapshot('m1')!.context.orders[order.client_order_id]!;
    expect(mine).toMatchObject({ status: 'canceled', filled_size: 3 });
    expect(r.runtime.marketSnapshot('m1')!.context.ledger.lots['Y|temporal']?.shares).toBe(3);
    r.runtime.stop();
  });
});

describe('circuit breaker through the runtime', () => {
  it('consecutive venue rejects trip the market breaker: RISK_STATE, HALT, and back after the cool-downs', async () => {
    const r = rig();
    r.runtime.addMarket(spec({ strategies: { pair_arb: true, temporal: false } }), { synced: true });
    await r.runtime.start();
    // The venue now lists the market on a 0.1 grid: every 0.45 limit is rejected there.
    r.paper.registerMarket({ market_id: 'm1', tokens: ['Y', 'N'], tick_size: 0.1, min_order_size: 5, fee: spec().fee });
    for (let i = 0; i < r.cfg.risk.breakers.max_consecutive_rejects; i++) {
      r.setBook('Y', book([[0.44, 100]], [[0.45, 100]]));
      r.setBook('N', book([[0.44, 100]], [[0.45, 100]]));
      r.clock.advanceBy(100);
      await flush();
    }
    const riskStates = () => r.sink.events.flatMap((e) => (e.type === 'RISK_STATE' && e.market_id === 'm1' ? [e.payload.state] : []));
    expect(riskStates()).toEqual(['HALTED']);
    expect(r.runtime.marketSnapshot('m1')!.state).toBe('HALT');
    expect(r.runtime.marketSnapshot('m1')!.context.halt).toEqual(['circuit_breaker']);
    expect(r.sink.events.filter((e) => e.type === 'ORDER_UPDATE' && e.payload.status === 'rejected').length).toBeGreaterThanOrEqual(r.cfg.risk.breakers.max_consecutive_rejects);

    // The breaker closes after the risk cool-down; fresh inputs then let the market leave HALT.
    r.paper.registerMarket({ market_id: 'm1', tokens: ['Y', 'N'], tick_size: 0.01, min_order_size: 5, fee: spec().fee });
    r.clock.advanceBy(r.cfg.risk.cool_down_ms + 1000);
    await flush();
    expect(riskStates()).toEqual(['HALTED', 'ACTIVE']);
    r.setBook('Y', book([[0.5, 100]], [[0.55, 100]]));
    r.setBook('N', book([[0.5, 100]], [[0.55, 100]]));
    expect(r.runtime.marketSnapshot('m1')!.state).toBe('IDLE');
    r.runtime.stop();
  });
});
