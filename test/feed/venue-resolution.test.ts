import { afterEach, describe, expect, it, vi } from 'vitest';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import { simMarkets } from './support/feed-fixtures.ts';
import { decodedSubscriber, tokensOf } from './support/decoded-subscriber.ts';

describe('venue simulator: a market resolves', () => {
  let sim: VenueSimulator | null = null;
  afterEach(async () => {
    await sim?.stop();
    sim = null;
  });

  it('sends market_resolved with the winner to every subscriber of either token, then nothing more for its tokens', async () => {
    const markets = simMarkets(2);
    const [resolving, other] = markets as [(typeof markets)[0], (typeof markets)[0]];
    // Most flow falls on the other market once one is closed; faults are on so their frames count too.
    sim = new VenueSimulator({ seed: 7, markets, faults: { tick_size_change: 0.05, crossed_update: 0.05 } });
    const { wsUrl } = await sim.start();
    const both = await decodedSubscriber(wsUrl, [resolving.yes, resolving.no]);
    const noOnly = await decodedSubscriber(wsUrl, [resolving.no]);
    const elsewhere = await decodedSubscriber(wsUrl, [other.yes, other.no]);
    sim.step(200);
    await vi.waitFor(() => expect(both.messages.some((m) => m.kind === 'price_change'), 'flow before').toBe(true), 2_000);

    expect(sim.resolveMarket(resolving.market, resolving.no)).toBe(true);
    const expected = { kind: 'market_resolved', market: resolving.market, assets_ids: [resolving.yes, resolving.no], winning_asset_id: resolving.no, winning_outcome: 'No' };
    for (const c of [both, noOnly]) {
      await vi.waitFor(() => expect(c.messages.filter((m) => m.kind === 'market_resolved')).toEqual([expect.objectContaining(expected)]), 2_000);
    }
    expect(sim.isResolved(resolving.yes)).toBe(true);
    expect(sim.isResolved(other.yes)).toBe(false);

    // After it: order flow, faults and explicit books go on for the other market only.
    const seen = { both: both.messages.length, noOnly: noOnly.messages.length, elsewhere: elsewhere.messages.length };
    sim.step(400);
    sim.emitBooks();
    sim.emitBooks([resolving.yes, resolving.no]);
    // Resolving again sends nothing; a token of another market is refused with its reason.
    expect(sim.resolveMarket(resolving.market, resolving.yes)).toBe(false);
    expect(() => sim!.resolveMarket(other.market, resolving.yes)).toThrow(/cannot resolve to .*: its tokens are/);
    expect(() => sim!.resolveMarket('0xnope', resolving.yes)).toThrow(/unknown simulated market 0xnope/);
    sim.emitBooks([other.yes]);
    await vi.waitFor(() => expect(elsewhere.messages.slice(seen.elsewhere).filter((m) => m.kind === 'book' && m.asset_id === other.yes).length, 'the explicit book of the open market').toBeGreaterThanOrEqual(2), 2_000);
    const after = elsewhere.messages.slice(seen.elsewhere);
    expect(after.filter((m) => m.kind === 'price_change').length).toBeGreaterThan(100);
    expect(after.some((m) => m.kind === 'market_resolved')).toBe(false);
    // Frames for the others have arrived since; on these sockets, in order, nothing came after the resolution.
    expect(both.messages.slice(seen.both).flatMap(tokensOf)).toEqual([]);
    expect(noOnly.messages.slice(seen.noOnly).flatMap(tokensOf)).toEqual([]);

    // With every market resolved the venue generates nothing at all.
    expect(sim.resolveMarket(other.market, other.yes)).toBe(true);
    const sent = sim.stats.frames_sent;
    sim.step(100);
    sim.emitBooks();
    expect(sim.stats.frames_sent).toBe(sent);
    for (const c of [both, noOnly, elsewhere]) c.ws.close();
  });
});
