import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { PaperExecutionAdapter } from '../../src/adapters/execution/paper-adapter.ts';
import type { L2Book } from '../../src/domain/book/l2-book.ts';
import { guaranteedPairPnl } from '../../src/domain/trading/pair-arb.ts';
import { strategyHolding } from '../../src/domain/trading/pnl-ledger.ts';
import { book, defaultSections, flush, rig, spec, WEATHER_FEE } from './support.ts';

/** Issue #20, "flatters paper": the paper venue never sells the same liquidity twice. */
const cfg = defaultSections();

describe('#20.6 paper consumes the liquidity it takes', () => {
  it('12 identical refreshes of 10 shares at 0.45 per side fill 10 pairs, not 20', async () => {
    const r = rig();
    r.runtime.addMarket(spec({ fee: WEATHER_FEE, strategies: { pair_arb: true, temporal: false } }), { synced: true });
    await r.runtime.start();
    for (let i = 0; i < 12; i++) {
      r.setBook('Y', book([[0.44, 10]], [[0.45, 10]]));
      r.setBook('N', book([[0.44, 10]], [[0.45, 10]]));
      r.clock.advanceBy(100);
      await flush();
    }
    r.clock.advanceBy(3000);
    await flush();
    const pos = r.paper.positionsNow();
    const ledger = r.runtime.marketSnapshot('m1')!.context.ledger;
    const gp = guaranteedPairPnl(strategyHolding(ledger, 'Y', 'pair_arb'), strategyHolding(ledger, 'N', 'pair_arb'));
    console.info(`#20.6 paper positions ${pos.map((p) => `${p.token_id}=${p.shares}`).join(' ')}, locked ${gp.toFixed(4)}`);
    expect(pos.map((p) => p.shares)).toEqual([10, 10]);
    expect(gp).toBeCloseTo(10 - 9 - 2 * 10 * 0.05 * 0.45 * 0.55, 4);
    r.runtime.stop();
  });

  it('liquidity comes back only as the venue shows it: a shrunk level frees what it lost, new size adds', async () => {
    const clock = new VirtualClock(1000);
    let b: L2Book = book([[0.44, 100]], [[0.45, 10], [0.46, 10]]);
    const paper = new PaperExecutionAdapter({ clock, cfg: { ...cfg.execution.paper, order_latency_ms: 0, fail_probability: 0 }, bookFor: () => b });
    paper.registerMarket({ market_id: 'm', tokens: ['Y'], tick_size: 0.01, min_order_size: 1, fee: WEATHER_FEE });
    const filled: number[] = [];
    paper.subscribe((e) => {
      if (e.kind === 'fill' && e.fill.status === 'MATCHED') filled.push(e.fill.size);
    });
    const buy = (id: string, size: number) => {
      void paper.placeOrder({ client_order_id: id, market_id: 'm', token_id: 'Y', side: 'BUY', order_type: 'FAK', price: 0.45, size, strategy: 'temporal', expires_at_ms: null });
      clock.advanceBy(1);
    };
    buy('a', 8);
    paper.onBookUpdated('Y');
    buy('b', 8); // the same 10 displayed: 2 left
    // Someone else took 5 (the level shows 5): of our phantom 10 taken, 5 are now gone for real.
    b = book([[0.44, 100]], [[0.45, 5], [0.46, 10]]);
    paper.onBookUpdated('Y');
    buy('c', 8); // 5 displayed, 5 still consumed by us → nothing
    // 20 new shares arrive behind: 25 displayed, 5 of them ours already.
    b = book([[0.44, 100]], [[0.45, 25], [0.46, 10]]);
    paper.onBookUpdated('Y');
    buy('d', 30);
    expect(filled).toEqual([8, 2, 20]);
  });
});

describe('#20.7 one trade advances the queue once', () => {
  it('the level update before its print: 100 ahead, a 50 print leaves 50 ahead and the next 10-share print fills nothing', () => {
    const clock = new VirtualClock(1000);
    let b: L2Book = book([[0.45, 100]], [[0.46, 100]]);
    const paper = new PaperExecutionAdapter({ clock, cfg: { ...cfg.execution.paper, order_latency_ms: 0, fail_probability: 0 }, bookFor: () => b });
    paper.registerMarket({ market_id: 'm', tokens: ['Y'], tick_size: 0.01, min_order_size: 1, fee: WEATHER_FEE });
    void paper.placeOrder({ client_order_id: 'rest', market_id: 'm', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.45, size: 10, strategy: 'temporal', expires_at_ms: null });
    clock.advanceBy(1);
    expect(paper.orderState('rest')!.queue_ahead).toBe(100);
    b = book([[0.45, 50]], [[0.46, 100]]);
    paper.onBookUpdated('Y');
    paper.onTrade('Y', { price: 0.45, size: 50, side: 'SELL' });
    paper.onTrade('Y', { price: 0.45, size: 10, side: 'SELL' });
    const st = paper.orderState('rest')!;
    console.info(`#20.7 filled ${st.filled}, queue ahead ${st.queue_ahead}`);
    expect(st.filled).toBe(0);
    expect(st.queue_ahead).toBe(40);
  });

  it('the print before its level update counts once too', () => {
    const clock = new VirtualClock(1000);
    let b: L2Book = book([[0.45, 100]], [[0.46, 100]]);
    const paper = new PaperExecutionAdapter({ clock, cfg: { ...cfg.execution.paper, order_latency_ms: 0, fail_probability: 0 }, bookFor: () => b });
    paper.registerMarket({ market_id: 'm', tokens: ['Y'], tick_size: 0.01, min_order_size: 1, fee: WEATHER_FEE });
    void paper.placeOrder({ client_order_id: 'rest', market_id: 'm', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.45, size: 10, strategy: 'temporal', expires_at_ms: null });
    clock.advanceBy(1);
    paper.onTrade('Y', { price: 0.45, size: 50, side: 'SELL' });
    b = book([[0.45, 50]], [[0.46, 100]]);
    paper.onBookUpdated('Y');
    paper.onTrade('Y', { price: 0.45, size: 60, side: 'SELL' });
    // 50 ahead: the 60-share print fills our 10.
    expect(paper.orderState('rest')).toMatchObject({ filled: 10, queue_ahead: 0 });
  });
});

void flush;
