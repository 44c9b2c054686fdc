import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { PaperExecutionAdapter } from '../../src/adapters/execution/paper-adapter.ts';
import type { PlaceOrderRequest } from '../../src/adapters/execution/execution-adapter.ts';
import { book, defaultSections, WEATHER_FEE } from './support.ts';

/**
 * The paper venue reads a token's resting orders on every book change and print of that token from
 * a per-token index, not from every order it ever took: an order still in flight when its book
 * moves must rest once it arrives, a finished one must stop resting, and another token's orders
 * must not be touched.
 */
const cfg = defaultSections();
const LATENCY_MS = 5;

function rest(id: string, token: string, price: number, size: number): PlaceOrderRequest {
  return { client_order_id: id, market_id: 'm', token_id: token, side: 'BUY', order_type: 'GTC', price, size, strategy: 'temporal', expires_at_ms: null };
}

describe('paper venue: resting orders by token', () => {
  it('an order whose book moved while it was in flight rests on arrival; a filled one rests no more; the other token is untouched', () => {
    const clock = new VirtualClock(1000);
    const b = book([[0.4, 100]], [[0.46, 100]]);
    const paper = new PaperExecutionAdapter({ clock, cfg: { ...cfg.execution.paper, order_latency_ms: LATENCY_MS, fail_probability: 0 }, bookFor: () => b });
    paper.registerMarket({ market_id: 'm', tokens: ['Y', 'N'], tick_size: 0.01, min_order_size: 1, fee: WEATHER_FEE });
    void paper.placeOrder(rest('y1', 'Y', 0.45, 10));
    void paper.placeOrder(rest('n1', 'N', 0.45, 10));
    // Both still pending: the book changes read the index before either order arrives.
    paper.onBookUpdated('Y');
    paper.onBookUpdated('N');
    expect(paper.orderState('y1')!.status).toBe('pending');
    clock.advanceBy(LATENCY_MS);
    expect(paper.orderState('y1')!.status).toBe('open');
    void paper.placeOrder(rest('y2', 'Y', 0.45, 10));
    clock.advanceBy(LATENCY_MS);

    // Nothing rests ahead at 0.45: a 10-share print fills the first order placed, all of it.
    paper.onTrade('Y', { price: 0.45, size: 10, side: 'SELL' });
    expect(paper.orderState('y1')).toMatchObject({ status: 'filled', filled: 10 });
    expect(paper.orderState('y2')).toMatchObject({ status: 'open', filled: 0 });
    // The filled order is out of the index: the next print goes to the second one alone.
    paper.onBookUpdated('Y');
    paper.onTrade('Y', { price: 0.45, size: 4, side: 'SELL' });
    expect(paper.orderState('y1')!.filled).toBe(10);
    expect(paper.orderState('y2')).toMatchObject({ status: 'partially_filled', filled: 4 });
    // Prints on Y never reached N's order.
    expect(paper.orderState('n1')).toMatchObject({ status: 'open', filled: 0 });
    paper.onTrade('N', { price: 0.45, size: 3, side: 'SELL' });
    expect(paper.orderState('n1')).toMatchObject({ status: 'partially_filled', filled: 3 });
  });
});
