import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { decodeMarketFrame } from '../../src/adapters/polymarket/market-decoder.ts';
import { decodeRestBook } from '../../src/adapters/polymarket/rest-book.ts';
import { SyntheticMarkets } from '../../src/sim/venue/synthetic-markets.ts';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import { NO_FAULTS, type VenueFaults } from '../../src/sim/venue/venue-faults.ts';
import { MarketBooks } from '../../src/domain/book/market-books.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { simMarkets, sleep } from './support/feed-fixtures.ts';

/** A bare market-channel client: raw frames in, text out. */
async function client(url: string) {
  const ws = new WebSocket(url);
  const frames: string[] = [];
  let closed: number | null = null;
  ws.on('message', (d) => frames.push(d.toString()));
  ws.on('close', (code) => (closed = code));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames, closedWith: () => closed };
}

describe('venue simulator', () => {
  let sim: VenueSimulator | null = null;
  afterEach(async () => {
    await sim?.stop();
    sim = null;
  });

  it('runs its order flow at the rate asked, on average, at rates that are not a multiple of its 50 slices per second', () => {
    vi.useFakeTimers();
    try {
      for (const [rate, expected] of [[5, 50], [120, 1_200], [50, 500], [333, 3_330]] as const) {
        const venue = new VenueSimulator({ seed: 1, markets: simMarkets(2) });
        venue.run(rate);
        vi.advanceTimersByTime(10_000);
        venue.pause();
        // Each slice rounded its share before: 5/s ran 50, 120/s ran 100, 333/s ran 350.
        expect(venue.stats.steps, `${rate}/s over 10 s`).toBe(expected);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('speaks the current market channel: initial dump, price_changes for both tokens, trades, PONG, unsubscribe', async () => {
    sim = new VenueSimulator({ seed: 1, markets: simMarkets(2) });
    const { wsUrl } = await sim.start();
    const c = await client(wsUrl);
    const [yes, no] = sim.tokens();
    c.ws.send(JSON.stringify({ assets_ids: [yes, no], type: 'market', custom_feature_enabled: true }));
    await vi.waitFor(() => expect(c.frames.length > 0, 'dump').toBe(true), 2_000);
    const dump = JSON.parse(c.frames[0]!) as Array<{ event_type: string; bids: Array<{ price: string }>; asks: Array<{ price: string }> }>;
    expect(Array.isArray(dump)).toBe(true);
    expect(dump.map((b) => b.event_type)).toEqual(['book', 'book']);
    // Best prices are the LAST elements, as on the real venue.
    const bidPrices = dump[0]!.bids.map((l) => Number(l.price));
    const askPrices = dump[0]!.asks.map((l) => Number(l.price));
    expect(bidPrices).toEqual([...bidPrices].sort((a, b) => a - b));
    expect(askPrices).toEqual([...askPrices].sort((a, b) => b - a));
    sim.step(400);
    c.ws.send('PING');
    await vi.waitFor(() => expect(c.frames.includes('PONG'), 'PONG').toBe(true), 2_000);
    const kinds = new Set<string>();
    let mixed = 0;
    for (const f of c.frames) {
      const { messages, error } = decodeMarketFrame(f);
      expect(error).toBeNull();
      for (const m of messages) {
        kinds.add(m.kind);
        if (m.kind === 'price_change') {
          expect(m.format).toBe('price_changes');
          if (new Set(m.changes.map((x) => x.asset_id)).size === 2) mixed++;
        }
      }
    }
    expect([...kinds].sort()).toEqual(['book', 'last_trade_price', 'pong', 'price_change']);
    expect(mixed).toBeGreaterThan(0);
    c.ws.send(JSON.stringify({ assets_ids: [yes, no], operation: 'unsubscribe' }));
    await vi.waitFor(() => expect(sim!.subscriptions().length === 0, 'unsubscribed').toBe(true), 2_000);
    const before = c.frames.length;
    sim.step(200);
    await sleep(50);
    expect(c.frames.length).toBe(before);
    c.ws.close();
  });

  it('its frames describe its true books exactly (applied through the production decoder and books)', async () => {
    sim = new VenueSimulator({ seed: 2, markets: simMarkets(3), faults: { tick_size_change: 0.01 } });
    const { wsUrl } = await sim.start();
    const c = await client(wsUrl);
    c.ws.send(JSON.stringify({ assets_ids: sim.tokens(), type: 'market' }));
    await vi.waitFor(() => expect(c.frames.length > 0, 'dump').toBe(true), 2_000);
    sim.step(3_000);
    const books = new MarketBooks();
    // The venue answers PING in order on the same socket: the PONG comes after every frame sent before.
    c.ws.send('PING');
    await vi.waitFor(() => expect(c.frames.at(-1) === 'PONG', 'every frame').toBe(true), 5_000);
    for (const f of c.frames) for (const m of decodeMarketFrame(f).messages) books.apply(m);
    expect(sim.stats.faults.tick_size_change).toBeGreaterThan(0);
    for (const t of sim.tokens()) {
      const s = books.get(t)!;
      expect(s.synced, t).toBe(true);
      const truth = sim.trueBook(t);
      expect(s.book.topN(1_000), t).toEqual({ bids: truth.bids, asks: truth.asks });
      expect(s.book.tickSize).toBe(truth.tick_size);
    }
    c.ws.close();
  });

  it('REST /book and /books answer the true book with a hash that verifies', async () => {
    sim = new VenueSimulator({ seed: 3, markets: simMarkets(2) });
    const { restUrl } = await sim.start();
    sim.step(500);
    const [a, b] = sim.tokens();
    const one = decodeRestBook(await (await fetch(`${restUrl}/book?token_id=${a}`)).json());
    expect(one.ok && one.value.hash_check?.ok).toBe(true);
    const many = (await (await fetch(`${restUrl}/books`, { method: 'POST', body: JSON.stringify([{ token_id: a }, { token_id: b }]) })).json()) as unknown[];
    expect(many.map((x) => decodeRestBook(x)).every((d) => d.ok && d.value.hash_check?.ok)).toBe(true);
    expect((await fetch(`${restUrl}/book?token_id=nope`)).status).toBe(404);
  });

  it('setFairValue moves the flow: the book follows the new fair value', async () => {
    sim = new VenueSimulator({ seed: 4, markets: simMarkets(1) });
    await sim.start();
    const [yes, no] = sim.tokens();
    sim.setFairValue(yes!, 0.8);
    expect(sim.fairValue(no!)).toBeCloseTo(0.2, 9);
    sim.step(3_000);
    const book = sim.trueBook(yes!);
    const mid = (book.bids[0]![0] + book.asks[0]![0]) / 2;
    expect(Math.abs(mid - 0.8)).toBeLessThan(0.06);
    const mirror = sim.trueBook(no!);
    expect(mirror.bids[0]![0]).toBeCloseTo(1 - book.asks[0]![0], 9);
  });

  it('the same seed gives the same order flow', () => {
    const frames = (seed: number) => {
      const m = new SyntheticMarkets(simMarkets(3), seededRng(seed), { bookAfterTradeProb: 0.3, bareDecimalProb: 0.05 });
      const out: string[] = [];
      for (let i = 0; i < 500; i++) for (const f of m.step()) out.push(JSON.stringify(f.body));
      return out;
    };
    expect(frames(5)).toEqual(frames(5));
    expect(frames(5)).not.toEqual(frames(6));
  });

  const faultCases: Array<[keyof VenueSimulator['stats']['faults'], Partial<VenueFaults>]> = [
    ['drop', { drop: 0.5 }],
    ['duplicate', { duplicate: 0.5 }],
    ['reorder', { reorder: 0.5 }],
    ['malformed', { malformed: 0.5 }],
    ['crossed_update', { crossed_update: 0.2 }],
    ['tick_size_change', { tick_size_change: 0.05 }],
    ['disconnect', { disconnect: 0.05 }],
    ['freeze', { freeze: 0.05 }],
  ];

  it.each(faultCases)('fault %s is off by default, on when switched on, and off again when paused', async (name, faults) => {
    sim = new VenueSimulator({ seed: 5, markets: simMarkets(2) });
    const { wsUrl } = await sim.start();
    const c = await client(wsUrl);
    c.ws.send(JSON.stringify({ assets_ids: sim.tokens(), type: 'market' }));
    await vi.waitFor(() => expect(sim!.subscriptions().length === 4, 'subscribed').toBe(true), 2_000);
    sim.step(300);
    expect(Object.values(sim.stats.faults).every((n) => n === 0)).toBe(true);
    sim.setFaults(faults);
    sim.step(300);
    expect(sim.stats.faults[name]).toBeGreaterThan(0);
    const count = sim.stats.faults[name];
    sim.pauseFaults();
    sim.step(300);
    expect(sim.stats.faults[name]).toBe(count);
    c.ws.terminate();
  });

  it('a frozen connection still answers PING but gets no data; 1008 for batches over the limit', async () => {
    sim = new VenueSimulator({ seed: 6, markets: simMarkets(2), faults: { ...NO_FAULTS, policy_close_batch: 3 } });
    const { wsUrl } = await sim.start();
    const big = await client(wsUrl);
    big.ws.send(JSON.stringify({ assets_ids: sim.tokens(), type: 'market' }));
    await vi.waitFor(() => expect(big.closedWith() !== null, 'policy close').toBe(true), 2_000);
    expect(big.closedWith()).toBe(1008);

    const c = await client(wsUrl);
    c.ws.send(JSON.stringify({ assets_ids: sim.tokens().slice(0, 2), type: 'market' }));
    await vi.waitFor(() => expect(c.frames.length > 0, 'dump').toBe(true), 2_000);
    sim.setFaults({ freeze: 1 });
    sim.step(1);
    sim.setFaults({ freeze: 0 });
    expect(sim.frozenConnections()).toBe(1);
    await sleep(30);
    const before = c.frames.length;
    sim.step(300);
    c.ws.send('PING');
    await vi.waitFor(() => expect(c.frames.at(-1) === 'PONG', 'PONG while frozen').toBe(true), 2_000);
    expect(c.frames.length).toBe(before + 1);
    expect(sim.stats.faults.frozen_frames).toBeGreaterThan(0);
    c.ws.terminate();
  });

  it('REST faults answer 429 (with Retry-After) and 5xx', async () => {
    sim = new VenueSimulator({ seed: 7, markets: simMarkets(1), faults: { rest_429: 1 } });
    const { restUrl } = await sim.start();
    const t = sim.tokens()[0]!;
    const limited = await fetch(`${restUrl}/book?token_id=${t}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('0');
    sim.setFaults({ rest_429: 0, rest_5xx: 1 });
    expect([500, 503]).toContain((await fetch(`${restUrl}/book?token_id=${t}`)).status);
  });
});
