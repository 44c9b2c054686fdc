import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { fastDecimal, numericField, parseDecimal } from '../../src/adapters/polymarket/decimal.ts';
import { decodeMarketFrame, decodeMarketValue, MalformedFrameReporter, type DecodeResult } from '../../src/adapters/polymarket/market-decoder.ts';
import { scanPriceChangeFrame } from '../../src/adapters/polymarket/price-change-scanner.ts';
import type { MarketMessage, PriceChangeMessage } from '../../src/domain/market/messages.ts';

const A = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const B = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
const M = '0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1';

function ok(r: DecodeResult): MarketMessage[] {
  expect(r.error).toBeNull();
  return r.messages;
}

function only<K extends MarketMessage['kind']>(r: DecodeResult, kind: K): Extract<MarketMessage, { kind: K }> {
  const messages = ok(r);
  expect(messages).toHaveLength(1);
  expect(messages[0]!.kind).toBe(kind);
  return messages[0] as Extract<MarketMessage, { kind: K }>;
}

describe('decodeMarketFrame: every message shape', () => {
  it('price_change, current shape: per-level changes for both tokens, best prices, ".48" prices', () => {
    const frame = JSON.stringify({
      market: M,
      price_changes: [
        { asset_id: A, price: '0.5', size: '200', side: 'BUY', hash: 'h1', best_bid: '0.5', best_ask: '1' },
        { asset_id: B, price: '.48', size: '0', side: 'SELL', hash: 'h2', best_bid: '0', best_ask: '.48' },
      ],
      timestamp: '1757908892351',
      event_type: 'price_change',
    });
    const msg = only(decodeMarketFrame(frame), 'price_change');
    expect(msg).toEqual({
      kind: 'price_change',
      market: M,
      timestamp: 1757908892351,
      format: 'price_changes',
      changes: [
        { asset_id: A, side: 'BUY', price: 0.5, size: 200, best_bid: 0.5, best_ask: 1, hash: 'h1' },
        { asset_id: B, side: 'SELL', price: 0.48, size: 0, best_bid: 0, best_ask: 0.48, hash: 'h2' },
      ],
    } satisfies PriceChangeMessage);
  });

  it('price_change, intermediate `changes` shape: the frame asset and hash go to every change', () => {
    const frame = JSON.stringify({
      asset_id: A,
      changes: [
        { price: '0.6', side: 'BUY', size: '3300' },
        { price: '0.7', side: 'SELL', size: '0' },
      ],
      event_type: 'price_change',
      hash: 'bf32',
      market: M,
      timestamp: '1729084877448',
    });
    const msg = only(decodeMarketFrame(frame), 'price_change');
    expect(msg.format).toBe('changes');
    expect(msg.changes).toEqual([
      { asset_id: A, side: 'BUY', price: 0.6, size: 3300, best_bid: null, best_ask: null, hash: 'bf32' },
      { asset_id: A, side: 'SELL', price: 0.7, size: 0, best_bid: null, best_ask: null, hash: 'bf32' },
    ]);
  });

  it('price_change, oldest flat shape: one change at top level', () => {
    const frame = `{"asset_id":"${A}","event_type":"price_change","hash":"bf","market":"${M}","price":"0.514","side":"SELL","size":"21574.08","timestamp":"1723967931411"}`;
    const msg = only(decodeMarketFrame(frame), 'price_change');
    expect(msg.format).toBe('flat');
    expect(msg.changes).toEqual([{ asset_id: A, side: 'SELL', price: 0.514, size: 21574.08, best_bid: null, best_ask: null, hash: 'bf' }]);
  });

  it('book: levels as [price, size] in the order sent (best LAST), optional tick_size and last_trade_price', () => {
    const frame = JSON.stringify({
      event_type: 'book',
      asset_id: A,
      market: M,
      bids: [{ price: '0.48', size: '30' }, { price: '0.49', size: '20' }],
      asks: [{ price: '0.53', size: '60' }, { price: '0.52', size: '25' }],
      timestamp: '123456789000',
      hash: '0x0',
      tick_size: '0.01',
      last_trade_price: '.5',
    });
    expect(only(decodeMarketFrame(frame), 'book')).toEqual({
      kind: 'book',
      market: M,
      asset_id: A,
      timestamp: 123456789000,
      bids: [[0.48, 30], [0.49, 20]],
      asks: [[0.53, 60], [0.52, 25]],
      hash: '0x0',
      tick_size: 0.01,
      last_trade_price: 0.5,
    });
    const old = only(decodeMarketFrame(JSON.stringify({ event_type: 'book', asset_id: A, market: M, bids: [], asks: [], timestamp: '1' })), 'book');
    expect(old.tick_size).toBeNull();
    expect(old.hash).toBeNull();
    expect(old.last_trade_price).toBeNull();
  });

  it('last_trade_price, tick_size_change, best_bid_ask', () => {
    expect(
      only(
        decodeMarketFrame(`{"asset_id":"${A}","event_type":"last_trade_price","fee_rate_bps":"0","market":"${M}","price":"0.491","side":"SELL","size":"85.36","timestamp":"1724564136087","transaction_hash":"0xabc"}`),
        'last_trade_price',
      ),
    ).toEqual({ kind: 'last_trade_price', market: M, asset_id: A, timestamp: 1724564136087, price: 0.491, size: 85.36, side: 'SELL', fee_rate_bps: 0, transaction_hash: '0xabc' });
    expect(
      only(decodeMarketFrame(`{"asset_id":"${A}","event_type":"tick_size_change","market":"${M}","new_tick_size":"0.001","old_tick_size":"0.01","timestamp":"1739068041853"}`), 'tick_size_change'),
    ).toEqual({ kind: 'tick_size_change', market: M, asset_id: A, timestamp: 1739068041853, old_tick_size: 0.01, new_tick_size: 0.001 });
    expect(
      only(decodeMarketFrame(`{"event_type":"best_bid_ask","market":"${M}","asset_id":"${A}","best_bid":"0.73","best_ask":"0.77","spread":"0.04","timestamp":"1766789469958"}`), 'best_bid_ask'),
    ).toEqual({ kind: 'best_bid_ask', market: M, asset_id: A, timestamp: 1766789469958, best_bid: 0.73, best_ask: 0.77, spread: 0.04 });
  });

  it('new_market and market_resolved (custom features)', () => {
    const nm = only(
      decodeMarketFrame(
        JSON.stringify({
          event_type: 'new_market',
          id: '1031769',
          question: 'Will NVIDIA close above $240?',
          market: M,
          slug: 'nvda-above-240',
          assets_ids: [A, B],
          outcomes: ['Yes', 'No'],
          event_message: { id: '125819', ticker: 't', slug: 's', title: 'T', description: 'd' },
          timestamp: '1766790415550',
          tags: ['stocks'],
          order_price_min_tick_size: '0.01',
          group_item_title: 'NVDA above $240',
        }),
      ),
      'new_market',
    );
    expect(nm).toMatchObject({ id: '1031769', assets_ids: [A, B], outcomes: ['Yes', 'No'], tick_size: 0.01, tags: ['stocks'], event: { id: '125819', slug: 's' } });
    const mr = only(
      decodeMarketFrame(JSON.stringify({ event_type: 'market_resolved', id: 1, market: M, assets_ids: [A, B], winning_asset_id: A, winning_outcome: 'Yes', timestamp: '1766790415550' })),
      'market_resolved',
    );
    expect(mr).toEqual({ kind: 'market_resolved', id: '1', market: M, timestamp: 1766790415550, assets_ids: [A, B], winning_asset_id: A, winning_outcome: 'Yes' });
  });

  it('text frames PONG and NO NEW ASSETS', () => {
    expect(ok(decodeMarketFrame('PONG'))).toEqual([{ kind: 'pong' }]);
    expect(ok(decodeMarketFrame('NO NEW ASSETS'))).toEqual([{ kind: 'no_new_assets' }]);
    expect(ok(decodeMarketFrame(' PONG\n'))).toEqual([{ kind: 'pong' }]);
  });

  it('a JSON array frame (the initial dump) yields every message in order; an empty array yields none', () => {
    const book = (id: string) => ({ event_type: 'book', asset_id: id, market: M, bids: [], asks: [{ price: '0.6', size: '1' }], timestamp: '5' });
    const msgs = ok(decodeMarketFrame(JSON.stringify([book(A), book(B)])));
    expect(msgs.map((m) => (m.kind === 'book' ? m.asset_id : '?'))).toEqual([A, B]);
    expect(ok(decodeMarketFrame('[]'))).toEqual([]);
  });

  it('numbers may arrive as JSON numbers; missing/empty optional fields are null', () => {
    const msg = only(
      decodeMarketFrame(JSON.stringify({ event_type: 'price_change', market: M, timestamp: 7, price_changes: [{ asset_id: A, price: 0.25, size: 3, side: 'BUY', best_bid: '', best_ask: null }] })),
      'price_change',
    );
    expect(msg.changes[0]).toEqual({ asset_id: A, side: 'BUY', price: 0.25, size: 3, best_bid: null, best_ask: null, hash: null });
  });
});

describe('decodeMarketFrame: malformed frames', () => {
  const cases: Array<[string, string, string]> = [
    ['', 'empty_frame', ''],
    ['{"event_type":"book"', 'invalid_json', ''],
    ['HELLO', 'unknown_text_frame', ''],
    ['42', 'unknown_text_frame', ''],
    ['[1]', 'not_an_object', ''],
    ['{"market":"m"}', 'missing_event_type', 'event_type'],
    ['{"event_type":"order","market":"m"}', 'unknown_event_type', 'event_type'],
    [`{"event_type":"price_change","market":"m","timestamp":"1","price_changes":[{"asset_id":"a","price":"x","size":"1","side":"BUY"}]}`, 'invalid_field', 'price_changes[0].price'],
    [`{"event_type":"price_change","market":"m","timestamp":"1","price_changes":[{"asset_id":"a","price":"0.1","size":"-1","side":"BUY"}]}`, 'invalid_field', 'price_changes[0].size'],
    [`{"event_type":"price_change","market":"m","timestamp":"1","price_changes":[{"asset_id":"a","price":"0.1","size":"1","side":"buy"}]}`, 'invalid_field', 'price_changes[0].side'],
    [`{"event_type":"price_change","market":"m","timestamp":"1","price_changes":[{"price":"0.1","size":"1","side":"BUY"}]}`, 'missing_field', 'price_changes[0].asset_id'],
    [`{"event_type":"price_change","market":"m","price_changes":[]}`, 'missing_field', 'timestamp'],
    [`{"event_type":"price_change","market":"m","timestamp":"1","price_changes":[{"asset_id":"a","price":"0.1","size":"1","side":"BUY","best_bid":"n/a"}]}`, 'invalid_field', 'price_changes[0].best_bid'],
    [`{"event_type":"price_change","market":"m","timestamp":"1","asset_id":"a","changes":[{"price":"0.1","size":"1e999","side":"BUY"}]}`, 'invalid_field', 'changes[0].size'],
    [`{"event_type":"book","market":"m","asset_id":"a","timestamp":"1","bids":[{"price":"0.1"}],"asks":[]}`, 'missing_field', 'bids[0].size'],
    [`{"event_type":"book","market":"m","asset_id":"a","timestamp":"1","bids":[],"asks":[],"tick_size":"0"}`, 'invalid_field', 'tick_size'],
    [`{"event_type":"tick_size_change","market":"m","asset_id":"a","timestamp":"1","old_tick_size":"0.01","new_tick_size":"-1"}`, 'invalid_field', 'new_tick_size'],
  ];
  it.each(cases)('%s → %s at %s, and no messages', (frame, reason, path) => {
    const r = decodeMarketFrame(frame);
    expect(r.messages).toEqual([]);
    expect(r.error).toMatchObject({ reason, path });
    expect(r.error!.message.length).toBeGreaterThan(0);
  });

  it('one bad element rejects the whole array frame, naming the element', () => {
    const good = { event_type: 'book', asset_id: A, market: M, bids: [], asks: [], timestamp: '1' };
    const r = decodeMarketFrame(JSON.stringify([good, { ...good, asset_id: '' }]));
    expect(r.messages).toEqual([]);
    expect(r.error).toMatchObject({ reason: 'invalid_field', path: 'asset_id', element: 1 });
  });

  it('never throws, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        const r = decodeMarketFrame(text);
        expect(r.error === null || r.messages.length === 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on decodeMarketValue of any JSON value, and never writes to it (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const before = JSON.stringify(value);
        decodeMarketValue(value);
        expect(JSON.stringify(value)).toBe(before);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('price_change fast path', () => {
  /** Mostly valid values, sometimes not: both paths must agree either way. */
  const mostly = <T,>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: invalid });
  const entry = fc.record(
    {
      asset_id: mostly(fc.constantFrom(A, B, '1'), fc.constant('')),
      price: mostly(
        fc.oneof(fc.constantFrom('0.5', '.48', '0.515', '1', '0'), fc.double({ min: 0, max: 1, noNaN: true }).map(String)),
        fc.constantFrom('', 'abc', '1e-3', '-0.1', '12345678901234567'),
      ),
      size: mostly(fc.oneof(fc.constantFrom('0', '200', '21574.08'), fc.nat().map(String)), fc.constantFrom('', '1e2', '-1')),
      side: mostly(fc.constantFrom('BUY', 'SELL'), fc.constantFrom('buy', 'BUYX', '')),
      hash: fc.oneof(fc.stringMatching(/^[0-9a-f]{0,40}$/), fc.constant('')),
      best_bid: mostly(fc.constantFrom('0.5', '0', '', '.1'), fc.constantFrom('x', '-1')),
      best_ask: fc.constantFrom('1', '0.51', '', '.99'),
      extra: fc.oneof(fc.constant('v'), fc.integer(), fc.boolean(), fc.constant(null)),
    },
    { requiredKeys: ['asset_id', 'price', 'size', 'side'] },
  );
  const frame = fc.record(
    {
      market: mostly(fc.constantFrom(M, 'm'), fc.constant('')),
      price_changes: fc.array(entry, { maxLength: 4 }),
      timestamp: mostly(fc.constantFrom('1757908892351', '12.5'), fc.constantFrom('', 'abc')),
      event_type: mostly(fc.constant('price_change'), fc.constant('book')),
    },
    { requiredKeys: ['event_type', 'market', 'timestamp'] },
  );
  /** The general decoder alone, on text that is valid JSON. */
  const general = (text: string): DecodeResult => decodeMarketValue(JSON.parse(text));

  it('reads every frame exactly as the general decoder, or leaves it to it (property)', () => {
    let taken = 0;
    fc.assert(
      fc.property(frame, fc.constantFrom('', ' ', '\n'), fc.boolean(), (obj, ws, shuffle) => {
        let text = JSON.stringify(obj, null, ws === '' ? undefined : ws);
        if (shuffle) text = JSON.stringify(Object.fromEntries(Object.entries(obj).reverse()));
        const fast = scanPriceChangeFrame(text);
        const slow = general(text);
        if (fast !== null) {
          taken++;
          expect(slow.error).toBeNull();
          expect(slow.messages).toEqual([fast]);
          // Same key order as well, so NDJSON output is identical whichever path decoded it.
          expect(JSON.stringify(slow.messages[0])).toBe(JSON.stringify(fast));
        }
        expect(decodeMarketFrame(text)).toEqual(slow);
      }),
      { numRuns: 3000 },
    );
    // The generator must reach the fast path often, or this property proves nothing.
    expect(taken).toBeGreaterThan(100);
  });

  it('takes the common venue frame itself, and leaves escapes, duplicates and other shapes to the general decoder', () => {
    const venue = `{"market":"${M}","price_changes":[{"asset_id":"${A}","price":"0.5","size":"200","side":"BUY","hash":"56621a","best_bid":"0.5","best_ask":"1"}],"timestamp":"1757908892351","event_type":"price_change"}`;
    expect(scanPriceChangeFrame(venue)).not.toBeNull();
    expect(scanPriceChangeFrame(venue.replace('"hash":"56621a"', '"hash":"5\\u0036621a"'))).toBeNull();
    expect(decodeMarketFrame(venue.replace('"hash":"56621a"', '"hash":"5\\u0036621a"')).messages).toEqual(decodeMarketFrame(venue).messages);
    expect(scanPriceChangeFrame(venue.replace('"timestamp"', '"market":"x","timestamp"'))).toBeNull();
    expect(scanPriceChangeFrame(venue + 'x')).toBeNull();
    expect(scanPriceChangeFrame(venue.replace('"event_type":"price_change"', '"event_type":"book"'))).toBeNull();
    expect(scanPriceChangeFrame(`{"asset_id":"${A}","event_type":"price_change","market":"${M}","price":"0.5","side":"BUY","size":"1","timestamp":"1"}`)).toBeNull();
    // A raw control character inside a string is invalid JSON: never accepted.
    const bad = venue.replace('56621a', '566\u000121a');
    expect(scanPriceChangeFrame(bad)).toBeNull();
    expect(decodeMarketFrame(bad).error?.reason).toBe('invalid_json');
  });

  it('reads a change without the best_bid/best_ask pair (the recorded export\'s layout) as the general decoder does', () => {
    const exported = `{"market":"${M}","price_changes":[{"asset_id":"${A}","price":"0.23","size":"300","side":"SELL","hash":"af03"},{"asset_id":"${A}","price":"0.3","size":"0","side":"SELL","hash":""}],"timestamp":"1737825347925","event_type":"price_change"}`;
    const fast = scanPriceChangeFrame(exported);
    expect(fast).not.toBeNull();
    expect(JSON.stringify(fast)).toBe(JSON.stringify(general(exported).messages[0]));
    expect(fast?.changes.map((c) => [c.best_bid, c.best_ask, c.hash])).toEqual([
      [null, null, 'af03'],
      [null, null, null],
    ]);
  });
});

describe('decimal parsing', () => {
  it('parseDecimal equals Number() on every plain decimal string (property)', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^\d{0,12}$/), fc.boolean(), fc.stringMatching(/^\d{0,12}$/))
      .map(([neg, int, dot, frac]) => `${neg ? '-' : ''}${int}${dot ? '.' : ''}${dot ? frac : ''}`)
      .filter((s) => /\d/.test(s));
    fc.assert(
      fc.property(decimal, (s) => {
        expect(Object.is(parseDecimal(s), Number(s))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('takes the fast path for venue numbers and the slow path for the rest; refuses non-numbers and infinities', () => {
    expect(fastDecimal('0.515', 0, 5)).toBe(0.515);
    expect(fastDecimal('x.48y', 1, 4)).toBe(0.48);
    expect(fastDecimal('1e3', 0, 3)).toBeNaN();
    expect(parseDecimal('1e3')).toBe(1000);
    expect(parseDecimal('123456789012345678')).toBe(123456789012345678);
    for (const bad of ['', '.', '-', '1.2.3', ' 1', '0x10', 'Infinity', '1e999', '+1']) expect(parseDecimal(bad)).toBeNaN();
    expect(numericField(0.25)).toBe(0.25);
    expect(numericField(Infinity)).toBeNaN();
    expect(numericField(null)).toBeNaN();
  });
});

describe('MalformedFrameReporter', () => {
  it('counts every malformed frame and keeps at most one sample per interval (injected clock)', () => {
    const clock = new VirtualClock(1_000_000);
    const kept: string[] = [];
    const reporter = new MalformedFrameReporter({ clock, minSampleIntervalMs: 10_000, maxSampleChars: 8, onSample: (s) => kept.push(s.sample) });
    const err = (raw: string) => decodeMarketFrame(raw).error!;
    expect(reporter.report('garbage-1-long', err('garbage-1-long'))).toMatchObject({ reason: 'unknown_text_frame', sample: 'garbage-…', count_since_last_sample: 1, total: 1, at: 1_000_000 });
    expect(reporter.report('{bad', err('{bad'))).toBeNull();
    clock.advanceBy(9_999);
    expect(reporter.report('{bad', err('{bad'))).toBeNull();
    clock.advanceBy(1);
    expect(reporter.report('[1]', err('[1]'))).toMatchObject({ reason: 'not_an_object', count_since_last_sample: 3, total: 4 });
    expect(reporter.total).toBe(4);
    expect(reporter.countsByReason()).toEqual({ invalid_json: 2, not_an_object: 1, unknown_text_frame: 1 });
    expect(kept).toEqual(['garbage-…', '[1]']);
    expect(reporter.lastSample?.reason).toBe('not_an_object');
  });
});
