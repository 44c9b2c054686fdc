import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { Daemon, type DaemonRole } from '../../src/apps/daemon/daemon.ts';
import { loadConfig } from '../../src/config/load.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { topicFor } from '../../src/domain/events/topics.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { retiredMarketsFile } from '../../src/adapters/storage/retired-markets-file.ts';
import { getJson } from './support/daemon-io.ts';
import { processScope } from './support/helios-process.ts';

/**
 * A split deployment (one feeds process, one trading shard, in this process, on the real
 * redis-server of the test set-up): the trading shard retires a resolved market, and the feeds
 * process — the one an operator's dashboard is served from (port 8787 in deploy/) — must let go
 * of it too: no longer listed by /markets, named retired by /dashboard/settings.json, its
 * MARKET_RETIRED in /dashboard/recent.json, its tokens no longer carried by the feed. And it keeps
 * that after a restart of the feeds process alone.
 */

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** redis-server absent: the split-deployment retirement test SKIPS ***\n');

const silent = () => createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'helios-split-retire-'));
  dirs.push(d);
  return d;
};
const running: Daemon[] = [];
const processes = processScope('helios-split-retire-cli-');

afterAll(async () => {
  for (const d of running) await d.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Listed {
  market_id: string;
  state: string | null;
}

describe.skipIf(!redisUrl)('a market retired by a trading shard, on the feeds process of a split deployment', () => {
  it('leaves the feeds process\'s /markets, dashboard and feed, also after the feeds process restarts', { timeout: 120_000 }, async () => {
    const prefix = `splitret${process.pid}x${Date.now() % 1_000_000}`;
    const { config } = loadConfig({
      env: {},
      overrides: {
        'bus.kind': 'redis',
        'bus.redis_url': redisUrl,
        'bus.stream_prefix': prefix,
        // Retired at the trading node's next tick after it settled.
        'trading.resolved_market_retention_ms': 0,
        'execution.paper.fail_probability': 0,
      },
    });
    const start = async (role: DaemonRole, dataDir: string) => {
      const daemon = new Daemon({ config, secrets: {}, logger: silent(), mode: 'sim', speed: 1, dataDir, inspect: false, apiPort: 0, role, ...(role === 'trading' ? { shard: { index: 0, count: 1 } } : {}) });
      running.push(daemon);
      await daemon.start();
      return daemon;
    };
    const listed = async (d: Daemon) => ((await getJson(`${d.url}/markets`)) as Listed[]).map((m) => m.market_id).sort();
    const carried = async (d: Daemon) => ((await getJson(`${d.url}/books`)).books as Array<{ token_id: string }>).map((b) => b.token_id);

    const trading = await start('trading', tempDir());
    // Every market's actor runs: the shard's consumer groups read the bus before the feeds publish.
    const all = await vi.waitFor(async () => {
      const rows = (await getJson(`${trading.url}/markets`)) as Listed[];
      expect(rows.length).toBeGreaterThan(1);
      expect(rows.every((r) => r.state !== null)).toBe(true);
      return rows.map((r) => r.market_id).sort();
    }, { timeout: 30_000, interval: 200 });
    await new Promise((r) => setTimeout(r, 1_000));
    const feedsDir = tempDir();
    let feeds = await start('feeds', feedsDir);
    await vi.waitFor(async () => expect(await listed(feeds)).toEqual(all), { timeout: 30_000, interval: 200 });
    const spec = (await getJson(`${feeds.url}/markets`)) as Array<{ market_id: string; yes_token: string; no_token: string }>;
    const gone = spec[0]!;
    expect(gone.yes_token).toBeTruthy();
    await vi.waitFor(async () => expect(await carried(feeds)).toContain(gone.yes_token), { timeout: 30_000, interval: 200 });

    // The venue settles it: the shard's actor resolves and, settled, is retired.
    const bus = await RedisStreamsBus.connect(config.bus, redisUrl, new SystemClock());
    try {
      const resolved = new EventFactory(new SystemClock(), ulidGenerator(seededRng(11))).make('MARKET_RESOLVED', { winning_token_id: gone.yes_token, winning_outcome: null }, { market_id: gone.market_id });
      await bus.publish(topicFor(resolved), [resolved]);
      await bus.drain();
    } finally {
      await bus.close();
    }
    await vi.waitFor(async () => expect(await listed(trading)).not.toContain(gone.market_id), { timeout: 30_000, interval: 200 });

    const lettingGo = async (d: Daemon) => {
      expect(await listed(d)).toEqual(all.filter((id) => id !== gone.market_id));
      expect((await getJson(`${d.url}/dashboard/settings.json`)).retired_markets).toEqual([gone.market_id]);
      const books = await carried(d);
      expect(books).not.toContain(gone.yes_token);
      expect(books).not.toContain(gone.no_token);
    };
    await vi.waitFor(() => lettingGo(feeds), { timeout: 15_000, interval: 200 });
    const recent = (await getJson(`${feeds.url}/dashboard/recent.json`)) as Array<{ type: string; market_id?: string; payload: { code?: string } }>;
    expect(recent.filter((e) => e.type === 'ALERT' && e.payload.code === 'MARKET_RETIRED').map((e) => e.market_id)).toEqual([gone.market_id]);

    // The feeds process alone restarts on its data directory: the market stays retired there.
    expect(await feeds.stop()).toBe(0);
    feeds = await start('feeds', feedsDir);
    await vi.waitFor(async () => expect((await listed(feeds)).length).toBe(all.length - 1), { timeout: 30_000, interval: 200 });
    await lettingGo(feeds);
    // Its books come back, the retired market's never.
    await vi.waitFor(async () => expect((await carried(feeds)).length).toBe(2 * (all.length - 1)), { timeout: 30_000, interval: 200 });
    await lettingGo(feeds);
  });

  it('a feeds process refuses to start over a damaged retired-markets record (exit 2, naming the file) and leaves it as it was', { timeout: 60_000 }, async () => {
    const dataDir = processes.tempDir();
    const file = retiredMarketsFile(dataDir);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"version":1,"market_ids":[');
    const feeds = processes.start(['run', '--redis', redisUrl, '--role', 'feeds', '--port', '0', '--data-dir', dataDir]);
    expect((await feeds.exited).code).toBe(2);
    expect(feeds.stderr).toContain(`the retired markets ${file} are damaged (not JSON)`);
    expect(readFileSync(file, 'utf8')).toBe('{"version":1,"market_ids":[');
  });
});
