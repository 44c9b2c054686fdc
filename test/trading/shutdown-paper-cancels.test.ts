import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { book, paperTradingNode, spec } from './support.ts';

/** A trading node on the paper venue with a resting BUY on YES (below the ask, so it does not trade). */
async function nodeWithRestingOrder() {
  const { node, clock, cfg, sink, setBook } = paperTradingNode(spec({ strategies: { pair_arb: false, temporal: false } }));
  await node.start();
  for (const token of ['Y', 'N']) setBook(token, book([[0.4, 100]], [[0.6, 100]]));
  const paper = node.paper!;
  const placed = paper.placeOrder({ client_order_id: 'm1-tp-1', market_id: 'm1', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.45, size: 10, strategy: 'temporal', expires_at_ms: null });
  node.tick(clock.now() + cfg.execution.paper.order_latency_ms);
  await node.drained();
  expect(await placed).toMatchObject({ accepted: true });
  expect(paper.openOrdersNow().map((o) => o.client_order_id)).toEqual(['m1-tp-1']);
  return { node, paper, cfg, sink };
}

describe('shutdown cancels of the paper venue', () => {
  it('a cancel the paper venue answers on the node’s clock never comes once no input moves that clock', async () => {
    const { node, paper } = await nodeWithRestingOrder();
    await node.endRecording();
    const answer = await Promise.race([paper.cancelOrder('m1-tp-1'), sleep(300).then(() => 'no answer' as const)]);
    expect(answer).toBe('no answer');
    expect(paper.openOrdersNow()).toHaveLength(1);
  });

  it('after the recording ended, every resting order is canceled and answered', async () => {
    const { node, paper, sink } = await nodeWithRestingOrder();
    await node.endRecording();
    const canceled = await Promise.race([node.cancelPaperOrders(), sleep(2_000).then(() => 'hung' as const)]);
    expect(canceled).toBe(1);
    expect(paper.openOrdersNow()).toEqual([]);
    const last = sink.events.filter((e) => e.type === 'ORDER_UPDATE').map((e) => e.payload as { client_order_id: string; status: string }).pop();
    expect(last).toMatchObject({ client_order_id: 'm1-tp-1', status: 'canceled' });
    node.runtime.stop();
  });
});
