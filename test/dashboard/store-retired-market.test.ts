import { describe, expect, it } from 'vitest';
// @ts-expect-error the dashboard's browser module is plain JavaScript without types
import { applyFrame, createStore, seedMarkets, seedRetired } from '../../src/apps/dashboard/web/store.js';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { RecentEvents } from '../../src/apps/dashboard/recent-events.ts';
import { DashboardFiles } from '../../src/apps/dashboard/static-files.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { seededRng } from '../../src/domain/util/random.ts';

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

/**
 * A page (re)loaded later folds the server's recent past (RecentEvents, /dashboard/recent.json)
 * into a fresh store: a retired market must not come back as a row there, even when that past no
 * longer reaches its MARKET_RETIRED among the alerts but still holds its book frames.
 */
describe('a reloaded page and a retired market', () => {
  it('never re-creates the row of a market retired before the page loaded, whatever frames of it come later', () => {
    const clock = new VirtualClock(1_000);
    const events = new EventFactory(clock, ulidGenerator(seededRng(3)));
    const recent = new RecentEvents();
    const emit = (e: HeliosEvent) => {
      clock.advanceBy(10);
      recent.emit(e);
    };
    const snapshot = (token: string, market: string) =>
      events.make('L2_SNAPSHOT', { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.44, 10]], asks: [[0.45, 10]], best_bid: 0.44, best_ask: 0.45, mid: 0.445, spread: 0.01, microprice: null, imbalance: null, hash: null }, { market_id: market, token_id: token });
    const alert = (code: string, market: string) => events.make('ALERT', { severity: 'info', code, message: `${market}: ${code}` }, { market_id: market });
    emit(events.make('MARKET_STATE', { state: 'RESOLVED', previous: 'FINALIZING', reason: null }, { market_id: 'm1' }));
    emit(events.make('MARKET_STATE', { state: 'IDLE', previous: null, reason: null }, { market_id: 'm2' }));
    emit(snapshot('Y1', 'm1'));
    emit(alert('MARKET_RETIRED', 'm1'));
    // Later: more alerts than the recent past keeps (the retirement alert falls out of that list), and book frames of m1 still coming.
    for (let i = 0; i < 60; i++) emit(alert('RETIRED_MARKET_DISCOVERED', 'm1'));
    emit(snapshot('Y1', 'm1'));
    emit(snapshot('N1', 'm1'));
    emit(snapshot('Y2', 'm2'));

    const page = createStore();
    for (const e of JSON.parse(JSON.stringify(recent.snapshot()))) applyFrame(page, e);
    expect([...page.markets.keys()]).toEqual(['m2']);
    // A live frame of it after the load does not bring it back either.
    applyFrame(page, JSON.parse(JSON.stringify(snapshot('Y1', 'm1'))));
    expect([...page.markets.keys()]).toEqual(['m2']);
  });
});

/**
 * After a restart the recent past starts empty: a market an earlier daemon life retired has no
 * MARKET_RETIRED there, but its book frames may still come (sim lists every market again; a feed
 * still publishes). The server names the retired markets in settings.json, which the page loads first.
 */
describe('a page loaded after a restart and a market retired in an earlier life', () => {
  it('never makes a row for a market settings.json names retired, from /markets, the recent past or a live frame', () => {
    const clock = new VirtualClock(1_000);
    const events = new EventFactory(clock, ulidGenerator(seededRng(5)));
    const recent = new RecentEvents();
    // What the daemon holds: the carried paper state's retired ids, read when trading starts (after the server).
    const retiredMarkets = new Set<string>();
    const files = new DashboardFiles({ mode: 'sim · paper', replay_controls: false, actions_refused: null, staleness_ms: {} }, { recent, retiredMarkets: () => retiredMarkets });
    retiredMarkets.add('m1');
    const snapshot = (token: string, market: string) =>
      events.make('L2_SNAPSHOT', { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.44, 10]], asks: [[0.45, 10]], best_bid: 0.44, best_ask: 0.45, mid: 0.445, spread: 0.01, microprice: null, imbalance: null, hash: null }, { market_id: market, token_id: token });
    const emit = (e: HeliosEvent) => {
      clock.advanceBy(10);
      recent.emit(e);
    };
    emit(snapshot('Y1', 'm1'));
    emit(snapshot('Y2', 'm2'));

    // The page's load: settings.json, /markets, recent.json (each a JSON round trip), in that order of folding.
    const answer = (path: string) => files.answer(path)!.body as string;
    const settings = JSON.parse(answer('/dashboard/settings.json'));
    expect(settings.retired_markets).toEqual(['m1']);
    const page = createStore();
    seedRetired(page, settings.retired_markets);
    seedMarkets(page, [
      { market_id: 'm1', yes_token: 'Y1', no_token: 'N1' },
      { market_id: 'm2', yes_token: 'Y2', no_token: 'N2' },
    ]);
    for (const e of JSON.parse(answer('/dashboard/recent.json'))) applyFrame(page, e);
    expect([...page.markets.keys()]).toEqual(['m2']);
    applyFrame(page, JSON.parse(JSON.stringify(snapshot('N1', 'm1'))));
    expect([...page.markets.keys()]).toEqual(['m2']);
  });
});
