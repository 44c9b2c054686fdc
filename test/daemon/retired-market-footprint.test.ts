import { describe, expect, it } from 'vitest';
import { DaemonHealth } from '../../src/apps/daemon/health.ts';
import { churnMarket, marketChurn } from './support/market-churn.ts';

/**
 * The embedded daemon's in-process parts over markets discovered, traded, resolved and retired one
 * after another (test/daemon/support/market-churn.ts): what the context keeps of them must not grow
 * with the markets that left.
 */
describe('the daemon context over markets that left', () => {
  it('lets a retired market and its match leave the universe, and the run summary still counts it', { timeout: 60_000 }, async () => {
    const churn = await marketChurn();
    const { ctx } = churn;
    await churn.run(10);
    const after10 = { markets: ctx.universe.markets.length, matches: ctx.liveMatches.length, discovered: churn.discovered.size, layouts: ctx.universe.layouts.length };
    await churn.run(30);
    expect(ctx.retiredMarkets.size).toBeGreaterThanOrEqual(30);
    expect(ctx.universe.markets.length).toBeLessThanOrEqual(after10.markets);
    expect(ctx.liveMatches.length).toBeLessThanOrEqual(after10.matches);
    // The markets still there are the ones not retired yet, each with its match.
    expect(ctx.universe.markets.every((m) => !ctx.retiredMarkets.has(m.spec.market_id))).toBe(true);
    expect(ctx.liveMatches.map((m) => m.match_id).sort()).toEqual(ctx.universe.markets.flatMap((m) => (m.match_id === null ? [] : [m.match_id])).sort());
    expect(new DaemonHealth(ctx, ctx.events('health')).summary().markets).toBe(40);
    await churn.stop();
  });

  it('lets discovery forget the markets and judge days that left, and still refuses them again', { timeout: 60_000 }, async () => {
    const churn = await marketChurn();
    const { ctx, discovered } = churn;
    await churn.run(10);
    const after10 = { discovered: discovered.size, layouts: ctx.universe.layouts.length };
    await churn.run(30);
    // What discovery still knows is what is still in the universe (not retired yet), and the
    // layouts are those of the judge days still open.
    expect(discovered.size).toBeLessThanOrEqual(after10.discovered);
    expect(ctx.universe.markets.every((m) => discovered.get(m.spec.market_id) !== undefined)).toBe(true);
    expect(ctx.universe.layouts.length).toBeLessThanOrEqual(Math.max(1, after10.layouts));
    // A scan that selects a retired market again does not bring it (or its judge day) back.
    const again = churnMarket(0);
    expect(ctx.retiredMarkets.has(again.condition_id)).toBe(true);
    const layoutsBefore = ctx.universe.layouts.length;
    churn.scanned({ added: [again], closed: [], changed: [] });
    expect(ctx.universe.markets.some((m) => m.spec.market_id === again.condition_id)).toBe(false);
    expect(discovered.get(again.condition_id)).toBeUndefined();
    expect(ctx.universe.layouts.length).toBe(layoutsBefore);
    // The scanner follows it to its end all the same: its closing and resolving are not settled again.
    const emitted: string[] = [];
    const emit = ctx.sink.emit.bind(ctx.sink);
    ctx.sink.emit = (e) => (emitted.push(e.type), emit(e));
    const closed = { ...again, closed: true, tradable: false, not_tradable: 'closed' };
    churn.scanned({ added: [], closed: [{ market: closed, winning_token: null }], changed: [] });
    churn.scanned({ added: [], closed: [{ market: { ...closed, winner: true }, winning_token: again.yes_token }], changed: [] });
    ctx.sink.emit = emit;
    expect(emitted).toEqual([]);
    expect(discovered.get(again.condition_id)).toBeUndefined();
    await churn.stop();
  });
});
