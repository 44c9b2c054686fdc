import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { readMarketCatalog, writeMarketCatalog } from '../../src/adapters/storage/market-catalog.ts';
import { loadConfig } from '../../src/config/load.ts';
import { parseGammaEvent } from '../../src/domain/discovery/gamma-market.ts';
import { parseTemperatureEvent } from '../../src/domain/discovery/temperature-event.ts';
import { allInPerShare } from '../../src/domain/trading/fees.ts';
import type { MarketEvent, MarketSpec } from '../../src/domain/trading/market-spec.ts';
import { marketEventOf, SET_LEG_SHARE_TOLERANCE } from '../../src/domain/trading/neg-risk.ts';
import { snapShares } from '../../src/domain/trading/ticks.ts';
import { simulatedTruth } from '../../src/sim/esports/simulated-truth.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import { simWeatherEventId } from '../../src/sim/weather-days.ts';
import { SyntheticMarkets } from '../../src/sim/venue/synthetic-markets.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { book, bookSignal, flush, rig, spec, WEATHER_FEE } from './support.ts';

type Tune = NonNullable<NonNullable<Parameters<typeof rig>[0]>['tune']>;

/** A bucket market traded by nothing but the event coordinator (no pair, no temporal strategy). */
function bucket(i: number, event: MarketEvent): MarketSpec {
  return spec({ market_id: `b${i}`, yes_token: `Y${i}`, no_token: `N${i}`, fee: WEATHER_FEE, fair_source: { kind: 'none' }, strategies: { pair_arb: false, temporal: false }, event });
}

const EVENT: MarketEvent = { event_id: 'ev-1', neg_risk: true, outcomes: 3 };

async function eventRig(yesAsks: number[], tune?: Tune, event: MarketEvent = EVENT) {
  const r = rig({ tune });
  yesAsks.forEach((_, i) => r.runtime.addMarket(bucket(i, event)));
  await r.runtime.start();
  await flush();
  const offer = async () => {
    yesAsks.forEach((a, i) => {
      r.setBook(`Y${i}`, book([[Math.round((a - 0.01) * 100) / 100, 100]], [[a, 100]]));
      r.setBook(`N${i}`, book([[Math.round((1 - a - 0.02) * 100) / 100, 100]], [[Math.round((1 - a + 0.01) * 100) / 100, 100]]));
    });
    r.clock.advanceBy(100);
    await flush();
  };
  return { ...r, offer };
}

const orders = (r: Awaited<ReturnType<typeof eventRig>>) =>
  r.sink.events.filter((e) => e.type === 'ORDER_UPDATE' && (e.payload as { status: string }).status === 'pending').map((e) => e.payload as { client_order_id: string });

/** Fills as the venue matched them (each is later CONFIRMED too). */
const matched = (r: { sink: { events: Array<{ type: string; payload: unknown }> } }) =>
  r.sink.events.filter((e) => e.type === 'FILL' && (e.payload as { status: string }).status === 'MATCHED').map((e) => e.payload as { strategy: string; size: number; price: number });

describe('neg-risk events on the trading path', () => {
  it('buys the full YES set when its asks sum below 1 after fees, once, and risk sees one event exposure of 0', async () => {
    const r = await eventRig([0.3, 0.3, 0.3]);
    for (let i = 0; i < 5; i++) await r.offer();
    r.clock.advanceBy(3000);
    await flush();
    // 3 × (0.30 + fee) = 0.9315 < 1 − 0.01: 10 sets, one FOK leg per bucket, sent once on an unchanged book.
    const fills = matched(r).map((f) => f as { strategy: string; size: number; price: number });
    expect(orders(r).map((o) => o.client_order_id), JSON.stringify(r.sink.events.filter((e) => e.type === "ORDER_UPDATE" || e.type === "ALERT").map((e) => [e.type, e.payload]))).toHaveLength(3);
    expect(fills.map((f) => [f.strategy, f.size, f.price])).toEqual([
      ['neg_risk', 10, 0.3],
      ['neg_risk', 10, 0.3],
      ['neg_risk', 10, 0.3],
    ]);
    expect(r.paper.positionsNow().map((p) => [p.token_id, p.shares])).toEqual([['Y0', 10], ['Y1', 10], ['Y2', 10]]);
    // Spent 9.315; whichever bucket wins pays 10: no outcome loses, so the event's exposure is 0 (per-market costs would say 9.315).
    expect(r.runtime.negRisk.exposure('ev-1')).toBe(0);
    expect(r.risk.totalExposure()).toBeCloseTo(0, 9);
    // The legs landed in the bucket markets' ledgers, where reconciliation finds them.
    const report = await r.runtime.reconcile();
    expect(report.breaks).toEqual([]);
    const spent = 30 * allInPerShare(0.3, WEATHER_FEE);
    expect(spent).toBeCloseTo(9.315, 9);
    r.runtime.stop();
  });

  it('sends no leg when risk refuses any of them (all or none)', async () => {
    const r = await eventRig([0.2, 0.3, 0.4], (cfg) => {
      cfg.risk.max_total_usdc = 5;
    });
    await r.offer();
    r.clock.advanceBy(3000);
    await flush();
    expect(orders(r)).toEqual([]);
    expect(r.paper.positionsNow()).toEqual([]);
    expect(r.sink.events.some((e) => e.type === 'ALERT' && e.payload.code === 'NEG_RISK_REFUSED')).toBe(true);
    // Nothing left reserved by the refused set.
    expect(r.risk.totalExposure()).toBe(0);
    r.runtime.stop();
  });

  const killOneLeg = async (tune?: Tune) => {
    const r = await eventRig([0.3, 0.3, 0.3], tune);
    for (const i of [0, 1, 2]) {
      r.setBook(`Y${i}`, book([[0.29, 100]], [[0.3, 100]]));
      r.setBook(`N${i}`, book([[0.68, 100]], [[0.71, 100]]));
    }
    expect(orders(r), JSON.stringify([r.sink.events.filter((e) => e.type === "ALERT").map((e) => e.payload), ["b0","b1","b2"].map((b) => [r.runtime.marketSnapshot(b)!.state, r.runtime.marketSnapshot(b)!.context.halt])])).toHaveLength(3);
    // Before the orders arrive (50 ms), bucket 1's YES ask moves above its leg's limit: that FOK is killed.
    r.books.set('Y1', book([[0.34, 100]], [[0.35, 100]]));
    r.clock.advanceBy(3000);
    await flush();
    expect(matched(r).map((f) => f.size)).toEqual([10, 10]);
    const alerts = r.sink.events.filter((e) => e.type === 'ALERT' && e.payload.code === 'NEG_RISK_PARTIAL_SET');
    expect(alerts).toHaveLength(1);
    expect((alerts[0]!.payload as { message: string }).message).toMatch(/filled 2 of 3 legs; missing b1/);
    // Bucket 1 winning loses both YES legs with their fees: that is the event's exposure now.
    expect(r.runtime.negRisk.exposure('ev-1')).toBeCloseTo(2 * 10 * allInPerShare(0.3, WEATHER_FEE), 9);
    expect(r.risk.totalExposure()).toBeCloseTo(6.21, 9);
    return r;
  };

  it('a set whose leg the venue kills is completed while the whole set stays profitable after fees', async () => {
    const r = await killOneLeg();
    // 2 × 0.3105 + (0.35 + fee 0.0114) = 0.9824 < 1 − 0.01: the missing leg is bought at 0.35.
    r.setBook('Y1', book([[0.34, 100]], [[0.35, 100]]));
    r.clock.advanceBy(3000);
    await flush();
    expect(matched(r).map((f) => [f.size, f.price])).toEqual([[10, 0.3], [10, 0.3], [10, 0.35]]);
    expect(r.runtime.negRisk.exposure('ev-1')).toBe(0);
    expect(r.risk.totalExposure()).toBeCloseTo(0, 9);
    r.runtime.stop();
  });

  it('completes a partial set with the open-order caps full: its missing legs close the event\'s exposure', async () => {
    const r = await killOneLeg();
    // Orders found at the venue (adopted: they count) take every open-order slot; a new entry is refused.
    for (let i = 0; i < r.cfg.risk.max_open_orders; i++) r.risk.adopt({ client_order_id: `venue-${i}`, market_id: 'elsewhere', side: 'BUY', price: 0.01, size: 1, reduces: false }, 0);
    expect(r.risk.checkOrder({ client_order_id: 'entry', market_id: 'b1', side: 'BUY', price: 0.35, size: 10, reduces: false }, r.clock.now()).ok).toBe(false);
    r.setBook('Y1', book([[0.34, 100]], [[0.35, 100]]));
    r.clock.advanceBy(3000);
    await flush();
    expect(matched(r).map((f) => [f.size, f.price])).toEqual([[10, 0.3], [10, 0.3], [10, 0.35]]);
    expect(r.runtime.negRisk.exposure('ev-1')).toBe(0);
    r.runtime.stop();
  });

  it('completes a partial set while risk is REDUCING (only reducing orders pass): the half-built set is the riskier position', async () => {
    const r = await killOneLeg((cfg) => Object.assign(cfg.risk.drawdown, { start_usdc: 1, reducing_usdc: 2 }));
    // The session's net had peaked at 5 USDC: 2 or more below it, risk lets only reducing orders through.
    r.risk.restorePeak(5);
    r.risk.onPnl(0, r.clock.now());
    expect(r.risk.state).toBe('REDUCING');
    expect(r.risk.checkOrder({ client_order_id: 'entry', market_id: 'b1', side: 'BUY', price: 0.35, size: 10, reduces: false }, r.clock.now())).toEqual({ ok: false, reason: 'reducing only' });
    r.setBook('Y1', book([[0.34, 100]], [[0.35, 100]]));
    r.clock.advanceBy(3000);
    await flush();
    expect(r.sink.events.filter((e) => e.type === 'ALERT' && e.payload.code === 'NEG_RISK_REFUSED')).toEqual([]);
    expect(matched(r).map((f) => [f.size, f.price])).toEqual([[10, 0.3], [10, 0.3], [10, 0.35]]);
    expect(r.runtime.negRisk.exposure('ev-1')).toBe(0);
    expect(r.risk.state).toBe('REDUCING');
    r.runtime.stop();
  });

  it('a partial set is not completed at a loss, and is abandoned loudly after trading.neg_risk.complete_within_ms', async () => {
    const r = await killOneLeg();
    // 0.621 + (0.40 + fee 0.012) = 1.033 ≥ 0.99: completing would lock a loss, so it waits.
    r.setBook('Y1', book([[0.39, 100]], [[0.4, 100]]));
    r.clock.advanceBy(100);
    await flush();
    expect(matched(r)).toHaveLength(2);
    r.clock.advanceBy(r.cfg.trading.neg_risk.complete_within_ms);
    r.setBook('Y1', book([[0.39, 100]], [[0.4, 100]]));
    await flush();
    const abandoned = r.sink.events.filter((e) => e.type === 'ALERT' && e.payload.code === 'NEG_RISK_SET_ABANDONED');
    expect(abandoned).toHaveLength(1);
    expect(matched(r)).toHaveLength(2);
    r.runtime.stop();
  });

  /**
   * A YES set whose bucket-1 leg walks a cheaper ask up to its limit (0.30) is signed for what that
   * walk costs; before the orders arrive (50 ms) the cheaper ask is gone, so the venue fills that FOK
   * (its dollars are all spent within the limit) at 0.30 with fewer shares than the set's.
   */
  const moveOneLeg = async (y1Asks: Array<[number, number]>, tune?: Tune) => {
    const r = await eventRig([0.3, 0.3, 0.3], tune);
    for (const i of [0, 1, 2]) {
      r.setBook(`Y${i}`, book([[0.19, 100]], i === 1 ? y1Asks : [[0.3, 100]]));
      r.setBook(`N${i}`, book([[0.68, 100]], [[0.71, 100]]));
    }
    expect(orders(r)).toHaveLength(3);
    r.books.set('Y1', book([[0.29, 100]], [[0.3, 100]]));
    r.clock.advanceBy(3000);
    await flush();
    const held = () => new Map(r.paper.positionsNow().map((p) => [p.token_id, p.shares]));
    const setSize = held().get('Y0')!;
    expect(held().get('Y2')).toBe(setSize);
    const shortfall = snapShares(setSize - held().get('Y1')!);
    expect(shortfall).toBeGreaterThan(SET_LEG_SHARE_TOLERANCE);
    return { r, held, setSize, shortfall };
  };
  const alertsOf = (r: Awaited<ReturnType<typeof eventRig>>, code: string) => r.sink.events.filter((e) => e.type === 'ALERT' && e.payload.code === code).map((e) => e.payload as { severity: string; message: string });

  it("a leg the venue fills at dearer asks with fewer shares than the set's is completed for its shortfall, and the set ends whole", async () => {
    // 40 sets, bucket 1 over 0.20 (20) and 0.30: its leg is signed for $10.02, which buys 33.4 at 0.30 alone.
    const { r, held, setSize, shortfall } = await moveOneLeg([[0.2, 20], [0.3, 100]], (cfg) => {
      cfg.trading.neg_risk.max_sets = 40;
      cfg.risk.max_order_usdc = 20;
      cfg.trading.orders.max_slippage_ticks = 10;
    });
    const partial = alertsOf(r, 'NEG_RISK_PARTIAL_SET');
    expect(partial).toHaveLength(1);
    expect(partial[0]!.message).toContain(`filled 2 of 3 legs; missing b1 (${snapShares(setSize - shortfall)}/${setSize})`);
    // Bucket 1 winning pays 33.4 for what the set cost: the event is exposed until it is completed.
    expect(r.runtime.negRisk.exposure('ev-1')).toBeGreaterThan(0);
    r.setBook('Y1', book([[0.29, 100]], [[0.3, 100]]));
    r.clock.advanceBy(3000);
    await flush();
    const completing = r.sink.events.filter((e) => e.type === 'ORDER_UPDATE' && (e.payload as { status: string }).status === 'pending').slice(3);
    expect(completing.map((e) => [e.token_id, (e.payload as { size: number }).size])).toEqual([['Y1', shortfall]]);
    const shares = [...held().values()];
    expect(shares).toHaveLength(3);
    expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(SET_LEG_SHARE_TOLERANCE);
    expect(held().get('Y1')).toBeCloseTo(setSize, 5);
    expect(r.runtime.negRisk.exposure('ev-1')).toBe(0);
    expect(alertsOf(r, 'NEG_RISK_SET_ABANDONED')).toEqual([]);
    r.runtime.stop();
  });

  it("a shortfall under the venue's $1 minimum at any price is reported once, as a warning, and not waited on", async () => {
    // 10 sets, bucket 1 over 0.29 (5) and 0.30: its leg is signed for 9.9 at 0.30, which buys 9.9 at 0.30 alone.
    const { r, shortfall } = await moveOneLeg([[0.29, 5], [0.3, 100]]);
    expect(shortfall * 0.99).toBeLessThan(1);
    // No completion holds the event: the next book prices a fresh set, which it buys.
    r.setBook('Y1', book([[0.29, 100]], [[0.3, 100]]));
    r.clock.advanceBy(3000);
    await flush();
    expect(orders(r)).toHaveLength(6);
    expect(Math.min(...r.paper.positionsNow().map((p) => p.shares))).toBeCloseTo(20 - shortfall, 5);
    r.clock.advanceBy(r.cfg.trading.neg_risk.complete_within_ms);
    r.setBook('Y1', book([[0.29, 100]], [[0.31, 100]]));
    await flush();
    const warnings = alertsOf(r, 'NEG_RISK_SHORTFALL_UNBUYABLE');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.severity).toBe('warn');
    expect(warnings[0]!.message).toContain(`leg b1 filled ${snapShares(10 - shortfall)}/10, ${shortfall} short`);
    expect(warnings[0]!.message).toMatch(/exposure \d+\.\d{4}$/);
    expect(alertsOf(r, 'NEG_RISK_PARTIAL_SET')).toEqual([]);
    expect(alertsOf(r, 'NEG_RISK_SET_ABANDONED')).toEqual([]);
    r.runtime.stop();
  });

  it("buys no set with a leg on a bucket's book gone stale since its market's last pulse, and buys it once that book is fresh", async () => {
    // No set to buy yet: YES asks sum to 1.00, NO asks (0.66, 0.66, 0.71) to 2.03.
    const r = await eventRig([0.35, 0.35, 0.3]);
    /** Both books of bucket `i` at once (one market signal), as the venue's price changes move them. */
    const quote = (i: number, yesAsk: number, noAsk: number) => {
      const yes = book([[yesAsk - 0.01, 100]], [[yesAsk, 100]]);
      const no = book([[noAsk - 0.03, 100]], [[noAsk, 100]]);
      r.books.set(`Y${i}`, yes);
      r.books.set(`N${i}`, no);
      r.paper.onBookUpdated(`Y${i}`);
      r.paper.onBookUpdated(`N${i}`);
      r.runtime.onBook(bookSignal(`Y${i}`, yes, r.clock.now()), bookSignal(`N${i}`, no, r.clock.now()));
    };
    const start = r.clock.now();
    // Off the group's pulse grid (whole periods since its start), so the books age between two pulses.
    r.clock.advanceBy(500);
    await r.offer();
    expect(orders(r)).toEqual([]);
    // Bucket 2's books are now past the staleness bound; the last pulse (a period boundary) found them fresh.
    r.clock.advanceTo(start + 500 + r.cfg.trading.staleness.book_stale_ms + 100);
    await flush();
    expect(r.runtime.marketSnapshot('b2')!.state).toBe('IDLE');
    // Buckets 0 and 1 fall to 0.30: the YES set (3 × 0.30 + fees) is cheap only with bucket 2's stale 0.30 in it.
    quote(0, 0.3, 0.71);
    quote(1, 0.3, 0.71);
    await flush();
    expect(orders(r)).toEqual([]);
    // Bucket 2 quotes 0.30 again, fresh: now the set is real.
    quote(2, 0.3, 0.71);
    r.clock.advanceBy(3000);
    await flush();
    expect(orders(r)).toHaveLength(3);
    expect(matched(r).map((f) => [f.strategy, f.size, f.price])).toEqual([
      ['neg_risk', 10, 0.3],
      ['neg_risk', 10, 0.3],
      ['neg_risk', 10, 0.3],
    ]);
    r.runtime.stop();
  });

  it('never buys a set of an event whose buckets are not all traded here (a partial set is no arbitrage)', async () => {
    const r = await eventRig([0.2, 0.2, 0.2], undefined, { event_id: 'ev-2', neg_risk: true, outcomes: 4 });
    await r.offer();
    r.clock.advanceBy(3000);
    await flush();
    expect(orders(r)).toEqual([]);
    r.runtime.stop();
  });

  it('a YES held in one bucket of an incomplete event is exposed in full (another bucket may win)', async () => {
    const r = await eventRig([0.3, 0.3, 0.3], undefined, { event_id: 'ev-3', neg_risk: true, outcomes: 4 });
    await r.offer();
    void r.paper.placeOrder({ client_order_id: 'manual-1', market_id: 'b0', token_id: 'Y0', side: 'BUY', order_type: 'FOK', price: 0.3, size: 10, strategy: 'temporal', expires_at_ms: null });
    r.clock.advanceBy(3000);
    await flush();
    const lot = r.runtime.marketSnapshot('b0')!.context.ledger.lots['Y0|temporal']!;
    // 10 @ 0.30 plus its fee: all of it is lost when any other bucket wins.
    const cost = lot.cost + lot.fees;
    expect(cost).toBeCloseTo(3.105, 9);
    expect(r.runtime.negRisk.exposure('ev-3')).toBeCloseTo(cost, 9);
    expect(r.risk.totalExposure()).toBeCloseTo(cost, 9);
    r.runtime.stop();
  });
});

describe('event grouping of market specs', () => {
  it('the simulated universe makes its weather buckets one neg-risk event, which the runtime groups and replay reads back', async () => {
    const { config } = loadConfig({ env: {} });
    const universe = buildSimUniverse(config, simulatedTruth(config.app.seed, config.truth_engine, new SystemClock()).matches, Date.now());
    const weather = universe.markets.filter((m) => m.spec.fair_source.kind === 'nowcast');
    expect(weather.length).toBeGreaterThan(1);
    const station = weather[0]!.station_id!;
    for (const m of weather) expect(m.spec.event).toEqual({ event_id: simWeatherEventId(station), neg_risk: true, outcomes: universe.layouts.find((l) => l.station_id === station)!.buckets.length });
    for (const m of universe.markets.filter((x) => x.spec.fair_source.kind !== 'nowcast')) expect(m.spec.event ?? null).toBeNull();
    // The simulated venue's REST book says which markets are neg-risk, as Polymarket's does.
    const venue = new SyntheticMarkets(universe.markets.map((m) => m.venue), seededRng(1), { bookAfterTradeProb: 0, bareDecimalProb: 0 });
    for (const m of universe.markets) expect(venue.restSummary(m.venue.yes).neg_risk).toBe(m.spec.fair_source.kind === 'nowcast');

    const r = rig();
    for (const m of universe.markets) r.runtime.addMarket(m.spec);
    expect(r.runtime.negRisk.bucketsOf(simWeatherEventId(station))).toEqual(weather.map((m) => m.spec.market_id).sort());
    r.runtime.stop();

    const dir = await mkdtemp(path.join(tmpdir(), 'neg-risk-catalog-'));
    try {
      await writeMarketCatalog(dir, universe.markets.map((m) => ({ spec: m.spec, station_id: m.station_id, match_id: m.match_id })));
      const back = await readMarketCatalog(dir);
      expect(back!.filter((m) => m.spec.event).map((m) => m.spec.market_id)).toEqual(weather.map((m) => m.spec.market_id).sort());
      expect(back!.find((m) => m.spec.market_id === weather[0]!.spec.market_id)!.spec.event).toEqual(weather[0]!.spec.event);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the real NYC event shape (11 buckets, neg-risk) becomes one event whose full YES set the runtime buys at its listed prices', async () => {
    const raw = (JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/market/gamma-event-nyc-highest-2026-06-12.json', import.meta.url)), 'utf8')) as unknown[])[0];
    const parsedEvent = parseGammaEvent(raw);
    if (!parsedEvent.ok) throw new Error(JSON.stringify(parsedEvent));
    const te = parseTemperatureEvent(parsedEvent.value);
    if (!te.ok) throw new Error(JSON.stringify(te));
    const event = marketEventOf(te.value);
    expect(event).toMatchObject({ neg_risk: true, outcomes: 11 });
    const specs: MarketSpec[] = te.value.buckets.map((b) => ({
      market_id: b.condition_id,
      yes_token: b.yes_token_id,
      no_token: b.no_token_id,
      tick_size: 0.01,
      min_order_size: 5,
      fee: WEATHER_FEE,
      fair_source: { kind: 'none' },
      strategies: { pair_arb: false, temporal: false },
      admitted: true,
      admission_reason: null,
      event,
    }));
    const run = async (tune?: Tune) => {
      const r = rig({ tune });
      for (const s of specs) r.runtime.addMarket(s);
      await r.runtime.start();
      await flush();
      expect(r.runtime.negRisk.bucketsOf(event.event_id)).toHaveLength(11);
      // The listed prices: every bucket at 0.05 YES / 0.95 NO; 11 YES at 0.05 cost 0.55 + fees < 1.
      for (const s of specs) {
        r.setBook(s.yes_token, book([[0.04, 200]], [[0.05, 200]]));
        r.setBook(s.no_token, book([[0.95, 200]], [[0.96, 200]]));
      }
      r.clock.advanceBy(3000);
      await flush();
      r.runtime.stop();
      return r;
    };
    // Shipped defaults: 10 sets are $0.50 a leg, under the venue's $1 marketable minimum: no set at all.
    const small = await run();
    expect(matched(small)).toEqual([]);
    // 40 sets ($2.10 a leg): 11 legs exceed the 10 orders/s rate limit, so risk refuses the set whole.
    const limited = await run((cfg) => {
      cfg.trading.neg_risk.max_sets = 40;
    });
    expect(matched(limited)).toEqual([]);
    expect(limited.sink.events.filter((e) => e.type === 'ALERT' && e.payload.code === 'NEG_RISK_REFUSED').map((e) => (e.payload as { message: string }).message)).toEqual([
      expect.stringContaining('order rate limit'),
    ]);
    expect(limited.risk.totalExposure()).toBe(0);
    const r = await run((cfg) => {
      cfg.trading.neg_risk.max_sets = 40;
      cfg.risk.rate_limit.max_orders = 20;
    });
    const fills = matched(r);
    expect(fills).toHaveLength(11);
    expect(fills.every((f) => f.strategy === 'neg_risk' && f.size === 40 && f.price === 0.05)).toBe(true);
    // 40 × 11 × 0.052375 = 23.04 spent, 40 paid whichever bucket wins.
    expect(r.runtime.negRisk.exposure(event.event_id)).toBe(0);
    expect(r.risk.totalExposure()).toBeCloseTo(0, 9);
  });
});
