import { describe, expect, it } from 'vitest';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { nodeBookSyncAtOrders } from '../../src/domain/soak/node-books.ts';
import type { DispatchInputRecord } from '../../src/domain/soak/paper-fills.ts';
import { SoakReferee, type RefereeMarket, type RefereeRecord } from '../../src/domain/soak/referee.ts';
import { compareBooks } from '../../src/domain/soak/book-compare.ts';
import { FAULT_CLASSES, FaultListError, isClobFault, parseFaultList, VENUE_FAULT_CLASSES } from '../../src/domain/soak/fault-classes.ts';
import { minimumSoakMs, soakSchedule } from '../../src/domain/soak/schedule.ts';
import { failedFigures, MUST_BE_ZERO, soakFailures, type SoakSummary } from '../../src/domain/soak/summary.ts';
import { testFactory } from '../support/events.ts';

const FEE = { rate: 0.05, exponent: 1, taker_only: true } as const;
const MARKETS: RefereeMarket[] = [
  { market_id: 'm-truth', yes_token: 'y1', no_token: 'n1', fair_source: 'truth', match_id: 'match-1', station_id: null, fee: FEE },
  { market_id: 'm-pair', yes_token: 'y2', no_token: 'n2', fair_source: 'none', match_id: null, station_id: null, fee: FEE },
];
const THRESHOLDS = { book_stale_ms: 10_000, truth_stale_ms: 15_000, nowcast_stale_ms: 900_000 };

function harness() {
  const { clock, factory } = testFactory();
  const records: RefereeRecord[] = [];
  let instance = 0;
  let seq = 0;
  const push = (event: HeliosEvent) => records.push({ instance, seq: ++seq, event });
  const book = (token: string, synced = true) =>
    push(factory.make('BEST_PRICE', { resync_epoch_id: 1, synced, best_bid: 0.4, best_bid_size: 10, best_ask: 0.6, best_ask_size: 10, updates_coalesced: 1 }, { market_id: 'm', token_id: token }));
  const order = (id: string, token: string, market: string, strategy = 'pair_arb') =>
    push(
      factory.make(
        'ORDER_UPDATE',
        { client_order_id: id, venue_order_id: null, status: 'pending', side: 'BUY', order_type: 'FAK', price: 0.5, size: 10, filled_size: 0, strategy, reason: null },
        { market_id: market, token_id: token },
      ),
    );
  /** `nodeInputs`: what the trading node consumed, in dispatch order (one life, built at the start). */
  const judge = (shutdownAt = new Map<number, number>(), nodeInputs?: DispatchInputRecord[]) => {
    const sessions = nodeInputs ? [{ session: 1, start_ms: 1_700_000_000_000, tokens: new Set(['y1', 'n1', 'y2', 'n2']), inputs: nodeInputs }] : [];
    const r = new SoakReferee(MARKETS, THRESHOLDS, shutdownAt, nodeBookSyncAtOrders(records, sessions));
    for (const rec of records) r.observe(rec);
    return r.finish();
  };
  return { clock, factory, push, book, order, judge, restart: () => ((instance += 1), (seq = 0)) };
}

describe('soak referee', () => {
  it('passes an order on a synced, fresh book and flags one on an unsynced book', () => {
    const h = harness();
    h.book('y2');
    h.order('o1', 'y2', 'm-pair');
    h.push(h.factory.make('BOOK_RESYNC_START', { resync_epoch_id: 2, reason: 'crossed' }, { token_id: 'y2' }));
    h.order('o2', 'y2', 'm-pair');
    h.clock.advanceBy(700);
    h.push(h.factory.make('BOOK_RESYNC_DONE', { resync_epoch_id: 2, duration_ms: 700 }, { token_id: 'y2' }));
    h.book('y2');
    h.order('o3', 'y2', 'm-pair');
    const v = h.judge();
    expect(v.orders).toBe(3);
    expect(v.orders_while_unsynced).toBe(1);
    expect(v.examples[0]).toMatchObject({ violation: 'orders_while_unsynced', client_order_id: 'o2' });
    expect(v.max_resync_ms).toBe(700);
    expect(v.orders_while_stale + v.orders_while_halted + v.duplicate_orders).toBe(0);
  });

  it('excuses an order decided before a resync the feed began, emitted after it while that crossed the bus; not once its inputs lag', () => {
    const h = harness();
    const orderAt = (id: string) =>
      h.factory.make(
        'ORDER_UPDATE',
        { client_order_id: id, venue_order_id: null, status: 'pending', side: 'BUY', order_type: 'FAK', price: 0.5, size: 10, filled_size: 0, strategy: 'pair_arb', reason: null },
        { market_id: 'm-pair', token_id: 'y2' },
      );
    const resyncStart = () => h.push(h.factory.make('BOOK_RESYNC_START', { resync_epoch_id: 2, reason: 'reconnect' }, { token_id: 'y2' }));
    h.book('y2');
    // Decided at t (the trading clock), the feed saw the socket drop 27 ms later, published first.
    const inFlight = orderAt('in-flight');
    h.clock.advanceBy(27);
    resyncStart();
    h.push(inFlight);
    h.clock.advanceBy(300);
    h.push(h.factory.make('BOOK_RESYNC_DONE', { resync_epoch_id: 2, duration_ms: 300 }, { token_id: 'y2' }));
    h.book('y2');
    // Decided on inputs 12 s older than what the process had published: that is no excuse.
    const lagging = orderAt('lagging');
    h.clock.advanceBy(12_000);
    h.book('y2');
    resyncStart();
    h.push(lagging);
    // And an order at or after the resync's time is flagged as before.
    h.order('after', 'y2', 'm-pair');
    const v = h.judge();
    expect(v.orders).toBe(3);
    expect(v.orders_decided_before_resync).toBe(1);
    expect(v.examples.filter((e) => e.violation === 'orders_while_unsynced').map((e) => e.client_order_id)).toEqual(['lagging', 'after']);
  });

  it('judges an order by what the trading node had consumed when it decided, as its dispatch log shows, not by what the feed had published', () => {
    const h = harness();
    const consumed: DispatchInputRecord[] = [];
    const publish = (e: HeliosEvent) => (h.push(e), e);
    const feed = (e: HeliosEvent) => (consumed.push({ event: publish(e) }), e);
    const priceOf = (token: string) => h.factory.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: 0.4, best_bid_size: 10, best_ask: 0.6, best_ask_size: 10, updates_coalesced: 1 }, { market_id: 'm', token_id: token });
    const resyncOf = (token: string) => h.factory.make('BOOK_RESYNC_START', { resync_epoch_id: 2, reason: 'reconnect' }, { token_id: token });
    const orderOn = (id: string, cause: HeliosEvent | null) =>
      h.factory.make(
        'ORDER_UPDATE',
        { client_order_id: id, venue_order_id: null, status: 'pending', side: 'BUY', order_type: 'GTD', price: 0.5, size: 10, filled_size: 0, strategy: 'pair_arb', reason: null },
        { market_id: 'm-pair', token_id: 'y2', ...(cause ? { causation_id: cause.event_id } : {}) },
      );
    feed(priceOf('y1'));
    feed(priceOf('y2'));
    h.clock.advanceBy(100);
    // A reconnect unsyncs every token at once, one batch of one time; the node consumes it input by
    // input, and the first (another market's) makes this market decide: y2's resync is still to come.
    const otherResync = publish(resyncOf('y1'));
    const ownResync = publish(resyncOf('y2'));
    publish(orderOn('in-batch', otherResync));
    // A timer due at the batch's time fires before the node applies the batch's first input.
    publish(orderOn('timer', null));
    consumed.push({ event: otherResync }, { event: ownResync });
    h.clock.advanceBy(300);
    feed(priceOf('y1'));
    feed(priceOf('y2'));
    // Once the node has consumed y2's resync, an order on y2 is a violation.
    h.clock.advanceBy(100);
    feed(resyncOf('y2'));
    publish(orderOn('after-consuming', feed(priceOf('y1'))));
    feed(priceOf('y2'));
    // And a resync the node had still not consumed when it was older than a book may be.
    h.clock.advanceBy(100);
    publish(resyncOf('y2'));
    h.clock.advanceBy(THRESHOLDS.book_stale_ms + 1);
    publish(orderOn('starved', feed(priceOf('y1'))));
    const v = h.judge(new Map(), consumed);
    expect(v.orders).toBe(4);
    expect(v.orders_decided_before_resync).toBe(2);
    expect(v.examples.filter((e) => e.violation === 'orders_while_unsynced').map((e) => e.client_order_id)).toEqual(['after-consuming', 'starved']);
  });

  it("counts the tape's periodic snapshot as fresh evidence of a quiet book, as the engine does", () => {
    const h = harness();
    const snapshot = (synced: boolean) =>
      h.push(
        h.factory.make(
          'L2_SNAPSHOT',
          { resync_epoch_id: 1, synced, tick_size: 0.01, bids: [], asks: [], best_bid: 0.4, best_ask: 0.6, mid: 0.5, spread: 0.2, microprice: 0.5, imbalance: 0, hash: 'h' },
          { market_id: 'm-pair', token_id: 'y2' },
        ),
      );
    h.book('y2');
    h.clock.advanceBy(9_000);
    snapshot(true);
    h.clock.advanceBy(9_000);
    h.order('quiet-top', 'y2', 'm-pair');
    snapshot(false);
    h.order('unsynced-snapshot', 'y2', 'm-pair');
    h.clock.advanceBy(11_000);
    snapshot(true);
    h.clock.advanceBy(10_500);
    h.order('no-evidence', 'y2', 'm-pair');
    const v = h.judge();
    expect(v.examples.map((e) => [e.violation, e.client_order_id])).toEqual([
      ['orders_while_unsynced', 'unsynced-snapshot'],
      ['orders_while_stale', 'no-evidence'],
    ]);
  });

  it('flags a stale book, a stale truth for a temporal order and an order in HALT', () => {
    const h = harness();
    h.book('y1');
    h.push(
      h.factory.make(
        'TRUTH_STATE',
        { state: 'live', previous: null, winner: null, result: null, confidence: 0.8, implied_p: null, sources: [], stale: false, stale_sources: [], confirmation_overdue: false, progress: null, source_states: [], title: null, reason: null },
        { match_id: 'match-1' },
      ),
    );
    h.order('fresh', 'y1', 'm-truth', 'temporal');
    h.clock.advanceBy(12_000);
    h.order('stale-book', 'y1', 'm-truth', 'pair_arb');
    h.book('y1');
    h.clock.advanceBy(4_000);
    h.order('stale-truth', 'y1', 'm-truth', 'temporal');
    h.push(h.factory.make('MARKET_STATE', { state: 'HALT', previous: 'IDLE', reason: 'x' }, { market_id: 'm-truth' }));
    h.order('halted', 'y1', 'm-truth', 'pair_arb');
    const v = h.judge();
    expect(v.orders_while_stale).toBe(2);
    expect(v.orders_while_halted).toBe(1);
    expect(v.examples.map((e) => e.client_order_id)).toEqual(['stale-book', 'stale-truth', 'halted']);
  });

  it('keeps a market-level risk halt (a tripped breaker) to its market, and a global one to all', () => {
    const h = harness();
    h.book('y1');
    h.book('y2');
    h.push(h.factory.make('RISK_STATE', { state: 'HALTED', reason: 'circuit breaker', size_scale: 1 }, { market_id: 'm-truth' }));
    h.order('other-market', 'y2', 'm-pair');
    h.order('tripped-market', 'y1', 'm-truth');
    h.push(h.factory.make('RISK_STATE', { state: 'ACTIVE', reason: null, size_scale: 1 }, { market_id: 'm-truth' }));
    h.order('after-reset', 'y1', 'm-truth');
    h.push(h.factory.make('RISK_STATE', { state: 'HALTED', reason: 'kill switch', size_scale: 0 }));
    h.order('killed', 'y2', 'm-pair');
    const v = h.judge();
    expect(v.examples.filter((e) => e.violation === 'orders_while_halted').map((e) => e.client_order_id)).toEqual(['tripped-market', 'killed']);
  });

  it('counts a client order id reused by a later process as a duplicate, and an unfinished resync to its process end', () => {
    const h = harness();
    h.book('y2');
    h.order('same', 'y2', 'm-pair');
    h.push(h.factory.make('BOOK_RESYNC_START', { resync_epoch_id: 3, reason: 'gap' }, { token_id: 'n2' }));
    h.clock.advanceBy(2_500);
    h.book('y2');
    h.restart();
    h.book('y2');
    h.order('same', 'y2', 'm-pair');
    h.order('other', 'y2', 'm-pair');
    const v = h.judge();
    expect(v.duplicate_orders).toBe(1);
    expect(v.unfinished_resyncs).toBe(1);
    expect(v.max_resync_ms).toBe(2_500);
  });

  it('does not count the resyncs a graceful shutdown opens as unfinished', () => {
    const h = harness();
    h.book('y2');
    h.clock.advanceBy(1_000);
    const stopAt = h.clock.now();
    h.push(h.factory.make('BOOK_RESYNC_START', { resync_epoch_id: 4, reason: 'reconnect' }, { token_id: 'y2' }));
    expect(h.judge(new Map([[0, stopAt]]))).toMatchObject({ unfinished_resyncs: 0, max_resync_ms: 0 });
    expect(h.judge()).toMatchObject({ unfinished_resyncs: 1 });
  });

  it('treats a token never seen synced in this process as unsynced (a restart forgets)', () => {
    const h = harness();
    h.book('y2');
    h.restart();
    h.order('o', 'y2', 'm-pair');
    expect(h.judge().orders_while_unsynced).toBe(1);
  });
});

describe('soak book comparison', () => {
  it('tells a top-of-book mismatch from a deep-level divergence', () => {
    const truth = { bids: [[0.48, 10], [0.47, 5]] as Array<[number, number]>, asks: [[0.52, 7]] as Array<[number, number]> };
    expect(compareBooks({ bids: [[0.47, 5], [0.48, 10]], asks: [[0.52, 7]] }, truth)).toMatchObject({ top_equal: true, depth_equal: true });
    expect(compareBooks({ bids: [[0.48, 10], [0.47, 4]], asks: [[0.52, 7]] }, truth)).toMatchObject({ top_equal: true, depth_equal: false });
    // A size at the best price is invisible on the protocol (like depth) until the next snapshot.
    expect(compareBooks({ bids: [[0.48, 9], [0.47, 5]], asks: [[0.52, 7]] }, truth)).toMatchObject({ top_equal: true, depth_equal: false });
    expect(compareBooks({ bids: [[0.49, 10], [0.48, 10], [0.47, 5]], asks: [[0.52, 7]] }, truth)).toMatchObject({ top_equal: false, depth_equal: false });
    expect(compareBooks({ bids: [[0.48, 10], [0.47, 5]], asks: [] }, truth).top_equal).toBe(false);
  });
});

describe('soak fault classes and timeline', () => {
  it('parses all and lists, refusing unknown classes and redis_kill without Redis', () => {
    expect(parseFaultList('all', true)).toEqual(FAULT_CLASSES.filter((c) => !isClobFault(c)));
    expect(parseFaultList('all', false)).not.toContain('redis_kill');
    expect(parseFaultList(' frame_drop , daemon_kill', false)).toEqual(['frame_drop', 'daemon_kill']);
    expect(() => parseFaultList('frame_drop,bogus', false)).toThrow(/unknown fault class "bogus"/);
    expect(() => parseFaultList('redis_kill', false)).toThrow(FaultListError);
    expect(() => parseFaultList('', false)).toThrow(FaultListError);
  });

  it('puts every kill between two checkpoints, never in the last interval, deterministically', () => {
    const o = { duration_ms: 120_000, seed: 7, faults: FAULT_CLASSES, checkpoint_every_ms: 25_000, kill_every_ms: 240_000 };
    const s = soakSchedule(o);
    expect(soakSchedule(o)).toEqual(s);
    const checkpoints = s.filter((a) => a.kind === 'checkpoint').map((a) => a.at_ms);
    expect(checkpoints).toEqual([25_000, 50_000, 75_000, 100_000, 120_000]);
    const kills = s.filter((a) => a.kind === 'daemon_kill' || a.kind === 'redis_kill');
    expect(kills.map((k) => k.kind).sort()).toEqual(['daemon_kill', 'redis_kill']);
    for (const k of kills) {
      expect(k.at_ms).toBeLessThan(100_000);
      expect(checkpoints.some((c) => c > k.at_ms)).toBe(true);
    }
    // The two kills land in different intervals.
    const interval = (t: number) => Math.floor(t / 25_000);
    expect(interval(kills[0]!.at_ms)).not.toBe(interval(kills[1]!.at_ms));
    expect(soakSchedule({ ...o, faults: ['frame_drop'] }).filter((a) => a.kind === 'daemon_kill' || a.kind === 'redis_kill')).toEqual([]);
  });

  it('schedules one forced injection of every requested venue class in the first interval, before its checkpoint', () => {
    for (const duration_ms of [30_000, 60_000, 120_000]) {
      const s = soakSchedule({ duration_ms, seed: 7, faults: FAULT_CLASSES, checkpoint_every_ms: 25_000, kill_every_ms: 240_000 });
      const injected = s.flatMap((a) => (a.kind === 'inject' ? [a] : []));
      expect(injected.map((a) => a.fault).sort()).toEqual([...VENUE_FAULT_CLASSES].sort());
      const firstCheckpoint = s.find((a) => a.kind === 'checkpoint')!.at_ms;
      for (const a of injected) expect(a.at_ms).toBeLessThan(firstCheckpoint);
    }
    const one = soakSchedule({ duration_ms: 30_000, seed: 7, faults: ['ws_disconnect'], checkpoint_every_ms: 25_000, kill_every_ms: 240_000 });
    expect(one.map((a) => a.kind)).toEqual(['inject', 'checkpoint']);
  });

  it('knows the shortest soak for the requested classes', () => {
    const o = { min_duration_ms: 30_000, min_duration_with_kills_ms: 60_000 };
    expect(minimumSoakMs(['ws_disconnect'], o)).toBe(30_000);
    expect(minimumSoakMs(['ws_disconnect', 'daemon_kill'], o)).toBe(60_000);
  });

  it('a soak passes only when every requested class was injected', () => {
    const base = { orders_while_unsynced: 0, orders_while_stale: 0, orders_while_halted: 0, lost_events: 0, duplicate_orders: 0, unhandled_errors: 0, book_mismatches: 0, naked_legs: 0, paper_overfills: 0, not_injected: [] } as unknown as SoakSummary;
    expect(soakFailures(base)).toEqual([]);
    expect(soakFailures({ ...base, not_injected: ['weather_stale', 'truth_conflict'] })).toEqual(['not injected: weather_stale, truth_conflict']);
  });

  it('fails exactly on the nine safety figures, paper overfills among them', () => {
    const base = { orders_while_unsynced: 0, orders_while_stale: 0, orders_while_halted: 0, lost_events: 0, duplicate_orders: 0, unhandled_errors: 0, book_mismatches: 0, naked_legs: 0, paper_overfills: 0, max_resync_ms: 99_999 } as SoakSummary;
    expect(failedFigures(base)).toEqual([]);
    expect(failedFigures({ ...base, lost_events: 2, book_mismatches: 1 })).toEqual(['lost_events', 'book_mismatches']);
    expect(failedFigures({ ...base, paper_overfills: 1 })).toEqual(['paper_overfills']);
    expect(MUST_BE_ZERO).toHaveLength(9);
  });
});
