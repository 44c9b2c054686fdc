import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { PaperExecutionAdapter } from '../../src/adapters/execution/paper-adapter.ts';
import type { L2Book } from '../../src/domain/book/l2-book.ts';
import { takerFeePerShare } from '../../src/domain/trading/fees.ts';
import { PERMISSIONS, type MarketStateName } from '../../src/domain/trading/market-states.ts';
import type { OrderIntent } from '../../src/domain/trading/orders.ts';
import { decidePair } from '../../src/domain/trading/pair-arb.ts';
import { applyFill, emptyLedger, pnlSummary, settle, strategyHolding, type LedgerFill } from '../../src/domain/trading/pnl-ledger.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import type { MarketInputEvent, MarketTradingEvent } from '../../src/machines/market-trading/events.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { pinPropertySeed, propertyRuns } from './property-seed.ts';
import { book, bookSignal, defaultSections, ladder, spec, truthSignal } from './support.ts';

pinPropertySeed('properties');

const cfg = defaultSections();
const RUNS = propertyRuns(150);

describe('properties', () => {
  it('pair arbitrage is never entered when the effective sum is at or above the threshold', () => {
    let entered = 0;
    let refused = 0;
    fc.assert(
      fc.property(ladder, ladder, fc.double({ min: 0, max: 0.05, noNaN: true }), fc.double({ min: 0, max: 0.1, noNaN: true }), (y, n, margin, rate) => {
        const yb = book(y.bids, y.asks);
        const nb = book(n.bids, n.asks);
        const fee = { rate, exponent: 1, taker_only: true };
        const zero = { shares: 0, cost: 0, fees: 0 };
        const d = decidePair({ yes: yb, no: nb, holdings: { yes: zero, no: zero }, fee, tick: 0.01, maxSlippageTicks: 10, cfg: { ...cfg.trading.pair_arb, safety_margin: margin }, sizeScale: 1, maxOrderUsdc: null, nowMs: 0, nakedSinceMs: null });
        if (d.kind !== 'enter') {
          refused++;
          return;
        }
        entered++;
        const size = d.legs[0].size;
        const ey = yb.effectivePriceForSize('BUY', size);
        const en = nb.effectivePriceForSize('BUY', size);
        expect(ey.fillable).toBeGreaterThanOrEqual(size);
        expect(en.fillable).toBeGreaterThanOrEqual(size);
        const threshold = 1 - takerFeePerShare(ey.avgPrice!, fee) - takerFeePerShare(en.avgPrice!, fee) - margin;
        expect(ey.avgPrice! + en.avgPrice!).toBeLessThan(threshold);
      }),
      RUNS,
    );
    // Both branches were exercised, so the property is not vacuous.
    expect(entered).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('notional caps are never exceeded, whatever orders, fills and cancels arrive', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('order' as const), market: fc.constantFrom('a', 'b', 'c'), price: fc.integer({ min: 1, max: 99 }), size: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant('fill' as const), pick: fc.nat(), frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('end' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const risk = new RiskEngine({ ...cfg.risk, rate_limit: { max_orders: 1000, window_ms: 1 } });
        const open: Array<{ id: string; market: string; price: number; size: number; filled: number }> = [];
        const cost = new Map<string, number>();
        let t = 0;
        let n = 0;
        for (const o of ops) {
          t += 10;
          if (o.kind === 'order') {
            const id = `o${n++}`;
            const price = o.price / 100;
            const v = risk.checkOrder({ client_order_id: id, market_id: o.market, side: 'BUY', price, size: o.size, reduces: false }, t);
            if (v.ok) {
              expect(price * o.size).toBeLessThanOrEqual(cfg.risk.max_order_usdc + 1e-9);
              open.push({ id, market: o.market, price, size: o.size, filled: 0 });
            }
          } else if (open.length) {
            const ord = open[o.pick % open.length]!;
            if (o.kind === 'fill') {
              const add = (ord.size - ord.filled) * o.frac;
              ord.filled += add;
              // Buys fill at or below their limit.
              cost.set(ord.market, (cost.get(ord.market) ?? 0) + add * ord.price * (1 - o.frac / 10));
              risk.setPositionCost(ord.market, cost.get(ord.market)!);
              risk.onOrderProgress(ord.id, ord.filled, ord.size, ord.filled >= ord.size - 1e-9);
            } else {
              risk.onOrderProgress(ord.id, ord.filled, ord.size, true);
              open.splice(open.indexOf(ord), 1);
            }
          }
          for (const m of ['a', 'b', 'c']) expect(risk.marketExposure(m)).toBeLessThanOrEqual(cfg.risk.max_market_usdc + 1e-6);
          expect(risk.totalExposure()).toBeLessThanOrEqual(cfg.risk.max_total_usdc + 1e-6);
        }
      }),
      RUNS,
    );
  });

  it('conservation: cash plus positions at settlement equal the PnL', () => {
    const fillArb = fc.record({
      token: fc.constantFrom('Y', 'N'),
      strategy: fc.constantFrom('pair_arb' as const, 'temporal' as const),
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      price: fc.integer({ min: 1, max: 99 }),
      size: fc.integer({ min: 1, max: 50 }),
      fee: fc.double({ min: 0, max: 0.5, noNaN: true }),
      outcome: fc.constantFrom('CONFIRMED' as const, 'FAILED' as const, 'PENDING' as const),
    });
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 40 }), fc.constantFrom('Y', 'N'), fc.double({ min: 0, max: 1, noNaN: true }), (fills, winner, mark) => {
        let ledger = emptyLedger();
        fills.forEach((f, i) => {
          const held = strategyHolding(ledger, f.token, f.strategy).shares;
          const size = f.side === 'SELL' ? Math.min(held, f.size) : f.size;
          if (size <= 0) return;
          const base: Omit<LedgerFill, 'status'> = { fill_id: `f${i}`, token_id: f.token, strategy: f.strategy, side: f.side, price: f.price / 100, size, fee_usdc: f.fee };
          ledger = applyFill(ledger, { ...base, status: 'MATCHED' });
          if (f.outcome !== 'PENDING') ledger = applyFill(ledger, { ...base, status: f.outcome });
        });
        // Before settlement, at any mark: cash + Σ shares × mark = net PnL.
        const marks = { Y: mark, N: 1 - mark };
        let value = ledger.cash;
        for (const lot of Object.values(ledger.lots)) value += lot.shares * marks[lot.token_id as 'Y' | 'N'];
        expect(value).toBeCloseTo(pnlSummary(ledger, marks).net, 6);
        const settled = settle(ledger, winner === 'Y' ? { Y: 1, N: 0 } : { Y: 0, N: 1 });
        const s = pnlSummary(settled, {});
        for (const lot of Object.values(settled.lots)) expect(lot.shares).toBe(0);
        expect(settled.cash).toBeCloseTo(s.net, 6);
        expect(s.net).toBeCloseTo(s.realized - s.fees, 6);
        const byStrategy = Object.values(s.by_strategy).reduce((a, b) => a + b, 0);
        expect(byStrategy).toBeCloseTo(s.net, 6);
      }),
      RUNS,
    );
  });

  it('paper marketable fills never exceed the book, nor resting fills the traded volume past the queue', async () => {
    await fc.assert(
      fc.asyncProperty(
        ladder,
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 80 }), limitUp: fc.integer({ min: 0, max: 6 }), fok: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 40 }), through: fc.boolean() }), { maxLength: 6 }),
        async (lad, orders, trades) => {
          const clock = new VirtualClock(1000);
          const b = book(lad.bids, lad.asks);
          const paper = new PaperExecutionAdapter({ clock, cfg: { ...cfg.execution.paper, order_latency_ms: 0, fail_probability: 0 }, bookFor: (): L2Book => b });
          paper.registerMarket({ market_id: 'm', tokens: ['Y'], tick_size: 0.01, min_order_size: 1, fee: spec().fee });
          const fills: Array<{ id: string; price: number; size: number; liquidity: string }> = [];
          paper.subscribe((e) => {
            if (e.kind === 'fill' && e.fill.status === 'MATCHED') fills.push({ id: e.fill.client_order_id, price: e.fill.price, size: e.fill.size, liquidity: e.fill.liquidity });
          });
          const best = lad.asks[0]![0];
          const limits = new Map<string, { limit: number; size: number }>();
          orders.forEach((o, i) => {
            const limit = Math.min(0.99, Math.round((best + o.limitUp / 100) * 100) / 100);
            limits.set(`t${i}`, { limit, size: o.size });
            void paper.placeOrder({ client_order_id: `t${i}`, market_id: 'm', token_id: 'Y', side: 'BUY', order_type: o.fok ? 'FOK' : 'FAK', price: limit, size: o.size, strategy: 'temporal', expires_at_ms: null });
          });
          clock.advanceBy(1);
          // Per level, taker fills never exceed its displayed size (liquidity is consumed, not reused).
          for (const [price, size] of lad.asks) {
            const taken = fills.filter((f) => f.liquidity === 'taker' && Math.abs(f.price - price) < 1e-9).reduce((a, f) => a + f.size, 0);
            expect(taken).toBeLessThanOrEqual(size + 1e-9);
          }
          for (const [id, { limit, size }] of limits) {
            const mine = fills.filter((f) => f.id === id);
            // A marketable BUY spends at most its signed dollars (size × limit, whole cents), as the
            // venue fills it: at cheaper asks that buys more shares than its size.
            expect(mine.reduce((a, f) => a + f.size * f.price, 0)).toBeLessThanOrEqual(Math.round(size * limit * 100) / 100 + 1e-6);
            for (const f of mine) expect(f.price).toBeLessThanOrEqual(limit + 1e-9);
          }

          // A resting bid at the best bid queues behind the 100 shares displayed there.
          const bid = lad.bids[0]![0];
          void paper.placeOrder({ client_order_id: 'rest', market_id: 'm', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: bid, size: 30, strategy: 'temporal', expires_at_ms: null });
          clock.advanceBy(1);
          expect(paper.orderState('rest')!.queue_ahead).toBe(100);
          let atPrice = 0;
          let through = 0;
          for (const t of trades) {
            if (t.through) {
              through += t.size;
              paper.onTrade('Y', { price: Math.round((bid - 0.01) * 100) / 100, size: t.size, side: 'SELL' });
            } else {
              atPrice += t.size;
              paper.onTrade('Y', { price: bid, size: t.size, side: 'SELL' });
            }
          }
          const restFilled = fills.filter((f) => f.id === 'rest').reduce((a, f) => a + f.size, 0);
          expect(restFilled).toBeLessThanOrEqual(30 + 1e-9);
          expect(restFilled).toBeLessThanOrEqual(atPrice + through + 1e-9);
          if (through === 0) expect(restFilled).toBeLessThanOrEqual(Math.max(0, atPrice - 100) + 1e-9);
          for (const f of fills.filter((x) => x.id === 'rest')) expect(f.liquidity).toBe('maker');
        },
      ),
      propertyRuns(100),
    );
  });

  it('no buy is ever dispatched from LOCKED_PAIR, HALT, FINALIZING or RESOLVED', () => {
    let buys = 0;
    // Weighted towards book signals and short waits, so that buying states are reached often.
    const event = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('book' as const), token: fc.constantFrom('Y', 'N'), ask: fc.integer({ min: 30, max: 70 }), synced: fc.integer({ min: 0, max: 9 }).map((n) => n > 0) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('truth' as const), state: fc.constantFrom('live' as const, 'live' as const, 'stale' as const, 'effectively_final' as const, 'disputed' as const), p: fc.integer({ min: 5, max: 95 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('risk' as const), state: fc.constantFrom('ACTIVE' as const, 'REDUCING' as const, 'HALTED' as const), tripped: fc.boolean() }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('fillAll' as const) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 40_000 })) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('halt' as const, 'resume' as const, 'reconciled' as const, 'resolved' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const clock = new VirtualClock(1_000_000);
        const machine = marketTradingMachine;
        const dispatched: Array<{ state: MarketStateName | null; intents: readonly OrderIntent[] }> = [];
        const actor = createActor(
          machine.provide({
            actions: {
              dispatch: ({ context }, params) => {
                if (params.intents.length) dispatched.push({ state: context.plan.state, intents: params.intents });
              },
            },
          }),
          { clock, input: { spec: spec(), cfg: cfg.trading, now_ms: clock.now(), synced: true } },
        );
        actor.start();
        for (const e of events) {
          let ev: MarketInputEvent | null = null;
          if (e.kind === 'book') {
            const ask = e.ask / 100;
            ev = { type: 'BOOK', signal: bookSignal(e.token, book([[ask - 0.01, 100]], [[ask, 100]]), clock.now(), e.synced) };
          } else if (e.kind === 'truth') ev = { type: 'TRUTH', truth: truthSignal(e.state, e.p / 100), ts_ms: clock.now() };
          else if (e.kind === 'risk') ev = { type: 'RISK', risk: { state: e.state, size_scale: 1, market_tripped: e.tripped, reason: null } };
          else if (e.kind === 'halt') ev = { type: 'HALT_CMD', reason: 'p' };
          else if (e.kind === 'resume') ev = { type: 'RESUME_CMD' };
          else if (e.kind === 'reconciled') ev = { type: 'RECONCILED' };
          else if (e.kind === 'resolved') ev = { type: 'MARKET_RESOLVED', winning_token_id: 'Y' };
          else if (e.kind === 'advance') clock.advanceBy(e.ms);
          else {
            // The venue fills every live order in full (the most buying that could happen).
            const ctx = actor.getSnapshot().context;
            for (const o of Object.values(ctx.orders)) {
              if (o.status !== 'pending') continue;
              actor.send({ type: 'ORDER_UPDATE', now_ms: clock.now(), update: { client_order_id: o.client_order_id, status: 'filled', filled_size: o.size } });
              actor.send({ type: 'FILL', now_ms: clock.now(), fill: { client_order_id: o.client_order_id, fill_id: `${o.client_order_id}-f`, token_id: o.token_id, strategy: o.strategy, side: o.side, price: o.price, size: o.size, fee_usdc: 0, status: 'CONFIRMED' } });
            }
          }
          if (ev) actor.send({ ...ev, now_ms: clock.now() } as MarketTradingEvent);
        }
        for (const d of dispatched) {
          const buys = d.intents.filter((i) => i.kind === 'place' && i.side === 'BUY');
          if (buys.length) {
            buysSeen(buys.length);
            expect(PERMISSIONS[d.state!].buy).toBe(true);
            expect(['LOCKED_PAIR', 'HALT', 'FINALIZING', 'RESOLVED']).not.toContain(d.state);
          }
        }
        actor.stop();
      }),
      propertyRuns(120),
    );
    expect(buys).toBeGreaterThan(0);
    function buysSeen(n: number) {
      buys += n;
    }
  });
});
