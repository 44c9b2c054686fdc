import { describe, expect, it } from 'vitest';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { book, paperTradingNode, spec } from './support.ts';

/**
 * An order's events read as one flow: the ORDER_UPDATEs and FILLs of one client order share the
 * correlation id of the input the decision was taken on, the first names that input as its cause
 * and each later one the order's previous event; a market's state change names its input too.
 */
describe('order events carry their cause', () => {
  it('pair arbitrage on a crossed pair: every order event of one order chains back to the book that caused it', async () => {
    const { node, clock, cfg, sink, events } = paperTradingNode(spec({ strategies: { pair_arb: true, temporal: false } }));
    await node.start();
    const inputs: HeliosEvent[] = [];
    const snapshot = (token: string, ask: number) => {
      const b = book([[ask - 0.02, 100]], [[ask, 100]]);
      const { bids, asks } = b.topN(50);
      const payload = { resync_epoch_id: 0, synced: true, tick_size: b.tickSize, bids, asks, best_bid: ask - 0.02, best_ask: ask, mid: null, spread: null, microprice: null, imbalance: null, hash: null };
      const event = events.make('L2_SNAPSHOT', payload, { market_id: 'm1', token_id: token });
      inputs.push(event);
      node.emit(event);
    };
    snapshot('Y', 0.4);
    snapshot('N', 0.4);
    await node.drained();
    for (let i = 0; i < 10; i++) {
      node.tick(clock.now() + cfg.execution.paper.order_latency_ms);
      await node.drained();
    }
    const orderEvents = sink.events.filter((e) => e.type === 'ORDER_UPDATE' || e.type === 'FILL');
    expect(orderEvents.some((e) => e.type === 'FILL')).toBe(true);
    const byOrder = new Map<string, HeliosEvent[]>();
    for (const e of orderEvents) {
      const id = (e.payload as { client_order_id: string }).client_order_id;
      byOrder.set(id, [...(byOrder.get(id) ?? []), e]);
    }
    const inputIds = new Set(inputs.map((e) => e.event_id));
    for (const [id, events] of byOrder) {
      const [first, ...rest] = events;
      expect(inputIds.has(first!.causation_id!), `${id}: first event caused by an input`).toBe(true);
      const cause = inputs.find((e) => e.event_id === first!.causation_id)!;
      expect(events.every((e) => e.correlation_id === cause.correlation_id), `${id}: one correlation`).toBe(true);
      rest.forEach((e, i) => expect(e.causation_id, `${id}: each event follows the previous one`).toBe(events[i]!.event_id));
    }
    // The decision to build the pair was taken on the second book: its state change says so.
    const building = sink.events.find((e) => e.type === 'MARKET_STATE' && e.payload.state === 'BUILDING_PAIR');
    expect(building?.causation_id).toBe(inputs[1]!.event_id);
    node.runtime.stop();
  });
});
