import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMarketFrame } from '../../src/adapters/polymarket/market-decoder.ts';
import { readPriceChangeBytesInto, readPriceChangeInto } from '../../src/adapters/polymarket/price-change-in-place.ts';
import { LevelChangeBatch } from '../../src/domain/book/level-change-batch.ts';
import { MarketBooks } from '../../src/domain/book/market-books.ts';
import type { BookMessage } from '../../src/domain/market/messages.ts';

const M = '0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1';
const A = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
/** Same length and last 8 digits as A: same slot chain in the token index. */
const A_TWIN = '11111111111111111111111111111111111111111111111111111111111111111111183992563';
/** Registered, but its market holds a backslash: never matchable as raw text. */
const ODD = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
const ODD_MARKET = 'm\\x';
/** Never registered; a prefix of A. */
const UNKNOWN = A.slice(0, 76);
const T0 = 1_757_908_892_000;

function snapshot(asset: string, market: string): BookMessage {
  return {
    kind: 'book',
    market,
    asset_id: asset,
    timestamp: T0,
    bids: [
      [0.4, 10],
      [0.45, 5],
    ],
    asks: [
      [0.6, 10],
      [0.55, 5],
    ],
    hash: 'h0',
    tick_size: 0.01,
    last_trade_price: null,
  };
}

function openedBooks(): MarketBooks {
  const books = new MarketBooks();
  books.apply(snapshot(A, M));
  books.apply(snapshot(A_TWIN, M));
  books.apply(snapshot(ODD, ODD_MARKET));
  return books;
}

/** Everything a registry holds that a frame can change, as text. */
function state(books: MarketBooks): string {
  return JSON.stringify(
    books.assetIds().map((id) => {
      const s = books.get(id)!;
      return [id, s.status, s.market, s.hash, s.resync_epoch_id, s.last_ts, s.book.tickSize, s.book.topN(100)];
    }),
  );
}

// Frames in the venue's layout (the in-place reader's only shape), with ids, markets, hashes and
// numbers that are sometimes unknown, escaped, raw-invalid or malformed.
/** Mostly the first list, sometimes the second. */
const mostly = <T,>(usual: T[], odd: T[]) => fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...usual) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
const assetText = mostly([A, A_TWIN], [ODD, UNKNOWN, '\\u0037' + A.slice(1), A.slice(0, 76) + '\u0663']);
const marketText = mostly([M], ['0xother', 'm\u0001', '\\u0030' + M.slice(1), '', M.slice(0, 65) + 'é']);
const hashText = mostly(['56621a', '', '0'.repeat(40)], ['a\\u0041b', 'x\u0001y', 'q\\"r', 'é', '\u{1F600}', '\u0122']);
const decimal = mostly(['0.5', '.45', '0.41', '0.59', '0.6', '0.4', '0', '200', '0.555', '00.5', '5.'], ['', 'x', '1e2', '-1', '-0', '.', '1.2.3', '1234567890123456']);
const side = mostly(['BUY', 'SELL'], ['buy', 'BUYS', '']);
const entry = fc
  .record({ asset: assetText, price: decimal, size: decimal, side, sideFirst: fc.boolean(), hash: hashText, best: fc.option(fc.tuple(decimal, decimal)) })
  .map(
    (e) =>
      `{"asset_id":"${e.asset}","price":"${e.price}",` +
      (e.sideFirst ? `"side":"${e.side}","size":"${e.size}"` : `"size":"${e.size}","side":"${e.side}"`) +
      `,"hash":"${e.hash}"` +
      (e.best === null ? '}' : `,"best_bid":"${e.best[0]}","best_ask":"${e.best[1]}"}`),
  );
const frame = fc
  .record({
    market: marketText,
    entries: fc.array(entry, { minLength: 0, maxLength: 4 }),
    dt: fc.integer({ min: -5, max: 50 }),
    tail: mostly([''], [' ', 'x', 'xy', '}']),
    // One character overwritten anywhere (mostly breaking the layout or the JSON), now and then.
    typo: fc.option(fc.tuple(fc.nat(), fc.constantFrom('"', 'x', ' ', '0', '.', '}', ',', ':', '\\', '\u0001')), { freq: 2 }),
  })
  .map((f) => ({
    ...f,
    text: (ts: number) => {
      const text = `{"market":"${f.market}","price_changes":[${f.entries.join(',')}],"timestamp":"${ts}","event_type":"price_change"}${f.tail}`;
      if (f.typo === null) return text;
      const at = f.typo[0] % text.length;
      return text.slice(0, at) + f.typo[1] + text.slice(at + 1);
    },
  }));

/**
 * One frame through the reader (`read`) and the general path beside it: taken, the batch applies
 * exactly what decoding and applying the frame does; refused, the books are untouched and the
 * general path takes over from the same state. Returns whether the reader took it.
 */
function expectReadAsDecoded(read: (books: MarketBooks, batch: LevelChangeBatch) => boolean, text: string, inPlace: MarketBooks, general: MarketBooks): boolean {
  const batch = new LevelChangeBatch();
  const decoded = decodeMarketFrame(text);
  const taken = read(inPlace, batch);
  if (taken) {
    expect(decoded.error).toBeNull();
    expect(decoded.messages).toHaveLength(1);
    expect(inPlace.applyBatch(batch)).toEqual(general.apply(decoded.messages[0]!));
  } else {
    expect(state(inPlace)).toBe(state(general));
    for (const m of decoded.messages) expect(inPlace.apply(m)).toEqual(general.apply(m));
  }
  expect(state(inPlace)).toBe(state(general));
  return taken;
}

/** The reader as a socket's frame reaches it: as text, or as the UTF-8 bytes ws hands over. */
const readers: [string, (text: string, books: MarketBooks, batch: LevelChangeBatch) => boolean][] = [
  ['text', readPriceChangeInto],
  ['UTF-8 bytes', (text, books, batch) => readPriceChangeBytesInto(Buffer.from(text, 'utf8'), books, batch)],
];

describe.each(readers)('price_change read in place, from its %s', (_, read) => {
  it('applies exactly what decoding and applying the frame would, or leaves the frame to the general path untouched (property)', () => {
    let taken = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 12 }), (frames) => {
        const inPlace = openedBooks();
        const general = openedBooks();
        let ts = T0;
        for (const f of frames) {
          ts += f.dt;
          const text = f.text(ts);
          if (expectReadAsDecoded((books, batch) => read(text, books, batch), text, inPlace, general)) taken++;
          else refused++;
        }
      }),
      { numRuns: 1500 },
    );
    // Both branches must be exercised often, or this property proves little.
    expect(taken).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });

  it('refuses unknown tokens, escaped ids and markets, and hashes that are not plain text', () => {
    const books = openedBooks();
    const batch = new LevelChangeBatch();
    const text = (asset: string, market = M, hash = 'ab') =>
      `{"market":"${market}","price_changes":[{"asset_id":"${asset}","price":"0.45","size":"7","side":"BUY","hash":"${hash}","best_bid":"0.45","best_ask":"0.55"}],"timestamp":"${T0 + 1}","event_type":"price_change"}`;
    expect(read(text(A), books, batch)).toBe(true);
    expect(batch.count).toBe(1);
    expect(batch.states[0]).toBe(books.get(A));
    expect(batch.hashes[0]).toBe('ab');
    expect(read(text(A_TWIN), books, batch)).toBe(true);
    expect(batch.states[0]).toBe(books.get(A_TWIN));
    expect(read(text(UNKNOWN), books, batch)).toBe(false);
    expect(read(text(A + '0'), books, batch)).toBe(false);
    expect(read(text('\\u0037' + A.slice(1)), books, batch)).toBe(false);
    expect(read(text(A, '0xother'), books, batch)).toBe(false);
    expect(read(text(A, '\\u0030' + M.slice(1)), books, batch)).toBe(false);
    expect(read(text(ODD, ODD_MARKET), books, batch)).toBe(false);
    expect(read(text(A, M, 'a\\u0041b'), books, batch)).toBe(false);
    expect(read(text(A, M, 'x\u0001y'), books, batch)).toBe(false);
    // Non-ASCII text is left to the general path: here the UTF-8 bytes of the first n characters
    // would read as a whole frame (one extra byte for 'é', one trailing character), though the
    // text is not JSON.
    expect(read(text(A, M, 'é'), books, batch)).toBe(false);
    expect(read(text(A, M, 'é') + 'x', books, batch)).toBe(false);
    expect(read(text(A, M, '\u{1F600}') + 'xy', books, batch)).toBe(false);
    // 'Ģ' (U+0122) written as one byte would be a quote.
    expect(read(text(A, M, 'a\u0122') + '"}', books, batch)).toBe(false);
  });

  it('reads frames longer than its first buffer as the general path does, and leaves very long ones to it', () => {
    const frameOf = (count: number, ts: number) => {
      const entries = Array.from({ length: count }, (_, i) => `{"asset_id":"${i % 2 === 0 ? A : A_TWIN}","price":"0.4${i % 5}","size":"${i + 1}","side":"BUY","hash":"h${i}"}`);
      return `{"market":"${M}","price_changes":[${entries.join(',')}],"timestamp":"${ts}","event_type":"price_change"}`;
    };
    const inPlace = openedBooks();
    const general = openedBooks();
    const batch = new LevelChangeBatch();
    for (const [count, ts, taken] of [
      [40, T0 + 1, true],
      [2, T0 + 2, true],
      [2000, T0 + 3, false],
      [3, T0 + 4, true],
    ] as const) {
      const text = frameOf(count, ts);
      const decoded = decodeMarketFrame(text);
      expect(read(text, inPlace, batch)).toBe(taken);
      if (taken) {
        expect(batch.count).toBe(count);
        expect(inPlace.applyBatch(batch)).toEqual(general.apply(decoded.messages[0]!));
      } else {
        expect(text.length).toBeGreaterThan(1 << 18);
        inPlace.apply(decoded.messages[0]!);
        general.apply(decoded.messages[0]!);
      }
      expect(state(inPlace)).toBe(state(general));
    }
    expect([A, A_TWIN].map((id) => inPlace.get(id)!.hash)).toEqual(['h2', 'h1']);
  });

  it('reads frames of every length around its buffer sizes (the buffer keeps spare bytes past the frame)', () => {
    const inPlace = openedBooks();
    const general = openedBooks();
    const batch = new LevelChangeBatch();
    let ts = T0;
    for (let size = 2048; size <= 16384; size *= 2) {
      for (let length = size - 5; length <= size + 1; length++) {
        ts++;
        const head = `{"market":"${M}","price_changes":[{"asset_id":"${A}","price":"0.45","size":"${length}","side":"BUY","hash":"`;
        const tail = `"}],"timestamp":"${ts}","event_type":"price_change"}`;
        const text = head + 'h'.repeat(length - head.length - tail.length) + tail;
        expect(text.length).toBe(length);
        expect(read(text, inPlace, batch)).toBe(true);
        expect(inPlace.applyBatch(batch)).toEqual(general.apply(decodeMarketFrame(text).messages[0]!));
        // Cut inside the hash (no closing quote at all, though it ends like a price_change): refused,
        // never read past the end.
        const cut = (head + 'h'.repeat(length)).slice(0, length - 9) + '_abcdeex}';
        expect(cut.length).toBe(length);
        expect(read(cut, inPlace, batch)).toBe(false);
      }
    }
    expect(state(inPlace)).toBe(state(general));
  });

  it('follows the registry: a removed token falls back to the general path, a re-added one is read in place again', () => {
    const books = openedBooks();
    const batch = new LevelChangeBatch();
    const text = `{"market":"${M}","price_changes":[{"asset_id":"${A_TWIN}","price":"0.45","size":"0","side":"BUY","hash":"","best_bid":"0.4","best_ask":"0.55"}],"timestamp":"${T0 + 1}","event_type":"price_change"}`;
    expect(read(text, books, batch)).toBe(true);
    expect(books.remove(A_TWIN)).toBe(true);
    expect(books.get(A)).toBeDefined(); // its hash twin stays
    expect(read(text, books, batch)).toBe(false);
    // The general path registers it again, with the frame's market (unsynced: nothing applies)...
    expect(books.apply(decodeMarketFrame(text).messages[0]!).tokens[0]!.status).toBe('ignored_unsynced');
    // ...and from then on it is read in place; its snapshot makes it take changes.
    expect(read(text, books, batch)).toBe(true);
    expect(books.applyBatch(batch).tokens[0]!.status).toBe('ignored_unsynced');
    books.apply(snapshot(A_TWIN, M));
    expect(read(text, books, batch)).toBe(true);
    expect(books.applyBatch(batch).tokens[0]!.status).toBe('applied');
  });
});

describe('price_change read in place from bytes that are not all text', () => {
  it('reads a frame with any byte overwritten (invalid UTF-8 included) exactly as decoding its text would, or refuses it (property)', () => {
    let taken = 0;
    let refused = 0;
    fc.assert(
      fc.property(frame, fc.array(fc.record({ inHash: fc.boolean(), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 2 }), (f, typos) => {
        const text = f.text(T0 + 1);
        const bytes = Buffer.from(text, 'utf8');
        // Byte offsets of the hashes' contents: bytes overwritten there mostly keep the layout.
        const hashBytes = [...text.matchAll(/"hash":"([^"]+)"/g)].flatMap((m) => {
          const start = Buffer.byteLength(text.slice(0, m.index + 8));
          return Array.from({ length: Buffer.byteLength(m[1]!) }, (_, k) => start + k);
        });
        for (const { inHash, at, value } of typos) bytes[inHash && hashBytes.length > 0 ? hashBytes[at % hashBytes.length]! : at % bytes.length] = value;
        if (expectReadAsDecoded((books, batch) => readPriceChangeBytesInto(bytes, books, batch), bytes.toString('utf8'), openedBooks(), openedBooks())) taken++;
        else refused++;
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(60);
    expect(refused).toBeGreaterThan(1000);
  });

  it('refuses a hash holding bytes above 0x7f, which its decoded text reads otherwise', () => {
    const books = openedBooks();
    const batch = new LevelChangeBatch();
    const frameWithHash = (hash: Buffer) =>
      Buffer.concat([
        Buffer.from(`{"market":"${M}","price_changes":[{"asset_id":"${A}","price":"0.45","size":"7","side":"BUY","hash":"`),
        hash,
        Buffer.from(`"}],"timestamp":"${T0 + 1}","event_type":"price_change"}`),
      ]);
    expect(readPriceChangeBytesInto(frameWithHash(Buffer.from('ab')), books, batch)).toBe(true);
    // 'é' in UTF-8, a lone continuation byte (U+FFFD once decoded), 0xff, and at every offset in a group of four.
    for (const hash of [Buffer.from('é'), Buffer.from([0x80]), Buffer.from([0xff]), Buffer.from([0x61, 0x62, 0x63, 0xc3, 0xa9]), Buffer.from([0x61, 0x62, 0xe9])]) {
      expect(readPriceChangeBytesInto(frameWithHash(hash), books, batch)).toBe(false);
    }
  });
});
