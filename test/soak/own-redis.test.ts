/**
 * The soak kills only a redis-server it started itself: its own child on a free loopback port,
 * restarted on the same port with its data; a server someone else runs is never touched.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { OwnRedisServer, RedisStartError } from '../../src/apps/soak/redis-process.ts';

const bin = inject('redisBinary');
const userRedis = inject('redisUrl');
if (!bin) console.warn('\n*** SKIPPING the soak-owned redis-server tests: redis-server is not installed ***\n');

const dir = mkdtempSync(path.join(tmpdir(), 'helios-own-redis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withClient<T>(url: string, f: (c: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const c = createClient({ url, socket: { reconnectStrategy: false } });
  c.on('error', () => {});
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.quit().catch(() => {});
  }
}

describe.skipIf(!bin)('the soak-owned redis-server', () => {
  it('kills and restarts its own child with its data on the same port; the user\'s server keeps running', async () => {
    const userPid = await withClient(userRedis, async (c) => Number(/process_id:(\d+)/.exec(String(await c.sendCommand(['INFO', 'server'])))![1]));
    const own = await OwnRedisServer.start({ binary: bin, dir: path.join(dir, 'data'), logFile: path.join(dir, 'redis.log') });
    try {
      const firstPid = own.pid;
      expect(firstPid).toBeGreaterThan(0);
      expect(own.url).toBe(`redis://127.0.0.1:${own.port}`);
      expect(own.url).not.toBe(userRedis);
      await withClient(own.url, (c) => c.set('kept', 'yes'));
      await own.killAndRestart(50);
      expect(own.pid).not.toBe(firstPid);
      // AOF with fsync always: what it acknowledged survived the SIGKILL.
      expect(await withClient(own.url, (c) => c.get('kept'))).toBe('yes');
      // The user's server is the same process as before.
      const after = await withClient(userRedis, async (c) => Number(/process_id:(\d+)/.exec(String(await c.sendCommand(['INFO', 'server'])))![1]));
      expect(after).toBe(userPid);
    } finally {
      await own.stop();
    }
    await expect(withClient(own.url, (c) => c.ping())).rejects.toThrow();
    expect(readFileSync(path.join(dir, 'redis.log'), 'utf8')).toMatch(/Ready to accept connections/);
  });

  it('a binary that cannot start is a clear error', async () => {
    await expect(OwnRedisServer.start({ binary: path.join(dir, 'no-such-redis-server'), dir, logFile: path.join(dir, 'x.log') })).rejects.toThrow(RedisStartError);
  });
});
