import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { ClobRestClient, ClobRestError } from '../../src/adapters/polymarket/clob-rest-client.ts';
import { decodeRestBook } from '../../src/adapters/polymarket/rest-book.ts';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { simMarkets } from './support/feed-fixtures.ts';

const backoff = { initialMs: 1, maxMs: 20, multiplier: 2, jitter: 0.5 };

describe('CLOB REST client against the simulator', () => {
  const sim = new VenueSimulator({ seed: 9, markets: simMarkets(3) });
  let restUrl = '';
  const client = (maxAttempts = 8) =>
    new ClobRestClient({ baseUrl: restUrl + '/', clock: new SystemClock(), rng: seededRng(1), timeoutMs: 2_000, maxAttempts, backoff });

  beforeAll(async () => {
    restUrl = (await sim.start()).restUrl;
  });
  afterAll(() => sim.stop());

  it('GET /book returns a summary whose documented hash verifies; unknown tokens give null', async () => {
    const c = client();
    const t = sim.tokens()[0]!;
    const raw = await c.getBook(t);
    const decoded = decodeRestBook(raw);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.hash_check?.ok).toBe(true);
    expect(decoded.value.book.asset_id).toBe(t);
    const truth = sim.trueBook(t);
    expect([...decoded.value.book.bids].reverse()).toEqual(truth.bids);
    expect([...decoded.value.book.asks].reverse()).toEqual(truth.asks);
    expect(await c.getBook('no-such-token')).toBeNull();
  });

  it('POST /books answers several tokens at once', async () => {
    const tokens = sim.tokens().slice(0, 4);
    const answers = await client().getBooks([...tokens, 'unknown']);
    expect(answers.map((a) => (a as { asset_id: string }).asset_id)).toEqual(tokens);
    expect(await client().getBooks([])).toEqual([]);
  });

  it('retries 429 and 5xx with backoff until an answer comes', async () => {
    sim.setFaults({ rest_429: 0.4, rest_5xx: 0.3 });
    const c = client(30);
    try {
      for (const t of sim.tokens()) expect(await c.getBook(t)).not.toBeNull();
    } finally {
      sim.setFaults({ rest_429: 0, rest_5xx: 0 });
    }
    expect(c.metrics.retries).toBeGreaterThan(0);
    expect(c.metrics.rate_limited).toBeGreaterThan(0);
    expect(c.metrics.server_errors).toBeGreaterThan(0);
    expect(c.metrics.failures).toBe(0);
  });

  it('gives up after max attempts with the last status', async () => {
    sim.setFaults({ rest_5xx: 1 });
    const c = client(3);
    try {
      const err = await c.getBooks(sim.tokens()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClobRestError);
      expect([500, 503]).toContain((err as ClobRestError).status);
      expect((err as ClobRestError).attempts).toBe(3);
      expect(c.metrics).toMatchObject({ requests: 3, retries: 2, failures: 1 });
    } finally {
      sim.setFaults({ rest_5xx: 0 });
    }
  });
});

describe('CLOB REST client timing (virtual clock)', () => {
  function scripted(responses: Array<() => Promise<Response>>) {
    const calls: string[] = [];
    const fetchImpl = ((url: string, init: RequestInit) => {
      calls.push(`${init.method} ${url}`);
      const next = responses.shift();
      if (!next) throw new Error('unexpected request');
      return next();
    }) as unknown as typeof fetch;
    return { calls, fetchImpl };
  }

  it('honours Retry-After on 429 (capped by the backoff ceiling)', async () => {
    const clock = new VirtualClock(0);
    const { calls, fetchImpl } = scripted([
      async () => new Response('slow down', { status: 429, headers: { 'retry-after': '2' } }),
      async () => Response.json({ ok: 1 }),
    ]);
    const c = new ClobRestClient({ baseUrl: 'http://127.0.0.1:9', clock, rng: seededRng(1), timeoutMs: 10_000, maxAttempts: 3, backoff: { ...backoff, maxMs: 60_000 }, fetch: fetchImpl });
    const p = c.getBook('x');
    await flush();
    expect(calls.length).toBe(1);
    clock.advanceBy(1_999);
    await flush();
    expect(calls.length).toBe(1);
    clock.advanceBy(1);
    await flush();
    expect(await p).toEqual({ ok: 1 });
    expect(calls).toEqual(['GET http://127.0.0.1:9/book?token_id=x', 'GET http://127.0.0.1:9/book?token_id=x']);
  });

  it('times a request out on the injected clock and retries it', async () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    // The first request hangs until aborted; the second answers.
    const hanging = ((_url: string, init: RequestInit) => {
      calls++;
      if (calls > 1) return Promise.resolve(Response.json([]));
      return new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    }) as unknown as typeof fetch;
    const c = new ClobRestClient({ baseUrl: 'http://127.0.0.1:9', clock, rng: seededRng(1), timeoutMs: 5_000, maxAttempts: 2, backoff, fetch: hanging });
    const p = c.getBooks(['a', 'b']);
    await flush();
    clock.advanceBy(5_000);
    await flush();
    clock.advanceBy(backoff.maxMs);
    await flush();
    expect(await p).toEqual([]);
    expect(c.metrics).toMatchObject({ requests: 2, retries: 1, failures: 0 });
  });

  it('does not retry a client error', async () => {
    const { calls, fetchImpl } = scripted([async () => new Response('bad', { status: 400 })]);
    const c = new ClobRestClient({ baseUrl: 'http://127.0.0.1:9', clock: new VirtualClock(0), rng: seededRng(1), timeoutMs: 1_000, maxAttempts: 5, backoff, fetch: fetchImpl });
    await expect(c.getBooks(['a'])).rejects.toMatchObject({ status: 400 });
    expect(calls.length).toBe(1);
  });
});

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('REST /book decoding', () => {
  const answer = {
    market: '0xabc',
    asset_id: '1001',
    timestamp: '1760000000000',
    hash: '',
    bids: [{ price: '0.4', size: '10' }],
    asks: [{ price: '0.45', size: '10' }],
  };

  it('refuses an answer without a market id (found by `npm run fuzz`): books are keyed by it downstream', () => {
    expect(decodeRestBook(answer).ok).toBe(true);
    const refused = decodeRestBook({ ...answer, market: '' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatch(/^market:/);
  });
});
