import { createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Answer, JsonHttpServer, RouteError } from '../../src/adapters/api/http-server.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { HttpError, requestJson } from '../../src/adapters/http/request-json.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { ReplayServer } from '../../src/apps/replay/replay-server.ts';
import { loadConfig } from '../../src/config/load.ts';

const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

/** The one HTTP client against the one HTTP server, both real, on loopback. */
async function serve(): Promise<string> {
  const server = new JsonHttpServer({
    host: '127.0.0.1',
    port: 0,
    token: null,
    maxBodyBytes: 1024,
    logger,
    name: 'test server',
    routes: {
      '/json': { method: 'GET', handler: ({ url }) => ({ echo: url.searchParams.get('q') }) },
      '/empty': { method: 'GET', handler: () => new Answer(204, null) },
      '/text': { method: 'GET', handler: () => new Answer(200, 'not json', 'text/plain') },
      '/refused': {
        method: 'POST',
        handler: ({ body }) => {
          throw new RouteError(422, `refused ${JSON.stringify(body)}`);
        },
      },
      '/hang': { method: 'GET', handler: () => new Promise(() => {}) },
    },
  });
  closers.push(() => server.close());
  return server.listen();
}

describe('requestJson against JsonHttpServer', () => {
  it('answers parsed JSON, null for 204, and one HttpError type for every failure', async () => {
    const base = await serve();
    const clock = new VirtualClock(0);
    const t = { clock, ms: 5_000 };
    expect((await requestJson(fetch, `${base}/json?q=a`, {}, t)).body).toEqual({ echo: 'a' });
    expect((await requestJson(fetch, `${base}/empty`, {}, t)).body).toBeNull();
    await expect(requestJson(fetch, `${base}/text`, {}, t)).rejects.toMatchObject({ name: 'HttpError', status: 200, message: expect.stringContaining('body is not JSON') });
    const refused = await requestJson(fetch, `${base}/refused?key=sekrit`, { method: 'POST', body: '{"x":1}', target: '/refused' }, t).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 422, target: 'POST /refused', message: 'POST /refused: HTTP 422 {"error":"refused {\\"x\\":1}"}' });
    expect((refused as Error).message).not.toContain('sekrit');
    await expect(requestJson(fetch, `${base}/nope`, {}, t)).rejects.toMatchObject({ status: 404, message: expect.stringContaining('no such endpoint: /nope') });
    await expect(requestJson(fetch, `${base}/json`, { method: 'POST' }, t)).rejects.toMatchObject({ status: 405 });
  });

  it('a refused connection names its reason, not only "fetch failed"', async () => {
    // A port that was just free: nothing listens there now.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await requestJson(fetch, `http://127.0.0.1:${port}/x`, { target: '/x' }, { clock: new VirtualClock(0), ms: 5_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HttpError', status: 0, message: 'GET /x: fetch failed (ECONNREFUSED)' });
  });

  it('times out on the injected clock: virtual time decides, not the wall', async () => {
    const base = await serve();
    const clock = new VirtualClock(0);
    const pending = requestJson(fetch, `${base}/hang`, {}, { clock, ms: 1_000 }).catch((e: unknown) => e);
    clock.advanceBy(999);
    clock.advanceBy(1);
    expect(await pending).toMatchObject({ name: 'HttpError', status: 0, message: 'GET ' + `${base}/hang` + ': timed out after 1000 ms' });
  });
});

describe('the replay server on the same server module', () => {
  it('answers JSON errors with the status and Allow header the daemon API gives', async () => {
    const { config } = loadConfig({ env: {} });
    const replay = new ReplayServer({ host: '127.0.0.1', port: 0, api: config.api, logger, parseTime: Number });
    closers.push(() => replay.close());
    const base = await replay.listen();
    const status = await fetch(`${base}/replay/status`);
    expect([status.status, await status.json()]).toEqual([503, { error: 'replay not ready' }]);
    const wrong = await fetch(`${base}/replay/play`);
    expect([wrong.status, wrong.headers.get('allow'), await wrong.json()]).toEqual([405, 'POST', { error: '/replay/play accepts POST' }]);
    const unknown = await fetch(`${base}/replay/rewind`, { method: 'POST' });
    expect([unknown.status, await unknown.json()]).toEqual([404, { error: 'no such endpoint: /replay/rewind' }]);
  });
});
