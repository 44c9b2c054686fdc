import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { MarketFeed } from '../../src/runtime/market-tape/market-feed.ts';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import type { VenueFaults } from '../../src/sim/venue/venue-faults.ts';
import { CollectingSink, EventFactory, heliosEventSchema, ulidGenerator, type HeliosEvent } from '../../src/domain/events/index.ts';
import { InMemoryDesiredSet } from '../../src/domain/subscriptions/desired-set.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { bookMismatches, caughtUp } from './support/book-compare.ts';
import { fastTapeConfig, simMarkets, sleep } from './support/feed-fixtures.ts';

/**
 * The whole market tape against the venue simulator on loopback with every fault switched on:
 * thousands of order-flow events, disturbances of the subscriptions between checkpoints, and at
 * every checkpoint and at the end each local book must equal the simulator's true book.
 *
 * A checkpoint pauses the faults, lets the feed recover (frozen sockets hit the idle timeout,
 * dropped sockets reconnect), runs clean order flow until the mirror has caught up, and checks the
 * best prices of every book: the venue's per-update best_bid/best_ask make any error in them surface
 * and resync. Sizes and deeper levels lost to a dropped frame are invisible on this protocol (no
 * sequence numbers) until the venue's next `book`, so the full comparison follows fresh books, which
 * the venue sends after trades; more clean flow after that must keep every level exact.
 */

const ALL_FAULTS: Partial<VenueFaults> = {
  disconnect: 0.002,
  terminate_share: 0.7,
  policy_close_batch: 2,
  drop: 0.01,
  duplicate: 0.01,
  reorder: 0.01,
  malformed: 0.01,
  freeze: 0.0005,
  tick_size_change: 0.002,
  crossed_update: 0.003,
  rest_429: 0.1,
  rest_5xx: 0.1,
};

const ROUNDS = 5;
const STEPS_PER_ROUND = 4_000;
const CHUNK = 100;

describe('market feed ⇄ venue simulator, all faults on', () => {
  const sim = new VenueSimulator({ seed: 20_251_121, markets: simMarkets(6), faults: ALL_FAULTS });
  const sink = new CollectingSink();
  const clock = new SystemClock();
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  let feed: MarketFeed;
  let desired: InMemoryDesiredSet;
  let reserve: string[];

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    const { wsUrl, restUrl } = await sim.start();
    const tokens = sim.tokens();
    reserve = tokens.slice(-2);
    desired = new InMemoryDesiredSet(tokens.slice(0, -2));
    feed = new MarketFeed({
      config: fastTapeConfig({ ws_url: wsUrl, rest_url: restUrl, max_assets_per_connection: 4, subscribe_batch_size: 4 }),
      clock,
      seed: 7,
      sink,
      events: new EventFactory(clock, ulidGenerator(seededRng(11))),
      desired,
    });
    await feed.start();
  });

  afterAll(async () => {
    await feed?.stop();
    await sim.stop();
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  });

  async function flow(steps: number): Promise<void> {
    for (let i = 0; i < steps; i += CHUNK) {
      sim.step(Math.min(CHUNK, steps - i));
      await sleep(2);
    }
  }

  async function subscriptionsMatchDesired(what: string): Promise<void> {
    const want = await desired.members();
    await vi.waitFor(() => expect(JSON.stringify(sim.subscriptions()) === JSON.stringify(want), `venue subscriptions = desired after ${what}`).toBe(true), 10_000);
  }

  async function checkpoint(label: string): Promise<void> {
    sim.pauseFaults();
    sim.flushHeld();
    const want = await desired.members();
    await vi.waitFor(() => expect(sim.frozenConnections() === 0, `${label}: frozen sockets replaced`).toBe(true), 10_000);
    await subscriptionsMatchDesired(`${label} recovery`);
    let rounds = 0;
    await vi.waitFor(async () => {
      await flow(200);
      rounds++;
      await vi.waitFor(() => expect(feed.isSettled() && caughtUp(feed, sim, want), `${label}: caught up`).toBe(true), 3_000).catch(() => undefined);
      expect(feed.isSettled() && caughtUp(feed, sim, want), `${label}: settled and caught up`).toBe(true);
    }, 20_000);
    expect(bookMismatches(feed, sim, want, 'top'), `${label}: best prices`).toEqual([]);
    sim.emitBooks(want);
    await vi.waitFor(() => expect(caughtUp(feed, sim, want) && bookMismatches(feed, sim, want, 'full').length === 0, `${label}: full books`).toBe(true), 5_000).catch(() => undefined);
    expect(bookMismatches(feed, sim, want, 'full'), `${label}: full depth`).toEqual([]);
    // From exact books, clean incremental flow must keep them exact at every depth.
    await flow(600);
    await vi.waitFor(() => expect(caughtUp(feed, sim, want), `${label}: caught up after clean flow`).toBe(true), 5_000);
    expect(bookMismatches(feed, sim, want, 'full'), `${label}: full depth after clean flow`).toEqual([]);
    expect(rounds).toBeGreaterThan(0);
    sim.resumeFaults();
  }

  /** Between rounds: the desired set changes in every way the issue names, and sockets die. */
  async function disturb(round: number): Promise<void> {
    const members = await desired.members();
    switch (round % 5) {
      case 0: // the set gains a token nobody announced: the reconciler must subscribe it
        await desired.add([reserve[0]!]);
        break;
      case 1: // the set loses a token nobody announced: the reconciler must unsubscribe it
        await desired.remove([members[0]!]);
        break;
      case 2: // announced changes, applied at once
        await feed.subscribe([reserve[1]!]);
        await feed.unsubscribe([members[1]!]);
        break;
      case 3: // every socket dies, and the set changes while they are down: re-read on reconnect
        sim.dropAllConnections();
        await desired.add(reserve);
        break;
      case 4: // back to everything, announced to nobody, then every socket dies
        await desired.replace(sim.tokens());
        sim.dropAllConnections();
        break;
    }
    await subscriptionsMatchDesired(`disturbance ${round}`);
  }

  it(`mirrors ${ROUNDS * STEPS_PER_ROUND} events exactly at every checkpoint and at the end`, async () => {
    await subscriptionsMatchDesired('start');
    for (let round = 0; round < ROUNDS; round++) {
      await flow(STEPS_PER_ROUND / 2);
      await disturb(round);
      await flow(STEPS_PER_ROUND / 2);
      await checkpoint(`checkpoint ${round + 1}`);
    }
    // A REST error is drawn per REST request, and a run makes only as many as its resyncs need: with
    // few, one of them can go unexercised (a rare failure of the check below). Force it: a crossed
    // update after a reconnect makes the feed fetch that book over REST, which then answers with it.
    for (const fault of ['rest_429', 'rest_5xx'] as const) {
      if (sim.stats.faults[fault] > 0) continue;
      sim.setFaults({ [fault]: 1, crossed_update: 1 });
      sim.dropAllConnections();
      for (let i = 0; i < 100 && sim.stats.faults[fault] === 0; i++) await flow(CHUNK);
      sim.setFaults({ [fault]: ALL_FAULTS[fault], crossed_update: ALL_FAULTS.crossed_update });
    }
    await flow(2_000);
    await checkpoint('end');

    const stats = sim.stats;
    expect(stats.steps).toBeGreaterThanOrEqual(ROUNDS * STEPS_PER_ROUND);
    // Every fault actually happened.
    for (const [fault, n] of Object.entries(stats.faults)) expect(n, `fault ${fault} never injected`).toBeGreaterThan(0);
    expect(feed.actorErrors()).toEqual([]);
    expect(unhandled).toEqual([]);
    const m = feed.metrics();
    expect(m.subscribe_batch_size).toBe(2);
    expect(m.malformed_frames).toBeGreaterThan(0);
    expect(m.reconciler.drift_detected).toBeGreaterThan(0);
    expect(m.reconciler.corrections).toBe(m.reconciler.drift_detected);
    expect(m.publisher.resync_done).toBeGreaterThan(0);
    expect(m.rest?.rate_limited).toBeGreaterThan(0);
    // Only the first message of each of the three initial sockets was too large: one 1008 each,
    // a single halving for the pool, and nothing too large after it.
    expect(m.subscribe_batch_halvings).toBe(1);
    const tooLarge = stats.subscribe_batches.filter((n) => n > 2).length;
    expect(tooLarge).toBeGreaterThan(0);
    expect(tooLarge).toBeLessThanOrEqual(3);
  });

  it('published markers and outputs that satisfy the event catalog', () => {
    const byType = new Map<string, HeliosEvent[]>();
    for (const e of sink.events) {
      let list = byType.get(e.type);
      if (!list) byType.set(e.type, (list = []));
      list.push(e);
    }
    for (const type of ['L2_SNAPSHOT', 'BEST_PRICE', 'L2_DELTA', 'TRADE', 'BOOK_RESYNC_START', 'BOOK_RESYNC_DONE', 'GAP_DETECTED', 'TICK_SIZE_CHANGE']) {
      expect(byType.get(type)?.length ?? 0, `${type} published`).toBeGreaterThan(0);
      // The envelope schema is for edges: validate a sample of each type, not every event.
      for (const e of byType.get(type)!.slice(0, 50)) expect(heliosEventSchema.safeParse(e).success, `${type} valid`).toBe(true);
    }
    // Coalescing: BEST_PRICE for one token never twice in one flush tick (50 ms apart at least, less jitter).
    const last = new Map<string, number>();
    let tooClose = 0;
    for (const e of byType.get('BEST_PRICE')!) {
      const prev = last.get(e.token_id!);
      if (prev !== undefined && e.ts_ingest - prev < 40) tooClose++;
      last.set(e.token_id!, e.ts_ingest);
    }
    expect(tooClose).toBe(0);
    const deltas = byType.get('L2_DELTA')!.length;
    const best = byType.get('BEST_PRICE')!.length;
    expect(best).toBeLessThan(deltas / 5);
    // Every resync marker carries the epoch of the token's new lineage.
    for (const e of byType.get('BOOK_RESYNC_DONE')!) {
      if (e.type === 'BOOK_RESYNC_DONE') expect(e.payload.resync_epoch_id).toBeGreaterThan(0);
    }
  });
});
