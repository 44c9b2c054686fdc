import { describe, expect, it } from 'vitest';
import { DaemonHealth } from '../../src/apps/daemon/health.ts';
import { marketChurn } from './support/market-churn.ts';

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
    const after10 = { markets: ctx.universe.markets.length, matches: ctx.liveMatches.length };
    await churn.run(30);
    expect(ctx.retiredMarkets.size).toBeGreaterThanOrEqual(30);
    expect(ctx.universe.markets.length).toBeLessThanOrEqual(after10.markets);
    expect(ctx.liveMatches.length).toBeLessThanOrEqual(after10.matches);
    // The markets still there are the ones not retired yet, each with its match.
    expect(ctx.universe.markets.every((m) => !ctx.retiredMarkets.has(m.spec.market_id))).toBe(true);
    expect(ctx.liveMatches.map((m) => m.match_id).sort()).toEqual(ctx.universe.markets.map((m) => m.match_id).sort());
    expect(new DaemonHealth(ctx, ctx.events('health')).summary().markets).toBe(40);
    await churn.stop();
  });
});
