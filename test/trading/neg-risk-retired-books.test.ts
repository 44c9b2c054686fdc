import { describe, expect, it } from 'vitest';
import type { MarketEvent, MarketSpec } from '../../src/domain/trading/market-spec.ts';
import { book, flush, rig, spec, WEATHER_FEE } from './support.ts';

/**
 * The event coordinator keeps the last book of every neg-risk bucket's tokens (its set arbitrage
 * reads them). A bucket that resolves and retires is gone for good: its books go with it, or every
 * bucket of every daily event stays in memory for the life of the process. The buckets still
 * trading keep theirs, and a late book of a retired bucket does not bring its entry back.
 */
const EVENT: MarketEvent = { event_id: 'ev-r', neg_risk: true, outcomes: 3 };

function bucket(i: number): MarketSpec {
  return spec({ market_id: `b${i}`, yes_token: `Y${i}`, no_token: `N${i}`, fee: WEATHER_FEE, fair_source: { kind: 'none' }, strategies: { pair_arb: false, temporal: false }, event: EVENT });
}

describe('neg-risk coordinator: a retired bucket leaves no book behind', () => {
  it('drops the books of each bucket as it retires, keeps the others, and none comes back', async () => {
    const r = rig({ tune: (cfg) => (cfg.trading.resolved_market_retention_ms = 0) });
    for (let i = 0; i < 3; i++) r.runtime.addMarket(bucket(i));
    await r.runtime.start();
    await flush();
    // Asks summing past 1: no set to buy, nothing held, so a resolved bucket is settled at once.
    const offer = (i: number) => {
      r.setBook(`Y${i}`, book([[0.49, 100]], [[0.5, 100]]));
      r.setBook(`N${i}`, book([[0.49, 100]], [[0.5, 100]]));
    };
    for (let i = 0; i < 3; i++) offer(i);
    await flush();
    expect(r.runtime.negRisk.booksKept).toBe(6);

    const retire = async (i: number) => {
      r.runtime.send(`b${i}`, { type: 'MARKET_RESOLVED', winning_token_id: `N${i}` });
      // The runtime's tick reconciles (10 s) and retires what is settled for good.
      for (let t = 0; t < 12_000; t += 500) {
        r.clock.advanceBy(500);
        await flush();
      }
      expect(r.runtime.marketIds()).not.toContain(`b${i}`);
    };
    await retire(0);
    expect(r.runtime.negRisk.booksKept).toBe(4);
    expect(r.runtime.negRisk.bucketsOf('ev-r')).toEqual(['b1', 'b2']);
    // A late book of the retired bucket is no one's; the others' books move on as before.
    offer(0);
    offer(1);
    await flush();
    expect(r.runtime.negRisk.booksKept).toBe(4);

    await retire(1);
    await retire(2);
    expect(r.runtime.negRisk.booksKept).toBe(0);
    expect(r.runtime.negRisk.bucketsOf('ev-r')).toEqual([]);
    r.runtime.stop();
  });
});
