import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { ExecutionEvent } from '../../src/adapters/execution/execution-adapter.ts';
import { PaperExecutionAdapter } from '../../src/adapters/execution/paper-adapter.ts';
import type { OrderType } from '../../src/domain/trading/orders.ts';
import { book, defaultSections, WEATHER_FEE } from './support.ts';

/**
 * Paper fills a marketable BUY as the venue does (and the stand-in CLOB, clob-stand-in.test.ts, on
 * the same book with the same orders): it spends its signed dollars (size × limit, whole cents) at
 * the asks' prices, so cheaper asks buy more shares than its size; a FOK is killed unless the asks
 * up to its limit take all the dollars; a FAK's unspent dollars are canceled. SELLs and resting
 * orders still trade shares.
 */
describe('paper marketable BUYs spend their dollars, as the venue fills them', () => {
  const cfg = defaultSections();

  function venue() {
    const clock = new VirtualClock(1000);
    const b = book([[0.4, 100], [0.39, 100]], [[0.42, 100], [0.43, 100], [0.44, 100]]);
    const paper = new PaperExecutionAdapter({ clock, cfg: { ...cfg.execution.paper, order_latency_ms: 0, fail_probability: 0 }, bookFor: () => b });
    paper.registerMarket({ market_id: 'm', tokens: ['Y'], tick_size: 0.01, min_order_size: 1, fee: WEATHER_FEE });
    const events: ExecutionEvent[] = [];
    paper.subscribe((e) => events.push(e));
    let n = 0;
    const place = (order_type: OrderType, side: 'BUY' | 'SELL', price: number, size: number) => {
      const id = `o${++n}`;
      void paper.placeOrder({ client_order_id: id, market_id: 'm', token_id: 'Y', side, order_type, price, size, strategy: 'temporal', expires_at_ms: null });
      clock.advanceBy(1);
      const fills = events.flatMap((e) => (e.kind === 'fill' && e.fill.client_order_id === id && e.fill.status === 'MATCHED' ? [[e.fill.price, e.fill.size]] : []));
      const updates = events.flatMap((e) => (e.kind === 'order' && e.update.client_order_id === id ? [e.update] : []));
      return { fills, status: updates.at(-1)!.status, filled: updates.at(-1)!.filled_size, reason: updates.at(-1)!.reason };
    };
    return { paper, place };
  }

  it('a FOK BUY of 150 at 0.43 spends $64.50: 100 at 0.42, then 52.325581 at 0.43, filled with 152.325581 shares', () => {
    const { paper, place } = venue();
    const fok = place('FOK', 'BUY', 0.43, 150);
    expect(fok.fills).toEqual([
      [0.42, 100],
      [0.43, 52.325581],
    ]);
    expect(fok).toMatchObject({ status: 'filled', filled: 152.325581 });
    expect(paper.positionsNow().map((p) => p.shares)).toEqual([152.325581]);
  });

  it('a FOK BUY whose dollars the asks up to its limit cannot take is killed, though they hold its size', () => {
    const { paper, place } = venue();
    // 200 at 0.43 signs $86: the 200 shares at 0.42 and 0.43 cost only $85.
    expect(place('FOK', 'BUY', 0.43, 200)).toMatchObject({ fills: [], status: 'canceled' });
    expect(paper.positionsNow()).toEqual([]);
    // 200 at 0.44 signs $88: $85 there, the $3 left buys 6.818182 at 0.44.
    const fit = place('FOK', 'BUY', 0.44, 200);
    expect(fit.fills).toEqual([
      [0.42, 100],
      [0.43, 100],
      [0.44, 6.818182],
    ]);
    expect(fit).toMatchObject({ status: 'filled', filled: 206.818182 });
  });

  it('a FAK BUY takes what the asks up to its limit hold and its unspent dollars are canceled', () => {
    const { place } = venue();
    place('FOK', 'BUY', 0.43, 150);
    const fak = place('FAK', 'BUY', 0.43, 100);
    expect(fak.fills).toEqual([[0.43, 47.674419]]);
    expect(fak).toMatchObject({ status: 'canceled', filled: 47.674419 });
  });

  it('a FOK where the dollars just fit buys more than its size at a cheaper level; a SELL still trades its size', () => {
    const { place } = venue();
    // 50 at 0.43 signs $21.50: all at 0.42 (51.190476 shares).
    const buy = place('FOK', 'BUY', 0.43, 50);
    expect(buy.fills).toEqual([[0.42, 51.190476]]);
    const sell = place('FAK', 'SELL', 0.39, 120);
    expect(sell.fills).toEqual([
      [0.4, 100],
      [0.39, 20],
    ]);
    expect(sell).toMatchObject({ status: 'filled', filled: 120 });
  });
});
