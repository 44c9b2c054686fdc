import { describe, expect, it } from 'vitest';
import { decodeMarketFrame } from '../../src/adapters/polymarket/market-decoder.ts';
import { decodeRestBook } from '../../src/adapters/polymarket/rest-book.ts';
import { viewBook } from '../../src/domain/book/book-view.ts';
import { MarketBooks } from '../../src/domain/book/market-books.ts';
import type { TokenApplyOutcome } from '../../src/domain/book/token-book-state.ts';
import type { BookMessage, MarketMessage, PriceChangeMessage, PriceLevelChange } from '../../src/domain/market/messages.ts';

const YES = '1001';
const NO = '1002';
const MKT = '0xmarket';

function book(asset: string, ts: number, bids: Array<[number, number]>, asks: Array<[number, number]>, tick: number | null = 0.01): BookMessage {
  return { kind: 'book', market: MKT, asset_id: asset, timestamp: ts, bids, asks, hash: `h${ts}`, tick_size: tick, last_trade_price: null };
}

function change(asset: string, side: 'BUY' | 'SELL', price: number, size: number, best_bid: number | null = null, best_ask: number | null = null): PriceLevelChange {
  return { asset_id: asset, side, price, size, best_bid, best_ask, hash: null };
}

function pc(ts: number, ...changes: PriceLevelChange[]): PriceChangeMessage {
  return { kind: 'price_change', market: MKT, timestamp: ts, format: 'price_changes', changes };
}

function one(books: MarketBooks, msg: MarketMessage): TokenApplyOutcome {
  const { tokens } = books.apply(msg);
  expect(tokens).toHaveLength(1);
  return tokens[0]!;
}

/** YES: bids 0.48×50 0.49×20, asks 0.52×10 0.55×80; NO mirrors it. */
function synced(): MarketBooks {
  const books = new MarketBooks();
  one(books, book(YES, 100, [[0.48, 50], [0.49, 20]], [[0.55, 80], [0.52, 10]]));
  one(books, book(NO, 100, [[0.45, 80], [0.48, 10]], [[0.52, 50], [0.51, 20]]));
  return books;
}

describe('token book integrity', () => {
  it('a snapshot makes a token synced; its level updates then apply', () => {
    const books = new MarketBooks();
    const s = one(books, book(YES, 100, [[0.49, 20]], [[0.52, 10]]));
    expect(s).toMatchObject({ status: 'snapshot', synced: true, resync_epoch_id: 0, resync_started: false, resync_done: false, gap: false, best_changed: true });
    const a = one(books, pc(101, change(YES, 'BUY', 0.5, 5, 0.5, 0.52)));
    expect(a).toMatchObject({ status: 'applied', synced: true, levels_applied: 1, best_changed: true });
    expect(books.get(YES)!.book.bestBid()).toEqual({ price: 0.5, size: 5 });
    // A change below the top leaves the top alone.
    expect(one(books, pc(102, change(YES, 'BUY', 0.3, 5, 0.5, 0.52))).best_changed).toBe(false);
  });

  it('updates for a token without a snapshot are not applied and report it unsynced', () => {
    const books = new MarketBooks();
    const o = one(books, pc(5, change(YES, 'BUY', 0.5, 5)));
    expect(o).toMatchObject({ status: 'ignored_unsynced', synced: false, levels_applied: 0, reason: 'awaiting_snapshot', resync_started: false });
    expect(books.get(YES)!.book.levelCount('BUY')).toBe(0);
    expect(books.assetIds()).toEqual([YES]);
  });

  it('a crossed book needs a resync: new epoch, book dropped, later updates ignored until a snapshot', () => {
    const books = synced();
    const o = one(books, pc(101, change(YES, 'BUY', 0.53, 5)));
    expect(o).toMatchObject({ status: 'resync_needed', reason: 'crossed_book', resync_epoch_id: 1, synced: false, resync_started: true, gap: false, best_changed: true });
    const state = books.get(YES)!;
    expect(state.status).toBe('resync_needed');
    expect(state.book.levelCount('BUY') + state.book.levelCount('SELL')).toBe(0);
    expect(one(books, pc(102, change(YES, 'BUY', 0.4, 5)))).toMatchObject({ status: 'ignored_unsynced', reason: 'crossed_book', resync_epoch_id: 1 });
    const done = one(books, book(YES, 103, [[0.49, 20]], [[0.52, 10]]));
    expect(done).toMatchObject({ status: 'snapshot', synced: true, resync_done: true, resync_epoch_id: 1 });
    // The epoch tags everything until the next loss of sync.
    expect(one(books, pc(104, change(YES, 'SELL', 0.53, 1, 0.49, 0.52))).resync_epoch_id).toBe(1);
  });

  it('a transient cross inside one frame is fine when the frame ends uncrossed', () => {
    const books = synced();
    const o = one(books, pc(101, change(YES, 'BUY', 0.52, 30), change(YES, 'SELL', 0.52, 0), change(YES, 'SELL', 0.55, 70, 0.52, 0.55)));
    expect(o).toMatchObject({ status: 'applied', levels_applied: 3 });
    expect(books.get(YES)!.book.bestAsk()).toEqual({ price: 0.55, size: 70 });
  });

  it('best_bid/best_ask disagreeing with the mirror is a gap: resync with a GAP marker', () => {
    const books = synced();
    const o = one(books, pc(101, change(YES, 'BUY', 0.47, 5, 0.5, 0.52)));
    expect(o).toMatchObject({ status: 'resync_needed', reason: 'best_price_mismatch', gap: true, resync_started: true, resync_epoch_id: 1 });
  });

  it('the venue writes an empty side as best_bid "0" / best_ask "1"', () => {
    const books = new MarketBooks();
    one(books, book(YES, 1, [[0.2, 1]], [[0.6, 1]]));
    expect(one(books, pc(2, change(YES, 'SELL', 0.6, 0, 0.2, 1))).status).toBe('applied');
    expect(one(books, pc(3, change(YES, 'BUY', 0.2, 0, 0, 1))).status).toBe('applied');
    expect(one(books, pc(4, change(YES, 'BUY', 0.3, 2, 0, 1)))).toMatchObject({ status: 'resync_needed', reason: 'best_price_mismatch' });
  });

  it('one frame can carry both tokens: each is applied and judged on its own', () => {
    const books = synced();
    const { tokens } = books.apply(pc(101, change(YES, 'BUY', 0.5, 1, 0.5, 0.52), change(NO, 'SELL', 0.51, 0, 0.48, 0.49)));
    expect(tokens.map((t) => [t.asset_id, t.status, t.reason])).toEqual([
      [YES, 'applied', null],
      [NO, 'resync_needed', 'best_price_mismatch'],
    ]);
  });

  it('entries of an unsynced token in a mixed frame do not block the synced one', () => {
    const books = new MarketBooks();
    one(books, book(YES, 100, [[0.49, 20]], [[0.52, 10]]));
    const { tokens } = books.apply(pc(101, change(NO, 'BUY', 0.3, 1), change(YES, 'BUY', 0.5, 1, 0.5, 0.52), change(NO, 'BUY', 0.31, 1)));
    expect(tokens.map((t) => [t.asset_id, t.status])).toEqual([
      [NO, 'ignored_unsynced'],
      [YES, 'applied'],
    ]);
  });

  it('tick_size_change starts a new epoch on the new grid and waits for a fresh snapshot', () => {
    const books = synced();
    const o = one(books, { kind: 'tick_size_change', market: MKT, asset_id: YES, timestamp: 101, old_tick_size: 0.01, new_tick_size: 0.001 });
    expect(o).toMatchObject({ status: 'epoch_changed', reason: 'tick_size_change', resync_epoch_id: 1, resync_started: true, synced: false, gap: false });
    expect(one(books, pc(102, change(YES, 'BUY', 0.491, 5))).status).toBe('ignored_unsynced');
    const s = one(books, book(YES, 103, [[0.491, 5]], [[0.52, 10]], null));
    expect(s).toMatchObject({ status: 'snapshot', resync_done: true, synced: true });
    expect(books.get(YES)!.book.tickSize).toBe(0.001);
    expect(books.get(YES)!.book.bestBid()).toEqual({ price: 0.491, size: 5 });
  });

  it('updates older than the snapshot are stale (already in it); older than the last update are a gap', () => {
    const books = synced();
    expect(one(books, pc(99, change(YES, 'BUY', 0.4, 1)))).toMatchObject({ status: 'ignored_stale', reason: 'older_than_book' });
    expect(one(books, pc(105, change(YES, 'BUY', 0.4, 1))).status).toBe('applied');
    expect(one(books, pc(104, change(YES, 'BUY', 0.41, 1)))).toMatchObject({ status: 'resync_needed', reason: 'out_of_order_timestamp', gap: true });
    // An older snapshot does not roll a synced book back either.
    const again = synced();
    one(again, pc(110, change(YES, 'BUY', 0.4, 1)));
    expect(one(again, book(YES, 105, [[0.1, 1]], [[0.9, 1]]))).toMatchObject({ status: 'ignored_stale' });
    expect(again.get(YES)!.book.bestBid()).toEqual({ price: 0.49, size: 20 });
  });

  it('an off-grid price forces a resync; a snapshot that does not fit the known tick falls back to the finest grid', () => {
    const books = synced();
    expect(one(books, pc(101, change(YES, 'BUY', 0.495, 1)))).toMatchObject({ status: 'resync_needed', reason: 'off_tick_price' });
    const s = one(books, book(YES, 102, [[0.495, 1]], [[0.52, 1]]));
    expect(s.status).toBe('snapshot');
    expect(books.get(YES)!.book.tickSize).toBe(0.0001);
    expect(books.get(YES)!.book.bestBid()).toEqual({ price: 0.495, size: 1 });
  });

  it('a book without tick_size uses the tick discovery gave, else the finest grid', () => {
    const books = new MarketBooks();
    books.setTickSize(YES, 0.01);
    one(books, book(YES, 1, [[0.49, 1]], [[0.52, 1]], null));
    expect(books.get(YES)!.book.tickSize).toBe(0.01);
    one(books, book(NO, 1, [[0.49, 1]], [[0.52, 1]], null));
    expect(books.get(NO)!.book.tickSize).toBe(0.0001);
  });

  it('invalidate (reconnect) drops a synced book with a new epoch; a crossed snapshot is refused', () => {
    const books = synced();
    expect(books.invalidate(YES, 'reconnect')).toMatchObject({ status: 'resync_needed', reason: 'reconnect', resync_started: true, resync_epoch_id: 1, gap: false });
    expect(one(books, book(YES, 200, [[0.6, 1]], [[0.5, 1]]))).toMatchObject({ status: 'resync_needed', reason: 'crossed_book', resync_epoch_id: 2 });
    expect(books.remove(YES)).toBe(true);
    expect(books.get(YES)).toBeUndefined();
  });

  it('best_bid_ask events are checked only when asked to', () => {
    const bba = { kind: 'best_bid_ask' as const, market: MKT, asset_id: YES, timestamp: 101, best_bid: 0.3, best_ask: 0.9, spread: 0.6 };
    expect(synced().apply(bba).tokens).toEqual([]);
    const strict = new MarketBooks({ verifyBestBidAskEvents: true });
    one(strict, book(YES, 100, [[0.49, 20]], [[0.52, 10]]));
    expect(strict.apply({ ...bba, best_bid: 0.49, best_ask: 0.52 }).tokens).toEqual([]);
    expect(one(strict, bba)).toMatchObject({ status: 'resync_needed', reason: 'best_price_mismatch', gap: true });
  });

  it('messages without book effect register the token but report nothing', () => {
    const books = new MarketBooks();
    const trade: MarketMessage = { kind: 'last_trade_price', market: MKT, asset_id: NO, timestamp: 1, price: 0.5, size: 1, side: 'BUY', fee_rate_bps: 0, transaction_hash: null };
    expect(books.apply(trade).tokens).toEqual([]);
    expect(books.apply({ kind: 'pong' }).tokens).toEqual([]);
    expect(books.assetIds()).toEqual([NO]);
  });
});

describe('REST /book resync', () => {
  it('a REST answer decodes into a snapshot the registry applies like a WebSocket book', () => {
    const rest = decodeRestBook({
      market: MKT,
      asset_id: YES,
      timestamp: '150',
      hash: '',
      bids: [{ price: '0.47', size: '10' }, { price: '0.48', size: '5' }],
      asks: [{ price: '0.53', size: '7' }],
      min_order_size: '5',
      tick_size: '0.01',
      neg_risk: false,
      last_trade_price: '0.5',
    });
    expect(rest.ok).toBe(true);
    if (!rest.ok) return;
    expect(rest.value.hash_check?.ok).toBe(false); // hash "" never matches
    const books = new MarketBooks();
    expect(one(books, pc(120, change(YES, 'BUY', 0.1, 1))).status).toBe('ignored_unsynced');
    expect(one(books, rest.value.book)).toMatchObject({ status: 'snapshot', synced: true });
    const view = viewBook(books.get(YES)!, { topLevels: 2, imbalanceLevels: 2 });
    expect(view).toMatchObject({ best_bid: 0.48, best_ask: 0.53, bids: [[0.48, 5], [0.47, 10]], asks: [[0.53, 7]], tick_size: 0.01, synced: true });
    // Updates buffered while the request was in flight: older ones are already in the snapshot.
    expect(one(books, pc(140, change(YES, 'BUY', 0.48, 99))).status).toBe('ignored_stale');
    expect(one(books, pc(160, change(YES, 'BUY', 0.48, 6, 0.48, 0.53))).status).toBe('applied');
  });

  it('decodes the real frames in order into the right book', () => {
    const books = new MarketBooks();
    const frames = [
      `[{"event_type":"book","asset_id":"${YES}","market":"${MKT}","bids":[{"price":".48","size":"30"}],"asks":[{"price":".52","size":"60"}],"timestamp":"1","tick_size":"0.01"}]`,
      `{"market":"${MKT}","price_changes":[{"asset_id":"${YES}","price":"0.5","size":"200","side":"BUY","hash":"x","best_bid":"0.5","best_ask":"0.52"}],"timestamp":"2","event_type":"price_change"}`,
    ];
    for (const f of frames) for (const m of decodeMarketFrame(f).messages) books.apply(m);
    expect(books.get(YES)!.book.topN(5)).toEqual({ bids: [[0.5, 200], [0.48, 30]], asks: [[0.52, 60]] });
    expect(books.get(YES)!.hash).toBe('x');
  });
});
