import { describe, expect, inject, it, vi } from 'vitest';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { simulatedTruth } from '../../src/sim/esports/simulated-truth.ts';
import { loadConfig } from '../../src/config/load.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import { channelOfTopic } from '../../src/domain/events/topics.ts';
import { ownsMarket, parseShard, shardKey, shardOf } from '../../src/domain/scale-out/shard.ts';
import { fetchJson, getJson, journalRecords as journaled } from './support/daemon-io.ts';
import { processScope } from './support/helios-process.ts';
import { byMarket, readRecording, replayTrading } from './support/trading-replay.ts';

/**
 * Scale-out on one real redis-server: a feeds process (venue simulator, market feed, world, truth →
 * bus) and two trading shards (markets by hash of their id, a neg-risk event's buckets by the
 * event's, books mirrored from the bus, one
 * consumer group per shard) against one all-in-one process with the same simulator seed.
 *
 * What "the same decisions" can mean here: live processes pace a virtual clock by wall time and
 * talk over real sockets, so when an event reaches a market relative to its timers differs from
 * run to run, even for one all-in-one process run twice. So the test checks, live, that the
 * shards partition exactly the all-in-one's markets and trade them from the bus alone, each
 * market's decisions coming from its shard only; and, exactly, that the stream the feeds process
 * recorded on Redis, fed to the daemon's trading unit once for all markets and once per shard,
 * gives every market the same decisions, event for event.
 *
 * Global risk limits and the paper venue's random rejections are per process (a shard has its
 * own), so the exact comparison runs with them out of reach: sharding does not share them.
 */

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** redis-server absent: the scale-out test SKIPS ***\n');

/** Global (per-process) risk out of reach and no random paper rejections: see above. */
const PER_PROCESS_STATE_NEUTRAL = {
  HELIOS_EXECUTION__PAPER__FAIL_PROBABILITY: '0',
  HELIOS_RISK__MAX_TOTAL_USDC: '1000000',
  HELIOS_RISK__RATE_LIMIT__MAX_ORDERS: '100000',
  HELIOS_RISK__DAILY_LOSS_LIMIT_USDC: '1000000',
  HELIOS_RISK__DRAWDOWN__START_USDC: '100000',
  HELIOS_RISK__DRAWDOWN__REDUCING_USDC: '200000',
};
const INPUT_CHANNELS = new Set(['l2', 'l2_delta', 'tape', 'truth', 'nowcast', 'control']);

const scope = processScope('helios-scale-');
const { tempDir } = scope;

describe('shards', () => {
  it('parse i/n and own each market exactly once', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseShard('10/12')).toEqual({ index: 10, count: 12 });
    // Only the canonical spelling: one shard, one name.
    for (const bad of ['3/3', '2/2', '1', '-1/2', 'a/b', '0/0', '1/0', '01/2', '1/02', '00/2', '1/2/3', ' 1/2', '1/2 ', '+1/2', '1.0/2', '0x1/2', '1e0/2', '１/2', '']) {
      expect(parseShard(bad), JSON.stringify(bad)).toBeNull();
    }
    const ids = Array.from({ length: 50 }, (_, i) => `0x${i.toString(16).padStart(64, '0')}`);
    for (const id of ids) {
      const owners = [0, 1, 2].filter((i) => ownsMarket({ index: i, count: 3 }, { market_id: id }));
      expect(owners).toEqual([shardOf(id, 3)]);
    }
  });

  it('keep the buckets of one event in one shard, whatever their ids hash to', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `0x${i.toString(16).padStart(64, '0')}`);
    // Alone, these ids spread over every shard.
    expect(new Set(ids.map((id) => shardOf(id, 4))).size).toBe(4);
    for (const event_id of ['sim-weather:KLGA:judge-day', 'nyc-high-2026-12-06', 'e']) {
      const buckets = ids.map((market_id) => ({ market_id, event: { event_id, neg_risk: true, outcomes: ids.length } }));
      const owners = new Set(buckets.map((b) => [0, 1, 2, 3].filter((i) => ownsMarket({ index: i, count: 4 }, b)).join()));
      expect([...owners]).toEqual([String(shardOf(shardKey(buckets[0]!), 4))]);
    }
  });
});

describe.skipIf(!redisUrl)('scale-out on Redis Streams', () => {
  it('a trading shard judges staleness only for the feeds it reads: market, nowcast and truth, not the METAR and PWS only the feeds process reads', { timeout: 60_000 }, async () => {
    const env = { HELIOS_BUS__STREAM_PREFIX: `judged${process.pid}x${Date.now() % 1_000_000}` };
    // One shard of one: every market, so every channel a shard can read. No feeds process: nothing arrives.
    const shard = scope.start(['run', '--redis', redisUrl, '--role', 'trading', '--shard', '0/1', '--data-dir', tempDir(), '--port', '0', '--speed', '20'], env);
    const url = await shard.apiUrl();
    await shard.waitForLine(/"component":"trading","msg":"component started"/, 20_000);
    const health = await fetchJson(`${url}/health`);
    expect(health.status).toBe(503);
    expect(health.body.staleness_ms).toEqual({ market: null, nowcast: null, truth: null });
    expect(health.body.stale_feeds).toEqual(['market', 'nowcast', 'truth']);
    shard.kill('SIGTERM');
    expect((await shard.exited).code).toBe(0);
  });

  it('a trading shard reads truth only for its esports markets: a weather-only shard neither subscribes to truth nor judges it stale', { timeout: 60_000 }, async () => {
    const { config } = loadConfig({ env: {} });
    const clock = new SystemClock();
    // As the processes built it (the embedded venue's judge days are dated).
    const universe = buildSimUniverse(config, simulatedTruth(config.app.seed, config.truth_engine, clock).matches, clock.now(), { datedWeather: true }).markets;
    const count = 4;
    const owned = (index: number) => universe.filter((m) => ownsMarket({ index, count }, m.spec));
    const indices = Array.from({ length: count }, (_, i) => i);
    const weatherOnly = indices.find((i) => owned(i).length > 0 && owned(i).every((m) => m.station_id !== null && m.match_id === null));
    const withEsports = indices.find((i) => owned(i).some((m) => m.match_id !== null));
    expect(weatherOnly, 'a shard of the default sim universe holds only temperature buckets').toBeDefined();
    expect(withEsports).toBeDefined();
    const cases = [
      { index: weatherOnly!, feeds: { market: null, nowcast: null } },
      { index: withEsports!, feeds: { market: null, truth: null, ...(owned(withEsports!).some((m) => m.station_id !== null) ? { nowcast: null } : {}) } },
    ];
    for (const { index, feeds } of cases) {
      const env = { HELIOS_BUS__STREAM_PREFIX: `reads${process.pid}x${Date.now() % 1_000_000}s${index}` };
      // No feeds process: nothing arrives, so every feed the shard reads is stale and none other is.
      const shard = scope.start(['run', '--redis', redisUrl, '--role', 'trading', '--shard', `${index}/${count}`, '--data-dir', tempDir(), '--port', '0', '--speed', '20'], env);
      const url = await shard.apiUrl();
      await shard.waitForLine(/"msg":"trading: consumer groups exist/, 20_000);
      const health = await fetchJson(`${url}/health`);
      expect(health.body.staleness_ms, `shard ${index}/${count}`).toEqual(feeds);
      expect(health.body.stale_feeds).toEqual(Object.keys(feeds).sort());
      // The shard's consumer groups made its streams: the truth ones are its esports markets' and matches' only.
      const bus = await RedisStreamsBus.connect(loadConfig({ env }).config.bus, redisUrl, clock);
      let truthTopics: string[];
      try {
        truthTopics = (await bus.topics()).filter((t) => channelOfTopic(t) === 'truth');
      } finally {
        await bus.close();
      }
      const esports = owned(index).filter((m) => m.match_id !== null);
      expect(truthTopics).toEqual(esports.flatMap((m) => [`truth:${m.spec.market_id}`, `truth:${m.match_id}`]).sort());
      shard.kill('SIGTERM');
      expect((await shard.exited).code).toBe(0);
    }
  });

  it('one feeds process and two trading shards trade exactly the all-in-one markets, with identical decisions per market on the recorded stream', { timeout: 120_000 }, async () => {
    const prefix = `scale${process.pid}x${Date.now() % 1_000_000}`;
    const env = { ...PER_PROCESS_STATE_NEUTRAL, HELIOS_BUS__STREAM_PREFIX: prefix };
    const common = ['--port', '0', '--speed', '20'];
    const start = (args: string[], dataDir: string) => scope.start(['run', ...args, '--data-dir', dataDir, ...common], env);
    const dirOf = { shard0: tempDir(), shard1: tempDir(), feeds: tempDir(), all: tempDir() };
    const shards = [0, 1].map((i) => start(['--redis', redisUrl, '--role', 'trading', '--shard', `${i}/2`], i === 0 ? dirOf.shard0 : dirOf.shard1));
    const allInOne = start([], dirOf.all);
    const [url0, url1, allUrl] = await Promise.all([shards[0]!.apiUrl(), shards[1]!.apiUrl(), allInOne.apiUrl()]);
    // Shard groups start at the newest entry: the feeds begin publishing once both are reading.
    for (const s of shards) await s.waitForLine(/"component":"trading","msg":"component started"/, 20_000);
    const feeds = start(['--redis', redisUrl, '--role', 'feeds'], dirOf.feeds);
    const feedsUrl = await feeds.apiUrl();

    // The same universe, partitioned: every all-in-one market in exactly one shard, by hash.
    const ids = async (url: string) => ((await getJson(`${url}/markets`)) as Array<{ market_id: string }>).map((m) => m.market_id).sort();
    const allMarkets = await vi.waitFor(async () => {
      const listed = await ids(allUrl);
      expect(listed.length).toBeGreaterThan(0);
      return listed;
    }, { timeout: 30_000, interval: 250 });
    allInOne.kill('SIGTERM');
    const [m0, m1] = [await ids(url0!), await ids(url1!)];
    expect(m0.length).toBeGreaterThan(0);
    expect(m1.length).toBeGreaterThan(0);
    expect([...m0, ...m1].sort()).toEqual(allMarkets);
    // The API listens before the bus and the shared timeline are awaited, and the universe is built
    // after them: a feeds process just listening may not list its markets yet.
    await vi.waitFor(async () => expect(await ids(feedsUrl)).toEqual(allMarkets), { timeout: 30_000, interval: 250 });

    // Live: each shard mirrors its books from the bus and paper-trades.
    const stats = await vi.waitFor(async () => {
      const s = await Promise.all([url0, url1].map((u) => getJson(`${u}/stats`)));
      const synced = s.every((x, i) => x.summary.tokens_synced === 2 * [m0, m1][i]!.length);
      expect(synced && s[0].summary.fills + s[1].summary.fills >= 1, 'both shards synced from the bus, and a paper fill').toBe(true);
      return s;
    }, { timeout: 60_000, interval: 250 });
    expect(stats[0].summary.markets + stats[1].summary.markets).toBe(allMarkets.length);
    const feedStats = await getJson(`${feedsUrl}/stats`);
    expect(feedStats.summary).toMatchObject({ tokens_synced: 2 * allMarkets.length, orders: 0, fills: 0 });

    // Stop the feeds first (the recording is then complete), then the shards: all exit 0.
    feeds.kill('SIGTERM');
    expect((await feeds.exited).code).toBe(0);
    for (const s of shards) s.kill('SIGTERM');
    for (const s of [...shards, allInOne]) expect((await s.exited).code).toBe(0);

    // Each shard decided only on its own markets; the feeds process decided nothing.
    for (const [dir, mine] of [
      [dirOf.shard0, new Set(m0)],
      [dirOf.shard1, new Set(m1)],
    ] as const) {
      const decisions = [...journaled(dir, 'order'), ...journaled(dir, 'fill')];
      for (const d of decisions) expect(mine.has(d.market_id!), d.market_id).toBe(true);
    }
    expect(journaled(dirOf.shard0, 'order').length + journaled(dirOf.shard1, 'order').length).toBeGreaterThan(0);
    expect(journaled(dirOf.feeds, 'order')).toHaveLength(0);

    // Exact: the recorded stream through the trading unit, all markets at once and shard by shard.
    const { config } = loadConfig({ env });
    const clock = new SystemClock();
    const bus = await RedisStreamsBus.connect(config.bus, redisUrl, clock);
    let recording;
    try {
      const topics = (await bus.topics()).filter((t) => INPUT_CHANNELS.has(channelOfTopic(t)));
      recording = await readRecording(bus, topics);
    } finally {
      await bus.close();
    }
    // As the processes built it (the embedded venue's judge days are dated).
    const universe = buildSimUniverse(config, simulatedTruth(config.app.seed, config.truth_engine, clock).matches, clock.now(), { datedWeather: true }).markets;
    expect(universe.map((m) => m.spec.market_id).sort()).toEqual(allMarkets);
    // A stream the comparison means something on: every market's books, so every market can
    // decide in the replay (and below, at least one order is decided). Not a count of events: how
    // many the feeds published before the first fill depends on how fast the processes ran.
    const syncedBooks = new Set(recording.flatMap(({ event: e }) => (e.type === 'L2_SNAPSHOT' && e.payload.synced && e.token_id ? [e.token_id] : [])));
    for (const m of universe) {
      for (const token of [m.spec.yes_token, m.spec.no_token]) expect(syncedBooks.has(token), `${m.spec.market_id}: no synced book of ${token} in the recording`).toBe(true);
    }
    // Each market in the shard its key hashes to: the weather buckets of a judge day, one event, all in one.
    for (const m of universe) expect(shardOf(shardKey(m.spec), 2), m.spec.market_id).toBe(m0.includes(m.spec.market_id) ? 0 : 1);
    const events = [...new Set(universe.flatMap((m) => (m.spec.event ? [m.spec.event.event_id] : [])))];
    expect(events.length).toBeGreaterThan(0);
    for (const id of events) {
      const eventShards = new Set(universe.filter((m) => m.spec.event?.event_id === id).map((m) => (m0.includes(m.spec.market_id) ? 0 : 1)));
      expect(eventShards.size, id).toBe(1);
    }
    const tail = 30_000;
    const together = byMarket(await replayTrading(config, universe, recording, tail));
    const apart = new Map<string, string[]>();
    for (const i of [0, 1]) {
      const mine = universe.filter((m) => ownsMarket({ index: i, count: 2 }, m.spec));
      for (const [market, list] of byMarket(await replayTrading(config, mine, recording, tail))) {
        expect(apart.has(market), `${market} decided in two shards`).toBe(false);
        apart.set(market, list);
      }
    }
    expect([...apart.keys()].sort()).toEqual([...together.keys()].sort());
    for (const [market, list] of together) expect(apart.get(market), market).toEqual(list);
    const orders = [...together.values()].flat().filter((d) => d.includes('"type":"ORDER_UPDATE"'));
    expect(orders.length).toBeGreaterThan(0);
  });
});
