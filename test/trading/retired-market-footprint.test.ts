import { describe, expect, it } from 'vitest';
import { structureSizes } from '../daemon/support/market-churn.ts';
import { feed, inputFactory, LIFE_MS, marketLife, node, T0 } from './retirement-support.ts';

/** Entries of every Map and Set reachable from `root` (ids kept, whatever their field). */
function keptEntries(root: object): number {
  let n = 0;
  for (const [p, size] of structureSizes({ root })) if (p.endsWith('{}')) n += size;
  return n;
}

describe('what the trading node keeps of markets that left', () => {
  it('the decision recorder counts a retired market\'s orders and fills on without keeping their ids', async () => {
    const r = node(2 * LIFE_MS);
    await r.node.start();
    const input = inputFactory();
    let lived = 0;
    const live = async (n: number) => {
      for (let k = 0; k < n; k++, lived++) await feed(r.node, marketLife(input.events, input.clock, lived, T0 + 1_000 + lived * LIFE_MS));
      // Past the retention of the last one: every market so far retired.
      await feed(r.node, [{ kind: 'tick', t: T0 + 1_000 + (lived + 4) * LIFE_MS }]);
      expect(r.node.runtime.marketIds()).toEqual([]);
      return keptEntries(r.node.recorder);
    };
    const after10 = await live(10);
    const after40 = await live(30);
    expect(after40).toBeLessThanOrEqual(after10);
    // The retired markets' orders and fills are still counted, each once.
    const orders = new Set(r.sink.events.flatMap((e) => (e.type === 'ORDER_UPDATE' ? [e.payload.client_order_id] : [])));
    expect(orders.size).toBeGreaterThan(40);
    expect(r.node.summary().orders).toBe(orders.size);
    expect(r.node.summary().fills).toBe(r.sink.events.filter((e) => e.type === 'FILL' && e.payload.status === 'MATCHED').length);
    r.node.runtime.stop();
  });
});
