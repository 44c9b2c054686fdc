import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { HttpError } from '../../src/adapters/http/request-json.ts';
import { AwcBackingOff, AwcMetarClient } from '../../src/adapters/weather/awc-client.ts';
import { json, startLoopback, type Loopback } from '../truth/loopback.ts';

const T = Date.UTC(2026, 7, 20, 14);
const REPORT = { icaoId: 'KLGA', obsTime: T / 1000 - 540, reportTime: '2026-08-20T14:00:00.000Z', metarType: 'METAR', rawOb: 'METAR KLGA 201351Z 21010KT 10SM FEW047 31/19 A2992 RMK AO2 T03110189' };
let lb: Loopback | undefined;
afterEach(async () => {
  await lb?.close();
  lb = undefined;
});

function client(base: string, clock: VirtualClock): AwcMetarClient {
  return new AwcMetarClient({ baseUrl: base, fetch: (u, i) => fetch(u, i), clock, cacheTtlMs: 0, minRequestIntervalMs: 0, timeoutMs: 60_000, maxRequestsPerMinute: 100, backoff: { initialMs: 60_000, maxMs: 900_000, multiplier: 2, jitter: 0 } });
}

describe('aviationweather.gov client: backoff, and the answers it reads', () => {
  it('sends nothing while backing off after a 5xx, doubling per failure, and resets after an answer', async () => {
    const answers = [503, 503, 200, 503];
    lb = await startLoopback((_req, _b, res) => {
      const status = answers.shift() ?? 200;
      if (status === 200) json(res, [REPORT]);
      else res.writeHead(status).end('busy');
    });
    const clock = new VirtualClock(T);
    const c = client(lb.http, clock);
    await expect(c.recent(['KLGA'], 3)).rejects.toBeInstanceOf(HttpError);
    await expect(c.recent(['KLGA'], 3)).rejects.toBeInstanceOf(AwcBackingOff);
    clock.advanceBy(59_999);
    await expect(c.recent(['KLGA'], 3)).rejects.toBeInstanceOf(AwcBackingOff);
    expect(lb.requests).toHaveLength(1);
    clock.advanceBy(1);
    await expect(c.recent(['KLGA'], 3)).rejects.toMatchObject({ status: 503 });
    // Second failure in a row: 120 s.
    clock.advanceBy(119_999);
    await expect(c.recent(['KLGA'], 3)).rejects.toMatchObject({ failures: 2 });
    clock.advanceBy(1);
    expect(await c.recent(['KLGA'], 3)).toHaveLength(1);
    // An answer resets the count: the next failure waits the initial 60 s again.
    await expect(c.recent(['KLGA'], 3)).rejects.toMatchObject({ status: 503 });
    clock.advanceBy(60_000);
    expect(await c.recent(['KLGA'], 3)).toHaveLength(1);
    expect(lb.requests).toHaveLength(5);
  });

  it('honours a longer Retry-After on 429, and does not back off on a 400 (waiting would not fix it)', async () => {
    const answers: Array<[number, Record<string, string>]> = [[429, { 'retry-after': '300' }], [400, {}], [400, {}]];
    lb = await startLoopback((_req, _b, res) => {
      const [status, headers] = answers.shift() ?? [200, {}];
      if (status === 200) json(res, [REPORT]);
      else res.writeHead(status, headers).end('no');
    });
    const clock = new VirtualClock(T);
    const c = client(lb.http, clock);
    await expect(c.recent(['KLGA'], 3)).rejects.toMatchObject({ status: 429 });
    clock.advanceBy(299_999);
    await expect(c.recent(['KLGA'], 3)).rejects.toBeInstanceOf(AwcBackingOff);
    clock.advanceBy(1);
    await expect(c.recent(['KLGA'], 3)).rejects.toMatchObject({ status: 400 });
    await expect(c.recent(['KLGA'], 3)).rejects.toMatchObject({ status: 400 });
    expect(lb.requests).toHaveLength(3);
  });

  it('reads the station from the raw text when icaoId is absent, and skips reports without an observation time', async () => {
    const noId = { obsTime: T / 1000 - 540, rawOb: 'METAR KJFK 201351Z 20012KT 10SM SCT250 29/20 A2990 RMK AO2' };
    const noTime = { icaoId: 'KLGA', reportTime: '2026-08-20T14:00:00.000Z', rawOb: 'METAR KLGA 201351Z AUTO 00000KT' };
    lb = await startLoopback((_req, _b, res) => json(res, [REPORT, noId, noTime, null, 'x']));
    const c = client(lb.http, new VirtualClock(T));
    const out = await c.recent(['KJFK', 'KLGA'], 3);
    expect(out.map((r) => [r.station, r.obsMs])).toEqual([
      ['KJFK', T - 540_000],
      ['KLGA', T - 540_000],
    ]);
    expect(c.skippedReports).toBe(3);
  });
});
