import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { retiredMarketsFile } from '../../src/adapters/storage/retired-markets-file.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { loadConfig } from '../../src/config/load.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { topicFor } from '../../src/domain/events/topics.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { daemonSimUniverse } from '../../src/sim/clob/stand-in-venue.ts';
import { getJson } from './support/daemon-io.ts';

/**
 * A scale-out's feeds process started on a new data directory after its trading shards had
 * already retired a market (the shards never announce a retirement again): it learns the
 * retirement from what the bus still retains, on the real redis-server of the test set-up, and
 * records it; restarted on that data directory it keeps it and learns what was retired meanwhile;
 * moved to another new data directory while its consumer groups survive, it learns them all again.
 */

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** redis-server absent: the feeds first-start retirement test SKIPS ***\n');

const silent = () => createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
const dirs: string[] = [];
const running: Daemon[] = [];
afterAll(async () => {
  for (const d of running) await d.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!redisUrl)('a feeds process on a new data directory', () => {
  it('leaves out the markets retired before it first started, and keeps them after a restart', { timeout: 120_000 }, async () => {
    const prefix = `feedsfirst${process.pid}x${Date.now() % 1_000_000}`;
    const { config } = loadConfig({ env: {}, overrides: { 'bus.kind': 'redis', 'bus.redis_url': redisUrl, 'bus.stream_prefix': prefix } });
    let dataDir = mkdtempSync(path.join(tmpdir(), 'helios-feeds-first-'));
    dirs.push(dataDir);
    const start = async () => {
      const daemon = new Daemon({ config, secrets: {}, logger: silent(), mode: 'sim', speed: 1, dataDir, inspect: false, apiPort: 0, role: 'feeds' });
      running.push(daemon);
      await daemon.start();
      return daemon;
    };
    const listed = async (d: Daemon) => ((await getJson(`${d.url}/markets`)) as Array<{ market_id: string }>).map((m) => m.market_id).sort();
    const recorded = () => (JSON.parse(readFileSync(retiredMarketsFile(dataDir), 'utf8')) as { market_ids: string[] }).market_ids;
    // A trading shard's record of a retirement: its ALERT on the market's control topic.
    const events = new EventFactory(new SystemClock(), ulidGenerator(seededRng(7)));
    const retire = async (marketId: string) => {
      const bus = await RedisStreamsBus.connect(config.bus, redisUrl, new SystemClock());
      try {
        const alert = events.make('ALERT', { severity: 'info', code: 'MARKET_RETIRED', message: `${marketId}: resolved and settled` }, { market_id: marketId });
        await bus.publish(topicFor(alert), [alert]);
        await bus.drain();
      } finally {
        await bus.close();
      }
    };
    // As the feeds process built it, hosting the venue (its judge days dated).
    const all = daemonSimUniverse(config, Date.now(), { datedWeather: true }).markets.map((m) => m.spec.market_id).sort();
    expect(all.length).toBeGreaterThan(2);
    const [before, meanwhile] = all;

    await retire(before!);
    let feeds = await start();
    await vi.waitFor(async () => {
      expect(await listed(feeds)).toEqual(all.filter((id) => id !== before));
      expect(recorded()).toEqual([before]);
    }, { timeout: 30_000, interval: 200 });
    expect((await getJson(`${feeds.url}/dashboard/settings.json`)).retired_markets).toEqual([before]);

    // Retired while the feeds process is down: its durable group hands it over at the restart.
    expect(await feeds.stop()).toBe(0);
    await retire(meanwhile!);
    feeds = await start();
    await vi.waitFor(async () => {
      expect(await listed(feeds)).toEqual(all.filter((id) => id !== before && id !== meanwhile));
      expect(recorded()).toEqual([before, meanwhile].sort());
    }, { timeout: 30_000, interval: 200 });

    // Its data directory is lost, its groups on Redis are not (they acknowledged both): a start on a
    // new one reads the retained history again rather than resuming where the groups were.
    expect(await feeds.stop()).toBe(0);
    dataDir = mkdtempSync(path.join(tmpdir(), 'helios-feeds-first-'));
    dirs.push(dataDir);
    feeds = await start();
    await vi.waitFor(async () => {
      expect(await listed(feeds)).toEqual(all.filter((id) => id !== before && id !== meanwhile));
      expect(recorded()).toEqual([before, meanwhile].sort());
    }, { timeout: 30_000, interval: 200 });
  });

  it('with nothing retired yet records that it has read the history, so its next start is not a first one', { timeout: 60_000 }, async () => {
    const prefix = `feedsnone${process.pid}x${Date.now() % 1_000_000}`;
    const { config } = loadConfig({ env: {}, overrides: { 'bus.kind': 'redis', 'bus.redis_url': redisUrl, 'bus.stream_prefix': prefix } });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-feeds-none-'));
    dirs.push(dataDir);
    const feeds = new Daemon({ config, secrets: {}, logger: silent(), mode: 'sim', speed: 1, dataDir, inspect: false, apiPort: 0, role: 'feeds' });
    running.push(feeds);
    await feeds.start();
    await vi.waitFor(() => expect(JSON.parse(readFileSync(retiredMarketsFile(dataDir), 'utf8'))).toEqual({ version: 1, market_ids: [] }), { timeout: 30_000, interval: 200 });
    expect(await feeds.stop()).toBe(0);
  });
});
