import { describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/domain/trading/market-spec.ts';
import { book, flush, offerLockablePair, rig, spec, WEATHER_FEE } from './support.ts';

/** A bug in one market's step (here a malformed signal): its actor fails and its group restarts it. */
function crash(r: ReturnType<typeof rig>, marketId: string): void {
  r.runtime.marketRef(marketId)!.send({ type: 'BOOK', signal: undefined, now_ms: r.clock.now() } as never);
}

describe('a market actor restarted by its supervisor', () => {
  it('starts from the ledger its predecessor last published: its holdings, fees and strategy kept, no rebuild', async () => {
    const r = rig();
    r.runtime.addMarket(spec({ strategies: { pair_arb: true, temporal: false } }));
    await r.runtime.start();
    await flush();
    await offerLockablePair(r);
    const before = r.runtime.marketSnapshot('m1')!;
    expect(before.state).toBe('LOCKED_PAIR');
    const fees = before.context.ledger.lots['Y|pair_arb']!.fees + before.context.ledger.lots['N|pair_arb']!.fees;
    expect(fees).toBeGreaterThan(0);
    const riskNet = r.runtime.riskNetPnl();

    crash(r, 'm1');
    await flush();
    expect(r.runtime.marketRef('m1')).toBeUndefined();
    // While it is down, what the next session would carry is what it held.
    expect(r.runtime.carry().markets['m1']?.ledger.lots['Y|pair_arb']?.shares).toBe(20);
    r.clock.advanceBy(r.cfg.trading.supervision.restart_backoff_max_ms);
    await flush();

    const after = r.runtime.marketSnapshot('m1')!;
    expect(after.context.ledger).toEqual(before.context.ledger);
    // It agrees with the venue: reconciled, not rebuilt (a rebuild keeps shares only, as `reconciled`).
    const alerts = r.sink.events.filter((e) => e.type === 'ALERT').map((e) => (e.payload as { code: string }).code);
    expect(alerts).toContain('MARKET_RESTARTING');
    expect(alerts).not.toContain('RECONCILE_BREAK');
    expect(after.context.synced).toBe(true);
    expect(r.runtime.riskNetPnl()).toBeCloseTo(riskNet, 9);
    // Its first books find the pair it holds locked, as before.
    r.setBook('Y', book([[0.44, 100]], [[0.45, 100]]));
    r.setBook('N', book([[0.44, 100]], [[0.45, 100]]));
    expect(r.runtime.marketSnapshot('m1')!.state).toBe('LOCKED_PAIR');
    r.runtime.stop();
  });

  it("still counts what it holds in its neg-risk event's exposure while it is down", async () => {
    const r = rig();
    // Three of an event's four buckets traded here (no set arbitrage: it needs every bucket).
    const event: MarketEvent = { event_id: 'ev', neg_risk: true, outcomes: 4 };
    for (const i of [0, 1, 2]) {
      r.runtime.addMarket(spec({ market_id: `b${i}`, yes_token: `Y${i}`, no_token: `N${i}`, fee: WEATHER_FEE, fair_source: { kind: 'none' }, strategies: { pair_arb: false, temporal: false }, event }));
      r.setBook(`Y${i}`, book([[0.29, 100]], [[0.3, 100]]));
    }
    await r.runtime.start();
    const buyYes = (i: number) => {
      void r.paper.placeOrder({ client_order_id: `manual-${i}`, market_id: `b${i}`, token_id: `Y${i}`, side: 'BUY', order_type: 'FOK', price: 0.3, size: 10, strategy: 'temporal', expires_at_ms: null });
      r.clock.advanceBy(100);
    };
    buyYes(0);
    await flush();
    const perYes = 3 + 10 * 0.05 * 0.3 * 0.7;
    expect(r.risk.totalExposure()).toBeCloseTo(perYes, 9);

    crash(r, 'b0');
    await flush();
    expect(r.runtime.marketRef('b0')).toBeUndefined();
    // A fill in another bucket meanwhile: if b2 or the fourth bucket wins, both YES are lost.
    buyYes(1);
    await flush();
    expect(r.runtime.marketRef('b0')).toBeUndefined();
    expect(r.risk.totalExposure()).toBeCloseTo(2 * perYes, 9);
    r.runtime.stop();
  });
});
