import { describe, expect, it } from 'vitest';
// @ts-expect-error the dashboard's browser module is plain JavaScript without types
import { applyFrame, createStore } from '../../src/apps/dashboard/web/store.js';

/** A market halted on several causes shows each of them, as `/markets` lists them. */
describe('dashboard store and a HALT of several causes', () => {
  it('keeps each cause the MARKET_STATE names (comma-separated), and none once the market leaves HALT', () => {
    const store = createStore();
    let seq = 0;
    const state = (state: string, previous: string, reason: string | null) =>
      applyFrame(store, { type: 'MARKET_STATE', payload: { state, previous, reason }, event_id: `e${++seq}`, correlation_id: `c${seq}`, ts_ingest: 1_000 + seq, market_id: 'm1' });
    state('HALT', 'IDLE', 'book_unsynced,stale_book');
    expect(store.markets.get('m1').halt_causes).toEqual(['book_unsynced', 'stale_book']);
    state('HALT', 'HALT', 'stale_book');
    expect(store.markets.get('m1').halt_causes).toEqual(['stale_book']);
    state('IDLE', 'HALT', null);
    expect(store.markets.get('m1').halt_causes).toEqual([]);
  });
});
