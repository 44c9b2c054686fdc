import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { readRetiredMarkets } from '../../src/adapters/storage/retired-markets-file.ts';
import { retirementsComponent } from '../../src/apps/daemon/components/retirements.ts';
import { DaemonContext } from '../../src/apps/daemon/context.ts';
import { DaemonObserver } from '../../src/apps/daemon/observer.ts';
import { RecentEvents } from '../../src/apps/dashboard/recent-events.ts';
import { createMetrics } from '../../src/adapters/metrics/metrics.ts';
import { loadConfig } from '../../src/config/load.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { topicFor } from '../../src/domain/events/topics.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { daemonSimUniverse } from '../../src/sim/clob/stand-in-venue.ts';

/**
 * A live feeds process starts with an empty universe (discovery starts last and finds the markets
 * later). Its first start on a new data directory must not record that it has read the retained
 * retirements before any market's group has joined: stopped before discovery found anything, its
 * next start would take itself for a later one and create every group at the newest entry, never
 * learning the retirements the shards made before (they do not announce them again).
 */

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** redis-server absent: the live feeds first-start retirement test SKIPS ***\n');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!redisUrl)('a live feeds process on a new data directory', () => {
  it('stopped before discovery found any market, still learns at its next start the retirements made before', { timeout: 60_000 }, async () => {
    const prefix = `feedslive${process.pid}x${Date.now() % 1_000_000}`;
    const { config, secrets } = loadConfig({ env: {}, overrides: { 'bus.kind': 'redis', 'bus.redis_url': redisUrl, 'bus.stream_prefix': prefix } });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-feeds-live-first-'));
    dirs.push(dataDir);
    const clock = new SystemClock();
    const markets = daemonSimUniverse(config, clock.now()).markets.map(({ venue: _venue, ...m }) => m);
    const retired = markets[0]!;

    // A trading shard retired it before this feeds process ever started.
    const shard = await RedisStreamsBus.connect(config.bus, redisUrl!, clock);
    const alert = new EventFactory(clock, ulidGenerator(seededRng(3))).make('ALERT', { severity: 'info', code: 'MARKET_RETIRED', message: 'resolved and settled' }, { market_id: retired.spec.market_id });
    await shard.publish(topicFor(alert), [alert]);
    await shard.drain();
    await shard.close();

    /** The feeds process's retirements component as the daemon starts it in live mode (empty universe, record read first). */
    const feeds = async () => {
      const ctx = new DaemonContext({ config, secrets, logger: createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' }), mode: 'live', speed: 1, dataDir, inspect: false, role: 'feeds' }, clock, createMetrics());
      ctx.bus = await RedisStreamsBus.connect(config.bus, redisUrl!, clock);
      ctx.observer = new DaemonObserver(config.daemon.staleness_ms, ctx.metrics, config.daemon.stage_latency_samples, () => ctx.judgedFeeds());
      ctx.dashboard = new RecentEvents();
      const record = readRetiredMarkets(dataDir);
      for (const id of record ?? []) ctx.retiredMarkets.add(id);
      const component = retirementsComponent(ctx, { recorded: record !== null });
      await component.start();
      return {
        ctx,
        stop: async () => {
          await component.stop();
          await ctx.bus.close();
        },
      };
    };

    // First start: stopped (a crash, an operator) before discovery's first scan added any market.
    const first = await feeds();
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
    await first.stop();

    // Next start: discovery finds the markets; the one retired before is learned and recorded.
    const second = await feeds();
    second.ctx.changeUniverse({ added: markets, matches: [], layouts: [], retired: [] });
    await vi.waitFor(() => {
      expect([...second.ctx.retiredMarkets]).toEqual([retired.spec.market_id]);
      expect(readRetiredMarkets(dataDir)).toEqual([retired.spec.market_id]);
    }, { timeout: 15_000, interval: 100 });
    await second.stop();
  });
});
