import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { BusBookMirror } from '../../src/domain/book/bus-book-mirror.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import type { BookSignal } from '../../src/domain/trading/signals.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { TradingRouter } from '../../src/runtime/trading/trading-router.ts';
import type { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { pinPropertySeed, propertyRuns } from './property-seed.ts';
import { defaultSections, flush, paperRouterRig, spec } from './support.ts';

pinPropertySeed('pair-signals');

type Levels = Array<[number, number]>;

function snapshot(events: EventFactory, market: string, token: string, bids: Levels, asks: Levels): HeliosEvent {
  return events.make(
    'L2_SNAPSHOT',
    { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids, asks, best_bid: bids[0]?.[0] ?? null, best_ask: asks[0]?.[0] ?? null, mid: null, spread: null, microprice: null, imbalance: null, hash: null },
    { market_id: market, token_id: token },
  );
}

function best(events: EventFactory, market: string, token: string, bid: number, ask: number, partnerFollows: boolean): HeliosEvent {
  const payload = { resync_epoch_id: 1, synced: true, best_bid: bid, best_bid_size: 100, best_ask: ask, best_ask_size: 100, updates_coalesced: 1 };
  return events.make('BEST_PRICE', partnerFollows ? { ...payload, partner_follows: true as const } : payload, { market_id: market, token_id: token });
}

function delta(events: EventFactory, market: string, token: string, side: 'BUY' | 'SELL', price: number, size: number, bid: number, ask: number): HeliosEvent {
  return events.make('L2_DELTA', { resync_epoch_id: 1, side, price, size, best_bid: bid, best_ask: ask }, { market_id: market, token_id: token });
}

/**
 * A price_change moves both books of a market at once (the YES level and its NO mirror). The venue
 * sends them in one frame and the tape publishes their BEST_PRICEs side by side, the first marked
 * `partner_follows`: the router holds it until the partner's arrives and the market actor decides
 * once, on both books.
 */
describe("a market's two book signals, published together, reach its actor as one decision", () => {
  /**
   * YES moves down 0.10 and NO up 0.10 (asks 0.50 + 0.52 → 0.40 + 0.62: still 1.02, no pair to
   * buy). Decided on YES's new book beside NO's old one, the asks sum to 0.92: a phantom pair.
   */
  async function moveBothBooks(partnerFollows: boolean) {
    const r = paperRouterRig();
    await r.runtime.start();
    const route = (e: HeliosEvent) => r.router.route(e);
    route(snapshot(r.events, 'm1', 'Y', [[0.48, 100]], [[0.5, 100]]));
    route(snapshot(r.events, 'm1', 'N', [[0.5, 100]], [[0.52, 100]]));
    r.clock.advanceBy(10);
    // The frame's level changes, then the two BEST_PRICEs of its turn.
    for (const [side, price, size] of [['SELL', 0.4, 100], ['BUY', 0.38, 100], ['BUY', 0.48, 0], ['SELL', 0.5, 0]] as const) route(delta(r.events, 'm1', 'Y', side, price, size, 0.38, 0.4));
    for (const [side, price, size] of [['BUY', 0.6, 100], ['SELL', 0.62, 100], ['SELL', 0.52, 0], ['BUY', 0.5, 0]] as const) route(delta(r.events, 'm1', 'N', side, price, size, 0.6, 0.62));
    const evaluations: string[][] = [];
    r.runtime.marketRef('m1')!.subscribe((s: { context: { signals: { books: Record<string, BookSignal> } } }) => {
      evaluations.push(['Y', 'N'].map((t) => String(s.context.signals.books[t]?.best_ask)));
    });
    route(best(r.events, 'm1', 'Y', 0.38, 0.4, partnerFollows));
    route(best(r.events, 'm1', 'N', 0.6, 0.62, false));
    await flush();
    r.runtime.stop();
    return { placed: r.placed, evaluations };
  }

  it('marked: one evaluation on both new books, and no order', async () => {
    const { placed, evaluations } = await moveBothBooks(true);
    expect(evaluations).toEqual([['0.4', '0.62']]);
    expect(placed).toEqual([]);
  });

  it('unmarked (a journal from before the mark): two evaluations, the first on a half-updated pair that buys a pair that is not there', async () => {
    const { placed, evaluations } = await moveBothBooks(false);
    expect(evaluations[0]).toEqual(['0.4', '0.52']);
    expect(evaluations.at(-1)).toEqual(['0.4', '0.62']);
    expect(placed.map((o) => [o.token_id, o.price])).toEqual([
      ['Y', 0.4],
      ['N', 0.52],
    ]);
  });
});

describe('a journal whose BEST_PRICEs carry levels (the snapshot says best_price_levels)', () => {
  it("a recorded L2_DELTA between a marked BEST_PRICE and its partner's (one the node never read live) neither splits the pair nor moves the book", async () => {
    const r = paperRouterRig();
    await r.runtime.start();
    const route = (e: HeliosEvent) => r.router.route(e);
    const announced = (token: string, bids: Levels, asks: Levels) => {
      const e = snapshot(r.events, 'm1', token, bids, asks) as HeliosEvent & { type: 'L2_SNAPSHOT' };
      return { ...e, payload: { ...e.payload, best_price_levels: 5 } };
    };
    const withLevels = (token: string, bids: Levels, asks: Levels, partnerFollows: boolean) => {
      const e = best(r.events, 'm1', token, bids[0]![0], asks[0]![0], partnerFollows) as HeliosEvent & { type: 'BEST_PRICE' };
      return { ...e, payload: { ...e.payload, bids, asks } };
    };
    route(announced('Y', [[0.48, 100]], [[0.5, 100]]));
    route(announced('N', [[0.5, 100]], [[0.52, 100]]));
    r.clock.advanceBy(10);
    const evaluations: string[][] = [];
    r.runtime.marketRef('m1')!.subscribe((s: { context: { signals: { books: Record<string, BookSignal> } } }) => {
      evaluations.push(['Y', 'N'].map((t) => String(s.context.signals.books[t]?.best_ask)));
    });
    route(withLevels('Y', [[0.38, 100]], [[0.4, 100]], true));
    expect(route(delta(r.events, 'm1', 'Y', 'SELL', 0.3, 100, 0.38, 0.3))).toBe(false);
    route(withLevels('N', [[0.6, 100]], [[0.62, 100]], false));
    await flush();
    r.runtime.stop();
    expect(evaluations).toEqual([['0.4', '0.62']]);
    expect(r.mirror.book('Y')!.topN(5)).toEqual({ bids: [[0.38, 100]], asks: [[0.4, 100]] });
    expect(r.placed).toEqual([]);
  });

  it('a BEST_PRICE for a change below the touch refreshes the book without an evaluation; the next touch change is decided on those levels', async () => {
    const r = paperRouterRig();
    await r.runtime.start();
    const route = (e: HeliosEvent) => r.router.route(e);
    const announce = (token: string, bids: Levels, asks: Levels) => {
      const e = snapshot(r.events, 'm1', token, bids, asks) as HeliosEvent & { type: 'L2_SNAPSHOT' };
      return { ...e, payload: { ...e.payload, best_price_levels: 5 } };
    };
    const withLevels = (token: string, bids: Levels, asks: Levels) => {
      const e = best(r.events, 'm1', token, bids[0]![0], asks[0]![0], false) as HeliosEvent & { type: 'BEST_PRICE' };
      return { ...e, payload: { ...e.payload, best_bid_size: bids[0]![1], best_ask_size: asks[0]![1], bids, asks } };
    };
    route(announce('Y', [[0.48, 100]], [[0.5, 100], [0.51, 100]]));
    route(announce('N', [[0.45, 100]], [[0.55, 100]]));
    r.clock.advanceBy(10);
    const evaluations: string[] = [];
    r.runtime.marketRef('m1')!.subscribe((s: { context: { signals: { books: Record<string, BookSignal> } } }) => {
      evaluations.push(JSON.stringify(s.context.signals.books.Y?.levels?.asks));
    });
    // Below Y's touch only: the mirror takes it, the actor is not woken.
    expect(route(withLevels('Y', [[0.48, 100]], [[0.5, 100], [0.51, 40]]))).toBe(true);
    await flush();
    expect(evaluations).toEqual([]);
    expect(r.mirror.book('Y')!.topN(5).asks).toEqual([[0.5, 100], [0.51, 40]]);
    // The touch moves: one evaluation, on the levels below it as the last BEST_PRICE left them.
    route(withLevels('Y', [[0.48, 100]], [[0.5, 90], [0.51, 40]]));
    await flush();
    r.runtime.stop();
    expect(evaluations).toEqual([JSON.stringify([[0.5, 90], [0.51, 40]])]);
  });
});

/** What the router hands the runtime, in order: book signals (one, or a market's pair) and halts. */
type Call = { kind: 'book'; inputs: number[] } | { kind: 'halt'; input: number };

const MARKETS = { m1: ['Y1', 'N1'], m2: ['Y2', 'N2'] } as const;
const TOKENS = ['Y1', 'N1', 'Y2', 'N2'] as const;
const marketOf = (token: string) => (token.endsWith('1') ? 'm1' : 'm2');

type Input = { kind: 'best'; token: string; flag: boolean } | { kind: 'delta'; token: string } | { kind: 'trade'; token: string } | { kind: 'halt'; market: string };

const input: fc.Arbitrary<Input> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('best' as const), token: fc.constantFrom(...TOKENS), flag: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delta' as const), token: fc.constantFrom(...TOKENS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('trade' as const), token: fc.constantFrom(...TOKENS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('halt' as const), market: fc.constantFrom('m1', 'm2') }) },
);

/** Routes `inputs` (then a global halt, which releases whatever is held) and logs the runtime calls. */
const sections = defaultSections();

function routeAll(inputs: readonly Input[]): Call[] {
  const clock = new VirtualClock(1_700_000_000_000);
  const events = new EventFactory(clock, ulidGenerator(seededRng(2)));
  const calls: Call[] = [];
  const inputOfTs = new Map<number, number>();
  const runtime = {
    addMarket: () => undefined,
    retention: { isRetired: () => false },
    onBook: (signal: BookSignal, partner?: BookSignal) => {
      const ids = [signal, ...(partner ? [partner] : [])].map((s) => inputOfTs.get(s.ts_ms));
      if (ids.every((i) => i !== undefined)) calls.push({ kind: 'book', inputs: ids as number[] });
    },
    haltMarket: () => calls.push({ kind: 'halt', input: inputOfTs.get(clock.now())! }),
    kill: () => calls.push({ kind: 'halt', input: inputOfTs.get(clock.now())! }),
  } as unknown as TradingRuntime;
  const router = new TradingRouter({ runtime, paper: null, mirror: new BusBookMirror(), clock, cfg: sections.trading, events, publish: new CollectingSink(), inferMarkets: false });
  for (const [market, [yes, no]] of Object.entries(MARKETS)) router.addMarket({ spec: spec({ market_id: market, yes_token: yes, no_token: no }), station_id: null, match_id: null });
  for (const token of TOKENS) router.route(snapshot(events, marketOf(token), token, [[0.4, 100]], [[0.6, 100]]));
  const all: Input[] = [...inputs, { kind: 'halt', market: '*' }];
  all.forEach((inp, i) => {
    clock.advanceBy(1);
    inputOfTs.set(clock.now(), i);
    if (inp.kind === 'best') router.route(best(events, marketOf(inp.token), inp.token, 0.4, 0.6, inp.flag));
    else if (inp.kind === 'delta') router.route(delta(events, marketOf(inp.token), inp.token, 'BUY', 0.1, 5 + i, 0.4, 0.6));
    else if (inp.kind === 'trade') router.route(events.make('TRADE', { price: 0.4, size: 1, side: 'SELL', fee_rate_bps: 0 }, { market_id: marketOf(inp.token), token_id: inp.token }));
    else router.route(events.make('HALT', { scope: inp.market === '*' ? 'global' : 'market', reason: 'test' }, inp.market === '*' ? {} : { market_id: inp.market }));
  });
  return calls;
}

/** The market an input concerns (null: a halt of every market). */
function marketOfInput(inp: Input): string | null {
  return inp.kind === 'halt' ? (inp.market === '*' ? null : inp.market) : marketOf(inp.token);
}

describe('holding a signal for its partner never loses, reorders or delays it past another input', () => {
  it('every BEST_PRICE reaches the runtime once, in order, paired exactly when its partner is the next input of its market', () => {
    const seen = { pairs: 0, heldThenAlone: 0 };
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), (inputs) => {
        const calls = routeAll(inputs);
        const all: Input[] = [...inputs, { kind: 'halt', market: '*' }];
        const position = new Map<number, number>();
        calls.forEach((c, at) => {
          if (c.kind === 'book') for (const i of c.inputs) position.set(i, at);
          else position.set(c.input, at);
        });
        all.forEach((inp, i) => {
          if (inp.kind !== 'best') return;
          // Delivered once (the closing global halt releases whatever is still held).
          expect(calls.filter((c) => c.kind === 'book' && c.inputs.includes(i)).length).toBe(1);
          const at = position.get(i)!;
          // The next input that is not a book change of another market: the signal is out before its call.
          const next = all.findIndex((x, j) => j > i && (x.kind === 'trade' || x.kind === 'halt' || marketOfInput(x) === marketOf(inp.token)));
          const call = calls[at]!;
          const partnerNext = inp.flag && next >= 0 && all[next]!.kind === 'best' && (all[next] as { token: string }).token !== inp.token && marketOf((all[next] as { token: string }).token) === marketOf(inp.token);
          // The second of a pair is checked from the first's side (its own mark, if any, is spent).
          if (call.kind === 'book' && call.inputs[1] === i) return;
          if (partnerNext) {
            expect(call).toEqual({ kind: 'book', inputs: [i, next] });
            seen.pairs++;
            return;
          }
          expect(call).toEqual({ kind: 'book', inputs: [i] });
          if (inp.flag) seen.heldThenAlone++;
          // Unmarked: out at once, before anything later; marked: before any later input of its market, and any halt.
          for (let j = i + 1; j < all.length; j++) {
            const releases = !inp.flag || all[j]!.kind === 'halt' || marketOfInput(all[j]!) === marketOf(inp.token);
            if (releases && position.has(j)) expect(at).toBeLessThan(position.get(j)!);
          }
        });
        // Per token, signals reach the runtime in input order.
        for (const token of TOKENS) {
          const order = all.flatMap((x, i) => (x.kind === 'best' && x.token === token ? [position.get(i)!] : []));
          expect(order).toEqual([...order].sort((a, b) => a - b));
        }
      }),
      propertyRuns(300),
    );
    // Both outcomes of a mark were reached, so the property is not vacuous.
    expect(seen.pairs).toBeGreaterThan(0);
    expect(seen.heldThenAlone).toBeGreaterThan(0);
  });
});
