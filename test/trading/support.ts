import fc from 'fast-check';
import { expect } from 'vitest';
import { truthStatePayload } from '../support/events.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { executionSection, riskSection, tradingSection, type ExecutionConfig, type RiskConfig, type TradingConfig } from '../../src/config/sections/trading.ts';
import { L2Book } from '../../src/domain/book/l2-book.ts';
import { levelsOf } from '../../src/domain/trading/book-view.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createActor } from 'xstate';
import type { OrderIntent, OrderRecord } from '../../src/domain/trading/orders.ts';
import type { MarketInputEvent, MarketTradingEvent } from '../../src/machines/market-trading/events.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { PaperExecutionAdapter } from '../../src/adapters/execution/paper-adapter.ts';
import type { PlaceOrderRequest } from '../../src/adapters/execution/execution-adapter.ts';
import { BusBookMirror } from '../../src/domain/book/bus-book-mirror.ts';
import { TradingRouter } from '../../src/runtime/trading/trading-router.ts';
import { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { TradingNode } from '../../src/runtime/trading/trading-node.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink, type EventSink } from '../../src/domain/events/sink.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import type { TruthSignal } from '../../src/domain/trading/policy.ts';
import type { MarketSpec } from '../../src/domain/trading/market-spec.ts';
import type { CarriedTrading } from '../../src/domain/trading/carried-state.ts';
import type { BookSignal } from '../../src/domain/trading/signals.ts';

/** The shipped defaults of the three trading sections, validated by their own schemas. */
export function defaultSections(): { trading: TradingConfig; risk: RiskConfig; execution: ExecutionConfig } {
  const yaml = parse(readFileSync(fileURLToPath(new URL('../../config/default.yaml', import.meta.url)), 'utf8')) as Record<string, unknown>;
  return { trading: tradingSection.parse(yaml.trading), risk: riskSection.parse(yaml.risk), execution: executionSection.parse(yaml.execution) };
}

export function spec(over: Partial<MarketSpec> = {}): MarketSpec {
  return {
    market_id: 'm1',
    yes_token: 'Y',
    no_token: 'N',
    tick_size: 0.01,
    min_order_size: 5,
    fee: { rate: 0.03, exponent: 1, taker_only: true },
    fair_source: { kind: 'truth', outcome_by_token: { Y: 'teamA', N: 'teamB' } },
    strategies: { pair_arb: true, temporal: true },
    admitted: true,
    admission_reason: null,
    ...over,
  };
}

export type Side = ReadonlyArray<readonly [number, number]>;

export function book(bids: Side, asks: Side, tick = 0.01): L2Book {
  const b = new L2Book(tick);
  if (!b.applySnapshot(bids, asks)) throw new Error('bad test book');
  return b;
}

export function bookSignal(token: string, b: L2Book, ts: number, synced = true): BookSignal {
  return { token_id: token, synced, ts_ms: ts, best_bid: b.bestBid()?.price ?? null, best_ask: b.bestAsk()?.price ?? null, levels: levelsOf(b, Infinity) };
}

/** Lets promise continuations (adapter acks, fetches) run. */
export const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** A runtime on the paper venue with a virtual clock and the shipped defaults. */
export function rig(opts: { fail?: number; tune?: (cfg: ReturnType<typeof defaultSections>) => void } = {}) {
  const clock = new VirtualClock(1_700_000_000_000);
  const cfg = defaultSections();
  cfg.execution.paper.fail_probability = opts.fail ?? 0;
  opts.tune?.(cfg);
  const books = new Map<string, L2Book>();
  const paper = new PaperExecutionAdapter({ clock, cfg: cfg.execution.paper, bookFor: (t) => books.get(t) });
  const sink = new CollectingSink();
  const risk = new RiskEngine(cfg.risk);
  const runtime = new TradingRuntime({
    clock,
    ...cfg,
    riskEngine: risk,
    adapter: paper,
    sink,
    events: new EventFactory(clock, ulidGenerator(seededRng(1))),
  });
  const setBook = (token: string, b: L2Book) => {
    books.set(token, b);
    paper.onBookUpdated(token);
    runtime.onBook(bookSignal(token, b, clock.now()));
  };
  return { clock, cfg, books, paper, sink, runtime, setBook, risk };
}

/**
 * The trading router on a runtime over the paper venue, both reading the router's bus-book mirror
 * (as in the trading node), with one market `m1` (Y / N), pair arbitrage only unless `strategies`
 * says otherwise; `placed` logs every order.
 */
export function paperRouterRig(strategies: MarketSpec['strategies'] = { pair_arb: true, temporal: false }) {
  const clock = new VirtualClock(1_700_000_000_000);
  const cfg = defaultSections();
  cfg.execution.paper.fail_probability = 0;
  const mirror = new BusBookMirror();
  const paper = new PaperExecutionAdapter({ clock, cfg: cfg.execution.paper, bookFor: (t) => mirror.tradableBook(t) });
  const placed: PlaceOrderRequest[] = [];
  const place = paper.placeOrder.bind(paper);
  paper.placeOrder = (req) => {
    placed.push(req);
    return place(req);
  };
  const events = new EventFactory(clock, ulidGenerator(seededRng(1)));
  const sink = new CollectingSink();
  const runtime = new TradingRuntime({ clock, ...cfg, riskEngine: new RiskEngine(cfg.risk), adapter: paper, sink, events });
  const router = new TradingRouter({ runtime, paper, mirror, clock, cfg: cfg.trading, events, publish: sink, inferMarkets: false });
  router.addMarket({ spec: spec({ strategies }), station_id: null, match_id: null });
  return { clock, cfg, events, router, runtime, placed, mirror };
}

/**
 * Market m1 trading edge only (temporal), started on `r`: truth puts its fair at `fair`, books YES
 * and NO as given, then `afterMs` passes so the market decides on them.
 */
export async function startEdgeMarket(
  r: ReturnType<typeof rig>,
  o: { fair: number; yes: L2Book; no: L2Book; afterMs: number; spec?: Partial<MarketSpec> },
): Promise<void> {
  r.runtime.addMarket(spec({ ...o.spec, strategies: { pair_arb: false, temporal: true } }), { synced: true });
  await r.runtime.start();
  r.runtime.send('m1', { type: 'TRUTH', truth: truthSignal('live', o.fair), ts_ms: r.clock.now() });
  r.setBook('Y', o.yes);
  r.setBook('N', o.no);
  r.clock.advanceBy(o.afterMs);
  await flush();
}

/**
 * A pair-arbitrage market (m1, Y / N) on a virtual clock from 1_700_000_000_000, pulsed by nobody
 * (watchdog 'parent' with no parent): between its events it is exactly where a sleeping group
 * leaves it, so every decision is the one its own event's step takes. `tune` adjusts the shipped
 * trading defaults first.
 */
export function pairMarket(tune?: (cfg: TradingConfig) => void) {
  const cfg = defaultSections().trading;
  tune?.(cfg);
  const clock = new VirtualClock(1_700_000_000_000);
  const dispatched: Array<readonly OrderIntent[]> = [];
  const machine = marketTradingMachine.provide({ actions: { dispatch: (_a, p) => dispatched.push(p.intents) } });
  const input = { spec: spec({ strategies: { pair_arb: true, temporal: false } }), cfg, now_ms: clock.now(), synced: true, watchdog: 'parent' as const };
  const actor = createActor(machine, { clock, input }).start();
  const send = (e: MarketInputEvent) => actor.send({ ...e, now_ms: clock.now() } as MarketTradingEvent);
  const books = (yesAsk: number, noAsk: number) => {
    send({ type: 'BOOK', signal: bookSignal('Y', book([[yesAsk - 0.01, 100]], [[yesAsk, 100]]), clock.now()), partner: bookSignal('N', book([[noAsk - 0.01, 100]], [[noAsk, 100]]), clock.now()) });
  };
  const filled = (client_order_id: string, size: number) => send({ type: 'ORDER_UPDATE', update: { client_order_id, status: 'filled', filled_size: size } });
  const fill = (client_order_id: string, token_id: string, size: number, price: number) =>
    send({ type: 'FILL', fill: { client_order_id, fill_id: `f-${client_order_id}`, token_id, strategy: 'pair_arb', side: 'BUY', price, size, fee_usdc: 0, status: 'MATCHED' } });
  return { cfg, clock, actor, dispatched, send, books, filled, fill };
}

/** A TRUTH_STATE payload for a two-team match (teamA ↔ YES). */
export function truthSignal(state: TruthSignal['state'], pA: number): TruthSignal {
  return truthStatePayload({
    state,
    winner: state === 'effectively_final' || state === 'settled' ? 'teamA' : null,
    confidence: 0.9,
    implied_p: { teamA: pA, teamB: 1 - pA },
    stale: state === 'stale',
  });
}

/**
 * An edge market resting one GTC entry: fair 0.64, the YES ask 0.60 leaves no taker edge after the
 * threshold, a bid one tick up at 0.56 does. Returns that resting order.
 */
export async function startRestingEdgeEntry(r: ReturnType<typeof rig>): Promise<OrderRecord> {
  r.cfg.trading.orders.resting_type = 'GTC';
  await startEdgeMarket(r, { fair: 0.64, yes: book([[0.55, 40]], [[0.6, 100]]), no: book([[0.37, 40]], [[0.45, 100]]), afterMs: 100 });
  const resting = Object.values(r.runtime.marketSnapshot('m1')!.context.orders).filter((o) => o.status === 'open');
  expect(resting).toHaveLength(1);
  return resting[0]!;
}

/** Keeps the edge market's inputs (truth at 0.64, both books as they are) fresh, a second at a time, past its orders' time in book. */
export async function overstayTimeInBook(r: ReturnType<typeof rig>): Promise<void> {
  for (let t = 0; t < r.cfg.trading.orders.max_time_in_book_ms + 2000; t += 1000) {
    r.runtime.send('m1', { type: 'TRUTH', truth: truthSignal('live', 0.64), ts_ms: r.clock.now() });
    r.runtime.onBook(bookSignal('Y', r.books.get('Y')!, r.clock.now()));
    r.runtime.onBook(bookSignal('N', r.books.get('N')!, r.clock.now()));
    r.clock.advanceBy(1000);
    await flush();
  }
}

/** A pair-arbitrage market (m1) started on the rig, offered both legs at 0.45 once: its first chunk goes out. Returns the orders placed. */
export async function startPairFirstChunk(r: ReturnType<typeof rig>, opts: { synced?: boolean } = {}): Promise<string[]> {
  r.runtime.addMarket(spec({ strategies: { pair_arb: true, temporal: false } }), opts);
  await r.runtime.start();
  r.setBook('Y', book([[0.44, 100]], [[0.45, 100]]));
  r.setBook('N', book([[0.44, 100]], [[0.45, 100]]));
  return Object.keys(r.runtime.marketSnapshot('m1')!.context.orders);
}

/**
 * Twelve 100 ms rounds of both legs offered at 0.45 (0.90 < 1 − fees − margin): a pair the arb
 * strategy locks, then 3 s for fills to settle.
 */
export async function offerLockablePair(r: { setBook(token: 'Y' | 'N', b: L2Book): void; clock: { advanceBy(ms: number): void } }): Promise<void> {
  for (let i = 0; i < 12; i++) {
    r.setBook('Y', book([[0.44, 100]], [[0.45, 100]]));
    r.setBook('N', book([[0.44, 100]], [[0.45, 100]]));
    r.clock.advanceBy(100);
    await flush();
  }
  r.clock.advanceBy(3000);
  await flush();
}

/** The shipped weather fee schedule (rate 0.05), the one the issue #20 numbers were measured with. */
export const WEATHER_FEE = { rate: 0.05, exponent: 1, taker_only: true } as const;

/** An ask ladder (ascending prices on a 0.01 grid) with a bid below it. */
export const ladder = fc
  .record({
    start: fc.integer({ min: 5, max: 90 }),
    levels: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 3 }), size: fc.integer({ min: 1, max: 60 }) }), { minLength: 1, maxLength: 5 }),
  })
  .map(({ start, levels }) => {
    const asks: Array<[number, number]> = [];
    let cents = start;
    for (const l of levels) {
      if (cents > 99) break;
      asks.push([cents / 100, l.size]);
      cents += l.gap;
    }
    return { bids: [[(start - 1) / 100, 100]] as Array<[number, number]>, asks };
  });


/**
 * A trading node on the paper venue (no failed fills) trading one market, on its own virtual clock;
 * books reach it as bus events only (`snapshotOf`), the one path live and in replay.
 */
export function paperTradingNode(market: MarketSpec, seqBase?: number, opts: { carried?: CarriedTrading; startMs?: number; wrapSink?: (inner: EventSink) => EventSink } = {}) {
  const clock = new VirtualClock(opts.startMs ?? 1_700_000_000_000);
  const cfg = defaultSections();
  cfg.execution.paper.fail_probability = 0;
  const sink = new CollectingSink();
  const events = new EventFactory(clock, ulidGenerator(seededRng(1)));
  const node = new TradingNode({
    config: cfg,
    clock,
    sink: opts.wrapSink ? opts.wrapSink(sink) : sink,
    events,
    markets: [{ spec: market, match_id: null, station_id: null }],
    seqBase,
    carried: opts.carried,
    onError: (err) => {
      throw err;
    },
  });
  const setBook = (token: string, b: L2Book) => {
    const { bids, asks } = b.topN(50);
    const payload = { resync_epoch_id: 0, synced: true, tick_size: b.tickSize, bids, asks, best_bid: b.bestBid()?.price ?? null, best_ask: b.bestAsk()?.price ?? null, mid: null, spread: null, microprice: null, imbalance: null, hash: null };
    node.route(events.make('L2_SNAPSHOT', payload, { market_id: market.market_id, token_id: token }));
  };
  return { clock, cfg, sink, node, setBook, events };
}
