import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { PaperExecutionAdapter } from '../../src/adapters/execution/paper-adapter.ts';
import type { L2Book } from '../../src/domain/book/l2-book.ts';
import { allInPerShare, fillFee, type FeeSchedule } from '../../src/domain/trading/fees.ts';
import { marketBuyDollars, walkAskDollars } from '../../src/domain/trading/market-buy.ts';
import { decidePair, guaranteedPairPnl, pairImbalance, type LegHolding, type PairImbalance } from '../../src/domain/trading/pair-arb.ts';
import { MIN_MARKETABLE_NOTIONAL_USDC } from '../../src/domain/trading/ticks.ts';
import { applyFill, emptyLedger, pnlSummary, settle, strategyHolding, type Ledger, type LedgerFill } from '../../src/domain/trading/pnl-ledger.ts';
import { pinPropertySeed, propertyRuns, propertyTimeoutMs } from './property-seed.ts';
import { book, defaultSections, flush, ladder, rig, spec, WEATHER_FEE, type Side } from './support.ts';

pinPropertySeed('issue20-properties');

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
      propertyRuns(1000),
    );
    expect(seen.enter).toBeGreaterThan(0);
    expect(seen.complete).toBeGreaterThan(0);
    expect(seen.unwind).toBeGreaterThan(0);
  });
});

type Step = { y: { bids: Side; asks: Side }; n: { bids: Side; asks: Side }; ms: number };

const SLIP = cfg.trading.orders.max_slippage_ticks * 0.01;
const within = (levels: Side, limit: (p: number) => boolean) => levels.filter(([p]) => limit(p)).reduce((a, [, s]) => a + s, 0);

/**
 * Whether these books let a naked excess be closed by an order the venue accepts (marketable
 * orders need $1 notional; slippage bounded by `max_slippage_ticks`): the lagging leg's asks
 * offer $1 or more that leaves what stays unpaired no longer naked, or the leading leg's bids take
 * the whole excess for $1 or more. Judged from the books alone, independently of the strategy.
 */
function exitable(books: { Y: Step['y']; N: Step['n'] }, held: { Y: LegHolding; N: LegHolding }, naked: PairImbalance): boolean {
  const [lagT, leadT] = naked.lag === 'yes' ? (['Y', 'N'] as const) : (['N', 'Y'] as const);
  const ask = books[lagT].asks[0]?.[0];
  if (ask !== undefined) {
    const buy = Math.min(within(books[lagT].asks, (p) => p <= ask + SLIP + 1e-9), Math.max(naked.excess, MIN_MARKETABLE_NOTIONAL_USDC / ask));
    const after = { ...held, [lagT]: { ...held[lagT], shares: held[lagT].shares + buy, cost: held[lagT].cost + buy * ask } };
    const rest = pairImbalance(after.Y, after.N);
    if (buy * ask + 1e-9 >= MIN_MARKETABLE_NOTIONAL_USDC && (!rest || rest.lead !== naked.lead)) return true;
  }
  const bid = books[leadT].bids.reduce((m, [p]) => Math.max(m, p), 0);
  return bid > 0 && within(books[leadT].bids, (p) => p >= bid - SLIP - 1e-9) + 1e-9 >= naked.excess && naked.excess * (bid - SLIP) + 1e-9 >= MIN_MARKETABLE_NOTIONAL_USDC;
}

/**
 * Drives the runtime on the paper venue through `steps` (both books set, then the clock advanced),
 * then keeps offering the last books past the bound. Measures, from the FILL events alone, the
 * longest time a pair leg stayed naked outside HALT (`wallWorst`), and the longest such time
 * counting only the moments whose books offered a way out (`worst`): no strategy can close a leg
 * while the venue would refuse every closing order (an ask of 1 share at 0.05 and an 8-share
 * excess bid at 0.04 are both under the $1 marketable minimum), so the bound applies to the
 * time the books allowed it.
 */
async function nakedLegRun(steps: readonly Step[], latency: number, failPct: number) {
  const r = rig({ fail: failPct / 100, tune: (c) => void (c.execution.paper.order_latency_ms = latency) });
  r.runtime.addMarket(spec({ fee: WEATHER_FEE, strategies: { pair_arb: true, temporal: false } }), { synced: true });
  await r.runtime.start();
  const held = { Y: { shares: 0, cost: 0, fees: 0 }, N: { shares: 0, cost: 0, fees: 0 } };
  const applied = new Map<string, LedgerFill>();
  let halted = false;
  let nakedSince: number | null = null;
  let exitableMs = 0;
  let lastSeen = r.clock.now();
  let shown = { Y: steps[0]!.y, N: steps[0]!.n };
  let worst = 0;
  let wallWorst = 0;
  let episodes = 0;
  // Called at each event's own time, before and after applying it, and before every book change:
  // the span since the last call ran under the books `shown` and the holdings as they stand.
  const observe = (now = r.clock.now()) => {
    const naked = pairImbalance(held.Y, held.N);
    if (nakedSince !== null && naked && exitable(shown, held, naked)) exitableMs += now - lastSeen;
    lastSeen = now;
    if (!naked || halted) nakedSince = null;
    else if (nakedSince === null) {
      nakedSince = now;
      exitableMs = 0;
      episodes++;
    }
    if (nakedSince !== null) {
      worst = Math.max(worst, exitableMs);
      wallWorst = Math.max(wallWorst, now - nakedSince);
    }
  };
  // Each step is a fresh snapshot of what the venue offers, our own earlier takes already out of
  // it: paper first sees the levels go (so what we took there is free again), then the snapshot.
  // Without that, a book held still would keep showing liquidity paper knows we took, and no
  // completion could ever fill in it (seed -1388313387).
  const show = (y: Step['y'], n: Step['n']) => {
    observe();
    shown = { Y: y, N: n };
    for (const [token, side] of [['Y', y], ['N', n]] as const) {
      r.books.delete(token);
      r.paper.onBookUpdated(token);
      r.setBook(token, book(side.bids, side.asks));
    }
  };
  let cursor = 0;
  const drain = () => {
    for (; cursor < r.sink.events.length; cursor++) {
      const e = r.sink.events[cursor]!;
      observe(e.ts_ingest);
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
      observe(e.ts_ingest);
    }
    observe();
  };
  let exposureOk = true;
  for (const s of steps) {
    show(s.y, s.n);
    await flush();
    drain();
    r.clock.advanceBy(s.ms);
    await flush();
    drain();
    exposureOk &&= r.risk.totalExposure() <= cfg.risk.max_total_usdc + 1e-6;
  }
  const bound = cfg.trading.pair_arb.naked_leg_max_ms + 2 * latency + 2 * 400 + cfg.execution.paper.confirm_delay_ms;
  // Then the venue keeps offering the last books past the bound: a leg still naked must be closed
  // in them whenever they allow it.
  const last = steps.at(-1)!;
  for (let t = 0; t < bound + 1000; t += 400) {
    show(last.y, last.n);
    await flush();
    drain();
    r.clock.advanceBy(400);
    await flush();
    drain();
  }
  r.runtime.stop();
  return { worst, wallWorst, bound, episodes, exposureOk, events: r.sink.events };
}

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
          const run = await nakedLegRun(steps, latency, failPct);
          nakedEpisodes += run.episodes;
          maxSeen = Math.max(maxSeen, run.worst);
          expect(run.exposureOk).toBe(true);
          expect(run.worst).toBeLessThanOrEqual(run.bound);
        },
      ),
      propertyRuns(200),
    );
    console.info(`naked-leg episodes ${nakedEpisodes}, longest ${maxSeen} ms`);
    expect(nakedEpisodes).toBeGreaterThan(0);
  }, propertyTimeoutMs(200, 60_000));

  it('regression (seed 2111721365): a leg no order the venue accepts can close is timed only while the books offer a way out', async () => {
    // The shrunk counterexample: a pair enters at 0.10 + 0.37, the YES fill FAILS at confirmation
    // (2% failures), two completions each catch 1 share of a 1-share ask, and the books settle at
    // YES 0.05 × 1 share / NO bid 0.04: completing 8 needs 20 shares for the $1 minimum, selling 8
    // at 0.04 is $0.32. Timed on the wall clock this leg was "naked" 10 s against 8.1 s.
    const thin = { bids: [[0.04, 100]], asks: [[0.05, 1]] } as const;
    const at = (ms: number, y: Step['y'] = thin, n: Step['n'] = thin): Step => ({ y, n, ms });
    const steps = [
      at(50), at(50), at(372, { bids: [[0.09, 100]], asks: [[0.1, 10]] }, { bids: [[0.36, 100]], asks: [[0.37, 10]] }),
      ...[57, 113, 52, 152, 163, 294, 157, 377, 96, 69].map((ms) => at(ms)),
      at(390, { bids: [[0.04, 100]], asks: [[0.05, 4], [0.06, 16]] }), at(241), at(51),
      at(50, { bids: [[0.1, 100]], asks: [[0.11, 10]] }, { bids: [[0.19, 100]], asks: [[0.2, 10]] }),
      at(242, thin, { bids: [[0.17, 100]], asks: [[0.18, 10]] }), at(50), at(50),
    ];
    const run = await nakedLegRun(steps, 147, 2);
    const failed = run.events.find((e) => e.type === 'FILL' && e.payload.status === 'FAILED');
    expect(failed?.token_id).toBe('Y');
    // Each time the books allowed it, the runtime sent a completion of the lagging YES leg.
    const completions = run.events.filter((e) => e.type === 'ORDER_UPDATE' && e.payload.status === 'pending' && e.token_id === 'Y' && e.ts_ingest >= failed!.ts_ingest);
    expect(completions.length).toBeGreaterThanOrEqual(2);
    expect(run.wallWorst).toBeGreaterThan(run.bound);
    expect(run.worst).toBeGreaterThan(0);
    expect(run.worst).toBeLessThanOrEqual(run.bound);
  });

  it('regression (seed -1388313387): a lagging leg deeper than the book is completed with what the book holds', async () => {
    // Two FAILED confirmations land in one instant: the first makes NO lead, the completion it
    // sends fills after the second evened the legs, so YES leads by 11.12. NO offers 10 within
    // slippage at 0.10-0.12; halving 11.12 went to 5.56 ($0.56, under the $1 minimum) and nothing
    // was ever sent again, while 10 shares leave 1.12 ($0.12) unpaired.
    const thin = { bids: [[0.04, 100]], asks: [[0.05, 1]] } as const;
    const at = (ms: number, y: Step['y'] = thin, n: Step['n'] = thin): Step => ({ y, n, ms });
    const n10 = { bids: [[0.09, 100]], asks: [[0.1, 10]] } as const;
    const steps = [
      at(50), at(50), at(50, { bids: [[0.09, 100]], asks: [[0.1, 10]] }, { bids: [[0.28, 100]], asks: [[0.29, 10]] }), at(50), at(50), at(50),
      at(99, thin, n10), at(50), at(50), at(50), at(50), at(50), at(61, thin, n10), at(50), at(50), at(50), at(50), at(80), at(155),
      at(50, { bids: [[0.08, 100]], asks: [[0.09, 1], [0.11, 18]] }, { bids: [[0.09, 100]], asks: [[0.1, 4], [0.11, 5], [0.12, 1]] }),
    ];
    const run = await nakedLegRun(steps, 201, 7);
    expect(run.events.filter((e) => e.type === 'FILL' && e.payload.status === 'FAILED')).toHaveLength(2);
    expect(run.worst).toBeLessThanOrEqual(run.bound);
    expect(run.wallWorst).toBeLessThanOrEqual(run.bound);
  });
});

describe('closing a naked leg against a book shallower than the excess', () => {
  it('buys what the lagging book holds when the whole excess is not there', () => {
    const leg = (shares: number, price: number): LegHolding => ({ shares, cost: shares * price, fees: fillFee(shares, price, 'taker', WEATHER_FEE) });
    const d = decidePair({
      yes: book([[0.08, 100]], [[0.09, 1], [0.11, 18]]),
      no: book([[0.09, 100]], [[0.1, 4], [0.11, 5], [0.12, 1]]),
      holdings: { yes: leg(21.12, 0.105), no: leg(10, 0.115) },
      fee: WEATHER_FEE,
      tick: 0.01,
      maxSlippageTicks: cfg.trading.orders.max_slippage_ticks,
      cfg: cfg.trading.pair_arb,
      sizeScale: 1,
      maxOrderUsdc: CAP,
      nowMs: 0,
      nakedSinceMs: 0,
    });
    expect(d.kind).toBe('complete');
    if (d.kind !== 'complete') return;
    expect(d.order).toMatchObject({ leg: 'no', side: 'BUY', limit: 0.12 });
    // Signed for what the 10 shares cost ($1.07; 9 × 0.12 = $1.08 is the whole-cent step up), the
    // venue's market order buys all 10 at the makers' prices.
    const takes = walkAskDollars([[0.1, 4], [0.11, 5], [0.12, 1]], d.order.limit, marketBuyDollars(d.order.size, d.order.limit));
    expect(d.order.size).toBe(9);
    expect(takes.reduce((s, t) => s + t.size, 0)).toBeCloseTo(10, 6);
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
        const orders = new Map<string, { size: number; limit: number; spent: number }>();
        paper.subscribe((e) => {
          if (e.kind !== 'fill' || e.fill.status !== 'MATCHED') return;
          taken[prices.findIndex((p) => Math.abs(p - e.fill.price) < 1e-9)]! += e.fill.size;
          const o = orders.get(e.fill.client_order_id)!;
          o.spent += e.fill.size * e.fill.price;
          expect(e.fill.price).toBeLessThanOrEqual(o.limit + 1e-9);
        });
        ops.forEach((o, i) => {
          if (o.kind === 'buy') {
            const limit = prices[o.up]!;
            orders.set(`o${i}`, { size: o.size, limit, spent: 0 });
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
        // A marketable BUY spends at most its signed dollars (size × limit, whole cents), as the venue
        // fills it: at cheaper asks that buys more shares than its size.
        for (const o of orders.values()) expect(o.spent).toBeLessThanOrEqual(Math.round(o.size * o.limit * 100) / 100 + 1e-6);
      }),
      propertyRuns(200),
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
      propertyRuns(60),
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
      propertyRuns(200),
    );
  });
});
