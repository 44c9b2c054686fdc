import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { book as l2, bookSignal, defaultSections, spec } from '../trading/support.ts';
import { PassThrough } from 'node:stream';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { ClobExecutionAdapter } from '../../src/adapters/execution/real-clob-adapter.ts';
import { ClobSession } from '../../src/adapters/execution/real-clob-session.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { loadConfig } from '../../src/config/load.ts';
import { TradingNode } from '../../src/runtime/trading/trading-node.ts';
import { FAST, FINE, NO, TEST_ADDRESS, TEST_KEY, YES, book, realConfig, req, rigPerTest } from './support.ts';

const rigs = rigPerTest();

describe('the trading runtime on the real adapter against the stand-in CLOB', () => {
  it('reconciles at start, locks a mispriced pair with real signed orders, and its ledger equals the venue positions', async () => {
    const rig = await rigs.standIn({ autoSettleMs: 5 });
    rig.books.set(YES, book(0.44, 0.45, 100, 1));
    rig.books.set(NO, book(0.44, 0.45, 100, 1));
    const a = await rigs.adapter(rig);
    const cfg = defaultSections();
    const fee = spec().fee;
    a.adapter.registerMarket({ market_id: 'm1', condition_id: '0xcond1', tokens: [YES, NO], tick_size: 0.01, min_order_size: 5, neg_risk: false, fee });
    await a.adapter.start();
    const clock = new VirtualClock(Date.now());
    const sink = new CollectingSink();
    const runtime = new TradingRuntime({ clock, ...cfg, riskEngine: new RiskEngine(cfg.risk), adapter: a.adapter, sink, events: new EventFactory(clock, ulidGenerator(seededRng(1))) });
    runtime.addMarket(spec({ yes_token: YES, no_token: NO, fair_source: { kind: 'truth', outcome_by_token: { [YES]: 'teamA', [NO]: 'teamB' } }, strategies: { pair_arb: true, temporal: false } }));
    const report = await runtime.start();
    expect(report.breaks).toEqual([]);
    // The same rounds the paper runtime test offers: both legs at 0.45 (0.90 < 1 − fees − margin).
    for (let i = 0; i < 12 && runtime.marketSnapshot('m1')!.state !== 'LOCKED_PAIR'; i++) {
      for (const t of [YES, NO]) runtime.onBook(bookSignal(t, l2([[0.44, 100]], [[0.45, 100]]), clock.now()));
      clock.advanceBy(100);
      await vi.waitFor(() => expect(a.adapter.tracker.live().filter((o) => o.status === 'pending')).toEqual([]));
    }
    await vi.waitFor(() => expect(runtime.marketSnapshot('m1')!.state).toBe('LOCKED_PAIR'));
    const venue = [YES, NO].map((t) => rig.standIn.venue.position(TEST_ADDRESS, t));
    expect(venue).toEqual([20, 20]);
    const lots = runtime.marketSnapshot('m1')!.context.ledger.lots;
    expect([YES, NO].map((t) => Object.entries(lots).filter(([k]) => k.startsWith(`${t}|`)).reduce((s, [, l]) => s + l.shares, 0))).toEqual(venue);
    expect(sink.events.filter((e) => e.type === 'FILL').map((e) => (e.payload as { status: string }).status)).toContain('CONFIRMED');
    // The next reconciliation agrees with the venue (Data API positions, open orders).
    clock.advanceBy(cfg.execution.reconcile.interval_ms + 1000);
    const again = await runtime.reconcile();
    expect(again.breaks).toEqual([]);
    runtime.stop();
  });

  it('asks the venue by REST about a live market\'s fill whose answer never came, once a reconciliation has seen it pending for fill_answer_after_ms', async () => {
    // No auto-settle: the venue's trades stay MATCHED until the test settles them.
    const rig = await rigs.standIn();
    rig.books.set(YES, book(0.44, 0.45, 100, 1));
    rig.books.set(NO, book(0.44, 0.45, 100, 1));
    const a = await rigs.adapter(rig);
    const cfg = defaultSections();
    cfg.execution.reconcile.fill_answer_after_ms = 30_000;
    a.adapter.registerMarket({ market_id: 'm1', condition_id: '0xcond1', tokens: [YES, NO], tick_size: 0.01, min_order_size: 5, neg_risk: false, fee: spec().fee });
    await a.adapter.start();
    const clock = new VirtualClock(Date.now());
    const runtime = new TradingRuntime({ clock, ...cfg, riskEngine: new RiskEngine(cfg.risk), adapter: a.adapter, sink: new CollectingSink(), events: new EventFactory(clock, ulidGenerator(seededRng(1))) });
    runtime.addMarket(spec({ yes_token: YES, no_token: NO, fair_source: { kind: 'truth', outcome_by_token: { [YES]: 'teamA', [NO]: 'teamB' } }, strategies: { pair_arb: true, temporal: false } }));
    await runtime.start();
    for (let i = 0; i < 12 && runtime.marketSnapshot('m1')!.state !== 'LOCKED_PAIR'; i++) {
      for (const t of [YES, NO]) runtime.onBook(bookSignal(t, l2([[0.44, 100]], [[0.45, 100]]), clock.now()));
      clock.advanceBy(100);
      await vi.waitFor(() => expect(a.adapter.tracker.live().filter((o) => o.status === 'pending')).toEqual([]));
    }
    const pending = () => Object.keys(runtime.marketSnapshot('m1')!.context.ledger.pending).sort();
    await vi.waitFor(() => expect(pending().length).toBeGreaterThanOrEqual(2));
    const matched = pending();
    // Reads of one trade by id: a listing (`after`) also comes from a reconciliation's look at an order still in flight.
    const reads = () => rig.standIn.queries('GET /data/trades').filter((q) => q.has('id')).length;
    // Each post answered with a match reads its trade once, not awaited: those reads are in before
    // counting, and before the trades change (a late one would find them CONFIRMED already).
    await vi.waitFor(() => expect(reads()).toBe(rig.standIn.venue.trades.size));
    // The venue confirmed every trade; its messages never reached helios.
    for (const t of rig.standIn.venue.trades.values()) t.status = 'CONFIRMED';
    const readsBefore = reads();
    await runtime.reconcile();
    // Seen pending from now: not yet asked about.
    clock.advanceBy(29_000);
    await runtime.reconcile();
    expect(reads()).toBe(readsBefore);
    expect(pending()).toEqual(matched);
    clock.advanceBy(1_000);
    await runtime.reconcile();
    await vi.waitFor(() => expect(pending()).toEqual([]), { timeout: 3000 });
    // One targeted read of each fill's trade; the stream carried the answers found there.
    expect(reads() - readsBefore).toBe(matched.length);
    expect(a.events.filter((e) => e.kind === 'fill' && e.fill.status === 'CONFIRMED').map((e) => (e as { fill: { fill_id: string } }).fill.fill_id).sort()).toEqual(matched);
    runtime.stop();
  });

  it('cancels a venue order it did not place, found by reconciliation, at the venue (and keeps running)', async () => {
    const rig = await rigs.standIn({ autoSettleMs: 5 });
    const a = await rigs.adapter(rig);
    await a.adapter.start();
    // The same key's order, placed past the adapter (an operator's): the runtime's reconciliation finds it.
    const foreign = await a.session.postOrder(await a.session.prepare({ tokenId: YES, side: 'BUY', price: 0.02, size: 10, type: 'GTC', expiration: 0, tick: '0.01', negRisk: false }, false));
    expect(foreign.success).toBe(true);
    const venueId = foreign.orderID!;
    expect(rig.standIn.venue.orders.get(venueId)!.status).toBe('LIVE');
    const cfg = defaultSections();
    const clock = new VirtualClock(Date.now());
    const runtime = new TradingRuntime({ clock, ...cfg, riskEngine: new RiskEngine(cfg.risk), adapter: a.adapter, sink: new CollectingSink(), events: new EventFactory(clock, ulidGenerator(seededRng(1))) });
    runtime.addMarket(spec({ yes_token: YES, no_token: NO }));
    const report = await runtime.start();
    expect(report.breaks.map((b) => b.mismatches.map((m) => m.kind))).toEqual([['unknown_at_venue']]);
    // Canceled by its venue id; a local refusal would have the market actor ask again at once, forever.
    await vi.waitFor(() => expect(rig.standIn.venue.orders.get(venueId)!.status).toBe('CANCELED'));
    runtime.stop();
  });

  it('a trading node hands the real venue every market it learns from the bus, and each new tick', async () => {
    const rig = await rigs.standIn();
    const cfg = realConfig(rig.url, FAST);
    const session = await ClobSession.open(cfg, { privateKey: TEST_KEY }, new SystemClock());
    const adapter = new ClobExecutionAdapter({ clock: new SystemClock(), cfg, session, logger: createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' }), userWsUrl: rig.ws, heartbeats: false });
    const clock = new VirtualClock(Date.now());
    const events = new EventFactory(clock, ulidGenerator(seededRng(1)));
    const node = new TradingNode({ config: loadConfig({ env: {} }).config, clock, sink: new CollectingSink(), events, markets: null, adapter, onError: (err) => { throw err; } });
    const fine = spec({ market_id: '0xcond2', yes_token: FINE, no_token: `${FINE}0`, tick_size: 0.0025 });
    // Not yet known: the venue adapter refuses an order it cannot sign by the market's spec.
    const before = await adapter.placeOrder(req({ market_id: '0xcond2', token_id: FINE, price: 0.3975 }));
    expect(before).toMatchObject({ accepted: false, reason: expect.stringMatching(/unknown token/) });
    node.emit(events.make('MARKET_DISCOVERED', { spec: fine, station_id: null, match_id: null, event_slug: null }, { market_id: '0xcond2' }));
    await node.drained();
    const a1 = await adapter.placeOrder(req({ market_id: '0xcond2', token_id: FINE, price: 0.3975 }));
    expect(a1.accepted).toBe(true);
    expect(rig.standIn.venue.orders.get((a1 as { venue_order_id: string }).venue_order_id)!.price).toBe(0.3975);
    // The tick changes on the market channel: the next order is rounded to the new one.
    node.emit(events.make('MARKET_SPEC_CHANGED', { tick_size: 0.01, min_order_size: 5 }, { market_id: '0xcond2' }));
    await node.drained();
    const a2 = await adapter.placeOrder(req({ market_id: '0xcond2', token_id: FINE, price: 0.3975 }));
    expect(rig.standIn.venue.orders.get((a2 as { venue_order_id: string }).venue_order_id)!.price).toBe(0.39);
    await node.stop();
  });
});
