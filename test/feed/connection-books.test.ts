import { connectionBooksForTest } from './support/feed-fixtures.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { ConnectionBooks } from '../../src/adapters/polymarket/connection-books.ts';
import { restBookSummaryHash } from '../../src/domain/book/book-hash.ts';
import type { CollectingSink } from '../../src/domain/events/index.ts';

const M = '0xmarket';

function book(asset: string, ts: number, bids: Array<[string, string]>, asks: Array<[string, string]>, tick = '0.01'): string {
  return JSON.stringify({
    event_type: 'book',
    asset_id: asset,
    market: M,
    bids: bids.map(([price, size]) => ({ price, size })),
    asks: asks.map(([price, size]) => ({ price, size })),
    timestamp: String(ts),
    hash: 'h',
    tick_size: tick,
  });
}

type Entry = { asset: string; side: 'BUY' | 'SELL'; price: string; size: string; bid: string; ask: string };
function change(ts: number, ...entries: Entry[]): string {
  return JSON.stringify({
    market: M,
    price_changes: entries.map((e) => ({ asset_id: e.asset, price: e.price, size: e.size, side: e.side, hash: 'x', best_bid: e.bid, best_ask: e.ask })),
    timestamp: String(ts),
    event_type: 'price_change',
  });
}

function restSummary(asset: string, ts: number, bids: Array<[string, string]>, asks: Array<[string, string]>) {
  const s = {
    market: M,
    asset_id: asset,
    timestamp: String(ts),
    hash: '',
    bids: bids.map(([price, size]) => ({ price, size })),
    asks: asks.map(([price, size]) => ({ price, size })),
    min_order_size: '5',
    tick_size: '0.01',
    neg_risk: false,
    last_trade_price: '0.5',
  };
  return { ...s, hash: restBookSummaryHash(s) };
}

describe('connection books', () => {
  let clock: VirtualClock;
  let sink: CollectingSink;
  let books: ConnectionBooks;
  const types = () => sink.events.map((e) => e.type).filter((t) => t !== 'L2_DELTA');

  beforeEach(() => {
    clock = new VirtualClock(1_000_000);
    ({ books, sink } = connectionBooksForTest(clock));
  });

  it('replays the updates that raced a REST snapshot, dropping those the snapshot already has', () => {
    books.subscribed(['A']);
    expect(books.handleFrame(book('A', 100, [['0.40', '10']], [['0.60', '10']]))).toEqual({ data: true, resync: false });
    books.handleFrame(change(101, { asset: 'A', side: 'BUY', price: '0.41', size: '5', bid: '0.41', ask: '0.6' }));
    // A corrupt update crosses the book: the mirror drops it and asks for a snapshot.
    const crossed = books.handleFrame(change(102, { asset: 'A', side: 'BUY', price: '0.6', size: '1', bid: '0.6', ask: '0.6' }));
    expect(crossed).toEqual({ data: true, resync: true });
    expect(books.books.get('A')!.synced).toBe(false);
    const { tokens, generation } = books.takeResyncBatch();
    expect(tokens).toEqual(['A']);
    // While the REST request is out, the socket keeps talking (in order, as sockets do)...
    books.handleFrame(change(103, { asset: 'A', side: 'BUY', price: '0.43', size: '3', bid: '0.43', ask: '0.6' }));
    books.handleFrame(
      change(
        104,
        { asset: 'A', side: 'BUY', price: '0.43', size: '0', bid: '0.41', ask: '0.6' },
        { asset: 'A', side: 'BUY', price: '0.42', size: '2', bid: '0.42', ask: '0.6' },
      ),
    );
    const during = books.handleFrame(change(105, { asset: 'A', side: 'SELL', price: '0.59', size: '7', bid: '0.42', ask: '0.59' }));
    expect(during.resync).toBe(false);
    clock.advanceBy(250);
    // ...and the snapshot, taken at venue time 104, lands after all of them.
    const rest = restSummary('A', 104, [['0.40', '10'], ['0.41', '5'], ['0.42', '2']], [['0.60', '10']]);
    expect(books.applyRestBook(rest, generation)).toBe(true);
    books.finishResync(tokens, generation);
    const a = books.books.get('A')!;
    expect(a.synced).toBe(true);
    expect(a.book.topN(10)).toEqual({ bids: [[0.42, 2], [0.41, 5], [0.4, 10]], asks: [[0.59, 7], [0.6, 10]] });
    expect(books.metrics).toMatchObject({ rest_books_applied: 1, rest_hash_mismatches: 0, ignored_stale: 1 });
    expect(types()).toEqual(['BOOK_RESYNC_START', 'BOOK_RESYNC_DONE']);
    const done = sink.events.find((e) => e.type === 'BOOK_RESYNC_DONE')!;
    expect(done.type === 'BOOK_RESYNC_DONE' && done.payload).toEqual({ resync_epoch_id: 1, duration_ms: 250 });
    expect(books.resyncOutstanding()).toBe(0);
  });

  it('only the tokens on this socket count: a mixed frame never resyncs or records the other token', () => {
    books.subscribed(['A']);
    books.handleFrame(book('A', 100, [['0.40', '10']], [['0.60', '10']]));
    sink.events.length = 0;
    const sig = books.handleFrame(
      change(
        101,
        { asset: 'A', side: 'BUY', price: '0.41', size: '5', bid: '0.41', ask: '0.6' },
        { asset: 'B', side: 'SELL', price: '0.59', size: '5', bid: '0.4', ask: '0.59' },
      ),
    );
    expect(sig).toEqual({ data: true, resync: false });
    expect(sink.events.map((e) => [e.type, e.token_id])).toEqual([['L2_DELTA', 'A']]);
    expect(books.pendingCount()).toBe(0);
    expect(books.handleFrame(change(102, { asset: 'B', side: 'SELL', price: '0.58', size: '1', bid: '0.4', ask: '0.58' }))).toEqual({ data: false, resync: false });
  });

  it('follows subscription changes: an unsubscribed token is forgotten and ignored, a resubscribed one applies again after its snapshot', () => {
    books.subscribed(['A', 'B']);
    books.handleFrame(book('A', 100, [['0.40', '10']], [['0.60', '10']]));
    books.handleFrame(book('B', 100, [['0.40', '10']], [['0.60', '10']]));
    const both = (ts: number, bidA: string, bidB: string) =>
      change(ts, { asset: 'A', side: 'BUY', price: bidA, size: '5', bid: bidA, ask: '0.6' }, { asset: 'B', side: 'BUY', price: bidB, size: '5', bid: bidB, ask: '0.6' });
    sink.events.length = 0;
    expect(books.handleFrame(both(101, '0.41', '0.42'))).toEqual({ data: true, resync: false });
    expect(sink.events.map((e) => [e.type, e.token_id])).toEqual([
      ['L2_DELTA', 'A'],
      ['L2_DELTA', 'B'],
    ]);
    books.unsubscribed(['B']);
    sink.events.length = 0;
    expect(books.handleFrame(both(102, '0.43', '0.44'))).toEqual({ data: true, resync: false });
    expect(sink.events.map((e) => [e.type, e.token_id])).toEqual([['L2_DELTA', 'A']]);
    expect([...books.states()].map((s) => [s.asset_id, s.book.bestBid()?.price])).toEqual([['A', 0.43]]);
    expect(books.pendingCount()).toBe(0);
    books.subscribed(['B']);
    books.handleFrame(book('B', 103, [['0.40', '10']], [['0.60', '10']]));
    sink.events.length = 0;
    expect(books.handleFrame(both(104, '0.45', '0.46'))).toEqual({ data: true, resync: false });
    expect(sink.events.map((e) => [e.type, e.token_id])).toEqual([
      ['L2_DELTA', 'A'],
      ['L2_DELTA', 'B'],
    ]);
    expect([...books.states()].map((s) => [s.asset_id, s.book.bestBid()?.price])).toEqual([
      ['A', 0.45],
      ['B', 0.46],
    ]);
    expect(books.metrics).toMatchObject({ applied: 5, resync_requests: 0 });
  });

  it('updates without a snapshot (lost initial dump, tick change) ask for one; duplicates change nothing', () => {
    books.subscribed(['A']);
    const sig = books.handleFrame(change(101, { asset: 'A', side: 'BUY', price: '0.41', size: '5', bid: '0.41', ask: '0.6' }));
    expect(sig).toEqual({ data: true, resync: true });
    books.handleFrame(book('A', 102, [['0.40', '10']], [['0.60', '10']]));
    const frame = change(103, { asset: 'A', side: 'BUY', price: '0.41', size: '5', bid: '0.41', ask: '0.6' });
    books.handleFrame(frame);
    books.handleFrame(frame);
    expect(books.books.get('A')!.book.topN(5)).toEqual({ bids: [[0.41, 5], [0.4, 10]], asks: [[0.6, 10]] });
    books.takeResyncBatch();
    const tick = JSON.stringify({ event_type: 'tick_size_change', asset_id: 'A', market: M, old_tick_size: '0.01', new_tick_size: '0.001', timestamp: '104' });
    expect(books.handleFrame(tick).data).toBe(true);
    expect(books.books.get('A')!.synced).toBe(false);
    expect(books.handleFrame(change(105, { asset: 'A', side: 'BUY', price: '0.415', size: '5', bid: '0.415', ask: '0.6' })).resync).toBe(false);
    expect(types()).toContain('TICK_SIZE_CHANGE');
  });

  it('a dead socket invalidates its synced books with a gap marker; REST answers for it arrive too late', () => {
    books.subscribed(['A', 'B']);
    books.handleFrame(book('A', 100, [['0.40', '10']], [['0.60', '10']]));
    books.handleFrame(change(101, { asset: 'B', side: 'BUY', price: '0.41', size: '5', bid: '0.41', ask: '0.6' }));
    const { generation } = books.takeResyncBatch();
    sink.events.length = 0;
    books.socketDown('reconnect');
    expect(sink.events.map((e) => [e.type, e.token_id, (e.payload as { resync_epoch_id: number }).resync_epoch_id])).toEqual([
      ['BOOK_RESYNC_START', 'A', 1],
      ['GAP_DETECTED', 'A', 1],
    ]);
    expect(books.wire.size).toBe(0);
    expect(books.applyRestBook(restSummary('B', 102, [['0.4', '1']], [['0.6', '1']]), generation)).toBe(false);
  });

  it('a malformed frame is counted and reported, never applied, never thrown', () => {
    books.subscribed(['A']);
    expect(books.handleFrame('{"event_type":"price_change","market":')).toEqual({ data: false, resync: false });
    expect(books.handleFrame('garbage')).toEqual({ data: false, resync: false });
    expect(books.metrics.malformed).toBe(2);
    expect(books.handleFrame('NO NEW ASSETS')).toEqual({ data: false, resync: false });
  });

  it('trades go to the tape; market resolution is published once', () => {
    books.subscribed(['A']);
    books.handleFrame(
      JSON.stringify({ asset_id: 'A', event_type: 'last_trade_price', fee_rate_bps: '0', market: M, price: '0.5', side: 'BUY', size: '12.5', timestamp: '100' }),
    );
    const trade = sink.events.find((e) => e.type === 'TRADE')!;
    expect(trade.type === 'TRADE' && trade.payload).toEqual({ price: 0.5, size: 12.5, side: 'BUY', fee_rate_bps: 0 });
    expect(trade.ts_source).toBe(100);
    expect(trade.market_id).toBe(M);
  });
});
