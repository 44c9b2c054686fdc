import { describe, expect, it } from 'vitest';
import { MarketBooks } from '../../src/domain/book/market-books.ts';
import type { BookMessage, PriceChangeMessage } from '../../src/domain/market/messages.ts';
import { loadConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/config/load.ts';
import { bestPriceTriggerLevels } from '../../src/config/best-price-levels.ts';

const T = '1001';

function book(ts: number, bids: Array<[number, number]>, asks: Array<[number, number]>): BookMessage {
  return { kind: 'book', market: '0xm', asset_id: T, timestamp: ts, bids, asks, hash: null, tick_size: 0.01, last_trade_price: null };
}

function level(ts: number, side: 'BUY' | 'SELL', price: number, size: number): PriceChangeMessage {
  return { kind: 'price_change', market: '0xm', timestamp: ts, format: 'price_changes', changes: [{ asset_id: T, side, price, size, best_bid: null, best_ask: null, hash: null }] };
}

/** Bids 0.40..0.49 (0.49 best), asks 0.51..0.60, 10 levels each, every level 100. */
function tenDeep(bestPriceLevels: number): MarketBooks {
  const books = new MarketBooks({ bestPriceLevels });
  const bids = Array.from({ length: 10 }, (_, i): [number, number] => [Number((0.49 - i / 100).toFixed(2)), 100]);
  const asks = Array.from({ length: 10 }, (_, i): [number, number] => [Number((0.51 + i / 100).toFixed(2)), 100]);
  books.apply(book(1, bids, asks));
  return books;
}

const changed = (books: MarketBooks, msg: PriceChangeMessage | BookMessage) => books.apply(msg).tokens[0]!.levels_changed;

describe('levels_changed with BEST_PRICE levels (market_tape.best_price_levels)', () => {
  it('a change at or above the Nth-best level of a side counts, one below does not', () => {
    const books = tenDeep(3);
    // Third-best bid 0.47 and ask 0.53: inside; fourth-best: outside.
    // Below the touch: levels_changed (a BEST_PRICE goes out), not best_changed (no decision's trigger).
    expect(books.apply(level(2, 'BUY', 0.47, 5)).tokens[0]).toMatchObject({ levels_changed: true, best_changed: false });
    expect(changed(books, level(3, 'BUY', 0.46, 5))).toBe(false);
    expect(changed(books, level(4, 'SELL', 0.53, 5))).toBe(true);
    expect(changed(books, level(5, 'SELL', 0.54, 5))).toBe(false);
  });

  it('removals: a level among the best N removed counts (the next one moves up), a deeper one does not', () => {
    const books = tenDeep(3);
    expect(changed(books, level(2, 'SELL', 0.53, 0))).toBe(true);
    expect(changed(books, level(3, 'SELL', 0.56, 0))).toBe(false);
  });

  it('a side with fewer than N levels: every change counts', () => {
    const books = new MarketBooks({ bestPriceLevels: 5 });
    books.apply(book(1, [[0.49, 10], [0.48, 10]], [[0.51, 10]]));
    expect(changed(books, level(2, 'BUY', 0.3, 1))).toBe(true);
    expect(changed(books, level(3, 'BUY', 0.3, 0))).toBe(true);
  });

  it('a snapshot that moves only a level below the touch counts when inside N, not otherwise', () => {
    const books = tenDeep(3);
    const moved = (i: number): Array<[number, number]> => Array.from({ length: 10 }, (_, k): [number, number] => [Number((0.49 - k / 100).toFixed(2)), k === i ? 7 : 100]);
    const asks = Array.from({ length: 10 }, (_, i): [number, number] => [Number((0.51 + i / 100).toFixed(2)), 100]);
    expect(changed(books, book(2, moved(2), asks))).toBe(true);
    expect(changed(books, book(3, moved(2), asks))).toBe(false);
    expect(changed(books, book(4, moved(5), asks))).toBe(true); // level 2 back to 100
    expect(changed(books, book(5, moved(6), asks))).toBe(false);
  });

  it('without it (1): the touch alone, as before', () => {
    const books = tenDeep(1);
    expect(changed(books, level(2, 'BUY', 0.48, 5))).toBe(false);
    expect(changed(books, level(3, 'BUY', 0.49, 5))).toBe(true);
  });
});

describe('market_tape.best_price_levels against trading.orders.max_slippage_ticks', () => {
  it('defaults to max_slippage_ticks + 2, and follows a raised max_slippage_ticks when not set', () => {
    const base = loadConfig({ env: {} }).config;
    expect(base.market_tape.best_price_levels).toBe(base.trading.orders.max_slippage_ticks + 2);
    const raised = loadConfig({ env: {}, overrides: { 'trading.orders.max_slippage_ticks': 8 } }).config;
    expect(raised.market_tape.best_price_levels).toBe(10);
  });

  it('set below max_slippage_ticks + 2: a clear error naming the key, its value and where it was set', () => {
    let error: unknown;
    try {
      loadConfig({ env: {}, overrides: { 'trading.orders.max_slippage_ticks': 4, 'market_tape.best_price_levels': 5 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.objectContaining({ path: 'market_tape.best_price_levels', value: 5, source: 'command line', expected: expect.stringContaining('at least trading.orders.max_slippage_ticks + 2 (6)') }),
    ]);
    expect(loadConfig({ env: {}, overrides: { 'trading.orders.max_slippage_ticks': 4, 'market_tape.best_price_levels': 6 } }).config.market_tape.best_price_levels).toBe(6);
  });
});

describe('market_tape.best_price_on: when a BEST_PRICE goes out', () => {
  const booksFor = (overrides: Record<string, unknown>) => {
    const tape = loadConfig({ env: {}, overrides }).config.market_tape;
    const bids = Array.from({ length: 10 }, (_, i): [number, number] => [Number((0.49 - i / 100).toFixed(2)), 100]);
    const asks = Array.from({ length: 10 }, (_, i): [number, number] => [Number((0.51 + i / 100).toFixed(2)), 100]);
    const books = new MarketBooks({ bestPriceLevels: bestPriceTriggerLevels(tape) });
    books.apply(book(1, bids, asks));
    return books;
  };

  it('touch (the default): a change below the touch publishes nothing, one at the touch does', () => {
    const books = booksFor({});
    expect(changed(books, level(2, 'BUY', 0.47, 5))).toBe(false);
    expect(changed(books, level(3, 'SELL', 0.51, 5))).toBe(true);
  });

  it('levels: a change among the levels it carries publishes too', () => {
    const books = booksFor({ 'market_tape.best_price_on': 'levels' });
    expect(changed(books, level(2, 'BUY', 0.47, 5))).toBe(true);
    expect(changed(books, level(3, 'BUY', 0.4, 5))).toBe(false);
  });

  it('anything else is refused, naming the choices', () => {
    expect(() => loadConfig({ env: {}, overrides: { 'market_tape.best_price_on': 'always' } })).toThrow(/market_tape\.best_price_on/);
  });
});
