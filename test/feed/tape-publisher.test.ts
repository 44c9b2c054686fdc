import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { ConnectionBooks } from '../../src/adapters/polymarket/connection-books.ts';
import { MalformedFrameReporter } from '../../src/adapters/polymarket/market-decoder.ts';
import { TapePublisher } from '../../src/adapters/polymarket/tape-publisher.ts';
import { CollectingSink, EventFactory, heliosEventSchema, ulidGenerator, type EventOf } from '../../src/domain/events/index.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { tapeRig } from './support/tape-rig.ts';

const M = '0xm';

function rig(emitL2Delta = true) {
  const clock = new VirtualClock(1_700_000_000_000);
  const sink = new CollectingSink();
  const publisher = new TapePublisher(sink, new EventFactory(clock, ulidGenerator(seededRng(3))), clock, {
    topLevels: 2,
    imbalanceLevels: 2,
    emitL2Delta,
    snapshotIntervalMs: 1_000,
    bestPriceFlushMs: 100,
  });
  const books = new ConnectionBooks(publisher, new MalformedFrameReporter({ clock, minSampleIntervalMs: 1_000, maxSampleChars: 50 }));
  books.subscribed(['A', 'B']);
  publisher.start(() => books.states(), (t) => books.books.get(t));
  const frame = (raw: object) => books.handleFrame(JSON.stringify(raw));
  for (const [id, bid] of [
    ['A', '0.4'],
    ['B', '0.5'],
  ] as const) {
    frame({
      event_type: 'book',
      asset_id: id,
      market: M,
      bids: [
        { price: '0.3', size: '1' },
        { price: bid, size: '10' },
      ],
      asks: [
        { price: '0.7', size: '3' },
        { price: '0.6', size: '5' },
      ],
      timestamp: '1',
      hash: `h${id}`,
      tick_size: '0.01',
    });
  }
  const level = (ts: number, id: string, price: string, size: string, bid: string) =>
    frame({
      market: M,
      price_changes: [{ asset_id: id, price, size, side: 'BUY', hash: 'x', best_bid: bid, best_ask: '0.6' }],
      timestamp: String(ts),
      event_type: 'price_change',
    });
  return { clock, sink, publisher, books, level };
}

const of = <T extends string>(sink: CollectingSink, type: T) => sink.events.filter((e) => e.type === type) as unknown as EventOf<T & 'BEST_PRICE'>[];

describe('tape publisher: L2_SNAPSHOT cadence', () => {
  /** `tokens` in markets of two (a YES and a NO), `tok0`/`tok1` in `mkt0` and so on. */
  const marketOf = (token: string) => `mkt${Math.floor(Number(token.slice(3)) / 2)}`;
  function snapshotRig(slices: number | undefined, tokens: string[], clock = new VirtualClock(1_700_000_000_000)) {
    const { sink, publisher, books, frame } = tapeRig(clock, tokens, { snapshotIntervalMs: 1_000, snapshotSlices: slices });
    for (const id of tokens) {
      frame({ event_type: 'book', asset_id: id, market: marketOf(id), bids: [{ price: '0.4', size: '1' }], asks: [{ price: '0.6', size: '1' }], timestamp: '1', hash: `h${id}`, tick_size: '0.01' });
    }
    publisher.start(() => books.states(), (t) => books.books.get(t));
    /** The L2_SNAPSHOTs sent at each clock step of `stepMs` over `ms`. */
    const runEvents = (ms: number, stepMs: number) => {
      const ticks: EventOf<'L2_SNAPSHOT'>[][] = [];
      for (let t = 0; t < ms; t += stepMs) {
        sink.events.length = 0;
        clock.advanceBy(stepMs);
        ticks.push(sink.events.filter((e) => e.type === 'L2_SNAPSHOT') as EventOf<'L2_SNAPSHOT'>[]);
      }
      return ticks;
    };
    /** Token ids snapshotted at each clock step of `stepMs` over `ms`. */
    const run = (ms: number, stepMs: number) => runEvents(ms, stepMs).map((tick) => tick.map((e) => e.token_id!));
    return { run, runEvents };
  }
  const tokens = Array.from({ length: 40 }, (_, i) => `tok${i}`);

  it('a market\'s two books are sampled in the same tick, side by side, stamped with one time', () => {
    // A clock that moves on every reading (as the system clock may between two events of a turn).
    class CreepingClock extends VirtualClock {
      private reads = 0;
      override now(): number {
        return super.now() + this.reads++;
      }
    }
    for (const clock of [new VirtualClock(1_700_000_000_000), new CreepingClock(1_700_000_000_000)]) {
      const { runEvents } = snapshotRig(10, tokens, clock);
      const sent = runEvents(3_000, 100).flat();
      expect(sent.length).toBeGreaterThanOrEqual(2 * tokens.length);
      const byMarket = new Map<string, EventOf<'L2_SNAPSHOT'>[]>();
      for (const e of sent) byMarket.set(e.market_id!, [...(byMarket.get(e.market_id!) ?? []), e]);
      expect(byMarket.size).toBe(tokens.length / 2);
      for (const [market, snaps] of byMarket) {
        // In sending order, a market's snapshots come as YES/NO pairs of one time.
        for (let i = 0; i < snaps.length; i += 2) {
          const [a, b] = [snaps[i]!, snaps[i + 1]];
          expect(b, `${market}: the partner of ${a.token_id}`).toBeDefined();
          expect(new Set([a.token_id, b!.token_id]).size, market).toBe(2);
          expect(b!.ts_ingest, `${market}: ${a.token_id} and ${b!.token_id} stamped at different times`).toBe(a.ts_ingest);
          expect(sent.indexOf(b!), `${market}: its two books side by side`).toBe(sent.indexOf(a) + 1);
        }
      }
    }
  });

  it('slices spread one interval\'s snapshots over as many ticks, each book exactly once per interval, in fixed groups', () => {
    const { run } = snapshotRig(4, tokens);
    const ticks = run(3_000, 250);
    expect(ticks).toHaveLength(12);
    for (let interval = 0; interval < 3; interval++) {
      const groups = ticks.slice(interval * 4, interval * 4 + 4);
      expect(groups.flat().sort()).toEqual([...tokens].sort());
      // No group holds all of them: the loop is never stopped for every book at once.
      for (const g of groups) expect(g.length).toBeLessThan(tokens.length / 2);
      // A book's group is the same every interval.
      expect(groups).toEqual(ticks.slice(0, 4));
    }
  });

  it('one slice (the default) snapshots every book at each interval, as before', () => {
    const { run } = snapshotRig(undefined, tokens);
    const ticks = run(2_000, 500);
    expect(ticks.map((t) => t.length)).toEqual([0, tokens.length, 0, tokens.length]);
  });
});

describe('tape publisher', () => {
  it('coalesces best-price changes: at most one BEST_PRICE per token per flush tick', () => {
    const { clock, sink, level } = rig();
    clock.advanceBy(100); // the snapshots' own top-of-book changes are flushed here
    sink.events.length = 0;
    for (let i = 0; i < 20; i++) level(10 + i, 'A', '0.4', String(11 + i), '0.4'); // top size changes 20 times
    level(40, 'B', '0.3', '2', '0.5'); // below the top: no best-price change for B
    expect(of(sink, 'BEST_PRICE')).toEqual([]);
    clock.advanceBy(100);
    const best = of(sink, 'BEST_PRICE');
    expect(best.length).toBe(1);
    expect(best[0]!.token_id).toBe('A');
    expect(best[0]!.payload).toEqual({
      resync_epoch_id: 0,
      synced: true,
      best_bid: 0.4,
      best_bid_size: 30,
      best_ask: 0.6,
      best_ask_size: 5,
      updates_coalesced: 20,
    });
    clock.advanceBy(100);
    expect(of(sink, 'BEST_PRICE').length).toBe(1);
    expect(sink.events.filter((e) => e.type === 'L2_DELTA').length).toBe(21);
  });

  it('publishes a token that was quiet at once, and a busy token at most once per interval', () => {
    const { clock, sink, level } = rig();
    clock.advanceBy(1_000); // quiet for longer than the interval
    sink.events.length = 0;
    level(10, 'A', '0.4', '11', '0.4');
    expect(of(sink, 'BEST_PRICE')).toEqual([]); // not inside the frame that caused it...
    clock.advanceBy(0);
    expect(of(sink, 'BEST_PRICE').map((e) => [e.token_id, e.payload.best_bid_size, e.ts_ingest])).toEqual([['A', 11, clock.now()]]); // ...but on the next turn
    clock.advanceBy(30);
    level(11, 'A', '0.4', '12', '0.4');
    level(12, 'B', '0.5', '9', '0.5'); // B was quiet: its own turn comes at once
    clock.advanceBy(0);
    expect(of(sink, 'BEST_PRICE').map((e) => e.token_id)).toEqual(['A', 'B']);
    level(13, 'A', '0.4', '13', '0.4');
    clock.advanceBy(69);
    expect(of(sink, 'BEST_PRICE').length).toBe(2); // A waits for 100 ms after its previous one
    clock.advanceBy(1);
    const last = of(sink, 'BEST_PRICE').at(-1)!;
    expect([last.token_id, last.payload.best_bid_size, last.payload.updates_coalesced]).toEqual(['A', 13, 2]);
  });

  it('publishes an L2_SNAPSHOT per token every interval, with top-N and derived figures', () => {
    const { clock, sink } = rig();
    clock.advanceBy(999);
    expect(sink.events.filter((e) => e.type === 'L2_SNAPSHOT')).toEqual([]);
    clock.advanceBy(1);
    clock.advanceBy(1_000);
    const snaps = sink.events.filter((e) => e.type === 'L2_SNAPSHOT') as EventOf<'L2_SNAPSHOT'>[];
    expect(snaps.map((e) => e.token_id)).toEqual(['A', 'B', 'A', 'B']);
    const a = snaps[0]!;
    expect(heliosEventSchema.safeParse(a).success).toBe(true);
    expect(a.market_id).toBe(M);
    expect(a.ch).toBe('l2');
    expect(a.payload).toEqual({
      resync_epoch_id: 0,
      synced: true,
      tick_size: 0.01,
      bids: [
        [0.4, 10],
        [0.3, 1],
      ],
      asks: [
        [0.6, 5],
        [0.7, 3],
      ],
      best_bid: 0.4,
      best_ask: 0.6,
      mid: 0.5,
      spread: 0.2,
      microprice: (0.4 * 5 + 0.6 * 10) / 15,
      imbalance: (11 - 8) / 19,
      hash: 'hA',
    });
  });

  it('records every applied level change as L2_DELTA unless told not to, and stops on stop()', () => {
    const on = rig(true);
    on.level(10, 'A', '0.41', '4', '0.41');
    const delta = on.sink.events.find((e) => e.type === 'L2_DELTA') as EventOf<'L2_DELTA'>;
    expect(delta.payload).toEqual({ resync_epoch_id: 0, side: 'BUY', price: 0.41, size: 4, best_bid: 0.41, best_ask: 0.6 });
    expect(delta.ts_source).toBe(10);
    expect(delta.ch).toBe('l2_delta');

    const off = rig(false);
    off.level(10, 'A', '0.41', '4', '0.41');
    expect(off.sink.events.filter((e) => e.type === 'L2_DELTA')).toEqual([]);
    off.publisher.stop();
    const before = off.sink.events.length;
    off.clock.advanceBy(10_000);
    expect(off.sink.events.length).toBe(before);
  });
});
