/**
 * The WebSocket channel API: a page on another site cannot open it through the operator's browser
 * (Origin and Host checked), idle or dead clients do not hold slots forever, and one client cannot
 * pile up subscription filters. Real servers and clients on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ChannelServer, channelServerOptions, type ChannelServerOptions } from '../../src/adapters/api/channel-server.ts';
import { HttpApiServer } from '../../src/adapters/api/http-server.ts';
import { loadConfig } from '../../src/config/load.ts';
import { capturingLogger, RecordingDaemonApi } from '../support/recording-api.ts';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(extra: Partial<ChannelServerOptions> = {}): Promise<{ port: number; channels: ChannelServer }> {
  const { logger } = capturingLogger();
  const http = new HttpApiServer({ host: '127.0.0.1', port: 0, maxBodyBytes: 1024, token: undefined, api: new RecordingDaemonApi(), logger });
  const channels = new ChannelServer(http.server, { ...channelServerOptions(loadConfig({ env: {} }).config.api, logger), ...extra });
  await http.listen();
  open.push(channels, http);
  return { port: http.port, channels };
}

/** The HTTP status of an upgrade attempt (101 when the socket opened). */
function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (err) => {
      if (ws.readyState !== ws.CLOSED) reject(err);
    });
  });
}

function connect(port: number, opts: { autoPong?: boolean } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, opts);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
const closed = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)));
const next = (ws: WebSocket) => new Promise<Record<string, unknown>>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()) as Record<string, unknown>)));

describe('Origin and Host checks', () => {
  it('refuses a page on another site and a rebinding Host, accepts same origin, allowed origins and non-browser clients', async () => {
    const { port, channels } = await start({ allowedOrigins: ['http://dashboard.example:3000'] });
    const self = `127.0.0.1:${port}`;
    expect(await upgradeStatus(port, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(port, { origin: 'null' })).toBe(403);
    // DNS rebinding: evil.example resolves to 127.0.0.1, so Origin and Host agree but name another site.
    expect(await upgradeStatus(port, { origin: `http://evil.example:${port}`, host: `evil.example:${port}` })).toBe(403);
    expect(await upgradeStatus(port, { host: `evil.example:${port}` })).toBe(403);
    // Same origin, by IP or by localhost.
    expect(await upgradeStatus(port, { origin: `http://${self}` })).toBe(101);
    expect(await upgradeStatus(port, { origin: `http://localhost:${port}`, host: `localhost:${port}` })).toBe(101);
    // A different port on loopback is another origin.
    expect(await upgradeStatus(port, { origin: `http://127.0.0.1:${port + 1}` })).toBe(403);
    expect(await upgradeStatus(port, { origin: 'http://dashboard.example:3000' })).toBe(101);
    expect(await upgradeStatus(port, {})).toBe(101);
    expect(channels.stats.rejected_origin).toBe(5);
  });

  it('the daemon default allows no other origin', async () => {
    const { config } = loadConfig({ env: {} });
    expect(config.api.ws_allowed_origins).toEqual([]);
    const { port } = await start();
    expect(await upgradeStatus(port, { origin: 'http://localhost:3000' })).toBe(403);
  });

  it('refuses a malformed allowed origin in the configuration (exit 2 at load)', () => {
    expect(() => loadConfig({ env: { HELIOS_API__WS_ALLOWED_ORIGINS: '["javascript:alert(1)"]' } })).toThrowError(/api\.ws_allowed_origins\.0/);
  });
});

describe('idle and unresponsive clients are dropped', () => {
  it('drops a client that never subscribes, so idle sockets cannot lock everyone out', async () => {
    const { port, channels } = await start({ maxClients: 2, pingIntervalMs: 100, idleTimeoutMs: 200 });
    const idle = [await connect(port), await connect(port)];
    expect(await upgradeStatus(port, {})).toBe(503);
    const codes = await Promise.all(idle.map(closed));
    expect(codes).toEqual([1000, 1000]);
    expect(channels.stats.dropped_idle).toBe(2);
    expect(await upgradeStatus(port, {})).toBe(101);
  });

  it('drops a subscribed client that stops answering pings and keeps one that answers', async () => {
    const { port, channels } = await start({ pingIntervalMs: 100, idleTimeoutMs: 60_000 });
    const dead = await connect(port, { autoPong: false });
    const alive = await connect(port);
    for (const ws of [dead, alive]) {
      const ack = next(ws);
      ws.send(JSON.stringify({ op: 'subscribe', channels: ['order'] }));
      expect(await ack).toEqual({ op: 'subscribed', channels: ['order'] });
    }
    expect(await closed(dead)).toBe(1006);
    expect(channels.stats.dropped_unresponsive).toBe(1);
    expect(alive.readyState).toBe(WebSocket.OPEN);
    expect(channels.clientCount).toBe(1);
    alive.terminate();
  });

  it('an unsubscribe from everything starts the idle clock again', async () => {
    const { port, channels } = await start({ pingIntervalMs: 100, idleTimeoutMs: 300 });
    const ws = await connect(port);
    let ack = next(ws);
    ws.send(JSON.stringify({ op: 'subscribe', channels: ['fill'] }));
    await ack;
    ack = next(ws);
    ws.send(JSON.stringify({ op: 'unsubscribe', channels: ['fill'] }));
    expect(await ack).toEqual({ op: 'unsubscribed', channels: [] });
    expect(await closed(ws)).toBe(1000);
    expect(channels.stats.dropped_idle).toBe(1);
  });
});

describe('subscription filters are bounded per client', () => {
  it('refuses filters beyond the limit with an error frame; repeats do not count', async () => {
    const { port, channels } = await start({ maxFiltersPerClient: 3 });
    const ws = await connect(port);
    const send = async (req: unknown) => {
      const reply = next(ws);
      ws.send(JSON.stringify(req));
      return reply;
    };
    expect(await send({ op: 'subscribe', channels: ['l2', 'tape'], market_id: 'm1' })).toEqual({ op: 'subscribed', channels: ['l2', 'tape'] });
    for (let i = 0; i < 5; i++) expect(await send({ op: 'subscribe', channels: ['l2'], market_id: 'm1' })).toMatchObject({ op: 'subscribed' });
    expect(await send({ op: 'subscribe', channels: ['order'] })).toEqual({ op: 'subscribed', channels: ['l2', 'order', 'tape'] });
    const refused = await send({ op: 'subscribe', channels: ['l2'], market_id: 'm2' });
    expect(refused).toEqual({ op: 'error', code: 'too_many_filters', message: 'too many subscription filters: at most 3 per client (unsubscribe first)' });
    expect(channels.stats.rejected_requests).toBe(1);
    // Freed filters can be used again.
    expect(await send({ op: 'unsubscribe', channels: ['tape'] })).toEqual({ op: 'unsubscribed', channels: ['l2', 'order'] });
    expect(await send({ op: 'subscribe', channels: ['l2'], market_id: 'm2' })).toEqual({ op: 'subscribed', channels: ['l2', 'order'] });
    ws.terminate();
  });

  it('the configured default bounds a client far below 200,000 filters', async () => {
    const { config } = loadConfig({ env: {} });
    const { port } = await start();
    const ws = await connect(port);
    const replies: Array<Record<string, unknown>> = [];
    const done = new Promise<void>((resolve) =>
      ws.on('message', (d) => {
        replies.push(JSON.parse(d.toString()) as Record<string, unknown>);
        if (replies.length === 300) resolve();
      }),
    );
    for (let i = 0; i < 300; i++) ws.send(JSON.stringify({ op: 'subscribe', channels: ['l2'], market_id: `m${i}` }));
    await done;
    const limit = config.api.ws_max_filters_per_client;
    expect(replies.filter((r) => r.op === 'subscribed')).toHaveLength(limit);
    expect(replies.filter((r) => r.op === 'error')).toHaveLength(300 - limit);
    ws.terminate();
  });
});
