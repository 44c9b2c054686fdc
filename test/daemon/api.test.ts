import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ChannelServer } from '../../src/adapters/api/channel-server.ts';
import type { DaemonApi, HaltRequest } from '../../src/adapters/api/daemon-api.ts';
import { HttpApiServer } from '../../src/adapters/api/http-server.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { createMetrics } from '../../src/adapters/metrics/metrics.ts';
import { Secret } from '../../src/config/secrets.ts';
import { serializeEnvelope } from '../../src/domain/util/stable-json.ts';
import { testFactory, trade } from '../support/events.ts';
import { PassThrough } from 'node:stream';

const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });

/** A small daemon stand-in that records what the API asked of it. */
class RecordingApi implements DaemonApi {
  halts: HaltRequest[] = [];
  resumes: HaltRequest[] = [];
  forced = 0;
  ready = true;
  metricsRegistry = createMetrics();
  async health() {
    return { live: true, ready: this.ready, staleness_ms: { market: 12 } };
  }
  async metrics() {
    this.metricsRegistry.wsReconnects.inc();
    return { contentType: this.metricsRegistry.registry.contentType, body: await this.metricsRegistry.registry.metrics() };
  }
  async subscriptions() {
    return { desired: ['t1'], actual: ['t1'] };
  }
  async reconcilerMetrics() {
    return { reconciliations: 3 };
  }
  async forceReconcile() {
    this.forced++;
    return { forced: true };
  }
  async stats() {
    return { events: 1 };
  }
  async markets() {
    return [{ market_id: 'm1', state: 'IDLE' }];
  }
  bookQueries: Array<string | undefined> = [];
  async books(tokenId?: string) {
    this.bookQueries.push(tokenId);
    return { books: [] };
  }
  async halt(r: HaltRequest) {
    this.halts.push(r);
    return { halted: r.scope };
  }
  async resume(r: HaltRequest) {
    this.resumes.push(r);
    return { resumed: r.scope };
  }
}

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(token?: string, maxBodyBytes = 1024) {
  const api = new RecordingApi();
  const http = new HttpApiServer({ host: '127.0.0.1', port: 0, maxBodyBytes, token: token ? new Secret(token) : undefined, api, logger });
  const channels = new ChannelServer(http.server, { path: '/ws', maxFrameBytes: 1024, maxBufferedBytes: 64 * 1024, slowPolicy: 'coalesce', maxClients: 4, logger, slowGraceMs: 300 });
  const url = await http.listen();
  servers.push(channels, http);
  return { api, http, channels, url };
}

describe('HTTP API', () => {
  it('binds to loopback and serves the read endpoints', async () => {
    const { url, http, api } = await start();
    expect(http.server.address()).toMatchObject({ address: '127.0.0.1' });
    for (const path of ['/health', '/subscriptions', '/reconciler/metrics', '/stats', '/markets', '/books']) {
      const r = await fetch(url + path);
      expect(r.status, path).toBe(200);
      expect(await r.json()).toBeTruthy();
    }
    const metrics = await (await fetch(url + '/metrics')).text();
    expect(metrics).toMatch(/ws_reconnects_total 1/);
    expect(metrics).toMatch(/# TYPE event_lag_ms gauge/);
    expect((await fetch(url + '/nope')).status).toBe(404);
    expect((await fetch(url + '/markets', { method: 'POST' })).status).toBe(405);
    expect((await fetch(url + '/books?token_id=123%20abc')).status).toBe(200);
    expect(api.bookQueries).toEqual([undefined, '123 abc']);
  });

  it('answers 503 on /health when not ready', async () => {
    const { url, api } = await start();
    api.ready = false;
    expect((await fetch(url + '/health')).status).toBe(503);
  });

  // Authentication, loopback binding and size limits: test/security/api.test.ts.
  it('validates bodies', async () => {
    const { url, api } = await start('t', 256);
    const auth = { authorization: 'Bearer t' };
    const bad = await fetch(url + '/halt', { method: 'POST', body: JSON.stringify({ scope: 'market' }), headers: auth });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/market_id/);
    expect((await fetch(url + '/halt', { method: 'POST', body: '{oops', headers: auth })).status).toBe(400);
    expect((await fetch(url + '/halt', { method: 'POST', body: JSON.stringify({ scope: 'global', extra: 1 }), headers: auth })).status).toBe(400);
    expect(api.halts).toHaveLength(0);
  });
});

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace('http', 'ws') + '/ws');
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(d.toString())));
}

describe('WebSocket channel server', () => {
  it('streams exactly the bus payloads of the subscribed channels and market', async () => {
    const { url, channels } = await start();
    const ws = await connect(url);
    ws.send(JSON.stringify({ op: 'subscribe', channels: ['tape'], market_id: 'm1' }));
    expect(JSON.parse(await nextMessage(ws))).toEqual({ op: 'subscribed', channels: ['tape'] });
    const { factory } = testFactory(1);
    const other = trade(factory, 'm2', 't', 0.5);
    const mine = trade(factory, 'm1', 't', 0.4);
    const received = nextMessage(ws);
    channels.emit(factory.make('ALERT', { severity: 'info', code: 'x', message: 'y' }));
    channels.emit(other);
    channels.emit(mine);
    expect(await received).toBe(serializeEnvelope(mine));
    ws.close();
  });

  // Oversized frames: test/security/api.test.ts.
  it('answers bad requests with an error', async () => {
    const { url } = await start();
    const ws = await connect(url);
    ws.send(JSON.stringify({ op: 'subscribe', channels: ['nope'] }));
    expect(JSON.parse(await nextMessage(ws)).op).toBe('error');
    ws.close();
  });

  it('drops a client that stays slow instead of stalling', async () => {
    const { url, channels } = await start();
    const ws = await connect(url);
    ws.send(JSON.stringify({ op: 'subscribe', channels: ['tape'] }));
    await nextMessage(ws);
    ws.pause(); // stop reading: the server's buffer fills
    const { factory } = testFactory(2);
    for (let i = 0; i < 20_000; i++) channels.emit(trade(factory, 'm', `tok${i % 50}`, (i % 100) / 100));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(channels.stats.coalesced).toBeGreaterThan(0);
    expect(channels.stats.dropped_slow).toBe(1);
    expect(channels.clientCount).toBe(0);
  });
});
