import { describe, expect, it } from 'vitest';
import { strategyHolding } from '../../src/domain/trading/pnl-ledger.ts';
import { book, flush, rig, spec, WEATHER_FEE } from './support.ts';

/**
 * Paper fills a marketable BUY as the venue does (size × limit dollars at the asks' prices), so a
 * pair entry whose legs walk several ask levels, signed at the pair size, came out unequal and a
 * repair order followed. Signed for what each walk costs, both legs buy the pair size.
 */
describe('a pair entry whose legs walk several ask levels, through paper', () => {
  it.each(['FAK', 'FOK'] as const)('%s legs buy the pair size each and no repair order follows', async (type) => {
    const r = rig({
      tune: (cfg) => {
        Object.assign(cfg.risk, { max_order_usdc: 300, max_market_usdc: 1000, max_total_usdc: 2000 });
        Object.assign(cfg.trading.pair_arb, { chunk_shares: 300, target_pair_shares: 300, max_leg_imbalance_usdc: 300, max_leg_imbalance_shares: 1000 });
        Object.assign(cfg.execution.paper, { order_latency_ms: 0 });
        cfg.trading.orders.marketable_type = type;
      },
    });
    const placed: string[] = [];
    r.paper.subscribe((e) => {
      if (e.kind === 'order' && !placed.includes(e.update.client_order_id)) placed.push(e.update.client_order_id);
    });
    r.runtime.addMarket(spec({ fee: WEATHER_FEE, strategies: { pair_arb: true, temporal: false } }), { synced: true });
    await r.runtime.start();
    const books = () => {
      r.setBook('Y', book([[0.29, 1000]], [[0.3, 100], [0.31, 100], [0.32, 1000]]));
      r.setBook('N', book([[0.59, 1000]], [[0.6, 150], [0.62, 1000]]));
    };
    books();
    r.clock.advanceBy(3000);
    await flush();
    const shares = Object.fromEntries(r.paper.positionsNow().map((p) => [p.token_id, p.shares]));
    expect(placed).toHaveLength(2);
    // Each leg at least the pair size, over it by less than a whole-cent step (0.25 at 0.32, 0.5 at 0.62).
    expect(shares.Y).toBeGreaterThanOrEqual(300 - 1e-6);
    expect(shares.N).toBeGreaterThanOrEqual(300 - 1e-6);
    expect(shares.Y! - 300).toBeLessThan(0.25);
    expect(shares.N! - 300).toBeLessThan(0.5);
    // The books again, past the naked-leg bound: locked, with no third order.
    r.clock.advanceBy(r.cfg.trading.pair_arb.naked_leg_max_ms + 1000);
    books();
    r.clock.advanceBy(3000);
    await flush();
    const m = r.runtime.marketSnapshot('m1')!;
    expect(m.state).toBe('LOCKED_PAIR');
    expect(strategyHolding(m.context.ledger, 'Y', 'pair_arb').shares).toBeCloseTo(shares.Y!, 6);
    expect(placed).toHaveLength(2);
    r.runtime.stop();
  });
});
