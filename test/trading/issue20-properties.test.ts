import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { PaperExecutionAdapter } from '../../src/adapters/execution/paper-adapter.ts';
import type { L2Book } from '../../src/domain/book/l2-book.ts';
import { allInPerShare, fillFee, type FeeSchedule } from '../../src/domain/trading/fees.ts';
import { decidePair, guaranteedPairPnl, pairImbalance, type LegHolding } from '../../src/domain/trading/pair-arb.ts';
import { applyFill, emptyLedger, pnlSummary, settle, strategyHolding, type Ledger, type LedgerFill } from '../../src/domain/trading/pnl-ledger.ts';
import { book, defaultSections, flush, ladder, rig, spec, WEATHER_FEE } from './support.ts';

/**
 * Issue #20, "done when": properties over random books, latencies and fills.
 */
const cfg = defaultSections();
const CAP = cfg.risk.max_order_usdc;

const holding = fc.record({ shares: fc.integer({ min: 0, max: 3000 }), avg: fc.integer({ min: 3, max: 97 }) }).map(({ shares, avg }): LegHolding => {
  const s = shares / 100;
  return { shares: s, cost: s * (avg / 100), fees: fillFee(s, avg / 100, 'taker', WEATHER_FEE) };
});

const after = (h: LegHolding, side: 'BUY' | 'SELL', size: number, price: number, schedule: FeeSchedule): LegHolding => {
  const fee = fillFee(size, price, 'taker', schedule);
  if (side === 'BUY') return { shares: h.shares + size, cost: h.cost + size * price, fees: h.fees + fee };
  // A sale returns its proceeds: for the guarantee, that is money spent coming back.
  return { shares: h.shares - size, cost: h.cost - size * price, fees: h.fees + fee };
};

describe('pair arbitrage over random books and holdings', () => {
  it('never enters or completes at a guaranteed loss after fees; out of time it takes the cheapest way out', () => {
    const seen = { enter: 0, complete: 0, unwind: 0, overdue: 0 };
    fc.assert(
      fc.property(ladder, ladder, holding, holding, fc.integer({ min: 0, max: 10 }), fc.boolean(), (y, n, hy, hn, rateCents, overdue) => {
        const fee = { rate: rateCents / 100, exponent: 1, taker_only: true };
        const naked = pairImbalance(hy, hn);
        const d = decidePair({
          yes: book(y.bids, y.asks),
          no: book(n.bids, n.asks),
          holdings: { yes: hy, no: hn },
          fee,
          tick: 0.01,
          maxSlippageTicks: cfg.trading.orders.max_slippage_ticks,
          cfg: cfg.trading.pair_arb,
          sizeScale: 1,
          maxOrderUsdc: CAP,
          nowMs: overdue ? cfg.trading.pair_arb.naked_leg_max_ms : 0,
          nakedSinceMs: naked ? 0 : null,
        });
        if (d.kind === 'enter') {
          seen.enter++;
          expect(naked).toBeNull();
          const [ly, ln] = [d.legs[0].limit, d.legs[1].limit];
          // Every share filling at its limit still pays: the chunk is profitable at its worst.
          expect(allInPerShare(ly, fee) + allInPerShare(ln, fee)).toBeLessThan(1 - cfg.trading.pair_arb.safety_margin);
          for (const l of d.legs) expect(l.size * allInPerShare(l.limit, fee)).toBeLessThanOrEqual(CAP + 1e-9);
        } else if (d.kind === 'complete' || d.kind === 'unwind') {
          expect(naked).not.toBeNull();
          d.kind === 'complete' ? seen.complete++ : seen.unwind++;
          const h = { yes: hy, no: hn };
          const filled = { ...h, [d.order.leg]: { ...after(h[d.order.leg], d.order.side, d.order.size, d.order.limit, fee) } };
          const gp = guaranteedPairPnl(filled.yes, filled.no);
          if (d.kind === 'complete' && d.order.size + 1e-9 >= naked!.excess) {
            if (!overdue) expect(gp).toBeGreaterThanOrEqual(-1e-4);
          }
          if (d.kind === 'complete') expect(d.order.size * allInPerShare(d.order.limit, fee)).toBeLessThanOrEqual(CAP + 1e-9);
          if (overdue) seen.overdue++;
          // Either way the naked excess shrinks, or flips into the overshoot of one minimum order.
          const nextNaked = pairImbalance(filled.yes, filled.no);
          if (nextNaked && nextNaked.lead === naked!.lead) expect(nextNaked.excess).toBeLessThan(naked!.excess + 1e-9);
          const touch = (d.order.leg === 'yes' ? y : n).asks[0]![0];
          if (nextNaked && nextNaked.lead !== naked!.lead) expect(nextNaked.excess * touch).toBeLessThan(1 + 0.01);
        } else if (d.kind === 'wait' && naked && overdue) {
          // Out of time and still waiting: only when neither way out exists in these books.
          expect(d.reason).toMatch(/overdue/);
        }
      }),
      { numRuns: 1000 },
    );
    expect(seen.enter).toBeGreaterThan(0);
    expect(seen.complete).toBeGreaterThan(0);
    expect(seen.unwind).toBeGreaterThan(0);
  });
});

describe('the runtime on the paper venue over random books, latencies and fills', () => {
  it('never leaves a pair leg naked beyond the bound (outside HALT), and risk caps hold', async () => {
    let nakedEpisodes = 0;
    let maxSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ y: ladder, n: ladder, ms: fc.integer({ min: 50, max: 400 }) }), { minLength: 20, maxLength: 60 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 30 }),
        async (steps, latency, failPct) => {
          const r = rig({ fail: failPct / 100, tune: (c) => void (c.execution.paper.order_latency_ms = latency) });
          r.runtime.addMarket(spec({ fee: WEATHER_FEE, strategies: { pair_arb: true, temporal: false } }), { synced: true });
          await r.runtime.start();
          const held = { Y: { shares: 0, cost: 0, fees: 0 }, N: { shares: 0, cost: 0, fees: 0 } };
          const applied = new Map<string, LedgerFill>();
          let halted = false;
          let nakedSince: number | null = null;
          let worst = 0;
          const observe = () => {
            const now = r.clock.now();
            const naked = pairImbalance(held.Y, held.N);
            if (!naked || halted) nakedSince = null;
            else if (nakedSince === null) {
              nakedSince = now;
              nakedEpisodes++;
            }
            if (nakedSince !== null) worst = Math.max(worst, now - nakedSince);
          };
          let cursor = 0;
          const drain = () => {
            for (; cursor < r.sink.events.length; cursor++) {
              const e = r.sink.events[cursor]!;
              if (e.type === 'MARKET_STATE') {
                halted = e.payload.state === 'HALT';
              } else if (e.type === 'FILL' && e.payload.strategy === 'pair_arb') {
                const f = e.payload;
                const token = e.token_id as 'Y' | 'N';
                const sign = f.status === 'MATCHED' ? 1 : f.status === 'FAILED' && applied.has(f.fill_id) ? -1 : 0;
                if (f.status === 'MATCHED') applied.set(f.fill_id, { ...f, token_id: token, strategy: 'pair_arb' });
                if (!sign) continue;
                const dir = f.side === 'BUY' ? 1 : -1;
                held[token] = { shares: held[token].shares + sign * dir * f.size, cost: held[token].cost + sign * dir * f.size * f.price, fees: held[token].fees + sign * f.fee_usdc };
              }
              observe();
            }
            observe();
          };
          for (const s of steps) {
            r.setBook('Y', book(s.y.bids, s.y.asks));
            r.setBook('N', book(s.n.bids, s.n.asks));
            await flush();
            drain();
            r.clock.advanceBy(s.ms);
            await flush();
            drain();
            expect(r.risk.totalExposure()).toBeLessThanOrEqual(cfg.risk.max_total_usdc + 1e-6);
          }
          const bound = cfg.trading.pair_arb.naked_leg_max_ms + 2 * latency + 2 * 400 + cfg.execution.paper.confirm_delay_ms;
          // Then the last books hold still past the bound: a leg still naked must be closed in them.
          const last = steps.at(-1)!;
          for (let t = 0; t < bound + 1000; t += 400) {
            r.setBook('Y', book(last.y.bids, last.y.asks));
            r.setBook('N', book(last.n.bids, last.n.asks));
            await flush();
            drain();
            r.clock.advanceBy(400);
            await flush();
            drain();
          }
          maxSeen = Math.max(maxSeen, worst);
          expect(worst).toBeLessThanOrEqual(bound);
          r.runtime.stop();
        },
      ),
      { numRuns: 200 },
    );
    console.info(`naked-leg episodes ${nakedEpisodes}, longest ${maxSeen} ms`);
    expect(nakedEpisodes).toBeGreaterThan(0);
  });
});

describe('the paper venue never fills more than the book offered', () => {
  it('taker fills at a level stay within what it showed first plus every later increase', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('refresh' as const), deltas: fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 3, maxLength: 3 }) }),
      fc.record({ kind: fc.constant('same' as const) }),
      fc.record({ kind: fc.constant('buy' as const), size: fc.integer({ min: 1, max: 40 }), up: fc.integer({ min: 0, max: 2 }) }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 3, maxLength: 3 }), fc.array(op, { minLength: 1, maxLength: 40 }), (start, ops) => {
        const prices = [0.5, 0.51, 0.52];
        let sizes = [...start];
        const mk = (): L2Book => book([[0.49, 100]], prices.map((p, i) => [p, sizes[i]!] as [number, number]).filter(([, s]) => s > 0));
        let b = mk();
        const clock = new VirtualClock(1000);
        const paper = new PaperExecutionAdapter({ clock, cfg: { ...cfg.execution.paper, order_latency_ms: 0, fail_probability: 0 }, bookFor: () => b });
        paper.registerMarket({ market_id: 'm', tokens: ['Y'], tick_size: 0.01, min_order_size: 1, fee: WEATHER_FEE });
        const offered = [...start];
        const taken = [0, 0, 0];
        const orders = new Map<string, { size: number; limit: number; filled: number }>();
        paper.subscribe((e) => {
          if (e.kind !== 'fill' || e.fill.status !== 'MATCHED') return;
          taken[prices.findIndex((p) => Math.abs(p - e.fill.price) < 1e-9)]! += e.fill.size;
          const o = orders.get(e.fill.client_order_id)!;
          o.filled += e.fill.size;
          expect(e.fill.price).toBeLessThanOrEqual(o.limit + 1e-9);
        });
        ops.forEach((o, i) => {
          if (o.kind === 'buy') {
            const limit = prices[o.up]!;
            orders.set(`o${i}`, { size: o.size, limit, filled: 0 });
            void paper.placeOrder({ client_order_id: `o${i}`, market_id: 'm', token_id: 'Y', side: 'BUY', order_type: 'FAK', price: limit, size: o.size, strategy: 'temporal', expires_at_ms: null });
            clock.advanceBy(1);
            return;
          }
          if (o.kind === 'refresh') {
            const next = sizes.map((s, k) => Math.max(0, s + o.deltas[k]!));
            next.forEach((s, k) => (offered[k]! += Math.max(0, s - sizes[k]!)));
            sizes = next;
          }
          b = mk();
          paper.onBookUpdated('Y');
        });
        for (let k = 0; k < 3; k++) expect(taken[k]).toBeLessThanOrEqual(offered[k]! + 1e-9);
        for (const o of orders.values()) expect(o.filled).toBeLessThanOrEqual(o.size + 1e-9);
      }),
      { numRuns: 200 },
    );
  });
});

describe('risk stops fire on marks', () => {
  it('a position whose exit value falls by the daily-loss limit halts trading on that book alone', async () => {
    let fired = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 20, max: 80 }), fc.integer({ min: 10, max: 100 }), fc.integer({ min: 1, max: 95 }), fc.integer({ min: 1, max: 10 }), async (askCents, size, bidCents, limit) => {
        const r = rig({ tune: (c) => void (c.risk.daily_loss_limit_usdc = limit) });
        r.runtime.addMarket(spec({ fee: WEATHER_FEE, strategies: { pair_arb: false, temporal: false } }), { synced: true });
        await r.runtime.start();
        const ask = askCents / 100;
        r.setBook('Y', book([[ask - 0.01, 500]], [[ask, 500]]));
        void r.paper.placeOrder({ client_order_id: 'hx-tp-1', market_id: 'm1', token_id: 'Y', side: 'BUY', order_type: 'FAK', price: ask, size, strategy: 'temporal', expires_at_ms: null });
        r.clock.advanceBy(100);
        await flush();
        const first = r.runtime.riskNetPnl();
        const bid = Math.min(bidCents, askCents + 10) / 100;
        r.setBook('Y', book([[bid, 500]], [[Math.min(0.99, bid + 0.01), 500]]));
        await flush();
        const drop = first - r.runtime.riskNetPnl();
        if (drop >= limit + 1e-6) {
          fired++;
          expect(r.risk.state).toBe('HALTED');
        } else if (drop < limit - 1e-6 && first > -limit) expect(r.risk.state).not.toBe('HALTED');
        r.runtime.stop();
      }),
      { numRuns: 60 },
    );
    expect(fired).toBeGreaterThan(0);
  });
});

describe('ledger conservation', () => {
  const fillArb = fc.record({
    token: fc.constantFrom('Y', 'N'),
    strategy: fc.constantFrom('pair_arb' as const, 'temporal' as const),
    side: fc.constantFrom('BUY' as const, 'BUY' as const, 'SELL' as const),
    price: fc.integer({ min: 1, max: 99 }),
    size: fc.integer({ min: 1, max: 50 }),
    parts: fc.integer({ min: 1, max: 3 }),
    outcome: fc.constantFrom('CONFIRMED' as const, 'FAILED' as const, 'LATE_FAILED' as const, 'LATE_CONFIRMED' as const),
  });

  const identity = (l: Ledger, marks: Record<string, number>) => {
    let value = l.cash;
    for (const lot of Object.values(l.lots)) value += lot.shares * (marks[lot.token_id] ?? 0);
    expect(value).toBeCloseTo(pnlSummary(l, marks).net, 6);
  };

  it('holds through FAILED, partial, 50-50 and late events; a late answer books as if it came before settlement', () => {
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 30 }), fc.constantFrom<Record<string, number>>({ Y: 1, N: 0 }, { Y: 0, N: 1 }, { Y: 0.5, N: 0.5 }), (fills, prices) => {
        let ledger = emptyLedger();
        const late: LedgerFill[] = [];
        fills.forEach((f, i) => {
          const held = strategyHolding(ledger, f.token, f.strategy).shares;
          const total = f.side === 'SELL' ? Math.min(held, f.size) : f.size;
          if (total <= 0) return;
          // A partial fill: several fills of one order, each answered on its own.
          for (let p = 0; p < f.parts; p++) {
            const base: Omit<LedgerFill, 'status'> = { fill_id: `f${i}.${p}`, token_id: f.token, strategy: f.strategy, side: f.side, price: f.price / 100, size: total / f.parts, fee_usdc: fillFee(total / f.parts, f.price / 100, 'taker', WEATHER_FEE) };
            ledger = applyFill(ledger, { ...base, status: 'MATCHED' });
            if (f.outcome === 'CONFIRMED' || f.outcome === 'FAILED') ledger = applyFill(ledger, { ...base, status: f.outcome });
            else late.push({ ...base, status: f.outcome === 'LATE_FAILED' ? 'FAILED' : 'CONFIRMED' });
            for (const lot of Object.values(ledger.lots)) expect(lot.shares).toBeGreaterThanOrEqual(-1e-9);
          }
          identity(ledger, { Y: 0.3, N: 0.7 });
        });
        let early = ledger;
        for (const f of late) early = applyFill(early, f);
        early = settle(early, prices);
        let after = settle(ledger, prices);
        for (const f of late) after = applyFill(after, f);
        for (const l of [early, after]) {
          const s = pnlSummary(l, {});
          for (const lot of Object.values(l.lots)) expect(lot.shares).toBe(0);
          expect(l.cash).toBeCloseTo(s.net, 6);
          expect(s.net).toBeCloseTo(s.realized - s.fees, 6);
          expect(Object.values(s.by_strategy).reduce((a, b) => a + b, 0)).toBeCloseTo(s.net, 6);
        }
        expect(after.cash).toBeCloseTo(early.cash, 6);
      }),
      { numRuns: 200 },
    );
  });
});
