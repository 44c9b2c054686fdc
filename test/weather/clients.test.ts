import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { AwcMetarClient } from '../../src/adapters/weather/awc-client.ts';
import { HttpError } from '../../src/adapters/http/request-json.ts';
import { WuPwsClient } from '../../src/adapters/weather/wu-pws-client.ts';

interface Loopback {
  base: string;
  requests: string[];
  close(): Promise<void>;
}

const servers: Loopback[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Loopback> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const lb = {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  servers.push(lb);
  return lb;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

/** Lets pending I/O callbacks and promise continuations run. */
const settle = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

const AWC_BODY = [
  {
    icaoId: 'KLGA',
    obsTime: Date.UTC(2025, 6, 4, 15, 51) / 1000,
    reportTime: '2025-07-04T16:00:00.000Z',
    metarType: 'METAR',
    rawOb: 'METAR KLGA 041551Z 21010KT 10SM FEW047 31/19 A2992 RMK AO2 SLP131 T03110189',
  },
  {
    icaoId: 'KLGA',
    obsTime: Date.UTC(2025, 6, 4, 16, 14) / 1000,
    reportTime: '2025-07-04T16:14:00.000Z',
    metarType: 'SPECI',
    rawOb: 'KLGA 041614Z 22012KT 10SM FEW047 32/19 A2991 RMK AO2 T03170189',
  },
];

describe('aviationweather.gov METAR client (loopback)', () => {
  it('requests the data API, uses obsTime (not the rounded reportTime) and the metarType', async () => {
    const lb = await serve((_req, res) => json(res, 200, AWC_BODY));
    const client = new AwcMetarClient({ baseUrl: lb.base, fetch: (u, i) => fetch(u, i), clock: new SystemClock(), cacheTtlMs: 0, minRequestIntervalMs: 0, timeoutMs: 5000 });
    const out = await client.recent(['KLGA', 'KJFK'], 3);
    expect(lb.requests).toEqual(['/api/data/metar?ids=KJFK%2CKLGA&format=json&hours=3']);
    expect(out).toEqual([
      { station: 'KLGA', obsMs: Date.UTC(2025, 6, 4, 15, 51), raw: AWC_BODY[0]!.rawOb, typeHint: 'METAR' },
      { station: 'KLGA', obsMs: Date.UTC(2025, 6, 4, 16, 14), raw: AWC_BODY[1]!.rawOb, typeHint: 'SPECI' },
    ]);
  });

  it('serves repeats from the cache within its TTL', async () => {
    const lb = await serve((_req, res) => json(res, 200, AWC_BODY));
    const client = new AwcMetarClient({ baseUrl: lb.base, fetch: (u, i) => fetch(u, i), clock: new SystemClock(), cacheTtlMs: 60_000, minRequestIntervalMs: 0, timeoutMs: 5000 });
    await client.recent(['KLGA'], 3);
    await client.recent(['KLGA'], 3);
    await Promise.all([client.recent(['KLGA'], 2), client.recent(['KLGA'], 2)]);
    expect(lb.requests).toHaveLength(2);
  });

  it('spaces requests by the minimum interval on the injected clock', async () => {
    const lb = await serve((_req, res) => json(res, 200, AWC_BODY));
    const clock = new VirtualClock(Date.UTC(2025, 6, 4, 16));
    const client = new AwcMetarClient({ baseUrl: lb.base, fetch: (u, i) => fetch(u, i), clock, cacheTtlMs: 0, minRequestIntervalMs: 2000, timeoutMs: 60_000 });
    await client.recent(['KLGA'], 3);
    const second = client.recent(['KLGA'], 3);
    await settle();
    expect(lb.requests).toHaveLength(1);
    clock.advanceBy(1999);
    await settle();
    expect(lb.requests).toHaveLength(1);
    clock.advanceBy(1);
    await second;
    expect(lb.requests).toHaveLength(2);
  });
});

describe('Weather Underground PWS client (loopback)', () => {
  const body = (id: string, temp: number) => ({
    observations: [{ stationID: id, obsTimeUtc: '2025-07-04T16:05:00Z', epoch: Date.UTC(2025, 6, 4, 16, 5) / 1000, qcStatus: 1, imperial: { temp, dewpt: 65, windSpeed: 4 } }],
  });

  it('reads current observations in imperial units, treats 204 as no data, and keeps the key out of errors', async () => {
    const lb = await serve((req, res) => {
      const id = new URL(req.url!, 'http://x').searchParams.get('stationId');
      if (id === 'OFFLINE') {
        res.writeHead(204);
        res.end();
      } else if (id === 'DENIED') json(res, 401, { errors: [{ error: { code: 'CDN-0001' } }] });
      else json(res, 200, body(id!, 88));
    });
    const client = new WuPwsClient({ baseUrl: lb.base, apiKey: { reveal: () => 'sekrit-key' }, fetch: (u, i) => fetch(u, i), clock: new SystemClock(), cacheTtlMs: 0, minRequestIntervalMs: 0, maxRequestsPerMinute: 100, timeoutMs: 5000 });
    expect(await client.current('KNYNEWYO1')).toEqual({ pwsId: 'KNYNEWYO1', obsMs: Date.UTC(2025, 6, 4, 16, 5), tempF: 88, qcStatus: 1 });
    expect(lb.requests[0]).toBe('/v2/pws/observations/current?stationId=KNYNEWYO1&format=json&units=e&numericPrecision=decimal&apiKey=sekrit-key');
    expect(await client.current('OFFLINE')).toBeNull();
    const err = await client.current('DENIED').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 401, target: 'GET wu:current:DENIED' });
    expect((err as Error).message).toMatch(/^GET wu:current:DENIED: HTTP 401 /);
    expect((err as Error).message).not.toContain('sekrit');
  });

  it('holds requests beyond the per-minute budget until the window rolls on the injected clock', async () => {
    const lb = await serve((req, res) => json(res, 200, body(new URL(req.url!, 'http://x').searchParams.get('stationId')!, 80)));
    const clock = new VirtualClock(Date.UTC(2025, 6, 4, 16));
    const client = new WuPwsClient({ baseUrl: lb.base, apiKey: { reveal: () => 'k' }, fetch: (u, i) => fetch(u, i), clock, cacheTtlMs: 0, minRequestIntervalMs: 0, maxRequestsPerMinute: 2, timeoutMs: 120_000 });
    await client.current('A');
    await client.current('B');
    const third = client.current('C');
    await settle();
    expect(lb.requests).toHaveLength(2);
    clock.advanceBy(59_999);
    await settle();
    expect(lb.requests).toHaveLength(2);
    clock.advanceBy(1);
    expect((await third)?.pwsId).toBe('C');
    expect(lb.requests).toHaveLength(3);
  });
});
