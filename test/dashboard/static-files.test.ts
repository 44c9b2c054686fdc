import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonHttpServer } from '../../src/adapters/api/http-server.ts';
import { IMPORT_MAP } from '../../src/apps/dashboard/static-files.ts';
import { dashboardFilesServer } from './support/files-server.ts';

const servers: JsonHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(): Promise<string> {
  const http = dashboardFilesServer({ mode: 'sim · paper', name: 'test', routes: { '/health': { method: 'GET', handler: () => ({ live: true }) } } });
  servers.push(http);
  return http.listen();
}

describe('dashboard static files', () => {
  it('serves the page at / with its import map allowed by hash and nothing else inline', async () => {
    const url = await serve();
    const r = await fetch(`${url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await r.text();
    const map = JSON.stringify(IMPORT_MAP);
    expect(html).toContain(`<script type="importmap">${map}</script>`);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`script-src 'self' 'sha256-${createHash('sha256').update(map).digest('base64')}'`);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves every module of the import map from node_modules as JavaScript', async () => {
    const url = await serve();
    for (const target of Object.values(IMPORT_MAP.imports)) {
      const r = await fetch(url + target);
      expect(r.status, target).toBe(200);
      expect(r.headers.get('content-type'), target).toMatch(/^text\/javascript/);
      expect(await r.text(), target).toMatch(/export/);
    }
    expect((await fetch(`${url}/vendor/uplot.css`)).headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('serves the page modules and the settings, and refuses anything outside the web folder', async () => {
    const url = await serve();
    const main = await fetch(`${url}/dashboard/main.js`);
    expect(main.status).toBe(200);
    expect(main.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await (await fetch(`${url}/dashboard/settings.json`)).json()).toEqual({ mode: 'sim · paper', replay_controls: false, actions_refused: null, staleness_ms: { market: 15_000 }, retired_markets: [] });
    for (const p of ['/dashboard/../static-files.ts', '/dashboard/%2e%2e/static-files.ts', '/dashboard/..%2fstatic-files.ts', '/dashboard/index.html', '/vendor/preact.js', '/dashboard/missing.js', '/dashboard/backtests/%E0%A4%A.json', '/dashboard/backtests/x.json']) {
      const r = await fetch(url + p);
      expect(r.status, p).toBe(404);
      expect(await r.json(), p).toMatchObject({ error: expect.stringContaining('no such endpoint') });
    }
  });

  it('leaves the JSON routes to the route table and answers POSTs to files with 404', async () => {
    const url = await serve();
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ live: true });
    expect((await fetch(`${url}/`, { method: 'POST' })).status).toBe(404);
    const head = await fetch(`${url}/dashboard/main.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
