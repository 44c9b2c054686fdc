import { afterEach, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { ConnectionPool, type PoolConnection } from '../../src/adapters/polymarket/connection-pool.ts';
import { MarketFeed } from '../../src/runtime/market-tape/market-feed.ts';
import { SubscribeBatch } from '../../src/adapters/polymarket/subscribe-batch.ts';
import type { MarketTapeConfig } from '../../src/config/sections/market-tape.ts';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import type { VenueFaults } from '../../src/sim/venue/venue-faults.ts';
import { CollectingSink, EventFactory, ulidGenerator } from '../../src/domain/events/index.ts';
import { InMemoryDesiredSet } from '../../src/domain/subscriptions/desired-set.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { fastTapeConfig, simMarkets, sleep } from './support/feed-fixtures.ts';

class FakeConnection implements PoolConnection {
  readonly set = new Set<string>();
  readonly wireSet = new Set<string>();
  started = false;
  stopped = false;
  live = true;
  syncs = 0;
  constructor(readonly id: string) {}
  start(): void {
    this.started = true;
  }
  stop(): void {
    this.stopped = true;
  }
  assign(tokens: readonly string[]): void {
    for (const t of tokens) this.set.add(t);
  }
  unassign(tokens: readonly string[]): void {
    for (const t of tokens) this.set.delete(t);
  }
  assigned(): ReadonlySet<string> {
    return this.set;
  }
  wire(): ReadonlySet<string> {
    return this.wireSet;
  }
  isLive(): boolean {
    return this.live;
  }
  sync(): void {
    this.syncs++;
  }
}

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `tok${String(i + from).padStart(3, '0')}`);

describe('connection pool: spreading assets', () => {
  it('never puts more than the maximum on a connection and opens one only when all are full', () => {
    const pool = new ConnectionPool(200, (id) => new FakeConnection(id));
    pool.start();
    pool.add(ids(450));
    const conns = pool.connections();
    expect(conns.map((c) => c.assigned().size)).toEqual([200, 200, 50]);
    expect(conns.every((c) => c.started)).toBe(true);
    expect(pool.assigned().size).toBe(450);
    // Re-adding carried tokens changes nothing.
    expect(pool.add(ids(10))).toEqual([]);
    expect(conns.length).toBe(3);
  });

  it('gives new tokens to the least loaded connection, and closes a connection left empty', () => {
    const pool = new ConnectionPool(4, (id) => new FakeConnection(id));
    pool.start();
    pool.add(ids(12));
    pool.remove(['tok000', 'tok001', 'tok002']);
    pool.remove(['tok004']);
    expect(pool.connections().map((c) => c.assigned().size)).toEqual([1, 3, 4]);
    pool.add(['new1', 'new2', 'new3']);
    expect(pool.connections().map((c) => c.assigned().size)).toEqual([4, 3, 4]);
    expect(pool.connectionOf('new1')?.id).toBe('market-ws-1');
    const second = pool.connections()[1] as FakeConnection;
    pool.remove([...second.assigned()]);
    expect(second.stopped).toBe(true);
    expect(pool.connections().length).toBe(2);
  });

  it('reports live sockets whose subscriptions differ from their assignment', () => {
    const pool = new ConnectionPool(3, (id) => new FakeConnection(id));
    pool.add(['a', 'b', 'c', 'd']);
    const [c1, c2] = pool.connections() as FakeConnection[];
    for (const t of ['a', 'b', 'x']) c1!.wireSet.add(t);
    c2!.wireSet.add('d');
    expect(pool.wireDrift()).toEqual([{ connection: 'market-ws-1', missing: ['c'], extra: ['x'] }]);
    c1!.live = false;
    expect(pool.wireDrift()).toEqual([]);
  });

  it('halves the shared batch once per offending size, never below the minimum', () => {
    const b = new SubscribeBatch(100, 3);
    expect(b.halveFrom(100)).toBe(50);
    expect(b.halveFrom(100)).toBe(50);
    expect(b.halveFrom(50)).toBe(25);
    expect(b.halveFrom(0)).toBe(25);
    expect(b.halveFrom(5)).toBe(3);
    expect(b.halveFrom(3)).toBe(3);
    expect(b.isFloor(3)).toBe(true);
    expect(b.isFloor(4)).toBe(false);
    expect(b.halvings).toBe(3);
  });
});

describe('market feed pool on real sockets (venue simulator)', () => {
  let sim: VenueSimulator | null = null;
  let feed: MarketFeed | null = null;

  afterEach(async () => {
    await feed?.stop();
    await sim?.stop();
    feed = null;
    sim = null;
  });

  async function setup(opts: { faults?: Partial<VenueFaults>; config?: Partial<MarketTapeConfig>; desired?: string[]; markets?: number }) {
    sim = new VenueSimulator({ seed: 3, markets: simMarkets(opts.markets ?? 4), faults: opts.faults ?? {} });
    const { wsUrl, restUrl } = await sim.start();
    const desired = new InMemoryDesiredSet(opts.desired ?? sim.tokens());
    const clock = new SystemClock();
    const sink = new CollectingSink();
    feed = new MarketFeed({
      config: fastTapeConfig({ ws_url: wsUrl, rest_url: restUrl, reconcile_interval_ms: 60_000, ...opts.config }),
      clock,
      seed: 5,
      sink,
      events: new EventFactory(clock, ulidGenerator(seededRng(1))),
      desired,
    });
    await feed.start();
    return { sim, feed, desired, sink };
  }

  const subscribed = (s: VenueSimulator, want: string[]) => JSON.stringify(s.subscriptions()) === JSON.stringify([...want].sort());

  it('spreads tokens over connections and subscribes in batches, the first message in the initial form', async () => {
    const { sim, feed } = await setup({ config: { max_assets_per_connection: 5, subscribe_batch_size: 2 } });
    await vi.waitFor(() => expect(subscribed(sim, sim.tokens()) && feed.isSettled(), 'all subscribed').toBe(true), 5_000);
    expect(sim.openConnections()).toBe(2);
    expect(sim.connectionSubscriptions().map((s) => s.length).sort()).toEqual([3, 5]);
    expect(sim.stats.subscribe_batches.every((n) => n <= 2)).toBe(true);
    expect(sim.stats.subscribe_batches.reduce((a, b) => a + b, 0)).toBe(8);
    expect(sim.stats.initial_subscribe_messages).toBe(2);
  });

  it('a close with 1008 halves the batch size; the pool reconnects and subscribes in smaller batches', async () => {
    const { sim, feed } = await setup({ faults: { policy_close_batch: 3 }, config: { max_assets_per_connection: 8, subscribe_batch_size: 8 } });
    await vi.waitFor(() => expect(subscribed(sim, sim.tokens()) && feed.isSettled(), 'all subscribed after halving').toBe(true), 5_000);
    const m = feed.metrics();
    expect(m.subscribe_batch_size).toBe(2);
    expect(m.subscribe_batch_halvings).toBe(2);
    expect(sim.stats.faults.policy_close).toBe(2);
    expect(sim.stats.subscribe_batches.slice(0, 2)).toEqual([8, 4]);
    expect(sim.stats.subscribe_batches.slice(2).every((n) => n <= 2)).toBe(true);
    expect(m.connections[0]!.last_disconnect).toMatchObject({ reason: 'policy_violation', code: 1008 });
  });

  it('1008 even for the smallest batch is fatal: the connection fails instead of looping', async () => {
    const { feed } = await setup({ faults: { policy_close_batch: 0 }, config: { max_assets_per_connection: 8, subscribe_batch_size: 2, min_subscribe_batch_size: 1 } });
    await vi.waitFor(() => expect(feed.connections()[0]?.status === 'failed', 'connection failed').toBe(true), 5_000);
    expect(feed.metrics().subscribe_batch_size).toBe(1);
    expect(feed.connections()[0]!.last_disconnect?.code).toBe(1008);
  });

  it('a refused handshake (HTTP 4xx) is fatal', async () => {
    sim = new VenueSimulator({ seed: 1, markets: simMarkets(1) });
    const { wsUrl, restUrl } = await sim.start();
    const clock = new SystemClock();
    feed = new MarketFeed({
      config: fastTapeConfig({ ws_url: wsUrl.replace('/ws/market', '/ws/nowhere'), rest_url: restUrl }),
      clock,
      seed: 1,
      sink: new CollectingSink(),
      events: new EventFactory(clock, ulidGenerator(seededRng(1))),
      desired: new InMemoryDesiredSet(sim.tokens()),
    });
    await feed.start();
    await vi.waitFor(() => expect(feed!.connections()[0]?.status === 'failed', 'connection failed').toBe(true), 5_000);
    expect(feed.connections()[0]!.disconnects).toBe(1);
  });

  it('subscribe/unsubscribe events are applied at once, and an emptied connection closes', async () => {
    const { sim, feed, desired } = await setup({ desired: [], config: { max_assets_per_connection: 3 } });
    const [a, b, c, d, e] = sim.tokens();
    await feed.subscribe([a!, b!, c!, d!]);
    expect(feed.assigned()).toEqual([a, b, c, d].sort());
    await vi.waitFor(() => expect(subscribed(sim, [a!, b!, c!, d!]), 'subscribed').toBe(true), 3_000);
    await feed.unsubscribe([d!]);
    await vi.waitFor(() => expect(subscribed(sim, [a!, b!, c!]) && sim.openConnections() === 1, 'unsubscribed, second socket closed').toBe(true), 3_000);
    expect(await desired.members()).toEqual([a, b, c].sort());
    // A change someone else already wrote to the set: applied, set untouched.
    feed.applyDesiredChange({ subscribe: [e!], unsubscribe: [a!] });
    await vi.waitFor(() => expect(subscribed(sim, [b!, c!, e!]), 'event applied').toBe(true), 3_000);
    expect(sim.stats.unsubscribe_messages).toBeGreaterThan(0);
    expect(feed.metrics().reconciler.reconciliations).toBeGreaterThan(0);
  });

  it('on every reconnect the desired set is re-read and everything resubscribed', async () => {
    const { sim, feed, desired } = await setup({ config: { max_assets_per_connection: 4 } });
    await vi.waitFor(() => expect(subscribed(sim, sim.tokens()) && feed.isSettled(), 'settled').toBe(true), 5_000);
    const all = sim.tokens();
    // The set changes behind the feed's back; the periodic loop is 60 s away, so only the
    // reconnect path can notice.
    await desired.replace(all.slice(2));
    await sleep(50);
    expect(sim.subscriptions()).toEqual(all);
    sim.dropAllConnections();
    await vi.waitFor(() => expect(subscribed(sim, all.slice(2)) && feed.isSettled(), 'resubscribed to the new desired set').toBe(true), 5_000);
    expect(feed.assigned()).toEqual(all.slice(2));
    const r = feed.metrics().reconciler;
    expect(r.drift_detected).toBeGreaterThanOrEqual(2);
    expect(r.corrections).toBe(r.drift_detected);
    // Every book came back from a fresh snapshot.
    for (const t of all.slice(2)) expect(feed.book(t)?.synced).toBe(true);
  });

  it('stopping the feed records no gap or resync: the books were not lost, the recording ends', async () => {
    const { sim, feed, sink } = await setup({ config: { max_assets_per_connection: 3 } });
    await vi.waitFor(() => expect(subscribed(sim, sim.tokens()) && feed.isSettled(), 'settled').toBe(true), 5_000);
    const before = sink.events.length;
    await feed.stop();
    await sleep(50);
    const after = sink.events.slice(before).map((e) => e.type);
    expect(after.filter((t) => t === 'GAP_DETECTED' || t === 'BOOK_RESYNC_START')).toEqual([]);
    expect(sim.openConnections()).toBe(0);
  });

  it('forceReconcile brings the sockets back to the desired set at once', async () => {
    const { sim, feed, desired } = await setup({ desired: [] });
    const all = sim.tokens();
    await desired.replace(all.slice(0, 3));
    const report = await feed.forceReconcile();
    expect(report.missing).toEqual(all.slice(0, 3));
    await vi.waitFor(() => expect(subscribed(sim, all.slice(0, 3)), 'subscribed').toBe(true), 3_000);
    await desired.replace(all.slice(1, 4));
    const second = await feed.forceReconcile();
    expect(second).toMatchObject({ missing: [all[3]], extra: [all[0]] });
    await vi.waitFor(() => expect(subscribed(sim, all.slice(1, 4)), 'reconciled').toBe(true), 3_000);
  });
});
