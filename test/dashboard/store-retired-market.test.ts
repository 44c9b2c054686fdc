import { describe, expect, it } from 'vitest';
// @ts-expect-error the dashboard's browser module is plain JavaScript without types
import { applyFrame, createStore } from '../../src/apps/dashboard/web/store.js';

/** The dashboard's store: a market the trading side retired leaves the market rows, its PnL stays in the totals (once). */
describe('dashboard store and a retired market', () => {
  it('drops the row and the positions on MARKET_RETIRED, and counts its PnL once in the retired markets\' position', () => {
    const store = createStore();
    let seq = 0;
    const frame = (type: string, payload: Record<string, unknown>, ids: Record<string, string> = {}) =>
      applyFrame(store, { type, payload, event_id: `e${++seq}`, correlation_id: `c${seq}`, ts_ingest: 1_000 + seq, ...ids });
    frame('MARKET_STATE', { state: 'RESOLVED', previous: 'FINALIZING', reason: null }, { market_id: 'm1' });
    frame('MARKET_STATE', { state: 'IDLE', previous: null, reason: null }, { market_id: 'm2' });
    frame('POSITION', { shares: 0, avg_cost: 0, realized_pnl: 2, unrealized_pnl: 0, fees_paid: 0.5 }, { market_id: 'm1', token_id: 'Y1' });
    expect([...store.markets.keys()].sort()).toEqual(['m1', 'm2']);
    frame('ALERT', { severity: 'info', code: 'MARKET_RETIRED', message: 'm1: resolved and settled, left the trading side' }, { market_id: 'm1' });
    expect([...store.markets.keys()]).toEqual(['m2']);
    // The trading side publishes the retired markets' PnL as one position right after: counted once.
    frame('POSITION', { shares: 0, avg_cost: 0, realized_pnl: 2, unrealized_pnl: 0, fees_paid: 0.5, by_strategy: {} }, { market_id: '_retired', token_id: '_retired' });
    expect(store.pnl).toEqual({ realized: 2, unrealized: 0, fees: 0.5 });
    expect([...store.positions.keys()]).toEqual(['_retired']);
    // A restarted daemon publishes the same one position (it carries no retired market's own): the same totals.
    frame('POSITION', { shares: 0, avg_cost: 0, realized_pnl: 2, unrealized_pnl: 0, fees_paid: 0.5, by_strategy: {} }, { market_id: '_retired', token_id: '_retired' });
    expect(store.pnl).toEqual({ realized: 2, unrealized: 0, fees: 0.5 });
  });
});
