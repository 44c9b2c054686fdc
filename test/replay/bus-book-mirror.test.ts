import { describe, expect, it } from 'vitest';
import { ConnectionBooks } from '../../src/adapters/polymarket/connection-books.ts';
import { MalformedFrameReporter } from '../../src/adapters/polymarket/malformed-frame-reporter.ts';
import { TapePublisher, type TapePublisherOptions } from '../../src/adapters/polymarket/tape-publisher.ts';
import { SyntheticMarkets, syntheticMarketSpecs } from '../../src/sim/venue/synthetic-markets.ts';
import { BusBookMirror } from '../../src/domain/book/bus-book-mirror.ts';
import type { HeliosEvent, PayloadOf } from '../../src/domain/events/catalog.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { testFactory } from '../support/events.ts';

const ids = { market_id: 'm1', token_id: 'T' };

function snapshot(epoch: number, bids: Array<[number, number]>, asks: Array<[number, number]>, synced = true): PayloadOf<'L2_SNAPSHOT'> {
  return {
    resync_epoch_id: epoch,
    synced,
    tick_size: 0.01,
    bids,
    asks,
    best_bid: bids[0]?.[0] ?? null,
    best_ask: asks[0]?.[0] ?? null,
    mid: null,
    spread: null,
    microprice: null,
    imbalance: null,
    hash: null,
  };
}

function rig() {
  const { clock, factory } = testFactory(3);
  const mirror = new BusBookMirror();
  const apply = (e: HeliosEvent) => mirror.apply(e);
  const snap = (epoch: number, bids: Array<[number, number]>, asks: Array<[number, number]>, synced = true) => apply(factory.make('L2_SNAPSHOT', snapshot(epoch, bids, asks, synced), ids));
  const delta = (epoch: number, side: 'BUY' | 'SELL', price: number, size: number, best_bid: number | null, best_ask: number | null) =>
    apply(factory.make('L2_DELTA', { resync_epoch_id: epoch, side, price, size, best_bid, best_ask }, ids));
  const best = (epoch: number, bid: number | null, bidSize: number | null, ask: number | null, askSize: number | null, synced = true) =>
    apply(factory.make('BEST_PRICE', { resync_epoch_id: epoch, synced, best_bid: bid, best_bid_size: bidSize, best_ask: ask, best_ask_size: askSize, updates_coalesced: 1 }, ids));
  return { clock, factory, mirror, apply, snap, delta, best };
}

/**
 * The real feed path on a synthetic venue: its frames → ConnectionBooks (mirror + integrity) →
 * TapePublisher, whose events go to `onEvent` with the feed's books beside them.
 */
function syntheticTape(onEvent: (e: HeliosEvent, books: ConnectionBooks) => void, publisherOpts: Partial<TapePublisherOptions>, bestPriceLevels = 1) {
  const { clock, factory } = testFactory(9, 1_760_000_000_000);
  const publisher: TapePublisher = new TapePublisher({ emit: (e) => onEvent(e, books) }, factory, clock, {
    topLevels: 10,
    imbalanceLevels: 5,
    emitL2Delta: true,
    snapshotIntervalMs: 1000,
    bestPriceFlushMs: 0,
    ...publisherOpts,
  });
  const books = new ConnectionBooks(publisher, new MalformedFrameReporter({ clock, minSampleIntervalMs: 1000, maxSampleChars: 50 }), { bestPriceLevels });
  const venue = new SyntheticMarkets(syntheticMarketSpecs(3), seededRng(5), { bookAfterTradeProb: 0.05, bareDecimalProb: 0.1 }, clock.now());
  const tokens = venue.tokenIds();
  books.subscribed(tokens);
  const frame = (body: unknown) => {
    books.handleFrame(JSON.stringify(body));
    const batch = books.takeResyncBatch();
    for (const t of batch.tokens) books.applyRestBook(venue.restSummary(t), batch.generation);
    books.finishResync(batch.tokens, batch.generation);
  };
  frame(venue.dumpFrame(tokens).body);
  publisher.start(() => books.states(), (t) => books.books.get(t));
  return { clock, publisher, books, venue, tokens, frame };
}

describe('BusBookMirror', () => {
  it('builds a book from a synced snapshot and applies deltas of the same epoch after it', () => {
    const r = rig();
    expect(r.mirror.book('T')).toBeUndefined();
    expect(r.snap(1, [[0.48, 100], [0.47, 50]], [[0.52, 80], [0.53, 40]])).toBe(true);
    expect(r.mirror.synced('T')).toBe(true);
    expect(r.mirror.epoch('T')).toBe(1);
    expect(r.mirror.marketOf('T')).toBe('m1');
    expect(r.delta(1, 'BUY', 0.49, 30, 0.49, 0.52)).toBe(true);
    expect(r.mirror.book('T')!.topN(3)).toEqual({ bids: [[0.49, 30], [0.48, 100], [0.47, 50]], asks: [[0.52, 80], [0.53, 40]] });
    expect(r.delta(1, 'SELL', 0.52, 0, 0.49, 0.53)).toBe(true);
    expect(r.mirror.tradableBook('T')!.bestAsk()).toEqual({ price: 0.53, size: 40 });
  });

  it('drops levels better than a delta reports (they vanished while no delta was recorded)', () => {
    const r = rig();
    r.snap(1, [[0.5, 10], [0.48, 100]], [[0.52, 80]]);
    // Outside an event window the 0.50 bid was cancelled unseen; this delta reports best bid 0.48.
    r.delta(1, 'SELL', 0.53, 20, 0.48, 0.52);
    expect(r.mirror.book('T')!.bestBid()).toEqual({ price: 0.48, size: 100 });
  });

  it('BEST_PRICE re-aligns the top between snapshots: better levels go, the best takes its size', () => {
    const r = rig();
    r.snap(2, [[0.48, 100], [0.47, 50]], [[0.52, 80], [0.53, 40]]);
    expect(r.best(2, 0.47, 60, 0.51, 5)).toBe(true);
    expect(r.mirror.book('T')!.topN(2)).toEqual({ bids: [[0.47, 60]], asks: [[0.51, 5], [0.52, 80]] });
    r.best(2, 0.47, 60, null, null);
    expect(r.mirror.book('T')!.levelCount('SELL')).toBe(0);
  });

  it('resync markers, gaps and unsynced records make the book untrusted until a synced snapshot of the epoch', () => {
    const r = rig();
    r.snap(1, [[0.48, 100]], [[0.52, 80]]);
    expect(r.apply(r.factory.make('BOOK_RESYNC_START', { resync_epoch_id: 2, reason: 'crossed_book' }, ids))).toBe(true);
    expect(r.mirror.synced('T')).toBe(false);
    expect(r.mirror.tradableBook('T')).toBeUndefined();
    // Deltas are ignored while unsynced; BOOK_RESYNC_DONE carries no levels.
    expect(r.delta(2, 'BUY', 0.49, 10, 0.49, 0.52)).toBe(false);
    expect(r.apply(r.factory.make('BOOK_RESYNC_DONE', { resync_epoch_id: 2, duration_ms: 40 }, ids))).toBe(false);
    expect(r.mirror.synced('T')).toBe(false);
    // A late snapshot of the abandoned lineage is ignored; the new epoch's one resyncs.
    expect(r.snap(1, [[0.4, 1]], [[0.6, 1]])).toBe(false);
    r.snap(2, [[0.45, 10]], [[0.55, 10]]);
    expect(r.mirror.synced('T')).toBe(true);
    expect(r.mirror.book('T')!.bestBid()?.price).toBe(0.45);
    r.apply(r.factory.make('GAP_DETECTED', { resync_epoch_id: 3, reason: 'best_price_mismatch' }, ids));
    expect(r.mirror.synced('T')).toBe(false);
    r.snap(3, [[0.45, 10]], [[0.55, 10]], false);
    expect(r.mirror.synced('T')).toBe(false);
    r.snap(3, [[0.45, 10]], [[0.55, 10]]);
    r.best(3, 0.45, 10, 0.55, 10, false);
    expect(r.mirror.synced('T')).toBe(false);
  });

  it('a delta or best price of a newer epoch unsyncs (its snapshot is still to come); a crossing delta too', () => {
    const r = rig();
    r.snap(1, [[0.48, 100]], [[0.52, 80]]);
    expect(r.delta(4, 'BUY', 0.49, 10, 0.49, 0.52)).toBe(true);
    expect(r.mirror.synced('T')).toBe(false);
    expect(r.mirror.epoch('T')).toBe(4);
    r.snap(4, [[0.48, 100]], [[0.52, 80]]);
    r.delta(4, 'BUY', 0.55, 10, 0.55, null);
    expect(r.mirror.synced('T')).toBe(false);
    r.snap(4, [[0.48, 100]], [[0.52, 80]]);
    r.best(5, 0.48, 100, 0.52, 80);
    expect(r.mirror.synced('T')).toBe(false);
  });

  it('a tick size change drops the book until the next snapshot, which brings the new grid', () => {
    const r = rig();
    r.snap(1, [[0.48, 100]], [[0.52, 80]]);
    expect(r.apply(r.factory.make('TICK_SIZE_CHANGE', { old_tick_size: 0.01, new_tick_size: 0.001 }, ids))).toBe(true);
    expect(r.mirror.synced('T')).toBe(false);
    r.apply(r.factory.make('L2_SNAPSHOT', { ...snapshot(2, [[0.481, 5]], [[0.483, 5]]), tick_size: 0.001 }, ids));
    expect(r.mirror.book('T')!.tickSize).toBe(0.001);
    expect(r.mirror.book('T')!.bestBid()?.price).toBe(0.481);
  });

  it('ignores events that are not about books', () => {
    const r = rig();
    expect(r.apply(r.factory.make('TRADE', { price: 0.5, size: 1, side: 'BUY', fee_rate_bps: null }, ids))).toBe(false);
    expect(r.mirror.tokens()).toEqual([]);
  });

  it("from the market tape's own bus output alone, tracks the feed's books: equal snapshots, equal best prices", () => {
    const mirror = new BusBookMirror();
    let checked = 0;
    const mismatches: string[] = [];
    const { clock, publisher, venue, frame } = syntheticTape(
      (e, books) => {
        const t = e.token_id;
        // Before a snapshot replaces it: the book rebuilt from earlier records equals the feed's top.
        if (e.type === 'L2_SNAPSHOT' && t && mirror.synced(t) && e.payload.synced) {
          checked++;
          const ours = mirror.book(t)!.topN(3);
          if (JSON.stringify(ours) !== JSON.stringify({ bids: e.payload.bids.slice(0, 3), asks: e.payload.asks.slice(0, 3) })) mismatches.push(`snapshot ${t}`);
        }
        mirror.apply(e);
        if (!t || !mirror.synced(t) || (e.type !== 'BEST_PRICE' && e.type !== 'L2_DELTA')) return;
        checked++;
        const live = books.books.get(t)!.book;
        const ours = mirror.book(t)!;
        if (ours.bestBid()?.price !== live.bestBid()?.price || ours.bestAsk()?.price !== live.bestAsk()?.price) mismatches.push(`${e.type} ${t}`);
      },
      { bestPriceFlushMs: 100 },
    );
    for (let i = 0; i < 3000; i++) {
      clock.advanceBy(20);
      for (const f of venue.step()) frame(f.body);
      if (i % 700 === 350) frame(venue.crossedUpdate().body);
    }
    publisher.stop();
    expect(checked).toBeGreaterThan(1000);
    expect(mismatches).toEqual([]);
    expect(publisher.metrics.resync_started).toBeGreaterThan(0);
  });
  it.each(['levels', 'touch'] as const)('with levels on BEST_PRICE and no L2_DELTA read, keeps the top N of every book exact (published on %s changes: always / at each BEST_PRICE); fed the deltas too (a replay), it ignores them', (on) => {
    // As the trading node reads the tape: L2_SNAPSHOT and BEST_PRICE only. `replayed` also gets the
    // journal's L2_DELTAs, and must hold exactly the same books.
    const N = 5;
    const live = new BusBookMirror();
    const replayed = new BusBookMirror();
    const mismatches: string[] = [];
    let atBestPrice = 0;
    const { clock, publisher, books, venue, tokens, frame } = syntheticTape(
      (e, books) => {
        replayed.apply(e);
        if (e.type === 'L2_DELTA') return;
        live.apply(e);
        // Published on touch changes, the levels are exact as each BEST_PRICE goes out (what a decision reads).
        const feed = e.type === 'BEST_PRICE' && live.synced(e.token_id!) ? books.books.get(e.token_id!) : undefined;
        if (feed?.synced) {
          atBestPrice++;
          if (JSON.stringify(live.book(e.token_id!)!.topN(N)) !== JSON.stringify(feed.book.topN(N))) mismatches.push(`at BEST_PRICE ${e.token_id}`);
        }
      },
      { bestPriceLevels: N },
      on === 'levels' ? N : 1,
    );
    let compared = 0;
    let deeperDiffer = 0;
    let topDiffer = 0;
    for (let i = 0; i < 3000; i++) {
      // The turn's BEST_PRICEs are out: every synced book's top N is the feed's.
      clock.advanceBy(20);
      for (const t of tokens) {
        const feed = books.books.get(t)!;
        if (!feed.synced || !live.synced(t)) continue;
        compared++;
        if (JSON.stringify(live.book(t)!.topN(N)) !== JSON.stringify(feed.book.topN(N))) {
          if (on === 'levels') mismatches.push(`${i} ${t}`);
          else topDiffer++;
        }
        if (JSON.stringify(live.book(t)!.topN(50)) !== JSON.stringify(feed.book.topN(50))) deeperDiffer++;
        if (!live.book(t)!.equals(replayed.book(t)!) || live.synced(t) !== replayed.synced(t)) mismatches.push(`replayed ${i} ${t}`);
      }
      for (const f of venue.step()) frame(f.body);
      if (i % 700 === 350) frame(venue.crossedUpdate().body);
    }
    publisher.stop();
    expect(compared).toBeGreaterThan(10_000);
    expect(atBestPrice).toBeGreaterThan(1_000);
    expect(mismatches.slice(0, 5)).toEqual([]);
    // On touch changes only, a level below the touch is stale until the next BEST_PRICE or snapshot.
    if (on === 'touch') expect(topDiffer).toBeGreaterThan(0);
    // Below N the books are the last snapshot's: the test would not tell levels from deltas otherwise.
    expect(deeperDiffer).toBeGreaterThan(0);
    expect(publisher.metrics.l2_deltas).toBeGreaterThan(0);
    expect(publisher.metrics.resync_started).toBeGreaterThan(0);
  });
});
