import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { readCapture } from '../../src/adapters/capture/reader.ts';
import { CaptureRecorder } from '../../src/adapters/capture/recorder.ts';
import { openCapturedSocket } from '../../src/adapters/capture/socket.ts';
import { setCaptureTap } from '../../src/adapters/capture/tap.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { ClobRestClient } from '../../src/adapters/polymarket/clob-rest-client.ts';
import { GammaClient } from '../../src/adapters/polymarket/gamma-client.ts';
import { AwcMetarClient } from '../../src/adapters/weather/awc-client.ts';
import { WuPwsClient } from '../../src/adapters/weather/wu-pws-client.ts';
import { readFileSync } from 'node:fs';
import { PlaybackServer } from '../../src/apps/playback/playback-server.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { json, startLoopback, type Loopback } from '../truth/loopback.ts';
import { cleanupsPerTest } from './support/cleanups.ts';

const T0 = Date.UTC(2026, 7, 20, 14, 0);
const YES = '1111';
const NO = '2222';
const OTHER = '3333';
const book = (asset: string, bid: string, ts: number) => ({ event_type: 'book', market: '0xm', asset_id: asset, bids: [{ price: bid, size: '10' }], asks: [{ price: '0.6', size: '5' }], timestamp: String(ts), hash: `h${ts}` });
const change = (asset: string, price: string, size: string, ts: number) => ({ market: '0xm', price_changes: [{ asset_id: asset, price, size, side: 'BUY', hash: `c${ts}` }], timestamp: String(ts), event_type: 'price_change' });
/** What the origin's market socket sends, in order, after a subscribe; the test steps through it. */
const ORIGIN_FRAMES = [JSON.stringify([book(YES, '0.4', T0), book(NO, '0.5', T0), book(OTHER, '0.1', T0)]), JSON.stringify(change(YES, '0.45', '3', T0 + 1000)), 'PONG', JSON.stringify(change(NO, '0.55', '4', T0 + 3000))];
const EVENT = { id: '1', slug: 'highest-temperature-in-nyc-on-august-20-2026', markets: [{ conditionId: '0xm', clobTokenIds: JSON.stringify([YES, NO]) }] };
const METARS = [{ icaoId: 'KLGA', obsTime: T0 / 1000 - 540, reportTime: '2026-08-20T14:00:00.000Z', metarType: 'METAR', rawOb: 'METAR KLGA 201351Z 21010KT 10SM FEW047 31/19 A2992 RMK AO2 T03110189' }];

const silent = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
const { cleanups, tempDir } = cleanupsPerTest('helios-capture-');
// After hooks run last-registered first: the tap is unset before what the test opened is closed.
afterEach(() => setCaptureTap(null));

async function origin(): Promise<Loopback> {
  const lb = await startLoopback((req, body, res) => {
    const url = req.url ?? '';
    const token = new URL(url, 'http://x').searchParams.get('token_id');
    if (url.startsWith('/clob/book?') && token !== '9999') return json(res, book(token!, '0.4', T0));
    if (url === '/clob/books') return json(res, (JSON.parse(body) as Array<{ token_id: string }>).map((t) => book(t.token_id, '0.4', T0)));
    if (url.startsWith('/gamma/events?')) return json(res, [EVENT]);
    if (url.startsWith('/awc/api/data/metar?')) return json(res, METARS);
    res.writeHead(404).end('{"error":"no"}');
  });
  cleanups.push(() => lb.close());
  return lb;
}

function clients(bases: { clob: string; gamma: string; awc: string }, clock: VirtualClock) {
  return {
    clob: new ClobRestClient({ baseUrl: bases.clob, clock, rng: seededRng(1), timeoutMs: 5000, maxAttempts: 1, backoff: { initialMs: 100, maxMs: 100, multiplier: 2, jitter: 0 }, fetch: (u, i) => fetch(u, i) }),
    gamma: new GammaClient({ baseUrl: bases.gamma, clock, rateLimit: { max: 100, windowMs: 1000 }, timeoutMs: 5000, fetch: (u, i) => fetch(u, i) }),
    awc: new AwcMetarClient({ baseUrl: bases.awc, fetch: (u, i) => fetch(u, i), clock, cacheTtlMs: 0, minRequestIntervalMs: 0, timeoutMs: 5000 }),
  };
}

/** Everything the clients read, in one object to compare capture and playback by. */
async function readAll(c: ReturnType<typeof clients>) {
  return {
    book: await c.clob.getBook(YES),
    books: await c.clob.getBooks([YES, NO]),
    event: await c.gamma.getJson('/events', { slug: EVENT.slug }),
    metar: await c.awc.recent(['KLGA'], 3),
    missing: await c.clob.getBook('9999').catch((e: Error) => e.message),
  };
}

function received(ws: WebSocket): string[] {
  const out: string[] = [];
  ws.on('message', (d: Buffer) => out.push(d.toString('utf8')));
  return out;
}

async function opened(ws: WebSocket): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
}

/** Captures the origin through the real clients and a captured market socket, stepping a virtual clock 1 s per frame. */
async function captureOrigin(dir: string) {
  const lb = await origin();
  const clock = new VirtualClock(T0);
  const sources = { clob: `${lb.http}/clob`, gamma: `${lb.http}/gamma`, awc: `${lb.http}/awc`, market: `${lb.ws}/ws/market` };
  const recorder = new CaptureRecorder({ dir, clock, sources, heliosVersion: 'test', note: 'round trip' });
  setCaptureTap(recorder);
  const direct = await readAll(clients(sources, clock));
  const ws = openCapturedSocket(sources.market);
  cleanups.push(() => ws.terminate());
  const got = received(ws);
  await opened(ws);
  ws.send(JSON.stringify({ assets_ids: [YES, NO], type: 'market', custom_feature_enabled: true }));
  await vi.waitFor(() => expect(lb.sockets[0]?.received.length).toBe(1));
  const times = [0, 1000, 2000, 3000];
  for (let i = 0; i < ORIGIN_FRAMES.length; i++) {
    clock.advanceTo(T0 + times[i]!);
    lb.sockets[0]!.socket.send(ORIGIN_FRAMES[i]!);
    await vi.waitFor(() => expect(got.length).toBe(i + 1));
  }
  setCaptureTap(null);
  const manifest = await recorder.close();
  return { direct, manifest, got };
}

async function playback(dir: string, speed: number) {
  const clock = new VirtualClock(5_000_000);
  const server = new PlaybackServer({ capture: readCapture(dir), clock, speed, host: '127.0.0.1', port: 0, maxBodyBytes: 1 << 16, logger: silent });
  await server.listen();
  cleanups.push(() => server.close());
  return { server, clock, urls: server.urls() };
}

describe('capture → playback round trip', () => {
  it('records every answer and frame as it arrived, and playback serves the same answers to the same clients', async () => {
    const dir = tempDir();
    const { direct, manifest, got } = await captureOrigin(dir);
    expect(manifest.counts).toEqual({ http: 5, frames: 4 });
    const cap = readCapture(dir);
    expect(cap.malformed).toEqual([]);
    expect(cap.frames.map((f) => [f.source, f.recv_ms - T0, f.text])).toEqual(ORIGIN_FRAMES.map((t, i) => ['market', [0, 1000, 2000, 3000][i], t]));
    expect(cap.http.map((h) => `${h.source} ${h.method} ${h.key.split('#')[0]} ${h.status}`)).toEqual([
      `clob GET /book?token_id=${YES} 200`,
      'clob POST /books 200',
      `gamma GET /events?slug=${EVENT.slug} 200`,
      'awc GET /api/data/metar?format=json&hours=3&ids=KLGA 200',
      'clob GET /book?token_id=9999 404',
    ]);
    expect(got).toEqual(ORIGIN_FRAMES);

    const { urls } = await playback(dir, 1);
    const played = await readAll(clients({ clob: urls.clob!, gamma: urls.gamma!, awc: urls.awc! }, new VirtualClock(0)));
    expect(played).toEqual(direct);
  });

  it('answers a request that was not captured with 404 saying so', async () => {
    const dir = tempDir();
    await captureOrigin(dir);
    const { urls } = await playback(dir, 1);
    const res = await fetch(`${urls.gamma}/markets?slug=nope`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('not captured: GET /gamma/markets?slug=nope');
  });

  it('replays market frames of the subscribed assets in captured order, timing scaled by speed, with the book as of subscribe', async () => {
    const dir = tempDir();
    await captureOrigin(dir);
    const { server, clock, urls } = await playback(dir, 2);
    const ws = new WebSocket(urls.market!);
    cleanups.push(() => ws.terminate());
    const got = received(ws);
    await opened(ws);
    ws.send(JSON.stringify({ assets_ids: [YES], type: 'market', custom_feature_enabled: true }));
    // Capture time is at its start: the initial dump (captured at +0) is the book as of now, YES only.
    await vi.waitFor(() => expect(got).toEqual([JSON.stringify([book(YES, '0.4', T0)])]));
    ws.send('PING');
    await vi.waitFor(() => expect(got).toHaveLength(2));
    expect(got[1]).toBe('PONG');
    // At speed 2 the change captured at +1000 is due 500 ms later, not before.
    clock.advanceBy(499);
    expect(server.stats.market.frames_sent).toBe(1);
    clock.advanceBy(1);
    expect(server.stats.market.frames_sent).toBe(2);
    await vi.waitFor(() => expect(got).toHaveLength(3));
    expect(got[2]).toBe(ORIGIN_FRAMES[1]);
    // The NO change (+3000) is not for this subscriber; the captured PONG is never replayed.
    clock.advanceBy(1500);
    expect(server.pendingFrames).toBe(0);
    expect(server.stats.market.frames_sent).toBe(2);
    // A late subscriber to NO gets NO's book and then its change since that book, at once.
    ws.send(JSON.stringify({ assets_ids: [NO], operation: 'subscribe', custom_feature_enabled: true }));
    await vi.waitFor(() => expect(got).toHaveLength(5));
    expect(got.slice(3)).toEqual([JSON.stringify([book(NO, '0.5', T0)]), ORIGIN_FRAMES[3]]);
  });

  it('keeps credentials out of the capture: the WU key is dropped from the key and the URL, and playback answers any key', async () => {
    const lb = await startLoopback((_req, _b, res) => json(res, { observations: [{ stationID: 'KNYNEWYO1', epoch: T0 / 1000, imperial: { temp: 71 } }] }));
    cleanups.push(() => lb.close());
    const dir = tempDir();
    const clock = new VirtualClock(T0);
    const recorder = new CaptureRecorder({ dir, clock, sources: { wu: `${lb.http}/wu` }, heliosVersion: 'test', note: 'wu' });
    setCaptureTap(recorder);
    const wu = (base: string, key: string) => new WuPwsClient({ baseUrl: base, apiKey: { reveal: () => key }, fetch: (u, i) => fetch(u, i), clock, cacheTtlMs: 0, minRequestIntervalMs: 0, maxRequestsPerMinute: 100, timeoutMs: 5000 });
    const direct = await wu(`${lb.http}/wu`, 'sekrit-key-123').current('KNYNEWYO1');
    setCaptureTap(null);
    await recorder.close();
    expect(readFileSync(join(dir, 'http.ndjson'), 'utf8')).not.toContain('sekrit-key-123');
    expect(readCapture(dir).http[0]!.key).toBe('/v2/pws/observations/current?format=json&numericPrecision=decimal&stationId=KNYNEWYO1&units=e');
    const { urls } = await playback(dir, 1);
    expect(await wu(urls.wu!, 'another-key').current('KNYNEWYO1')).toEqual(direct);
  });
});
