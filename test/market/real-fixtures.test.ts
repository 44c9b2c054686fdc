import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMarketFrame, decodeMarketValue } from '../../src/adapters/polymarket/market-decoder.ts';
import { decodeRestBook } from '../../src/adapters/polymarket/rest-book.ts';
import { MarketBooks } from '../../src/domain/book/market-books.ts';
import { MARKET_MESSAGE_KINDS } from '../../src/domain/market/messages.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';

const present = requireSharedFixtures('polymarket');
const ROOT = sharedFixture('polymarket');

/** Event types of the market channel on the wire (decoded kinds minus the text frames). */
const MARKET_EVENT_TYPES = new Set<string>(MARKET_MESSAGE_KINDS.filter((k) => k !== 'pong' && k !== 'no_new_assets'));
const USER_EVENT_TYPES = new Set(['order', 'trade']);

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
    });
}

function eventTypes(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((v) => (typeof v === 'object' && v !== null && typeof (v as { event_type?: unknown }).event_type === 'string' ? (v as { event_type: string }).event_type : ''));
}

describe.skipIf(!present)('real Polymarket fixtures (../shared/fixtures/polymarket)', () => {
  const files = present ? jsonFiles(ROOT) : [];
  const load = (rel: string): string => readFileSync(path.join(ROOT, rel), 'utf8');

  it('every fixture that is a market-channel frame decodes, as text and as a parsed value', () => {
    const frames = files.filter((f) => {
      const types = eventTypes(JSON.parse(readFileSync(f, 'utf8')));
      return types.length > 0 && types.every((t) => MARKET_EVENT_TYPES.has(t));
    });
    expect(frames.length).toBeGreaterThanOrEqual(12);
    for (const file of frames) {
      const text = readFileSync(file, 'utf8');
      const r = decodeMarketFrame(text);
      expect(r.error, path.relative(ROOT, file)).toBeNull();
      expect(r.messages.map((m) => m.kind)).toEqual(eventTypes(JSON.parse(text)));
      expect(decodeMarketValue(JSON.parse(text))).toEqual(r);
    }
  });

  it('user-channel frames are refused by the market decoder with a typed reason, never a throw', () => {
    const user = files.filter((f) => eventTypes(JSON.parse(readFileSync(f, 'utf8'))).some((t) => USER_EVENT_TYPES.has(t)));
    expect(user.length).toBeGreaterThan(0);
    for (const file of user) expect(decodeMarketFrame(readFileSync(file, 'utf8')).error?.reason).toBe('unknown_event_type');
  });

  it('payload-only samples (event_type stripped by their authors) decode once the wire event_type is restored', () => {
    const restored: Array<[string, string]> = [
      ['nautilus_trader/crates_test_data/ws_book_snapshot.json', 'book'],
      ['nautilus_trader/crates_test_data/ws_quotes.json', 'price_change'],
      ['nautilus_trader/crates_test_data/ws_tick_size_change.json', 'tick_size_change'],
      ['nautilus_trader/crates_test_data/ws_last_trade.json', 'last_trade_price'],
    ];
    for (const [rel, type] of restored) {
      const value = JSON.parse(load(rel)) as Record<string, unknown>;
      expect(decodeMarketValue(value).error?.reason, rel).toBe('missing_event_type');
      const r = decodeMarketValue({ ...value, event_type: type });
      expect(r.error, rel).toBeNull();
      expect(r.messages[0]!.kind).toBe(type);
    }
  });

  it('the real 2024 book capture builds a sane book (best prices are the LAST levels sent)', () => {
    const r = decodeMarketFrame(load('nautilus_trader/ws_messages/book.json'));
    const books = new MarketBooks();
    const outcome = books.apply(r.messages[0]!).tokens[0]!;
    expect(outcome).toMatchObject({ status: 'snapshot', synced: true });
    const book = books.get(outcome.asset_id)!.book;
    expect(book.levelCount('BUY')).toBe(76);
    expect(book.levelCount('SELL')).toBe(86);
    expect(book.bestBid()).toEqual({ price: 0.511, size: 1304.72 });
    expect(book.bestAsk()).toEqual({ price: 0.514, size: 20230.87 });
    expect(book.isCrossed()).toBe(false);
    // The older flat price_change of the same token predates this book: not applied.
    const stale = decodeMarketFrame(load('nautilus_trader/ws_messages/price_change.json'));
    expect(books.apply(stale.messages[0]!).tokens[0]!.status).toBe('ignored_stale');
  });

  it('each historical price_change shape and the docs example decode to per-level changes', () => {
    const flat = decodeMarketFrame(load('nautilus_trader/ws_messages/price_change.json')).messages[0]!;
    expect(flat).toMatchObject({ kind: 'price_change', format: 'flat', changes: [{ side: 'SELL', price: 0.514, size: 21574.08, hash: 'bf32b3746fff40c76c98021b7f3f07261169dd26' }] });
    const current = decodeMarketFrame(load('nautilus_trader/ws_messages/price_change_v2.json')).messages[0]!;
    expect(current).toMatchObject({ kind: 'price_change', format: 'price_changes' });
    expect(current.kind === 'price_change' && current.changes.map((c) => [c.side, c.price, c.size, c.best_bid, c.best_ask])).toEqual([
      ['BUY', 0.6, 3300, 0.6, 0.7],
      ['BUY', 0.5, 3400, 0.6, 0.7],
      ['BUY', 0.7, 3400, 0.6, 0.7],
    ]);
    const docs = decodeMarketFrame(load('docs_examples/price_change_new_format.docs-example.json')).messages[0]!;
    expect(docs.kind === 'price_change' && new Set(docs.changes.map((c) => c.asset_id)).size).toBe(2);
  });

  it('REST /book answers decode; the ccxt sample was truncated to 5 levels, so its hash cannot verify', () => {
    const ccxt = JSON.parse(load('ccxt/polymarket.response.httpResponses.extract.json')) as Record<string, unknown>;
    const r = decodeRestBook(ccxt['GET /book (fetchOrderBook)']);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.book).toMatchObject({ tick_size: 0.001, last_trade_price: 0.152 });
    expect(r.value.neg_risk).toBe(true);
    expect(r.value.hash_check).toMatchObject({ ok: false, expected: '3082b8da1567a4510e93544031cb9144524f2de7' });
    const books = new MarketBooks();
    expect(books.apply(r.value.book).tokens[0]).toMatchObject({ status: 'snapshot', synced: true });
    expect(books.get(r.value.book.asset_id)!.book.bestBid()).toEqual({ price: 0.005, size: 1000 });
    const nt = decodeRestBook(JSON.parse(load('nautilus_trader/crates_test_data/clob_book_response.json')));
    expect(nt.ok && nt.value.hash_check).toBeNull();
  });
});
