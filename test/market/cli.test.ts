import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => path.join(HERE, '../fixtures/market', name);
const lines = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('helios tape decode', () => {
  it('prints one normalized event per message, then one book_summary per token; malformed lines go to stderr, exit 1', async () => {
    const io = captureIo();
    const code = await main(['tape', 'decode', fixture('tape-sample.ndjson')], io);
    expect(code).toBe(1);
    expect(io.stderr()).toMatch(/tape-sample\.ndjson:5: malformed \(invalid_field\): price_changes\[0\]\.price/);
    expect(io.stderr().trim().split('\n')).toHaveLength(1);
    const out = lines(io.stdout());
    expect(out.map((l) => l.kind)).toEqual([
      'book',
      'book',
      'pong',
      'price_change',
      'price_change',
      'price_change',
      'last_trade_price',
      'no_new_assets',
      'best_bid_ask',
      'tick_size_change',
      'price_change',
      'book_summary',
      'book_summary',
      'book_summary',
    ]);
    expect(out[3]).toMatchObject({ format: 'price_changes', changes: [{ asset_id: '111', price: 0.49 }, { asset_id: '222', size: 0, best_ask: 1 }] });
    expect(out[4]).toMatchObject({ format: 'changes' });
    expect(out[5]).toMatchObject({ format: 'flat' });
    const summaries = out.slice(-3);
    // Exactly the fields, in its order.
    expect(Object.keys(summaries[0]!)).toEqual([
      'kind',
      'asset_id',
      'synced',
      'best_bid',
      'best_bid_size',
      'best_ask',
      'best_ask_size',
      'mid',
      'spread',
      'bid_levels',
      'ask_levels',
      'microprice',
      'imbalance',
    ]);
    expect(summaries[0]).toEqual({
      kind: 'book_summary',
      asset_id: '111',
      synced: true,
      best_bid: 0.49,
      best_bid_size: 20,
      best_ask: 0.52,
      best_ask_size: 10,
      mid: 0.505,
      spread: 0.03,
      bid_levels: 2,
      ask_levels: 2,
      microprice: expect.closeTo(0.51, 12),
      imbalance: expect.closeTo(-0.125, 12),
    });
    expect(summaries[1]).toMatchObject({ asset_id: '222', synced: true, best_bid: 0.46, best_ask: 0.56, best_ask_size: 25, spread: 0.1, bid_levels: 1, ask_levels: 1 });
    // tick_size_change without a later snapshot: unsynced, nothing applied.
    expect(summaries[2]).toEqual({
      kind: 'book_summary',
      asset_id: '333',
      synced: false,
      best_bid: null,
      best_bid_size: null,
      best_ask: null,
      best_ask_size: null,
      mid: null,
      spread: null,
      bid_levels: 0,
      ask_levels: 0,
      microprice: null,
      imbalance: null,
    });
  });

  it('reads a .json file holding an array of frames (objects and text frames) and exits 0 when all is well', async () => {
    const io = captureIo();
    expect(await main(['tape', 'decode', fixture('tape-dump.json'), '--imbalance-levels', '1'], io)).toBe(0);
    expect(io.stderr()).toBe('');
    const out = lines(io.stdout());
    expect(out.map((l) => l.kind)).toEqual(['book', 'pong', 'book_summary']);
    expect(out[2]).toMatchObject({ asset_id: '444', synced: true, best_bid: 0.111, best_ask: 0.125, spread: 0.014, imbalance: expect.closeTo((12.5 - 3) / 15.5, 12) });
  });

  it('exits 2 on a missing file or a bad option', async () => {
    const missing = captureIo();
    expect(await main(['tape', 'decode', fixture('no-such-file.ndjson')], missing)).toBe(2);
    expect(missing.stderr()).toMatch(/no-such-file/);
    const bad = captureIo();
    expect(await main(['tape', 'decode', fixture('tape-dump.json'), '--imbalance-levels', '0'], bad)).toBe(2);
  });

  const present = requireSharedFixtures('polymarket');
  it.skipIf(!present)('decodes real captures (.json files) into a synced book', async () => {
    const io = captureIo();
    const book = sharedFixture('polymarket', 'nautilus_trader', 'ws_messages', 'book.json');
    const tick = sharedFixture('polymarket', 'nautilus_trader', 'ws_messages', 'tick_size_change.json');
    expect(await main(['tape', 'decode', book, tick], io)).toBe(0);
    const summaries = lines(io.stdout()).filter((l) => l.kind === 'book_summary');
    expect(summaries).toHaveLength(2);
    expect(summaries.find((s) => s.bid_levels === 76)).toMatchObject({ synced: true, best_bid: 0.511, best_ask: 0.514 });
  });
});
