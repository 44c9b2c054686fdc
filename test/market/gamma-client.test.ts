import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { GammaClient, gammaClientOptions } from '../../src/adapters/polymarket/gamma-client.ts';
import { HttpError } from '../../src/adapters/http/request-json.ts';
import { loadConfig } from '../../src/config/load.ts';
import { parseTemperatureEvent } from '../../src/domain/discovery/index.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NYC = JSON.parse(readFileSync(path.join(HERE, '../fixtures/market/gamma-event-nyc-highest-2026-06-12.json'), 'utf8')) as Array<Record<string, unknown>>;

/** A loopback Gamma: answers by path and query, records every request, can hang one. */
let server: Server;
let base = '';
const seen: string[] = [];
const arrivals: Array<() => void> = [];
const hanging: ServerResponse[] = [];

function route(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push(url.pathname + url.search);
  for (const wake of arrivals.splice(0)) wake();
  const slug = url.searchParams.get('slug');
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  if (url.pathname === '/events' && slug === NYC[0]!.slug) return json(200, NYC);
  if (url.pathname === '/events' && slug === 'broken') return json(200, '{not json');
  if (url.pathname === '/events' && slug === 'hang') return void hanging.push(res);
  if (url.pathname === '/events') return json(200, []);
  if (url.pathname === '/markets' && slug === 'down') return json(503, { error: 'maintenance' });
  if (url.pathname === '/markets') return json(200, (NYC[0]!.markets as unknown[]).slice(0, 2));
  json(404, { error: 'not found' });
}

/** Resolves once the server has seen `n` requests in total. */
function requestsSeen(n: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (seen.length >= n ? resolve() : arrivals.push(check));
    check();
  });
}

beforeAll(async () => {
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The configured client (defaults from config/default.yaml), pointed at the loopback server. */
function client(clock: VirtualClock, max = 100) {
  const { config } = loadConfig({ env: {} });
  return new GammaClient({ ...gammaClientOptions({ ...config.discovery, gamma_url: base }, clock), rateLimit: { max, windowMs: 10_000 }, timeoutMs: 5_000 });
}

describe('GammaClient (loopback server)', () => {
  it('fetches an event by slug and maps it; a slug Gamma does not know gives null', async () => {
    const gamma = client(new VirtualClock(0));
    const found = await gamma.eventBySlug('highest-temperature-in-nyc-on-june-12-2026');
    expect(found?.ok).toBe(true);
    if (!found?.ok) return;
    const t = parseTemperatureEvent(found.value);
    expect(t.ok && t.value.buckets).toHaveLength(11);
    expect(await gamma.eventBySlug('no-such-event')).toBeNull();
    expect(seen).toContain('/events?slug=highest-temperature-in-nyc-on-june-12-2026');
    gamma.close();
  });

  it('encodes queries with sorted keys and arrays as repeated keys', async () => {
    const gamma = client(new VirtualClock(0));
    const markets = await gamma.markets({ limit: 2, condition_ids: ['0xa', '0xb'], closed: false });
    expect(markets.map((m) => m.ok)).toEqual([true, true]);
    expect(seen).toContain('/markets?closed=false&condition_ids=0xa&condition_ids=0xb&limit=2');
    gamma.close();
  });

  it('raises typed errors on HTTP errors and bodies that are not JSON', async () => {
    const gamma = client(new VirtualClock(0));
    await expect(gamma.marketBySlug('down')).rejects.toMatchObject({ name: 'HttpError', status: 503 });
    await expect(gamma.eventBySlug('broken')).rejects.toBeInstanceOf(HttpError);
    gamma.close();
  });

  it('holds requests beyond the rate limit until the window has passed (virtual clock)', async () => {
    const clock = new VirtualClock(1_000);
    const gamma = client(clock, 2);
    const before = seen.length;
    const first = gamma.eventBySlug('a');
    const second = gamma.eventBySlug('b');
    const third = gamma.eventBySlug('c');
    await Promise.all([first, second]);
    // The third waits on a timer of the virtual clock, which has not moved: it cannot have been sent.
    expect(seen.length - before).toBe(2);
    clock.advanceBy(10_000);
    expect(await third).toBeNull();
    expect(seen.length - before).toBe(3);
    gamma.close();
  });

  it('times out a request the server never answers (virtual clock)', async () => {
    const clock = new VirtualClock(0);
    const gamma = client(clock);
    const pending = gamma.eventBySlug('hang');
    const settled = pending.catch((err: unknown) => err);
    await requestsSeen(seen.length + 1);
    clock.advanceBy(5_000);
    expect(await settled).toMatchObject({ name: 'HttpError', status: 0, message: expect.stringContaining('timed out') });
    gamma.close();
  });
});
