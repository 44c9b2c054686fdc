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

  it('follows causes that change inside a halt (HALT → HALT) without a new transition or halt marker, and shows cool_down once none is left', () => {
    const store = createStore();
    let seq = 0;
    const state = (state: string, previous: string, reason: string | null) =>
      applyFrame(store, { type: 'MARKET_STATE', payload: { state, previous, reason }, event_id: `e${++seq}`, correlation_id: `c${seq}`, ts_ingest: 1_000 + seq, market_id: 'm1' });
    state('HALT', 'IDLE', 'manual');
    state('HALT', 'HALT', 'manual,risk_halted');
    state('HALT', 'HALT', 'risk_halted');
    expect(store.markets.get('m1').halt_causes).toEqual(['risk_halted']);
    // Every cause cleared, the cool-down still running: as /markets lists it.
    state('HALT', 'HALT', null);
    const m = store.markets.get('m1');
    expect(m.halt_causes).toEqual(['cool_down']);
    expect(m.transitions.map((t: { from: string; to: string }) => `${t.from}→${t.to}`)).toEqual(['IDLE→HALT']);
    expect(store.markers.filter((k: { kind: string }) => k.kind === 'halt')).toHaveLength(1);
  });
});
