import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { L2Book } from '../../src/domain/book/l2-book.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { TradingNode } from '../../src/runtime/trading/trading-node.ts';
import { book, defaultSections, spec } from './support.ts';

const DAY_MS = 86_400_000;

/** Virtual time that counts the timers it fires: what a stretch of it costs the trading node. */
class CountingClock extends VirtualClock {
  fired = 0;
  override setTimeout(fn: (...args: unknown[]) => void, ms: number): number {
    return super.setTimeout(() => {
      this.fired++;
      fn();
    }, ms);
  }
}

/** The trading node of a replay or a daemon, on the paper venue, trading one market fed through its dispatch pump. */
async function quietNode() {
  const clock = new CountingClock(Date.UTC(2025, 6, 15, 16, 0, 0));
  const sink = new CollectingSink();
  const events = new EventFactory(clock, ulidGenerator(seededRng(1)));
  const market = spec({ strategies: { pair_arb: false, temporal: false } });
  const node = new TradingNode({ config: defaultSections(), clock, sink, events, markets: [{ spec: market, match_id: null, station_id: null }], onError: (err) => { throw err; } });
  await node.start();
  const books = async (b: L2Book) => {
    for (const token of ['Y', 'N']) {
      const { bids, asks } = b.topN(50);
      const payload = { resync_epoch_id: 0, synced: true, tick_size: b.tickSize, bids, asks, best_bid: b.bestBid()?.price ?? null, best_ask: b.bestAsk()?.price ?? null, mid: null, spread: null, microprice: null, imbalance: null, hash: null };
      node.emit(events.make('L2_SNAPSHOT', payload, { market_id: market.market_id, token_id: token }));
    }
    await node.drained();
  };
  const halts = () => sink.events.filter((e) => e.type === 'MARKET_STATE' && (e.payload as { state: string }).state === 'HALT').map((e) => ({ at: e.ts_ingest, reason: (e.payload as { reason: string | null }).reason }));
  return { clock, node, books, halts };
}

describe('a stretch of virtual time without input', () => {
  it('costs the trading node a handful of timers, not a pulse per period, and time still halts a stale market when it would have', async () => {
    const { clock, node, books, halts } = await quietNode();
    const start = clock.now();
    await books(book([[0.4, 100]], [[0.6, 100]]));
    const before = clock.fired;
    node.tick(start + 3 * DAY_MS);
    await node.drained();
    // A pulse every second (the group's watchdog, the runtime's risk/reconcile tick) would be 2 × 259,200 timers.
    expect(clock.fired - before).toBeLessThan(50);
    // The first pulse past book_stale_ms (10 s) halts it, as a pulse every second did.
    expect(halts()).toEqual([{ at: start + 11_000, reason: 'stale_book' }]);

    // Input again: the market trades again, and its books going stale is noticed on time once more.
    await books(book([[0.4, 100]], [[0.6, 100]]));
    node.tick(start + 3 * DAY_MS + 60_000);
    await node.drained();
    expect(halts()).toEqual([
      { at: start + 11_000, reason: 'stale_book' },
      { at: start + 3 * DAY_MS + 11_000, reason: 'stale_book' },
    ]);
    await node.finish();
  });
});
