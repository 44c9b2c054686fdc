import { request } from 'node:http';
import { describe, expect, inject, it } from 'vitest';
import { postJson } from './support/daemon-io.ts';
import { processScope } from './support/helios-process.ts';

/**
 * POST /halt and /resume to the feeds process of a scale-out (real processes on one real
 * redis-server), which hosts no trading: a halt goes on the bus to the trading processes (202,
 * naming the topic and stream) and they apply it; a resume is refused (409) naming the trading
 * role, whose risk engine alone can say what came of it.
 */

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** redis-server absent: the feeds-role control test SKIPS ***\n');

const TOKEN = 'feeds-control-token';
const { start, tempDir } = processScope('helios-feeds-control-');

/** The status of a GET carrying `host` as its Host header (fetch would not let us set it). */
function statusWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: '/health', headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!redisUrl)('halt and resume sent to a feeds process', () => {
  it('a halt is forwarded over the bus and applied by the trading process; a resume is refused naming the trading role', { timeout: 90_000 }, async () => {
    const prefix = `feedsctl${process.pid}x${Date.now() % 1_000_000}`;
    const env = { HELIOS_BUS__STREAM_PREFIX: prefix, HELIOS_API_TOKEN: TOKEN };
    const common = ['--redis', redisUrl, '--port', '0', '--speed', '20'];
    const trading = start(['run', ...common, '--role', 'trading', '--shard', '0/1', '--data-dir', tempDir()], env);
    await trading.apiUrl();
    // The trading group starts at the newest entry: publish only once it reads.
    await trading.waitForLine(/"component":"trading","msg":"component started"/, 20_000);
    const feeds = start(['run', ...common, '--role', 'feeds', '--data-dir', tempDir()], env);
    const feedsUrl = await feeds.apiUrl();

    const resume = await postJson(`${feedsUrl}/resume`, { scope: 'global' }, TOKEN);
    expect(resume.status).toBe(409);
    expect(resume.body).toMatchObject({
      accepted: false,
      type: 'RESUME',
      scope: 'global',
      error: 'this process (--role feeds) hosts no trading: POST /resume to a trading process (--role trading), whose risk engine decides',
    });

    const halt = await postJson(`${feedsUrl}/halt`, { scope: 'global', reason: 'halt-through-feeds' }, TOKEN);
    expect(halt.status).toBe(202);
    expect(halt.body).toEqual({
      accepted: true,
      applied_here: false,
      forwarded: { to_role: 'trading', topic: 'control:_', stream: `${prefix}:control:_` },
      event_id: expect.any(String),
      type: 'HALT',
      scope: 'global',
      market_id: null,
    });
    // The trading process read it from the bus: its kill switch tripped with that reason.
    const applied = await trading.waitForLine(/"msg":"risk HALTED: halt-through-feeds"/, 30_000);
    expect(applied.input).toMatch(/"level":(30|"info")/);

    // The real daemon's API checks Host on plain HTTP (DNS rebinding), not only on the WebSocket.
    const port = new URL(feedsUrl).port;
    expect((await statusWithHost(feedsUrl, `127.0.0.1:${port}`)).status).not.toBe(403);
    const rebound = await statusWithHost(feedsUrl, `rebind.attacker.example:${port}`);
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('(api.allowed_hosts)');

    feeds.kill('SIGTERM');
    trading.kill('SIGTERM');
    expect((await feeds.exited).code).toBe(0);
    expect((await trading.exited).code).toBe(0);
  });
});
