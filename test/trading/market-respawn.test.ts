import { describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/domain/trading/market-spec.ts';
import { book, bookSignal, flush, offerLockablePair, rig, spec, startEdgeMarket, startPairFirstChunk, startRestingEdgeEntry, WEATHER_FEE } from './support.ts';

/** A bug in one market's step (here a malformed signal): its actor fails and its group restarts it. */
function crash(r: ReturnType<typeof rig>, marketId: string): void {
  r.runtime.marketRef(marketId)!.send({ type: 'BOOK', signal: undefined, now_ms: r.clock.now() } as never);
}

function alertCodes(r: ReturnType<typeof rig>): string[] {
  return r.sink.events.filter((e) => e.type === 'ALERT').map((e) => (e.payload as { code: string }).code);
}

/** Restarts come after the shortest backoff (the first restart waits exactly that). */
const quickRestart = (cfg: ReturnType<typeof rig>['cfg']) => {
  cfg.trading.supervision.restart_backoff_min_ms = 200;
};

/** Y's order fills, N's is offered too dear at the venue (its FAK cancels): the pair is left with a naked YES leg. */
async function nakedYesLeg(r: ReturnType<typeof rig>): Promise<void> {
  r.books.set('Y', book([[0.44, 100]], [[0.45, 100]]));
  r.books.set('N', book([[0.4, 100]], [[0.6, 100]]));
  r.runtime.onBook(bookSignal('Y', book([[0.44, 100]], [[0.45, 100]]), r.clock.now()), bookSignal('N', book([[0.44, 100]], [[0.45, 100]]), r.clock.now()));
  r.clock.advanceBy(100);
  await flush();
}

/** The venue's client order ids of every place, in order; `delayMs`: each reaches the venue that much later. */
function logPlaces(r: ReturnType<typeof rig>, delayMs = 0): string[] {
  const placed: string[] = [];
  const place = r.paper.placeOrder.bind(r.paper);
  r.paper.placeOrder = (req) => {
    placed.push(req.client_order_id);
    return delayMs ? new Promise((resolve, reject) => r.clock.setTimeout(() => place(req).then(resolve, reject), delayMs)) : place(req);
  };
  return placed;
}

const EDGE_YES = book([[0.55, 40]], [[0.6, 100]]);
const EDGE_NO = book([[0.37, 40]], [[0.45, 100]]);

/**
 * The edge market places its resting entry (GTC bid 0.56 on YES) and fails in that same step, right
 * after the place: entering TEMPORAL_ACTIVE, its state notice throws (once). Its last good context
 * is from before the place.
 */
async function edgeEntryPlacedInAFailingStep(r: ReturnType<typeof rig>, venueDelayMs = 0): Promise<{ placed: string[]; entry: string }> {
  r.cfg.trading.orders.resting_type = 'GTC';
  const placed = logPlaces(r, venueDelayMs);
  let failed = false;
  const emit = r.sink.emit.bind(r.sink);
  r.sink.emit = (e) => {
    if (!failed && e.type === 'MARKET_STATE' && (e.payload as { state: string }).state === 'TEMPORAL_ACTIVE') {
      failed = true;
      throw new Error('bug after the place');
    }
    emit(e);
  };
  await startEdgeMarket(r, { fair: 0.64, yes: EDGE_YES, no: EDGE_NO, afterMs: 100 });
  expect(failed).toBe(true);
  expect(placed).toHaveLength(1);
  expect(r.runtime.marketRef('m1')).toBeUndefined();
  return { placed, entry: placed[0]! };
}

/** Fresh books after a restart (the successor waits for them): an actor that does not know its entry places it again. */
async function freshEdgeBooks(r: ReturnType<typeof rig>): Promise<void> {
  r.runtime.onBook(bookSignal('Y', EDGE_YES, r.clock.now()), bookSignal('N', EDGE_NO, r.clock.now()));
  r.clock.advanceBy(100);
  await flush();
}

/** The client order ids of every cancel sent to the venue, in order; `delayMs`: each reaches the venue that much later. */
function logCancels(r: ReturnType<typeof rig>, delayMs = 0): string[] {
  const cancelled: string[] = [];
  const cancel = r.paper.cancelOrder.bind(r.paper);
  r.paper.cancelOrder = (id) => {
    cancelled.push(id);
    return delayMs ? new Promise((resolve, reject) => r.clock.setTimeout(() => cancel(id).then(resolve, reject), delayMs)) : cancel(id);
  };
  return cancelled;
}

/** Quick restarts; orders overstay after a second, and nothing but the kill reaches the market while its entry ages (no watchdog step decides first). */
const quickRestartShortTimeInBook = (cfg: ReturnType<typeof rig>['cfg']) => {
  quickRestart(cfg);
  cfg.trading.orders.max_time_in_book_ms = 1000;
  cfg.trading.staleness.watchdog_ms = 60_000;
};

/**
 * The edge market's resting entry is cancelled in a step that fails right after the cancel went
 * out: the entry has overstayed its time in book when the kill switch halts the market, so the
 * RISK step's decision cancels it, and entering HALT in that same step the state notice throws
 * (once). Its last good context is from before that step: the entry open, no cancel requested.
 * The kill stays in force, so risk halts the successor again when it is up.
 */
async function entryCancelledInAFailingStep(r: ReturnType<typeof rig>, venueDelayMs = 0): Promise<{ cancelled: string[]; entry: string }> {
  const entry = (await startRestingEdgeEntry(r)).client_order_id;
  const cancelled = logCancels(r, venueDelayMs);
  r.clock.advanceBy(1000);
  await flush();
  expect(cancelled).toEqual([]);
  let failed = false;
  const emit = r.sink.emit.bind(r.sink);
  r.sink.emit = (e) => {
    if (!failed && e.type === 'MARKET_STATE' && (e.payload as { state: string }).state === 'HALT') {
      failed = true;
      throw new Error('bug after the cancel');
    }
    emit(e);
  };
  r.runtime.kill('operator kill');
  await flush();
  expect(failed).toBe(true);
  expect(cancelled).toEqual([entry]);
  expect(r.runtime.marketRef('m1')).toBeUndefined();
  return { cancelled, entry };
}

describe('a market actor restarted by its supervisor', () => {
  it("resumes with its predecessor's orders: the venue's resting order is still its own, not rebuilt as `reconciled`, and the failing step is not replayed", async () => {
    const r = rig({ tune: quickRestart });
    await startRestingEdgeEntry(r);
    const before = r.runtime.marketSnapshot('m1')!.context;

    crash(r, 'm1');
    await flush();
    r.clock.advanceBy(200);
    await flush();

    const after = r.runtime.marketSnapshot('m1')!.context;
    expect(after.orders).toEqual(before.orders);
    expect(after.seq).toBe(before.seq);
    // The reconciliation after the restart found the venue's order known: nothing rebuilt.
    expect(after.synced).toBe(true);
    expect(alertCodes(r)).toEqual(['MARKET_RESTARTING']);
    // A maker fill of the resting order is the edge strategy's, as before the crash.
    r.paper.onTrade('Y', { price: 0.56, size: 3, side: 'SELL' });
    await flush();
    const lots = r.runtime.marketSnapshot('m1')!.context.ledger.lots;
    expect(Object.keys(lots)).toEqual(['Y|temporal']);
    expect(lots['Y|temporal']!.shares).toBe(3);
    r.runtime.stop();
  });

  it('holds the order its predecessor placed in the step that failed: no rebuild, no duplicate, its fill is booked once', async () => {
    const r = rig({ tune: quickRestart });
    const { placed, entry } = await edgeEntryPlacedInAFailingStep(r);
    // The venue has the order (its ack comes while the market is down).
    expect(r.paper.openOrdersNow().map((o) => o.client_order_id)).toEqual([entry]);
    r.clock.advanceBy(200);
    await flush();
    await freshEdgeBooks(r);

    expect(placed).toEqual([entry]);
    const after = r.runtime.marketSnapshot('m1')!.context;
    expect(after.orders[entry]).toMatchObject({ status: 'open', strategy: 'temporal', price: 0.56, cancel_requested: false });
    expect(alertCodes(r)).toEqual(['MARKET_RESTARTING']);
    expect(after.synced).toBe(true);
    // Risk holds the one reservation it made when the entry was sent; the entry's maker fill is the
    // edge strategy's, booked once, and moves shares out of that reservation into the position.
    const reserved = r.risk.totalExposure();
    expect(reserved).toBeCloseTo(0.56 * after.orders[entry]!.size, 9);
    r.paper.onTrade('Y', { price: 0.56, size: 3, side: 'SELL' });
    await flush();
    const filled = r.runtime.marketSnapshot('m1')!.context;
    expect(Object.keys(filled.ledger.lots)).toEqual(['Y|temporal']);
    expect(filled.ledger.lots['Y|temporal']!.shares).toBe(3);
    expect(filled.orders[entry]).toMatchObject({ filled_size: 3, heard_size: 3 });
    expect(r.risk.totalExposure()).toBeCloseTo(reserved, 9);
    r.runtime.stop();
  });

  it('holds an order of the failing step still on its way to the venue: reconciled before the venue has it, it places no second one', async () => {
    const r = rig({ tune: quickRestart });
    // The venue gets each order 300 ms after it is sent: past the restart and the reconciliation it starts.
    const { placed, entry } = await edgeEntryPlacedInAFailingStep(r, 300);
    r.clock.advanceBy(200);
    await flush();
    expect(r.paper.openOrdersNow()).toEqual([]);
    await freshEdgeBooks(r);
    expect(placed).toEqual([entry]);
    r.clock.advanceBy(300);
    await flush();

    expect(placed).toEqual([entry]);
    expect(r.paper.openOrdersNow().map((o) => o.client_order_id)).toEqual([entry]);
    const order = r.runtime.marketSnapshot('m1')!.context.orders[entry]!;
    expect(order).toMatchObject({ status: 'open', strategy: 'temporal' });
    expect(r.risk.totalExposure()).toBeCloseTo(0.56 * order.size, 9);
    r.runtime.stop();
  });

  it('holds both pair legs its failing step sent: their fills, heard while it was down, are booked once with their fees', async () => {
    const r = rig({ tune: quickRestart });
    const placed = logPlaces(r);
    let failed = false;
    const emit = r.sink.emit.bind(r.sink);
    r.sink.emit = (e) => {
      if (!failed && e.type === 'MARKET_STATE' && (e.payload as { state: string }).state === 'BUILDING_PAIR') {
        failed = true;
        throw new Error('bug after the place');
      }
      emit(e);
    };
    r.runtime.addMarket(spec({ strategies: { pair_arb: true, temporal: false } }));
    await r.runtime.start();
    r.setBook('Y', book([[0.44, 100]], [[0.45, 100]]));
    r.setBook('N', book([[0.44, 100]], [[0.45, 100]]));
    expect(failed).toBe(true);
    expect(placed).toHaveLength(2);
    expect(r.runtime.marketRef('m1')).toBeUndefined();
    r.clock.advanceBy(200);
    await flush();

    const after = r.runtime.marketSnapshot('m1')!.context;
    expect(placed.map((id) => after.orders[id]?.status)).toEqual(['filled', 'filled']);
    expect(Object.keys(after.ledger.lots).sort()).toEqual(['N|pair_arb', 'Y|pair_arb']);
    const fee = 10 * 0.45 * 0.55 * 0.03;
    for (const token of ['Y', 'N']) expect(after.ledger.lots[`${token}|pair_arb`]).toMatchObject({ shares: 10, fees: expect.closeTo(fee, 9) });
    expect(alertCodes(r)).toEqual(['MARKET_RESTARTING']);
    expect(after.synced).toBe(true);
    r.runtime.stop();
  });

  it('knows the cancel its predecessor sent in the step that failed: it sends no second one, and the order ends cancelled', async () => {
    const r = rig({ tune: quickRestartShortTimeInBook });
    const { cancelled, entry } = await entryCancelledInAFailingStep(r);
    r.clock.advanceBy(200);
    await flush();

    const after = r.runtime.marketSnapshot('m1')!;
    expect(after.state).toBe('HALT');
    expect(cancelled).toEqual([entry]);
    expect(r.paper.openOrdersNow()).toEqual([]);
    expect(after.context.orders[entry]).toMatchObject({ status: 'canceled', cancel_requested: true });
    expect(r.risk.totalExposure()).toBeCloseTo(0, 9);
    r.runtime.stop();
  });

  it('knows a cancel of the failing step still on its way to the venue: up before the venue has it, it sends no second one', async () => {
    const r = rig({ tune: quickRestartShortTimeInBook });
    // The venue gets each cancel 300 ms after it is sent: past the restart.
    const { cancelled, entry } = await entryCancelledInAFailingStep(r, 300);
    r.clock.advanceBy(200);
    await flush();
    expect(r.runtime.marketSnapshot('m1')!.state).toBe('HALT');
    expect(r.runtime.marketSnapshot('m1')!.context.orders[entry]).toMatchObject({ status: 'open', cancel_requested: true });
    expect(cancelled).toEqual([entry]);
    r.clock.advanceBy(400);
    await flush();

    expect(cancelled).toEqual([entry]);
    expect(r.paper.openOrdersNow()).toEqual([]);
    expect(r.runtime.marketSnapshot('m1')!.context.orders[entry]).toMatchObject({ status: 'canceled' });
    expect(r.risk.totalExposure()).toBeCloseTo(0, 9);
    r.runtime.stop();
  });

  it('keeps how long its pair leg has been naked: a restart does not extend the bound', async () => {
    const r = rig({ tune: quickRestart });
    r.runtime.addMarket(spec({ strategies: { pair_arb: true, temporal: false } }));
    await r.runtime.start();
    await nakedYesLeg(r);
    const before = r.runtime.marketSnapshot('m1')!.context;
    expect(before.ledger.lots['Y|pair_arb']?.shares).toBe(10);
    expect(before.nakedSinceMs).not.toBeNull();

    crash(r, 'm1');
    await flush();
    r.clock.advanceBy(200);
    await flush();

    const after = r.runtime.marketSnapshot('m1')!.context;
    expect(after.nakedSinceMs).toBe(before.nakedSinceMs);
    expect(after.orders).toEqual(before.orders);
    r.runtime.stop();
  });

  it("keeps an operator's halt: a market halted by hand before the crash stays halted after it", async () => {
    const r = rig({ tune: quickRestart });
    await startEdgeMarket(r, { fair: 0.64, yes: book([[0.55, 40]], [[0.6, 100]]), no: book([[0.37, 40]], [[0.45, 100]]), afterMs: 100 });
    r.runtime.haltMarket('m1', 'operator');
    await flush();
    expect(r.runtime.marketSnapshot('m1')!.context.latched).toContain('manual');

    crash(r, 'm1');
    await flush();
    r.clock.advanceBy(200);
    await flush();
    // Fresh books after the restart: an actor that forgot the halt would trade on them.
    r.runtime.onBook(bookSignal('Y', book([[0.55, 40]], [[0.6, 100]]), r.clock.now()), bookSignal('N', book([[0.37, 40]], [[0.45, 100]]), r.clock.now()));
    await flush();

    const after = r.runtime.marketSnapshot('m1')!;
    expect(after.context.latched).toContain('manual');
    expect(after.state).toBe('HALT');
    r.runtime.stop();
  });

  it("keeps its policy, truth and nowcast (not its books): a restarted market needs no new truth before it may trade", async () => {
    const r = rig({ tune: quickRestart });
    await startEdgeMarket(r, { fair: 0.64, yes: book([[0.55, 40]], [[0.6, 100]]), no: book([[0.37, 40]], [[0.45, 100]]), afterMs: 100 });
    const before = r.runtime.marketSnapshot('m1')!.context.signals;
    expect(before.truth).not.toBeNull();

    crash(r, 'm1');
    await flush();
    r.clock.advanceBy(200);
    await flush();

    const after = r.runtime.marketSnapshot('m1')!.context.signals;
    expect(after.policy).toEqual(before.policy);
    expect(after.nowcast).toEqual(before.nowcast);
    expect(after.truth).toEqual(before.truth);
    expect(after.books).toEqual({});
    r.runtime.stop();
  });

  it("hears the operator's halt and the resolution sent while it was down", async () => {
    const r = rig({ tune: quickRestart });
    await startEdgeMarket(r, { fair: 0.64, yes: book([[0.55, 40]], [[0.6, 100]]), no: book([[0.37, 40]], [[0.45, 100]]), afterMs: 100 });
    crash(r, 'm1');
    await flush();
    expect(r.runtime.marketRef('m1')).toBeUndefined();
    r.runtime.haltMarket('m1', 'operator');
    r.runtime.send('m1', { type: 'MARKET_RESOLVED', winning_token_id: 'Y' });
    r.clock.advanceBy(200);
    await flush();

    const after = r.runtime.marketSnapshot('m1')!;
    expect(after.context.latched).toContain('manual');
    expect(after.context.signals.resolved).toEqual({ winning_token_id: 'Y' });
    r.runtime.stop();
  });

  it("learns risk's state and limits when it is up: a kill while it was down reaches it", async () => {
    const r = rig({ tune: quickRestart });
    r.runtime.addMarket(spec({ strategies: { pair_arb: true, temporal: false } }));
    await r.runtime.start();
    expect(r.runtime.marketSnapshot('m1')!.context.signals.risk).toMatchObject({ state: 'ACTIVE', max_order_usdc: r.cfg.risk.max_order_usdc });

    crash(r, 'm1');
    await flush();
    r.runtime.kill('operator');
    r.clock.advanceBy(200);
    await flush();

    expect(r.runtime.marketSnapshot('m1')!.context.signals.risk).toMatchObject({ state: 'HALTED', max_order_usdc: r.cfg.risk.max_order_usdc });
    r.runtime.stop();
  });

  it('takes, in order, the order updates and fills the venue sent while it was down: fees and statuses kept, no rebuild', async () => {
    const r = rig({ tune: quickRestart });
    // Both legs go out; the actor fails before the venue answers (its latency is 50 ms, the restart 200 ms).
    const placed = await startPairFirstChunk(r);
    expect(placed).toHaveLength(2);
    crash(r, 'm1');
    await flush();
    r.clock.advanceBy(100);
    await flush();
    expect(r.runtime.marketRef('m1')).toBeUndefined();
    expect(r.sink.events.filter((e) => e.type === 'FILL')).toHaveLength(2);
    r.clock.advanceBy(100);
    await flush();

    const after = r.runtime.marketSnapshot('m1')!.context;
    expect(placed.map((id) => after.orders[id]?.status)).toEqual(['filled', 'filled']);
    const fee = 10 * 0.45 * 0.55 * 0.03;
    for (const token of ['Y', 'N']) expect(after.ledger.lots[`${token}|pair_arb`]).toMatchObject({ shares: 10, fees: expect.closeTo(fee, 9) });
    expect(Object.keys(after.ledger.lots).sort()).toEqual(['N|pair_arb', 'Y|pair_arb']);
    expect(alertCodes(r)).toEqual(['MARKET_RESTARTING']);
    expect(after.synced).toBe(true);
    r.runtime.stop();
  });

  it("gets the answer to an order its predecessor placed: a place the venue refuses while it is down ends rejected", async () => {
    const r = rig({ tune: quickRestart });
    // The venue refuses every order, 100 ms after it is placed.
    r.paper.placeOrder = () => new Promise((_resolve, reject) => r.clock.setTimeout(() => reject(new Error('venue says no')), 100));
    const placed = await startPairFirstChunk(r);
    expect(placed).toHaveLength(2);
    crash(r, 'm1');
    await flush();
    r.clock.advanceBy(200);
    await flush();

    const orders = r.runtime.marketSnapshot('m1')!.context.orders;
    expect(placed.map((id) => [orders[id]?.status, orders[id]?.reason])).toEqual([
      ['rejected', 'venue says no'],
      ['rejected', 'venue says no'],
    ]);
    r.runtime.stop();
  });

  it('holds a bounded backlog while down: past it, events are dropped with one critical alert', async () => {
    const r = rig({
      tune: (cfg) => {
        quickRestart(cfg);
        cfg.trading.supervision.restart_backlog_max_events = 1;
      },
    });
    await startPairFirstChunk(r);
    crash(r, 'm1');
    await flush();
    r.clock.advanceBy(200);
    await flush();
    // One alert for every event dropped; the one held (the first leg's fill) reached the restarted
    // actor, its fee with it; the rest only the reconciliation restores, as shares.
    expect(alertCodes(r).filter((c) => c === 'RESTART_BACKLOG_FULL')).toHaveLength(1);
    const fees = Object.values(r.runtime.marketSnapshot('m1')!.context.ledger.lots).reduce((sum, lot) => sum + lot.fees, 0);
    expect(fees).toBeCloseTo(10 * 0.45 * 0.55 * 0.03, 9);
    r.runtime.stop();
  });

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
