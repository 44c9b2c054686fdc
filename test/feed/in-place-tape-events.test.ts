import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { connectionBooksForTest } from './support/feed-fixtures.ts';

const M = '0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1';
const YES = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const NO = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
const T0 = 1_757_908_892_000;

// Bids below 0.50 and asks above: books stay uncrossed. A best price is mostly left out (the
// delta then carries our book's), sometimes sent (often disagreeing: a resync, markers compared).
const change = fc.record({
  yes: fc.boolean(),
  buy: fc.boolean(),
  cents: fc.integer({ min: 1, max: 49 }),
  size: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500_000 }).map((n) => n / 100)),
  hash: fc.option(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 40, maxLength: 40 }), { nil: null }),
  bestBid: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: fc.integer({ min: 0, max: 49 }), weight: 1 }),
  bestAsk: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: fc.integer({ min: 51, max: 100 }), weight: 1 }),
});
const frame = fc.array(change, { minLength: 1, maxLength: 4 });

type Change = typeof change extends fc.Arbitrary<infer C> ? C : never;

/** A price_change in the venue's layout (the in-place reader's shape) … */
function venueFrame(changes: Change[], ts: number): string {
  const entries = changes.map((c) => {
    let e = `{"asset_id":"${c.yes ? YES : NO}","price":"${(c.buy ? c.cents : 100 - c.cents) / 100}","size":"${c.size}","side":"${c.buy ? 'BUY' : 'SELL'}"`;
    if (c.hash !== null) e += `,"hash":"${c.hash}"`;
    if (c.bestBid !== null) e += `,"best_bid":"${c.bestBid / 100}"`;
    if (c.bestAsk !== null) e += `,"best_ask":"${c.bestAsk / 100}"`;
    return e + '}';
  });
  return `{"market":"${M}","price_changes":[${entries.join(',')}],"timestamp":"${ts}","event_type":"price_change"}`;
}

/** … and the same message in another key order, which only the general decoder reads. */
function generalFrame(changes: Change[], ts: number): string {
  return JSON.stringify(JSON.parse(venueFrame(changes, ts)), ['event_type', 'timestamp', 'market', 'price_changes', 'hash', 'best_ask', 'best_bid', 'side', 'size', 'price', 'asset_id']);
}

function book(asset: string): string {
  return JSON.stringify({
    event_type: 'book',
    market: M,
    asset_id: asset,
    timestamp: String(T0),
    hash: 'h0',
    bids: [{ price: '0.4', size: '10' }, { price: '0.45', size: '5' }],
    asks: [{ price: '0.6', size: '10' }, { price: '0.55', size: '5' }],
    tick_size: '0.01',
  });
}

/** The events of a tape; `asBytes`: every frame handed over as the UTF-8 bytes a socket delivers. */
function tape(frames: Change[][], write: (changes: Change[], ts: number) => string, asBytes = false): HeliosEvent[] {
  const clock = new VirtualClock(T0);
  const { books, sink } = connectionBooksForTest(clock);
  const deliver = (raw: string) => (asBytes ? books.handleFrameBytes(Buffer.from(raw, 'utf8')) : books.handleFrame(raw));
  books.subscribed([YES, NO]);
  deliver(book(YES));
  deliver(book(NO));
  frames.forEach((changes, i) => {
    deliver(write(changes, T0 + 1 + i));
    clock.advanceTo(clock.now() + 37);
  });
  clock.advanceTo(clock.now() + 1_000);
  return sink.events;
}

describe('a price_change read in place', () => {
  it('publishes exactly what the decoded message publishes: L2_DELTA, BEST_PRICE and markers, field for field and in key order (property)', () => {
    let deltas = 0;
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 30 }), (frames) => {
        const inPlace = tape(frames, venueFrame);
        const decoded = tape(frames, generalFrame);
        expect(inPlace.map((e) => JSON.stringify(e))).toEqual(decoded.map((e) => JSON.stringify(e)));
        deltas += inPlace.filter((e) => e.type === 'L2_DELTA').length;
      }),
      { numRuns: 300 },
    );
    // Most generated frames keep the books synced, so the runs compared deltas, not only markers.
    expect(deltas).toBeGreaterThan(300);
  });

  it('publishes the same from the bytes a socket hands over as from the decoded text (property)', () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 30 }), (frames) => {
        const fromBytes = tape(frames, venueFrame, true);
        const decoded = tape(frames, generalFrame);
        expect(fromBytes.map((e) => JSON.stringify(e))).toEqual(decoded.map((e) => JSON.stringify(e)));
        expect(fromBytes.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
