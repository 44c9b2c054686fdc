/**
 * The daemon's own API: mutating endpoints refuse without the token, the API binds to loopback by
 * default, oversized HTTP bodies and WebSocket frames are refused. Real servers on 127.0.0.1.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HttpApiServer } from '../../src/adapters/api/http-server.ts';
import { loadConfig } from '../../src/config/load.ts';
import { Secret } from '../../src/config/secrets.ts';
import { capturingLogger, RecordingDaemonApi, startApi, type ApiUnderTest } from '../support/recording-api.ts';

const TOKEN = 's3cret-token-4e5f';
const MUTATING = ['/halt', '/resume', '/reconciler/force'];
const BODY = JSON.stringify({ scope: 'market', market_id: 'm1', reason: 'test' });

const open: ApiUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
async function start(opts: Parameters<typeof startApi>[0] = {}): Promise<ApiUnderTest> {
  const s = await startApi(opts);
  open.push(s);
  return s;
}

describe('mutating endpoints refuse without the token', () => {
  it('disables mutating endpoints without a configured token', async () => {
    const { url, api } = await start();
    for (const path of MUTATING) {
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }, { authorization: 'Bearer ' }] as Array<Record<string, string>>) {
        const r = await fetch(url + path, { method: 'POST', body: BODY, headers });
        expect(r.status, path).toBe(403);
        expect(((await r.json()) as { error: string }).error).toMatch(/HELIOS_API_TOKEN/);
      }
    }
    expect(api.mutations()).toBe(new RecordingDaemonApi().mutations());
  });

  it('refuses a missing or wrong bearer token and accepts the right one', async () => {
    const { url, api } = await start({ token: TOKEN });
    expect((await fetch(url + '/halt', { method: 'POST', body: BODY })).status).toBe(401);
    expect((await fetch(url + '/halt', { method: 'POST', body: BODY, headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const ok = await fetch(url + '/halt', { method: 'POST', body: BODY, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(api.halts).toEqual([{ scope: 'market', market_id: 'm1', reason: 'test' }]);
    const resumed = await fetch(url + '/resume', { method: 'POST', body: JSON.stringify({ scope: 'global' }), headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await resumed.json()).toEqual({ resumed: 'global' });
    const forced = await fetch(url + '/reconciler/force', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(forced.status).toBe(200);
    expect(api.forced).toBe(1);
  });

  it('accepts the token only as `Authorization: Bearer <token>` on every mutating endpoint', async () => {
    const { url, api } = await start({ token: TOKEN });
    const refused: Array<{ query?: string; headers: Record<string, string> }> = [
      { headers: {} },
      { headers: { authorization: TOKEN } },
      { headers: { authorization: `Basic ${Buffer.from(`helios:${TOKEN}`).toString('base64')}` } },
      { headers: { authorization: `Token ${TOKEN}` } },
      { headers: { authorization: `Bearer ${TOKEN.toUpperCase()}` } },
      { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}` } },
      { headers: { authorization: `Bearer ${TOKEN}x` } },
      { headers: { authorization: `Bearer ${TOKEN} ${TOKEN}` } },
      { headers: { 'x-api-key': TOKEN } },
      { headers: { cookie: `token=${TOKEN}` } },
      { query: `?token=${TOKEN}`, headers: {} },
      { query: `?access_token=${TOKEN}`, headers: {} },
    ];
    for (const path of MUTATING) {
      for (const { query, headers } of refused) {
        const r = await fetch(url + path + (query ?? ''), { method: 'POST', body: BODY, headers });
        const text = await r.text();
        expect(r.status, `${path} ${JSON.stringify(headers)}${query ?? ''}`).toBe(401);
        // The answer never echoes what was tried.
        expect(text).not.toContain(TOKEN);
      }
    }
    expect(api.calls).toEqual([]);
  });

  it('checks the token before reading or validating the body', async () => {
    const { url, api } = await start({ token: TOKEN, maxBodyBytes: 64 });
    for (const body of ['{oops', JSON.stringify({ scope: 'global', reason: 'x'.repeat(500) })]) {
      expect((await fetch(url + '/halt', { method: 'POST', body })).status).toBe(401);
    }
    expect(api.calls).toEqual([]);
  });

  it('read endpoints never mutate: POST to them is refused and GET to a mutating one too', async () => {
    const { url, api } = await start({ token: TOKEN });
    for (const path of ['/health', '/markets', '/stats', '/subscriptions', '/reconciler/metrics']) {
      expect((await fetch(url + path, { method: 'POST', body: BODY, headers: { authorization: `Bearer ${TOKEN}` } })).status, path).toBe(405);
    }
    for (const path of MUTATING) expect((await fetch(url + path)).status, path).toBe(405);
    expect(api.mutations()).toBe(new RecordingDaemonApi().mutations());
  });
});

describe('the API binds to loopback by default', () => {
  it('config/default.yaml puts api.host on loopback, and the server listens only there', async () => {
    const { config } = loadConfig({ env: {} });
    expect(['127.0.0.1', '::1', 'localhost']).toContain(config.api.host);
    const { logger } = capturingLogger();
    const http = new HttpApiServer({ host: config.api.host, port: 0, maxBodyBytes: config.api.max_body_bytes, token: new Secret(TOKEN), api: new RecordingDaemonApi(), logger });
    await http.listen();
    try {
      const address = http.server.address();
      expect(typeof address === 'object' && address !== null && ['127.0.0.1', '::1'].includes(address.address)).toBe(true);
    } finally {
      await http.close();
    }
  });
});

/** Sends a request head (and part of a body) on a raw socket; resolves with the status line. */
function rawStatus(port: number, head: string, body = ''): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.on('connect', () => socket.write(head + body));
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    socket.on('error', () => resolve(data.split('\r\n')[0] ?? ''));
  });
}

describe('oversized HTTP bodies are refused', () => {
  it('refuses a body over the limit', async () => {
    const { url, api } = await start({ token: TOKEN, maxBodyBytes: 256 });
    const big = await fetch(url + '/halt', { method: 'POST', body: JSON.stringify({ scope: 'global', reason: 'x'.repeat(1000) }), headers: { authorization: `Bearer ${TOKEN}` } });
    expect(big.status).toBe(413);
    expect(api.halts).toHaveLength(0);
  });

  it('answers 413 from the declared length alone, without waiting for the body', async () => {
    const { port, api } = await start({ token: TOKEN, maxBodyBytes: 1024 });
    const head = `POST /halt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n`;
    expect(await rawStatus(port, head, '{"scope":')).toBe('HTTP/1.1 413 Payload Too Large');
    expect(api.calls).toEqual([]);
  });

  it('refuses a chunked body once it grows past the limit', async () => {
    const { port, api } = await start({ token: TOKEN, maxBodyBytes: 1024 });
    const head = `POST /halt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const chunk = 'x'.repeat(600);
    const chunks = `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(3);
    expect(await rawStatus(port, head, chunks)).toBe('HTTP/1.1 413 Payload Too Large');
    expect(api.calls).toEqual([]);
  });

  it('accepts a body of exactly the limit', async () => {
    const limit = 256;
    const { url, api } = await start({ token: TOKEN, maxBodyBytes: limit });
    const base = JSON.stringify({ scope: 'global', reason: '' });
    const body = JSON.stringify({ scope: 'global', reason: 'r'.repeat(limit - base.length) });
    expect(Buffer.byteLength(body)).toBe(limit);
    expect((await fetch(url + '/halt', { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect(api.halts).toHaveLength(1);
  });
});

describe('oversized WebSocket frames are refused', () => {
  function connectWs(port: number): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }
  const closed = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)));
  const next = (ws: WebSocket) => new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));

  it('closes with 1009 on a frame over the configured limit, and answers one at the limit', async () => {
    const { config } = loadConfig({ env: {} });
    const limit = config.api.ws_max_frame_bytes;
    const { port, channels } = await start({ maxFrameBytes: limit });
    const ws = await connectWs(port);
    const atLimit = JSON.stringify({ op: 'subscribe', channels: ['tape'], market_id: 'm'.repeat(limit) }).slice(0, limit);
    const reply = next(ws);
    ws.send(atLimit);
    expect(JSON.parse(await reply).op).toBe('error');
    const done = closed(ws);
    ws.send('x'.repeat(limit + 1));
    expect(await done).toBe(1009);
    expect(channels.clientCount).toBe(0);
  });

  it('counts a fragmented message as a whole', async () => {
    const { port } = await start({ maxFrameBytes: 1024 });
    const ws = await connectWs(port);
    const done = closed(ws);
    for (let i = 0; i < 4; i++) ws.send('y'.repeat(400), { fin: i === 3 });
    expect(await done).toBe(1009);
  });

  it('refuses binary frames and answers without echoing them', async () => {
    const { port, channels } = await start();
    const ws = await connectWs(port);
    const reply = next(ws);
    ws.send(Buffer.from(`{"op":"subscribe","channels":["tape"],"token":"${TOKEN}"}`));
    const answer = await reply;
    expect(JSON.parse(answer)).toMatchObject({ op: 'error', message: 'binary frames are not accepted' });
    expect(answer).not.toContain(TOKEN);
    expect(channels.stats.rejected_requests).toBe(1);
    ws.terminate();
  });
});
