import { setImmediate as nextTurn } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { tapeRig } from './support/tape-rig.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { EventOf } from '../../src/domain/events/index.ts';
import type { Clock } from '../../src/domain/time/clock.ts';

const M = '0xm';

/** A publisher with the floor at 0 (the default): one BEST_PRICE per token per event-loop turn. */
function rig(clock: Clock, decidedAtOnce?: () => boolean) {
  const { sink, publisher, books, frame } = tapeRig(clock, ['A', 'B'], { decidedAtOnce });
  publisher.start(() => books.states(), (t) => books.books.get(t));
  for (const id of ['A', 'B']) {
    frame({
      event_type: 'book',
      asset_id: id,
      market: M,
      bids: [{ price: '0.4', size: '10' }],
      asks: [{ price: '0.6', size: '5' }],
      timestamp: '1',
      hash: `h${id}`,
      tick_size: '0.01',
    });
  }
  const level = (ts: number, id: string, size: string) =>
    frame({
      market: M,
      price_changes: [{ asset_id: id, price: '0.4', size, side: 'BUY', hash: 'x', best_bid: '0.4', best_ask: '0.6' }],
      timestamp: String(ts),
      event_type: 'price_change',
    });
  const best = () => sink.events.filter((e) => e.type === 'BEST_PRICE') as EventOf<'BEST_PRICE'>[];
  return { sink, publisher, level, best };
}

describe('BEST_PRICE per event-loop turn (best_price_flush_ms 0)', () => {
  it('is the default', () => {
    expect(loadConfig({ env: {} }).config.market_tape.best_price_flush_ms).toBe(0);
  });

  it('live: a burst of frames in one turn yields one BEST_PRICE per token on the next turn, without a timer', async () => {
    const clock = new SystemClock();
    const { sink, level, best } = rig(clock);
    await nextTurn(); // the books' own first top of book
    sink.events.length = 0;
    for (let i = 0; i < 10; i++) level(10 + i, 'A', String(11 + i));
    level(30, 'B', '7');
    expect(best()).toEqual([]); // never inside the frame that caused it
    await nextTurn();
    expect(best().map((e) => [e.token_id, e.payload.best_bid_size, e.payload.updates_coalesced])).toEqual([
      ['A', 20, 10],
      ['B', 7, 1],
    ]);
    // The very next turn publishes again: there is no interval between two of a token.
    level(40, 'A', '21');
    await nextTurn();
    expect(best().map((e) => [e.token_id, e.payload.best_bid_size])).toEqual([
      ['A', 20],
      ['B', 7],
      ['A', 21],
    ]);
  });

  it('live, the trading node idle: a socket read\'s changes go out once it is handled, before the turn\'s other I/O; busy: at the turn\'s end', async () => {
    let idle = true;
    const clock = new SystemClock();
    const { sink, level, best } = rig(clock, () => idle);
    await nextTurn();
    sink.events.length = 0;
    // One read: its frames run in one callback, so their changes still go out together, once.
    const read = () => {
      for (let i = 0; i < 5; i++) level(10 + i, 'A', String(11 + i));
      level(20, 'B', '7');
    };
    read();
    expect(best()).toEqual([]); // never inside the read that caused it
    await Promise.resolve(); // the read's callback returned: microtasks run, no other I/O yet
    expect(best().map((e) => [e.token_id, e.payload.best_bid_size, e.payload.updates_coalesced])).toEqual([
      ['A', 15, 5],
      ['B', 7, 1],
    ]);
    // The node busy: two reads of one turn coalesce until the turn's end.
    idle = false;
    level(30, 'A', '30');
    await Promise.resolve();
    level(31, 'A', '31');
    await Promise.resolve();
    expect(best().length).toBe(2);
    await nextTurn();
    expect(best().slice(2).map((e) => [e.token_id, e.payload.best_bid_size, e.payload.updates_coalesced])).toEqual([['A', 31, 2]]);
  });

  it('replay: on the virtual clock the turn is a zero-delay timer, so no virtual time passes', () => {
    const clock = new VirtualClock(1_700_000_000_000);
    const { sink, publisher, level, best } = rig(clock);
    clock.advanceBy(0);
    sink.events.length = 0;
    level(10, 'B', '3');
    level(11, 'A', '4');
    level(12, 'B', '5');
    expect(best()).toEqual([]);
    clock.advanceBy(0);
    expect(best().map((e) => [e.token_id, e.payload.best_bid_size, e.payload.updates_coalesced, e.ts_ingest])).toEqual([
      ['A', 4, 1, 1_700_000_000_000],
      ['B', 5, 2, 1_700_000_000_000],
    ]);
    level(13, 'A', '6');
    clock.advanceBy(0);
    expect(best().length).toBe(3);
    publisher.stop();
    level(14, 'A', '7');
    clock.advanceBy(1_000);
    expect(best().length).toBe(3);
  });
});

describe("a market's two tokens in one flush", () => {
  /** Two markets, tokens named so that token order alone would interleave them: m1 (a, c), m2 (b, d). */
  function twoMarkets(clock: VirtualClock, floorMs: number) {
    const tokens = { a: '0xm1', b: '0xm2', c: '0xm1', d: '0xm2' } as const;
    const { sink, publisher, books, frame } = tapeRig(clock, Object.keys(tokens), { bestPriceFlushMs: floorMs });
    publisher.start(() => books.states(), (t) => books.books.get(t));
    for (const [id, market] of Object.entries(tokens)) {
      frame({ event_type: 'book', asset_id: id, market, bids: [{ price: '0.4', size: '10' }], asks: [{ price: '0.6', size: '5' }], timestamp: '1', hash: `h${id}`, tick_size: '0.01' });
    }
    clock.advanceBy(floorMs + 1);
    sink.events.length = 0;
    /** One price_change frame moving the bids of `ids` (all of one market). */
    const move = (market: string, ids: string[], size: string, ts: number) =>
      frame({ market, price_changes: ids.map((asset_id) => ({ asset_id, price: '0.4', size, side: 'BUY', hash: 'x', best_bid: '0.4', best_ask: '0.6' })), timestamp: String(ts), event_type: 'price_change' });
    const published = () => (sink.events.filter((e) => e.type === 'BEST_PRICE') as EventOf<'BEST_PRICE'>[]).map((e) => [e.token_id, e.market_id, e.payload.partner_follows ?? false]);
    return { move, published, publisher };
  }

  for (const floorMs of [0, 100]) {
    it(`go out side by side in market order, the first marked partner_follows (best_price_flush_ms ${floorMs})`, () => {
      const clock = new VirtualClock(1_700_000_000_000);
      const { move, published } = twoMarkets(clock, floorMs);
      move('0xm2', ['d', 'b'], '11', 10);
      move('0xm1', ['c'], '12', 11);
      move('0xm1', ['a', 'c'], '13', 12);
      clock.advanceBy(floorMs);
      expect(published()).toEqual([
        ['a', '0xm1', true],
        ['c', '0xm1', false],
        ['b', '0xm2', true],
        ['d', '0xm2', false],
      ]);
      // One token of a market alone: nothing follows it.
      move('0xm2', ['b'], '14', 13);
      move('0xm1', ['c'], '15', 14);
      clock.advanceBy(floorMs + 1);
      expect(published().slice(4)).toEqual([
        ['c', '0xm1', false],
        ['b', '0xm2', false],
      ]);
    });
  }
});

describe('the order of one flush', () => {
  it('is market then token, whatever order the tokens moved in, a market\'s first marked partner_follows (property)', () => {
    const token = fc.record({ market: fc.constantFrom('0xm1', '0xm2', '0xm3', '0xm4'), id: fc.string({ unit: fc.constantFrom(...'abcdef0123'), minLength: 1, maxLength: 4 }) });
    fc.assert(
      fc.property(fc.uniqueArray(token, { selector: (t) => t.id, minLength: 1, maxLength: 40 }), fc.constantFrom(0, 100), (tokens, floorMs) => {
        const clock = new VirtualClock(1_700_000_000_000);
        const { sink, publisher, books, frame } = tapeRig(clock, tokens.map((t) => t.id), { bestPriceFlushMs: floorMs });
        publisher.start(() => books.states(), (t) => books.books.get(t));
        for (const { id, market } of tokens) {
          frame({ event_type: 'book', asset_id: id, market, bids: [{ price: '0.4', size: '10' }], asks: [{ price: '0.6', size: '5' }], timestamp: '1', hash: 'h', tick_size: '0.01' });
        }
        clock.advanceBy(floorMs + 1);
        sink.events.length = 0;
        // Moved in the generated order, one frame each.
        tokens.forEach(({ id, market }, i) =>
          frame({ market, price_changes: [{ asset_id: id, price: '0.4', size: '11', side: 'BUY', best_bid: '0.4', best_ask: '0.6' }], timestamp: String(10 + i), event_type: 'price_change' }),
        );
        clock.advanceBy(floorMs + 1);
        const got = (sink.events.filter((e) => e.type === 'BEST_PRICE') as EventOf<'BEST_PRICE'>[]).map((e) => [e.market_id, e.token_id, e.payload.partner_follows ?? false]);
        const sorted = [...tokens].sort((a, b) => (a.market < b.market ? -1 : a.market > b.market ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        expect(got).toEqual(sorted.map((t, i) => [t.market, t.id, sorted[i + 1]?.market === t.market]));
      }),
      { numRuns: 200 },
    );
  });
});

describe("a flush's BEST_PRICEs carry the flush's time", () => {
  it('however long emitting the ones before took: two of a token are never closer than the floor', () => {
    const clock = new VirtualClock(1_700_000_000_000);
    // Every event made reads a clock 15 ms further on: emitting is slow (a collection mid-flush).
    let reads = 0;
    const slow: Clock = { ...clock, now: () => clock.now() + 15 * ++reads, monotonicNow: () => clock.monotonicNow(), setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h) };
    const tokens = { a: '0xm1', c: '0xm1' } as const;
    const { sink, publisher, books, frame } = tapeRig(slow, Object.keys(tokens), { bestPriceFlushMs: 100 }, clock);
    publisher.start(() => books.states(), (t) => books.books.get(t));
    for (const [id, market] of Object.entries(tokens)) {
      frame({ event_type: 'book', asset_id: id, market, bids: [{ price: '0.4', size: '10' }], asks: [{ price: '0.6', size: '5' }], timestamp: '1', hash: `h${id}`, tick_size: '0.01' });
    }
    for (let i = 0; i < 5; i++) {
      clock.advanceBy(100);
      frame({ market: '0xm1', price_changes: ['a', 'c'].map((asset_id) => ({ asset_id, price: '0.4', size: String(11 + i), side: 'BUY', hash: 'x', best_bid: '0.4', best_ask: '0.6' })), timestamp: String(10 + i), event_type: 'price_change' });
    }
    clock.advanceBy(100);
    const best = sink.events.filter((e) => e.type === 'BEST_PRICE');
    const times = (token: string) => best.filter((e) => e.token_id === token).map((e) => e.ts_ingest);
    expect(times('a').length).toBeGreaterThan(3);
    // A market's two tokens went out in one flush: one time, the publisher's, not the slow clock's.
    expect(times('c')).toEqual(times('a'));
    expect(times('a').every((t) => t % 100 === 0)).toBe(true);
    const gaps = times('a').slice(1).map((t, i) => t - times('a')[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
  });
});
