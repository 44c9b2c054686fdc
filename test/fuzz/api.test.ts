import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CHANNELS } from '../../src/domain/events/channels.ts';
import { startApi, type ApiUnderTest } from '../support/recording-api.ts';
import { applyText, deepText, jsonText, mutatedLine, mutatedText, mutatedValue, randomText, textOp } from './support/mutate.ts';
import { rawExchange, serialize, type RequestSpec } from './support/raw-http.ts';
import { FUZZ_RUNS, fuzzParams, fuzzTimeoutMs } from './support/runs.ts';

const TOKEN = 'fuzz-token-7d1f0c9a';
const MAX_BODY = 1024;
const MAX_FRAME = 1024;
const READS = ['/health', '/subscriptions', '/reconciler/metrics', '/stats', '/markets', '/metrics'];
const WRITES = ['/reconciler/force', '/halt', '/resume'];
const ROUTES = [...READS, ...WRITES, '/ws'];
const HALTS = [{ scope: 'global' }, { scope: 'market', market_id: 'm1', reason: 'fuzz' }, { scope: 'global', reason: 'maintenance' }];
const HALT_KEYS = ['scope', 'market_id', 'reason'];

let server: ApiUnderTest;
beforeAll(async () => {
  server = await startApi({ token: TOKEN, maxBodyBytes: MAX_BODY, maxFrameBytes: MAX_FRAME });
});
afterAll(async () => {
  await server.close();
});

/** Visible ASCII without CR/LF: header values that cannot re-frame the request. */
const headerText = fc.string({ unit: fc.constantFrom(...' \t!"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~'), maxLength: 40 });
const target = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ROUTES) },
  { weight: 1, arbitrary: fc.constantFrom(...ROUTES).map((r) => `${r}?x=1&token=${TOKEN.slice(0, 4)}`) },
  { weight: 2, arbitrary: mutatedLine(ROUTES) },
  { weight: 1, arbitrary: fc.constantFrom('/__proto__', '/constructor', '/toString', '/hasOwnProperty', '*', '//health', '/health/', '/HEALTH', 'http://127.0.0.1/health', '/%2e%2e/halt', '/..', '/' + 'a'.repeat(9_000)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => '/' + encodeURIComponent(s)) },
);
const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST') },
  { weight: 2, arbitrary: fc.constantFrom('PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'get', 'post', 'CONNECT') },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'ABCDEGHILOPSTUX-_!'), minLength: 1, maxLength: 8 }) },
);
type Auth = 'none' | 'right' | 'wrong' | 'malformed';
const auth = fc.constantFrom<Auth>('none', 'right', 'right', 'wrong', 'malformed');
const authHeader = (a: Auth, variant: number): Array<[string, string]> => {
  if (a === 'none') return [];
  if (a === 'right') return [['Authorization', `Bearer ${TOKEN}`]];
  if (a === 'wrong') return [['Authorization', ['Bearer nope', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.toUpperCase()}`, `Bearer ${TOKEN.slice(1)}`][variant % 4]!]];
  return [['Authorization', ['Bearer', 'Basic Zm9vOmJhcg==', TOKEN, `Token ${TOKEN}`, 'Bearer\t'][variant % 5]!]];
};
const extraHeaders = fc.array(
  fc.oneof(
    fc.constantFrom<[string, string]>(
      ['Content-Type', 'application/json'],
      ['Content-Type', 'text/plain; charset=utf-16'],
      ['X-Forwarded-For', '203.0.113.9'],
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Version', '13'],
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ['Expect', '100-continue'],
      ['Authorization', `Bearer ${TOKEN}`],
    ),
    fc.tuple(fc.string({ unit: fc.constantFrom(...'abcxyzXYZ-_0'), minLength: 1, maxLength: 12 }), headerText),
  ),
  { maxLength: 3 },
);
const body = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 4, arbitrary: mutatedValue(HALTS, HALT_KEYS).map(jsonText) },
  { weight: 2, arbitrary: fc.constantFrom(...HALTS.map((h) => JSON.stringify(h))) },
  { weight: 2, arbitrary: mutatedText(HALTS, HALT_KEYS) },
  { weight: 1, arbitrary: randomText.filter((t) => t.length <= 4 * MAX_BODY) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_BODY + 1, max: 4 * MAX_BODY }).map((n) => JSON.stringify({ scope: 'global', reason: 'x'.repeat(n) })) },
  { weight: 1, arbitrary: deepText(MAX_BODY / 2) },
);
const request = fc.record({ method, target, auth, variant: fc.nat(), headers: extraHeaders, body, chunked: fc.boolean() });

describe(`HTTP API requests (${FUZZ_RUNS} cases per property)`, () => {
  it('random and mutated requests get a 2xx/4xx/503 answer; only authorized valid POSTs reach the daemon', async () => {
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers = [...authHeader(r.auth, r.variant), ...r.headers];
        const spec: RequestSpec = { method: r.method, target: r.target, headers, body: r.body, chunked: r.chunked };
        const before = server.api.mutations();
        const logged = server.logLines.length;
        const answer = await rawExchange(server.port, serialize(spec));
        const key = String(answer.status);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        expect(answer.timedOut, 'the server left a framed request unanswered').toBe(false);
        expect(answer.status === null || [101, 200, 400, 401, 403, 404, 405, 413, 431, 503].includes(answer.status), answer.head).toBe(true);
        expect(server.logLines.slice(logged).filter((l) => /"level":"error"/.test(l))).toEqual([]);
        const changed = server.api.mutations() !== before;
        if (changed) {
          // HTTP parsers tolerate stray spaces around the request target: "/resume " is /resume.
          const path = r.target.split('?')[0]!.trim();
          expect(answer.status).toBe(200);
          expect(r.method).toBe('POST');
          expect(WRITES).toContain(path);
          expect(headers.some(([k, v]) => k === 'Authorization' && v === `Bearer ${TOKEN}`)).toBe(true);
        }
        if (answer.status !== 200) expect(server.api.mutations()).toBe(before);
      }),
      fuzzParams('http-api-structured'),
    );
    // The property is only worth something when answers were mostly real and some writes went through.
    expect((statuses.get('null') ?? 0) < FUZZ_RUNS / 4, JSON.stringify([...statuses])).toBe(true);
    expect(server.api.halts.length + server.api.resumes.length + server.api.forced).toBeGreaterThan(0);
  }, fuzzTimeoutMs(60_000));

  it('byte-level mutations of request heads never crash the server nor reach a mutating endpoint', async () => {
    const heads = [
      'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close',
      'POST /halt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer wrong-token',
      'POST /reconciler/force HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close',
      'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ];
    const mutated = fc
      .tuple(fc.constantFrom(...heads), fc.array(textOp, { minLength: 1, maxLength: 4 }))
      .map(([h, ops]) => ops.reduce((t, op) => applyText(t, op), h))
      // A body length or chunking the mutation invented would leave the server waiting for bytes that never come.
      .filter((h) => h.trim() !== '' && !/content-length|transfer-encoding|expect/i.test(h));
    const before = server.api.mutations();
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(mutated, async (head) => {
        const logged = server.logLines.length;
        // Keep-alive is possible once "close" is mangled: the deadline then ends the exchange.
        const answer = await rawExchange(server.port, Buffer.from(head + '\r\n\r\n', 'latin1'), 1_000);
        if (answer.status !== null) answered++;
        expect(answer.status === null || answer.status < 500 || answer.status === 503, answer.head).toBe(true);
        expect(server.logLines.slice(logged).filter((l) => /"level":"error"/.test(l))).toEqual([]);
      }),
      fuzzParams('http-api-mutated-heads'),
    );
    expect(server.api.mutations()).toBe(before);
    expect(answered).toBeGreaterThan(FUZZ_RUNS / 2);
    // Still serving.
    expect((await rawExchange(server.port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).status).toBe(200);
  }, fuzzTimeoutMs(60_000));
});

describe(`WebSocket API requests (${FUZZ_RUNS} cases)`, () => {
  function open(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }

  /** The next reply, or the close code when the server closed instead. */
  function reply(ws: WebSocket): Promise<{ text: string } | { closed: number }> {
    return new Promise((resolve) => {
      const onMessage = (d: Buffer) => {
        ws.off('close', onClose);
        resolve({ text: d.toString() });
      };
      const onClose = (code: number) => {
        ws.off('message', onMessage);
        resolve({ closed: code });
      };
      ws.once('message', onMessage);
      ws.once('close', onClose);
    });
  }

  it('every request gets an answer; a refused one leaves the subscriptions as they were', async () => {
    const SAMPLES = [
      { op: 'subscribe', channels: ['tape'] },
      { op: 'subscribe', channels: [...CHANNELS].slice(0, 2), market_id: 'm1' },
      { op: 'unsubscribe', channels: ['tape'] },
      { op: 'subscribe', channels: [CHANNELS[CHANNELS.length - 1]], station_id: 'KXYZ' },
    ];
    const KEYS = ['op', 'channels', 'market_id', 'station_id'];
    const frame = fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...SAMPLES.map((s) => JSON.stringify(s))) },
      { weight: 4, arbitrary: mutatedValue(SAMPLES, KEYS).map(jsonText) },
      { weight: 2, arbitrary: mutatedText(SAMPLES, KEYS) },
      { weight: 2, arbitrary: randomText.filter((t) => t.length <= 3 * MAX_FRAME) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
    );
    let ws = await open();
    let channels: string[] = [];
    const counts = { ok: 0, refused: 0, closed: 0 };
    await fc.assert(
      fc.asyncProperty(frame, async (f) => {
        const answer = reply(ws);
        ws.send(f);
        const a = await answer;
        if ('closed' in a) {
          // Only frames over the limit close the socket (1009); anything else must be answered.
          expect(a.closed).toBe(1009);
          expect(Buffer.byteLength(f as string | Buffer)).toBeGreaterThan(MAX_FRAME);
          counts.closed++;
          ws = await open();
          channels = [];
          return;
        }
        const msg = JSON.parse(a.text) as { op: string; channels?: string[]; message?: string };
        if (msg.op === 'error') {
          expect(typeof msg.message).toBe('string');
          counts.refused++;
          return;
        }
        // Accepted: the server's channel list is what the request did to the state before it,
        // so no refused request in between changed anything.
        const req = JSON.parse(f.toString()) as { op: string; channels: string[] };
        expect(['subscribed', 'unsubscribed']).toContain(msg.op);
        const expected = new Set(channels);
        for (const c of req.channels) req.op === 'subscribe' ? expected.add(c) : expected.delete(c);
        expect(msg.channels).toEqual([...expected].sort());
        channels = msg.channels!;
        counts.ok++;
      }),
      fuzzParams('ws-api-requests'),
    );
    ws.terminate();
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(FUZZ_RUNS / 10);
    expect(server.channels.stats.rejected_requests).toBe(counts.refused);
  }, fuzzTimeoutMs(60_000));
});
