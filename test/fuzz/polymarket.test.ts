import { connectionBooksForTest } from '../feed/support/feed-fixtures.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { ConnectionBooks } from '../../src/adapters/polymarket/connection-books.ts';
import { decodeMarketFrame, decodeMarketValue, MalformedFrameReporter, type DecodeError } from '../../src/adapters/polymarket/market-decoder.ts';
import { decodeRestBook } from '../../src/adapters/polymarket/rest-book.ts';
import { TapePublisher } from '../../src/adapters/polymarket/tape-publisher.ts';
import { decodeUserFrame, decodeUserValue } from '../../src/adapters/polymarket/user-decoder.ts';
import { CollectingSink, EventFactory, ulidGenerator } from '../../src/domain/events/index.ts';
import { MARKET_MESSAGE_KINDS, type MarketMessage } from '../../src/domain/market/messages.ts';
import type { UserMessage } from '../../src/domain/market/user-messages.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { deepFreeze, mutatedText, mutatedValue, randomJsonValue, randomText } from './support/mutate.ts';
import { fuzzFixture, fuzzParams, fuzzTimeoutMs, FUZZ_RUNS } from './support/runs.ts';

const MARKET = fuzzFixture<unknown[]>('market-frames.json');
const USER = fuzzFixture<unknown[]>('user-frames.json');
const REST = fuzzFixture<unknown[]>('rest-books.json');

const MARKET_KEYS = ['event_type', 'market', 'asset_id', 'price_changes', 'changes', 'price', 'size', 'side', 'best_bid', 'best_ask', 'hash', 'timestamp', 'bids', 'asks', 'tick_size', 'assets_ids', 'outcomes'];
const USER_KEYS = ['event_type', 'type', 'id', 'status', 'price', 'size', 'size_matched', 'original_size', 'maker_orders', 'matched_amount', 'associate_trades', 'timestamp', 'created_at', 'expiration', 'match_time', 'bucket_index'];
const REST_KEYS = ['market', 'asset_id', 'timestamp', 'hash', 'bids', 'asks', 'price', 'size', 'min_order_size', 'tick_size', 'neg_risk', 'last_trade_price'];

const REASONS = new Set(['empty_frame', 'invalid_json', 'unknown_text_frame', 'not_an_object', 'missing_event_type', 'unknown_event_type', 'missing_field', 'invalid_field']);

/** Text frames: random text, and valid samples mutated as values and as text. */
function frames(samples: readonly unknown[], keys: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: randomText },
    { weight: 2, arbitrary: mutatedValue(samples, keys).map((v) => JSON.stringify(v) ?? '') },
    { weight: 2, arbitrary: mutatedText(samples, keys) },
  );
}

function values(samples: readonly unknown[], keys: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 1, arbitrary: randomJsonValue }, { weight: 3, arbitrary: mutatedValue(samples, keys, false) });
}

function expectTypedResult(r: { messages: unknown[]; error: DecodeError | null }): void {
  if (r.error !== null) {
    expect(r.messages).toEqual([]);
    expect(REASONS.has(r.error.reason), r.error.reason).toBe(true);
    expect(typeof r.error.path).toBe('string');
    expect(typeof r.error.message).toBe('string');
    expect(Number.isInteger(r.error.element) && r.error.element >= -1).toBe(true);
  }
}

const finite = (n: number | null) => n === null || Number.isFinite(n);
const nonNegative = (n: number | null) => n === null || (Number.isFinite(n) && n >= 0);

/** What a decoded market message promises downstream (books rely on it). */
function expectSaneMarketMessage(m: MarketMessage): void {
  expect(MARKET_MESSAGE_KINDS).toContain(m.kind);
  switch (m.kind) {
    case 'book':
      expect(m.asset_id.length > 0 && m.market.length > 0 && Number.isFinite(m.timestamp)).toBe(true);
      for (const [p, s] of [...m.bids, ...m.asks]) expect(nonNegative(p) && nonNegative(s)).toBe(true);
      expect(m.tick_size === null || m.tick_size > 0).toBe(true);
      break;
    case 'price_change':
      for (const c of m.changes) {
        expect(c.asset_id.length > 0 && (c.side === 'BUY' || c.side === 'SELL')).toBe(true);
        expect(nonNegative(c.price) && nonNegative(c.size) && finite(c.best_bid) && finite(c.best_ask)).toBe(true);
      }
      break;
    case 'tick_size_change':
      expect(m.new_tick_size > 0 && Number.isFinite(m.new_tick_size)).toBe(true);
      break;
    case 'last_trade_price':
      expect(nonNegative(m.price) && nonNegative(m.size)).toBe(true);
      break;
    default:
      break;
  }
}

function expectSaneUserMessage(m: UserMessage): void {
  if (m.kind === 'pong') return;
  expect(m.id.length > 0 && m.market.length > 0 && m.asset_id.length > 0).toBe(true);
  expect(m.price >= 0 && m.price <= 1).toBe(true);
  expect(Number.isFinite(m.timestamp) && m.timestamp >= 0).toBe(true);
  if (m.kind === 'order') {
    expect(nonNegative(m.original_size) && nonNegative(m.size_matched)).toBe(true);
    expect(m.associate_trades.every((t) => typeof t === 'string' && t !== '')).toBe(true);
  } else {
    expect(nonNegative(m.size) && nonNegative(m.fee_rate_bps)).toBe(true);
    for (const f of m.maker_orders) expect(nonNegative(f.matched_amount) && f.price >= 0 && f.price <= 1).toBe(true);
  }
}

function firstSignificant(raw: string): string {
  return raw.trimStart().charAt(0);
}

describe(`market channel frames (${FUZZ_RUNS} cases per property)`, () => {
  it('decodeMarketFrame returns messages or one typed error, never throws', () => {
    fc.assert(
      fc.property(frames(MARKET, MARKET_KEYS), (raw) => {
        const r = decodeMarketFrame(raw);
        expectTypedResult(r);
        for (const m of r.messages) expectSaneMarketMessage(m);
      }),
      fuzzParams('market-frame-contract'),
    );
  }, fuzzTimeoutMs(30_000));

  it('the price_change fast path reads every frame exactly as the general decoder does', () => {
    fc.assert(
      fc.property(frames(MARKET, MARKET_KEYS), (raw) => {
        const c = firstSignificant(raw);
        if (c !== '{' && c !== '[') return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          return;
        }
        expect(decodeMarketFrame(raw)).toEqual(decodeMarketValue(parsed));
      }),
      fuzzParams('market-frame-fast-path'),
    );
  }, fuzzTimeoutMs(30_000));

  it('decodeMarketValue is pure: never writes to its input, same answer whatever came before', () => {
    fc.assert(
      fc.property(values(MARKET, MARKET_KEYS), values(MARKET, MARKET_KEYS), (a, b) => {
        const first = decodeMarketValue(deepFreeze(a));
        expectTypedResult(first);
        decodeMarketValue(deepFreeze(b));
        expect(decodeMarketValue(a)).toEqual(first);
      }),
      fuzzParams('market-value-pure'),
    );
  }, fuzzTimeoutMs(30_000));

  it('a rejected frame leaves the book registry exactly as it was', () => {
    const clock = new VirtualClock(1_760_000_000_000);
    const { books, reporter, sink } = connectionBooksForTest(clock);
    books.subscribed(['1001', '1002']);
    books.handleFrame(JSON.stringify(MARKET[1]));
    const snapshot = () => {
      const { frames: _f, malformed: _m, ...metrics } = books.metrics;
      const states = books.books.assetIds().map((id) => {
        const s = books.books.get(id)!;
        return { id, status: s.status, synced: s.synced, hash: s.hash, market: s.market, tick: s.book.tickSize, top: s.book.topN(50) };
      });
      return JSON.stringify({ metrics, states, events: sink.events.length, pending: books.pendingCount(), outstanding: books.resyncOutstanding() });
    };
    let rejected = 0;
    fc.assert(
      fc.property(frames(MARKET, MARKET_KEYS), (raw) => {
        const before = snapshot();
        const malformed = books.metrics.malformed;
        books.handleFrame(raw);
        if (books.metrics.malformed === malformed) return;
        rejected++;
        expect(snapshot()).toBe(before);
      }),
      fuzzParams('market-frame-registry'),
    );
    expect(rejected).toBeGreaterThan(FUZZ_RUNS / 10);
    expect(reporter.total).toBe(books.metrics.malformed);
  }, fuzzTimeoutMs(30_000));
});

describe(`user channel frames (${FUZZ_RUNS} cases per property)`, () => {
  it('decodeUserFrame returns messages or one typed error, never throws', () => {
    let accepted = 0;
    fc.assert(
      fc.property(frames(USER, USER_KEYS), (raw) => {
        const r = decodeUserFrame(raw);
        expectTypedResult(r);
        if (r.error === null) accepted++;
        for (const m of r.messages) expectSaneUserMessage(m);
      }),
      fuzzParams('user-frame-contract'),
    );
    // Mutations that keep a frame valid (an extra key, a dropped optional field) must still pass.
    expect(accepted).toBeGreaterThan(0);
  }, fuzzTimeoutMs(30_000));

  it('decodeUserValue is pure: never writes to its input, same answer whatever came before', () => {
    fc.assert(
      fc.property(values(USER, USER_KEYS), values(USER, USER_KEYS), (a, b) => {
        const first = decodeUserValue(deepFreeze(a));
        expectTypedResult(first);
        decodeUserValue(deepFreeze(b));
        expect(decodeUserValue(a)).toEqual(first);
      }),
      fuzzParams('user-value-pure'),
    );
  }, fuzzTimeoutMs(30_000));
});

describe(`CLOB REST /book answers (${FUZZ_RUNS} cases per property)`, () => {
  it('decodeRestBook returns a book or an error string, never throws, never writes to its input', () => {
    fc.assert(
      fc.property(values(REST, REST_KEYS), (v) => {
        const r = decodeRestBook(deepFreeze(v));
        if (!r.ok) {
          expect(typeof r.error).toBe('string');
          return;
        }
        expectSaneMarketMessage(r.value.book);
        expect(r.value.book.asset_id.length).toBeGreaterThan(0);
        expect(finite(r.value.min_order_size)).toBe(true);
        expect(decodeRestBook(v)).toEqual(r);
      }),
      fuzzParams('rest-book-contract'),
    );
  }, fuzzTimeoutMs(30_000));

  it('an invalid REST answer leaves the book registry as it was', () => {
    const clock = new VirtualClock(1_760_000_000_000);
    const sink = new CollectingSink();
    const publisher = new TapePublisher(sink, new EventFactory(clock, ulidGenerator(seededRng(2))), clock, {
      topLevels: 10,
      imbalanceLevels: 5,
      emitL2Delta: true,
      snapshotIntervalMs: 1_000,
      bestPriceFlushMs: 100,
    });
    const books = new ConnectionBooks(publisher, new MalformedFrameReporter({ clock, minSampleIntervalMs: 1_000, maxSampleChars: 100 }));
    books.subscribed(['1001', '1002']);
    let invalid = 0;
    fc.assert(
      fc.property(values(REST, REST_KEYS), (v) => {
        // Each answer races a resync of both tokens, as after a reconnect.
        books.socketDown('fuzz');
        books.subscribed(['1001', '1002']);
        books.handleFrame(JSON.stringify({ ...(MARKET[0] as object), asset_id: '1001' }));
        books.books.invalidate('1001', 'forced');
        const { generation } = books.takeResyncBatch();
        const before = JSON.stringify({ metrics: { ...books.metrics, rest_books_invalid: 0 }, events: sink.events.length, ids: books.books.assetIds(), out: books.resyncOutstanding() });
        const was = books.metrics.rest_books_invalid;
        books.applyRestBook(v, generation);
        if (books.metrics.rest_books_invalid === was) return;
        invalid++;
        expect(JSON.stringify({ metrics: { ...books.metrics, rest_books_invalid: 0 }, events: sink.events.length, ids: books.books.assetIds(), out: books.resyncOutstanding() })).toBe(before);
      }),
      fuzzParams('rest-book-registry'),
    );
    expect(invalid).toBeGreaterThan(FUZZ_RUNS / 10);
  }, fuzzTimeoutMs(30_000));
});
