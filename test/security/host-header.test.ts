/**
 * DNS rebinding: a page on a name its owner re-points at 127.0.0.1 reaches a loopback API with the
 * browser's same-origin blessing. Every HTTP route (not only the WebSocket upgrade) refuses a Host
 * that is not an allowed loopback name. Real server, real requests on 127.0.0.1.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpApiServer } from '../../src/adapters/api/http-server.ts';
import { Secret } from '../../src/config/secrets.ts';
import { loadConfig } from '../../src/config/load.ts';
import { capturingLogger, RecordingDaemonApi } from '../support/recording-api.ts';

const TOKEN = 'host-check-token';
const open: HttpApiServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(allowedHosts: readonly string[]): Promise<{ port: number; api: RecordingDaemonApi; lines: string[] }> {
  const { logger, lines } = capturingLogger();
  const api = new RecordingDaemonApi();
  const http = new HttpApiServer({ host: '127.0.0.1', port: 0, maxBodyBytes: 1024, token: new Secret(TOKEN), api, logger, allowedHosts });
  await http.listen();
  open.push(http);
  return { port: http.port, api, lines };
}

/** A request to 127.0.0.1:port carrying `host` as its Host header (fetch would not let us set it). */
function send(port: number, host: string, path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { host, authorization: `Bearer ${TOKEN}` };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('Host header check on the HTTP API (DNS rebinding)', () => {
  it('with the default api.allowed_hosts: loopback names pass, any other name gets 403 naming the setting', async () => {
    const allowed = loadConfig({ env: {} }).config.api.allowed_hosts;
    expect(allowed).toEqual(['localhost', '127.0.0.1', '::1']);
    const { port, api, lines } = await start(allowed);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, 'localhost']) {
      expect((await send(port, host, '/stats')).status, host).toBe(200);
    }
    for (const host of [`rebind.attacker.example:${port}`, 'attacker.example', `127.0.0.1.attacker.example:${port}`]) {
      const r = await send(port, host, '/stats');
      expect(r.status, host).toBe(403);
      expect(r.body.error).toBe(`Host ${host} is not an allowed name of this loopback API (DNS rebinding guard); allowed: localhost, 127.0.0.1, ::1 (api.allowed_hosts)`);
    }
    // A mutating request under a foreign Host changes nothing, even with the token.
    const halt = await send(port, `rebind.attacker.example:${port}`, '/halt', 'POST', { scope: 'global' });
    expect(halt.status).toBe(403);
    expect(api.halts).toHaveLength(0);
    expect((await send(port, `localhost:${port}`, '/halt', 'POST', { scope: 'global' })).status).toBe(200);
    expect(api.halts).toHaveLength(1);
    expect(lines.find((l) => l.includes('http api refused: Host rebind.attacker.example')), 'a warning in the log').toMatch(/"level":(40|"warn")/);
  });

  it('api.allowed_hosts replaces the list; the bound address stays allowed', async () => {
    const { port } = await start(['helios.lan']);
    expect((await send(port, `helios.lan:${port}`, '/stats')).status).toBe(200);
    expect((await send(port, `127.0.0.1:${port}`, '/stats')).status).toBe(200);
    const r = await send(port, `localhost:${port}`, '/stats');
    expect(r.status).toBe(403);
    expect(r.body.error).toContain('allowed: helios.lan, 127.0.0.1 (api.allowed_hosts)');
  });
});
