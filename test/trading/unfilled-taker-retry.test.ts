import { describe, expect, it } from 'vitest';
import type { EventFactory } from '../../src/domain/events/factory.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { flush, paperRouterRig, truthSignal } from './support.ts';

type Levels = Array<[number, number]>;

function snapshot(events: EventFactory, token: string, bids: Levels, asks: Levels): HeliosEvent {
  return events.make(
    'L2_SNAPSHOT',
    { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids, asks, best_bid: bids[0]?.[0] ?? null, best_ask: asks[0]?.[0] ?? null, mid: null, spread: null, microprice: null, imbalance: null, hash: null },
    { market_id: 'm1', token_id: token },
  );
}

/**
 * The feed snapshots every book every second, changed or not. A marketable BUY that took nothing
 * (the paper venue keeps what it took as taken until the venue's book shows it gone, as a real
 * venue would have shown our fill) must not be sent again on every snapshot of the same book: it
 * would meet the same answer. Seen in `npm start`: 132 FAKs of one market, one a second, none filled.
 */
describe('a marketable order that took nothing waits for the book to change', () => {
  it('sends no further order on snapshots of the same book, and trades again once the book changes', async () => {
    const r = paperRouterRig({ pair_arb: false, temporal: true });
    await r.runtime.start();
    const yesAsks: Levels = [[0.51, 4.5]];
    const snapshotBoth = async (asks: Levels) => {
      // The match runs on: its truth stays fresh.
      r.runtime.send('m1', { type: 'TRUTH', truth: truthSignal('live', 0.725), ts_ms: r.clock.now() });
      r.router.route(snapshot(r.events, 'Y', [[0.5, 100]], asks));
      r.router.route(snapshot(r.events, 'N', [[0.48, 100]], [[0.5, 100]]));
      r.clock.advanceBy(1_000);
      await flush();
    };
    for (let i = 0; i < 20; i++) await snapshotBoth(yesAsks);
    const orders = () => Object.values(r.runtime.marketSnapshot('m1')!.context.orders).sort((a, b) => a.placed_at_ms - b.placed_at_ms || (a.client_order_id < b.client_order_id ? -1 : 1));
    const staticPhase = orders();
    // The edge bought what the ask showed (over two orders), then one more try found it all taken;
    // then nothing, for the rest of 20 s of the same book (before: the same FAK every second).
    expect(staticPhase.length).toBeGreaterThanOrEqual(2);
    expect(staticPhase.slice(0, -1).every((o) => o.filled_size > 0)).toBe(true);
    const last = staticPhase.at(-1)!;
    expect([last.order_type, last.filled_size, last.status]).toEqual(['FAK', 0, 'canceled']);
    expect(last.placed_at_ms).toBeLessThan(r.clock.now() - 15_000);
    expect(r.placed).toHaveLength(staticPhase.length);
    // New liquidity at the ask: the market trades again, and fills.
    await snapshotBoth([[0.51, 12]]);
    await snapshotBoth([[0.51, 12]]);
    const after = orders().slice(staticPhase.length);
    expect(after.length).toBe(1);
    expect(after[0]!.filled_size).toBeGreaterThan(0);
    r.runtime.stop();
  });
});
