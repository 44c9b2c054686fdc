import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeRestBook } from '../../src/adapters/polymarket/rest-book.ts';
import type { BookMessage } from '../../src/domain/market/messages.ts';
import { syntheticMarketSpecs, type SimMarketSpec } from '../../src/sim/venue/synthetic-markets.ts';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import { simMarkets } from './support/feed-fixtures.ts';
import { decodedSubscriber, tokensOf } from './support/decoded-subscriber.ts';

/** A new day's markets: token and market ids no `simMarkets(n)` uses; YES fairs 0.2 and 0.8. */
function newDayMarkets(): SimMarketSpec[] {
  return syntheticMarketSpecs(2, 8_000_000_000_000_000_000n).map((spec, i) => ({
    ...spec,
    market: `0x${(0xda7e00n + BigInt(i)).toString(16).padStart(64, '0')}`,
  }));
}

function tokensOfSpecs(specs: readonly SimMarketSpec[]): string[] {
  return specs.flatMap((s) => [s.yes, s.no]);
}

/** Everything a venue shows of its books: tokens, true books and their times. */
function venueState(venue: VenueSimulator) {
  return venue.tokens().map((t) => ({ token: t, book: venue.trueBook(t), ts: venue.lastTimestamp(t), resolved: venue.isResolved(t) }));
}

describe('venue simulator: markets listed while it runs', () => {
  let sim: VenueSimulator | null = null;
  afterEach(async () => {
    await sim?.stop();
    sim = null;
  });

  it('serves a listed market to new subscribers, REST and order flow, and pushes nothing to existing subscribers', async () => {
    const [original] = simMarkets(2) as [SimMarketSpec];
    sim = new VenueSimulator({ seed: 11, markets: simMarkets(2) });
    const { wsUrl, restUrl } = await sim.start();
    const listed = newDayMarkets();
    const listedTokens = tokensOfSpecs(listed);
    expect((await fetch(`${restUrl}/book?token_id=${listed[0]!.yes}`)).status, 'unknown before listing').toBe(404);
    const existing = await decodedSubscriber(wsUrl, [original.yes, original.no]);

    sim.listMarkets(listed);

    expect(sim.tokens()).toEqual(expect.arrayContaining(listedTokens));
    const fresh = await decodedSubscriber(wsUrl, listedTokens);
    const books = fresh.messages.filter((m): m is BookMessage => m.kind === 'book');
    expect(books.map((b) => b.asset_id).sort()).toEqual([...listedTokens].sort());
    for (const spec of listed) {
      for (const [token, fair] of [[spec.yes, spec.fair], [spec.no, 1 - spec.fair]] as const) {
        const book = books.find((b) => b.asset_id === token)!;
        expect(book.market).toBe(spec.market);
        // Best levels are LAST; the seeded book sits within eight ticks either side of the fair.
        const bestBid = book.bids.at(-1)![0];
        const bestAsk = book.asks.at(-1)![0];
        expect(bestBid, `${token} best bid`).toBeLessThan(fair);
        expect(bestBid).toBeGreaterThanOrEqual(fair - 8 * spec.tick_size - 1e-9);
        expect(bestAsk, `${token} best ask`).toBeGreaterThan(fair);
        expect(bestAsk).toBeLessThanOrEqual(fair + 8 * spec.tick_size + 1e-9);
      }
    }

    const rest = await fetch(`${restUrl}/book?token_id=${listed[0]!.yes}`);
    expect(rest.status).toBe(200);
    const summary = decodeRestBook(await rest.json());
    expect(summary.ok && summary.value.book.asset_id).toBe(listed[0]!.yes);
    expect(summary.ok && summary.value.book.bids.at(-1)![0]).toBe(sim.trueBook(listed[0]!.yes).bids[0]![0]);
    const many = (await (await fetch(`${restUrl}/books`, { method: 'POST', body: JSON.stringify(listedTokens.map((token_id) => ({ token_id }))) })).json()) as Array<{ asset_id: string }>;
    expect(many.map((b) => b.asset_id)).toEqual(listedTokens);

    const seenByExisting = existing.messages.length;
    sim.step(600);
    for (const spec of listed) {
      await vi.waitFor(() => {
        const after = fresh.messages.slice(books.length);
        expect(after.some((m) => m.kind === 'price_change' && m.changes.some((c) => c.asset_id === spec.yes)), `price_change for ${spec.market}`).toBe(true);
        expect(after.some((m) => m.kind === 'last_trade_price' && m.asset_id === spec.yes), `trade for ${spec.market}`).toBe(true);
      }, 2_000);
    }
    // The existing subscriber kept its own market's flow and heard nothing of the listed ones.
    await vi.waitFor(() => expect(existing.messages.slice(seenByExisting).some((m) => m.kind === 'price_change')).toBe(true), 2_000);
    expect(existing.messages.flatMap(tokensOf).filter((t) => listedTokens.includes(t))).toEqual([]);
    existing.ws.close();
    fresh.ws.close();
  });

  it('refuses a market or token id already known, listing none of the call, and leaves the venue as it was', () => {
    const originals = simMarkets(2);
    const [first, second] = originals as [SimMarketSpec, SimMarketSpec];
    const [fresh, other] = newDayMarkets() as [SimMarketSpec, SimMarketSpec];
    sim = new VenueSimulator({ seed: 5, markets: originals });
    // A twin that never saw the refused calls: the same books after the same flow (no state or draw leaked).
    const twin = new VenueSimulator({ seed: 5, markets: originals });
    sim.resolveMarket(second.market, second.yes);
    twin.resolveMarket(second.market, second.yes);

    const refused: Array<[SimMarketSpec[], RegExp]> = [
      [[fresh, { ...other, market: first.market }], new RegExp(`market ${first.market} is already listed`)],
      [[fresh, { ...other, market: second.market }], new RegExp(`market ${second.market} is already listed`)], // resolved
      [[fresh, { ...other, no: first.no }], new RegExp(`token ${first.no} .*is already listed`)],
      [[fresh, { ...other, yes: second.yes }], new RegExp(`token ${second.yes} .*is already listed`)],
      [[fresh, { ...other, yes: fresh.no }], new RegExp(`token ${fresh.no} .*is already listed`)], // twice in one call
      [[fresh, fresh], new RegExp(`market ${fresh.market} is already listed`)],
    ];
    for (const [specs, reason] of refused) {
      expect(() => sim!.listMarkets(specs)).toThrow(reason);
      expect(sim.tokens(), 'nothing listed').toEqual(twin.tokens());
    }
    sim.step(300);
    twin.step(300);
    expect(venueState(sim)).toEqual(venueState(twin));

    // Listed once, it is known from then on.
    sim.listMarkets([fresh]);
    expect(() => sim!.listMarkets([other, fresh])).toThrow(new RegExp(`market ${fresh.market} is already listed`));
    expect(sim.tokens()).not.toContain(other.yes);
  });

  it('resolves a listed market like an original one: market_resolved to its subscribers, then no more flow for it', async () => {
    const [original] = simMarkets(1) as [SimMarketSpec];
    sim = new VenueSimulator({ seed: 9, markets: [original] });
    const { wsUrl } = await sim.start();
    const [listed] = newDayMarkets() as [SimMarketSpec];
    sim.listMarkets([listed]);
    const c = await decodedSubscriber(wsUrl, [listed.yes, listed.no]);
    sim.step(200);
    await vi.waitFor(() => expect(c.messages.some((m) => m.kind === 'price_change'), 'flow before').toBe(true), 2_000);

    expect(sim.resolveMarket(listed.market, listed.yes)).toBe(true);
    await vi.waitFor(
      () =>
        expect(c.messages.filter((m) => m.kind === 'market_resolved')).toEqual([
          expect.objectContaining({ market: listed.market, assets_ids: [listed.yes, listed.no], winning_asset_id: listed.yes, winning_outcome: 'Yes' }),
        ]),
      2_000,
    );
    expect(sim.isResolved(listed.no)).toBe(true);
    expect(sim.resolveMarket(listed.market, listed.no)).toBe(false);

    const seen = c.messages.length;
    const sent = sim.stats.frames_sent;
    const before = { original: sim.lastTimestamp(original.yes), listed: sim.lastTimestamp(listed.yes) };
    sim.step(300);
    sim.emitBooks([listed.yes, listed.no]);
    // The original market's flow went on (no one subscribes to it), the listed book stood still, and nothing was sent.
    expect(sim.lastTimestamp(original.yes)).toBeGreaterThan(before.original);
    expect(sim.lastTimestamp(listed.yes)).toBe(before.listed);
    expect(sim.stats.frames_sent).toBe(sent);
    expect(c.messages.slice(seen)).toEqual([]);
    c.ws.close();
  });
});
