import { describe, expect, it } from 'vitest';
import { decideEdge, kellyFraction, kellyStakeUsdc } from '../../src/domain/trading/edge.ts';
import { fillFee, takerFeePerShare } from '../../src/domain/trading/fees.ts';
import { haltCauses } from '../../src/domain/trading/halt-causes.ts';
import { advanceOrder, clientOrderId, hasOverstayed, newOrderRecord, type PlaceIntent } from '../../src/domain/trading/orders.ts';
import { guaranteedPairPnl } from '../../src/domain/trading/pair-arb.ts';
import { PolicyTable, policyFromNowcast, policyFromTruth } from '../../src/domain/trading/policy.ts';
import { reconcileMarket } from '../../src/domain/trading/reconcile.ts';
import { assessResolutionRisk } from '../../src/domain/trading/resolution-filter.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { emptySignals } from '../../src/domain/trading/signals.ts';
import { slippageGuard } from '../../src/domain/trading/slippage.ts';
import { checkMinimumSize, isValidPrice, roundLimit, roundSizeDown } from '../../src/domain/trading/ticks.ts';
import { book, bookSignal, defaultSections, spec, truthSignal } from './support.ts';

const cfg = defaultSections();

describe('fees, ticks and sizes', () => {
  it('taker fee is shares × rate × p(1−p), rounded to 5 dp with a minimum; makers pay nothing', () => {
    const fee = { rate: 0.03, exponent: 1, taker_only: true };
    expect(fillFee(100, 0.5, 'taker', fee)).toBeCloseTo(0.75, 10);
    expect(fillFee(100, 0.5, 'maker', fee)).toBe(0);
    expect(fillFee(0.001, 0.01, 'taker', fee)).toBe(0.00001);
    expect(takerFeePerShare(0.9, { rate: 0.05, exponent: 1, taker_only: true })).toBeCloseTo(0.0045, 10);
  });

  it('rounds limits so that rounding never worsens the price, and checks venue minimums', () => {
    expect(roundLimit('BUY', 0.4567, 0.01)).toBe(0.45);
    expect(roundLimit('SELL', 0.4511, 0.01)).toBe(0.46);
    expect(roundLimit('BUY', 0.0001, 0.01)).toBe(0.01);
    expect(isValidPrice(0.455, 0.01)).toBe(false);
    expect(isValidPrice(0.455, 0.005)).toBe(true);
    expect(roundSizeDown(9.999)).toBe(9.99);
    expect(checkMinimumSize(4, 0.5, false, 5).ok).toBe(false);
    expect(checkMinimumSize(1.9, 0.5, true, 5).ok).toBe(false);
    expect(checkMinimumSize(2, 0.5, true, 5).ok).toBe(true);
  });

  it('slippage guard reads depth, not the touch', () => {
    const b = book([[0.4, 10]], [[0.41, 5], [0.42, 5], [0.5, 100]]);
    expect(slippageGuard(b, 'BUY', 10, 0.01, 3)).toMatchObject({ ok: true, worstPrice: 0.42 });
    expect(slippageGuard(b, 'BUY', 20, 0.01, 3).ok).toBe(false);
    expect(slippageGuard(b, 'BUY', 500, 0.01, 100)).toEqual({ ok: false, reason: 'insufficient depth' });
  });

  it('a FOK BUY spends size × limit at the asks: its limit is where the asks up to it take all of that', () => {
    // 150 reach 0.42, but the asks up to 0.42 hold $61.84 of the $63 a FOK at 0.42 spends (the venue
    // kills it); up to 0.43 they hold $104.84 of $64.50.
    const b = book([[0.39, 10]], [[0.4, 100], [0.42, 52], [0.43, 100]]);
    expect(slippageGuard(b, 'BUY', 150, 0.01, 3)).toMatchObject({ ok: true, worstPrice: 0.42 });
    expect(slippageGuard(b, 'BUY', 150, 0.01, 3, true)).toMatchObject({ ok: true, worstPrice: 0.43 });
    // Where the dollars fit at the level the size reaches, that level stays the limit.
    expect(slippageGuard(b, 'BUY', 100, 0.01, 3, true)).toMatchObject({ ok: true, worstPrice: 0.4 });
    // Nothing within the slippage bound takes them: refused, not sent to be killed.
    expect(slippageGuard(b, 'BUY', 150, 0.01, 2, true)).toMatchObject({ ok: false });
  });
});

describe('orders', () => {
  const intent: PlaceIntent = { kind: 'place', client_order_id: clientOrderId('m1', 'temporal', 3), market_id: 'm1', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.4, size: 10, strategy: 'temporal', expires_at_ms: null };

  it('client order ids are deterministic', () => {
    expect(clientOrderId('m1', 'temporal', 3)).toBe(clientOrderId('m1', 'temporal', 3));
    expect(clientOrderId('m1', 'temporal', 3)).not.toBe(clientOrderId('m1', 'temporal', 4));
    expect(clientOrderId('m1', 'pair_arb', 3)).not.toBe(clientOrderId('m2', 'pair_arb', 3));
  });

  it('lifecycle ignores stale and repeated updates; filled size only grows', () => {
    let o = newOrderRecord(intent, 0);
    o = advanceOrder(o, { client_order_id: o.client_order_id, status: 'open', filled_size: 0 });
    o = advanceOrder(o, { client_order_id: o.client_order_id, status: 'partially_filled', filled_size: 4 });
    const again = advanceOrder(o, { client_order_id: o.client_order_id, status: 'partially_filled', filled_size: 4 });
    expect(again).toBe(o);
    o = advanceOrder(o, { client_order_id: o.client_order_id, status: 'open', filled_size: 0 });
    expect(o).toMatchObject({ status: 'partially_filled', filled_size: 4 });
    o = advanceOrder(o, { client_order_id: o.client_order_id, status: 'canceled', filled_size: 4 });
    expect(advanceOrder(o, { client_order_id: o.client_order_id, status: 'filled', filled_size: 10 }).status).toBe('canceled');
  });

  it('resting orders overstay after the max time in book', () => {
    const o = { ...newOrderRecord(intent, 1000), status: 'open' as const };
    expect(hasOverstayed(o, 1000 + cfg.trading.orders.max_time_in_book_ms - 1, cfg.trading.orders)).toBe(false);
    expect(hasOverstayed(o, 1000 + cfg.trading.orders.max_time_in_book_ms, cfg.trading.orders)).toBe(true);
  });
});

describe('edge strategy and policy', () => {
  it('Kelly is capped by the fraction cap and the hard USDC cap', () => {
    expect(kellyFraction(0.7, 0.5)).toBeCloseTo(0.4, 10);
    expect(kellyFraction(0.4, 0.5)).toBe(0);
    const c = { ...cfg.trading.temporal, kelly_fraction: 1, kelly_max_fraction: 0.1, bankroll_usdc: 1000, hard_cap_usdc: 7 };
    expect(kellyStakeUsdc(0.9, 0.5, c, 1)).toBe(7);
    expect(kellyStakeUsdc(0.9, 0.5, { ...c, hard_cap_usdc: 1e9 }, 0.5)).toBeCloseTo(50, 6);
  });

  it('buys the token whose fair value beats its fee-inclusive executable price by the threshold', () => {
    const y = book([[0.49, 100]], [[0.5, 100]]);
    const n = book([[0.49, 100]], [[0.5, 100]]);
    const base = { threshold: 0.05, maxOrderUsdc: 5, maxPositionUsdc: 5, fee: spec().fee, tick: 0.01, maxSlippageTicks: 3, minOrderShares: 5, sizeScale: 1, allowBuy: true, cfg: cfg.trading.temporal };
    const d = decideEdge({ ...base, tokens: [{ token_id: 'Y', book: y, fair: 0.7, holding: { shares: 0, cost: 0 } }, { token_id: 'N', book: n, fair: 0.3, holding: { shares: 0, cost: 0 } }] });
    expect(d).toMatchObject({ kind: 'buy', token_id: 'Y', style: 'marketable' });
    const none = decideEdge({ ...base, tokens: [{ token_id: 'Y', book: y, fair: 0.54, holding: { shares: 0, cost: 0 } }] });
    expect(none).toEqual({ kind: 'none', reason: 'no edge above threshold' });
    // Most evaluations end here: the answer is one shared value, not an object per evaluation.
    expect(decideEdge({ ...base, tokens: [{ token_id: 'N', book: n, fair: 0.5, holding: { shares: 0, cost: 0 } }] })).toBe(none);
    const refused = decideEdge({ ...base, allowBuy: false, tokens: [{ token_id: 'Y', book: y, fair: 0.7, holding: { shares: 0, cost: 0 } }] });
    expect(refused).toEqual({ kind: 'none', reason: 'buys not allowed' });
    expect(decideEdge({ ...base, allowBuy: false, tokens: [{ token_id: 'N', book: n, fair: 0.3, holding: { shares: 0, cost: 0 } }] })).toBe(refused);
  });

  it('derives policies from truth and nowcast, refusing stale inputs', () => {
    const d = { edge_threshold: 0.05, max_order_usdc: 5, max_position_usdc: 10, ttl_ms: 1000 };
    expect(policyFromTruth(truthSignal('live', 0.7), { Y: 'teamA', N: 'teamB' }, d, 0)?.fair_value).toEqual({ N: 0.30000000000000004, Y: 0.7 });
    expect(policyFromTruth(truthSignal('stale', 0.7), { Y: 'teamA' }, d, 0)).toBeNull();
    const nowcast = { judge_day: 'd', max_so_far_f: 80, distribution: [], buckets: [{ label: '80-81', lo_f: 80, hi_f: 81, p: 0.6 }], peak_time_bins: [], confidence: 1, qc_gate: 'open' as const, inputs: [] };
    expect(policyFromNowcast(nowcast, { kind: 'nowcast', bucket_label: '80-81', yes_token: 'Y', no_token: 'N' }, d, 0)?.fair_value.Y).toBe(0.6);
    expect(policyFromNowcast({ ...nowcast, qc_gate: 'closed' }, { kind: 'nowcast', bucket_label: '80-81', yes_token: 'Y', no_token: 'N' }, d, 0)).toBeNull();
    const t = new PolicyTable();
    t.upsert('m1', policyFromTruth(truthSignal('live', 0.7), { Y: 'teamA' }, d, 0)!);
    expect(t.get('m1', 999)).not.toBeNull();
    expect(t.get('m1', 1001)).toBeNull();
  });

  it('stale, unsynced and disputed inputs are halt causes; inputs never received are not', () => {
    const s = emptySignals();
    expect(haltCauses(spec(), s, [], cfg.trading, 0)).toEqual([]);
    s.books.Y = bookSignal('Y', book([[0.4, 1]], [[0.41, 1]]), 0, false);
    s.truth = { payload: truthSignal('disputed', 0.5), ts_ms: 0 };
    expect(haltCauses(spec(), s, ['manual'], cfg.trading, cfg.trading.staleness.truth_stale_ms + 1)).toEqual(['manual', 'stale_truth', 'truth_disputed', 'unsynced_book']);
  });

  it('guaranteed pair PnL is the smaller leg minus everything paid', () => {
    expect(guaranteedPairPnl({ shares: 10, cost: 4.5, fees: 0.1 }, { shares: 12, cost: 5, fees: 0.1 })).toBeCloseTo(0.3, 10);
  });
});

describe('risk engine', () => {
  it('kill switch halts buys and sells alike, cool-down gates the resume', () => {
    const r = new RiskEngine(cfg.risk);
    r.kill('operator', 0);
    expect(r.checkOrder({ client_order_id: 'a', market_id: 'm', side: 'SELL', price: 0.5, size: 1, reduces: true }, 1).ok).toBe(false);
    expect(r.resume(cfg.risk.cool_down_ms - 1)).toEqual({ ok: false, reason: 'cool-down in progress (1 s left)' });
    expect(r.resume(cfg.risk.cool_down_ms).ok).toBe(true);
    expect(r.state).toBe('ACTIVE');
    expect(r.drain().map((c) => (c.scope === 'global' ? c.state : c.tripped))).toEqual(['HALTED', 'ACTIVE']);
  });

  it('rate limit, per-order cap and REDUCING mode', () => {
    const r = new RiskEngine({ ...cfg.risk, rate_limit: { max_orders: 2, window_ms: 1000 } });
    const o = (id: string, size = 1) => ({ client_order_id: id, market_id: 'm', side: 'BUY' as const, price: 0.5, size, reduces: false });
    expect(r.checkOrder(o('a'), 0).ok).toBe(true);
    expect(r.checkOrder(o('a'), 1)).toEqual({ ok: false, reason: 'duplicate client order id' });
    expect(r.checkOrder(o('b'), 2).ok).toBe(true);
    expect(r.checkOrder(o('c'), 3)).toEqual({ ok: false, reason: 'order rate limit' });
    expect(r.checkOrder(o('d', 100), 2000).ok).toBe(false);
    r.onPnl(0, 0);
    r.onPnl(-cfg.risk.drawdown.reducing_usdc, 1);
    expect(r.state).toBe('REDUCING');
    expect(r.sizeScale).toBeCloseTo(cfg.risk.drawdown.min_scale, 10);
    expect(r.checkOrder(o('e'), 5000)).toEqual({ ok: false, reason: 'reducing only' });
    expect(r.checkOrder({ ...o('f'), side: 'SELL', reduces: true }, 5000).ok).toBe(true);
  });

  it('REDUCING lets a leg completing a partial neg-risk set through, within the notional caps completions keep', () => {
    const r = new RiskEngine({ ...cfg.risk, max_order_usdc: 5, max_market_usdc: 6, rate_limit: { max_orders: 100, window_ms: 1000 } });
    const leg = (id: string, market: string, size: number) => ({ client_order_id: id, market_id: market, side: 'BUY' as const, price: 0.5, size, reduces: false, completes_set: true });
    r.onPnl(0, 0);
    r.onPnl(-cfg.risk.drawdown.reducing_usdc, 1);
    expect(r.state).toBe('REDUCING');
    expect(r.checkOrder({ ...leg('entry', 'b0', 2), completes_set: false }, 10)).toEqual({ ok: false, reason: 'reducing only' });
    expect(r.checkOrder(leg('leg', 'b1', 8), 10)).toEqual({ ok: true });
    // Still what a completion costs, capped as before: per order, and per market with the leg above reserved.
    expect(r.checkOrder(leg('big', 'b2', 12), 10)).toEqual({ ok: false, reason: 'order notional 6.00 > 5' });
    expect(r.checkOrder(leg('more', 'b1', 6), 10)).toEqual({ ok: false, reason: 'market notional cap' });
    expect(r.marketExposure('b1')).toBeCloseTo(4, 9);
  });

  it('drawdown scales sizes; the daily loss kills until the next day', () => {
    const r = new RiskEngine({ ...cfg.risk, daily_loss_limit_usdc: 10, drawdown: { start_usdc: 2, reducing_usdc: 20, min_scale: 0.2 } });
    r.onPnl(5, 0);
    r.onPnl(-1, 1000);
    expect(r.sizeScale).toBeCloseTo(1 - (4 / 18) * 0.8, 10);
    r.onPnl(-5.5, 2000);
    expect(r.state).toBe('HALTED');
    expect(r.resume(2000 + cfg.risk.cool_down_ms).ok).toBe(false);
    r.poll(86_400_000 + 1);
    expect(r.state).not.toBe('HALTED');
  });

  it('a daily-loss kill ends at the day\'s rollover even when a mark of the new day comes before the poll', () => {
    const r = new RiskEngine({ ...cfg.risk, daily_loss_limit_usdc: 10 });
    r.onPnl(0, 0);
    r.onPnl(-12, 1000);
    expect(r.state).toBe('HALTED');
    // The first input of the new day is a mark (the new day's loss counts from it), the poll follows.
    r.onPnl(-12, 86_400_000 + 1);
    r.poll(86_400_000 + 2);
    expect(r.state).toBe('ACTIVE');
  });

  it('a daily-loss kill lifts the next UTC day even when a mark of that day came before its first poll', () => {
    const r = new RiskEngine({ ...cfg.risk, daily_loss_limit_usdc: 10 });
    const DAY = 86_400_000;
    r.onPnl(0, DAY - 60_000);
    // Killed a second before midnight: the cool-down runs into the next day.
    r.onPnl(-12, DAY - 1_000);
    expect(r.state).toBe('HALTED');
    // A held market's book moves just after midnight: the new day's loss counts from here (0).
    r.onPnl(-12, DAY + 200);
    // The kill lifts once both the day is over and its cool-down is: that is when poll is next due.
    const liftable = DAY - 1_000 + cfg.risk.cool_down_ms;
    expect(r.nextTimedChange()).toBe(liftable);
    r.poll(liftable - 1);
    expect(r.state).toBe('HALTED');
    r.poll(liftable);
    expect(r.state).toBe('ACTIVE');
  });

  it('a new UTC day\'s loss counts from the net in force at midnight, not from the first net seen after it', () => {
    const r = new RiskEngine({ ...cfg.risk, daily_loss_limit_usdc: 10 });
    const DAY = 86_400_000;
    r.onPnl(-2, DAY - 60_000);
    // Flat overnight; the new day's first net PnL comes with a losing fill.
    r.onPnl(-5, DAY + 3_600_000);
    expect(r.dailyLossUsdc).toBeCloseTo(3, 10);
  });

  it('on a day the daily loss reached its limit no resume lifts a halt, an operator\'s included', () => {
    const r = new RiskEngine({ ...cfg.risk, daily_loss_limit_usdc: 10 });
    r.kill('operator', 0);
    r.onPnl(0, 0);
    // The limit is reached while the operator's halt is in force, then the loss recovers below it.
    r.onPnl(-12, 1000);
    r.onPnl(-5, 2000);
    expect(r.resume(cfg.risk.cool_down_ms)).toEqual({ ok: false, reason: 'daily loss limit still breached today' });
    // The operator's halt outlasts the day (no rollover lifts it); the next day a resume does.
    r.poll(86_400_000 + 1);
    expect(r.state).toBe('HALTED');
    expect(r.resume(86_400_000 + 1).ok).toBe(true);
  });

  it('per-market circuit breakers trip on rejects, cancel failures and latency, then clear after the cool-down', () => {
    const r = new RiskEngine(cfg.risk);
    for (let i = 0; i < cfg.risk.breakers.max_consecutive_rejects; i++) r.onReject('m', 0);
    expect(r.isTripped('m', 1)).toBe(true);
    expect(r.isTripped('other', 1)).toBe(false);
    for (let i = 0; i < cfg.risk.breakers.max_cancel_failures; i++) r.onCancelResult('k', false, 0);
    expect(r.isTripped('k', 1)).toBe(true);
    r.onOrderLatency('l', cfg.risk.breakers.max_order_latency_ms + 1, 0);
    expect(r.isTripped('l', 1)).toBe(true);
    r.poll(cfg.risk.cool_down_ms);
    expect(r.isTripped('m', cfg.risk.cool_down_ms)).toBe(false);
    expect(r.drain().filter((c) => c.scope === 'market' && !c.tripped).map((c) => (c.scope === 'market' ? c.market_id : ''))).toEqual(['k', 'l', 'm']);
  });

  it('resolution-risk filter refuses ambiguous or sourceless rules', () => {
    const f = cfg.risk.resolution_filter;
    const clear = 'Resolves YES if Team A wins the best-of-3 series, per the official league site. Otherwise NO.';
    expect(assessResolutionRisk({ question: 'A vs B', rules: clear, resolution_source: 'https://league.example' }, f).ok).toBe(true);
    expect(assessResolutionRisk({ question: 'A vs B', rules: clear, resolution_source: null }, f).ok).toBe(false);
    expect(assessResolutionRisk({ question: 'A vs B', rules: `${clear} Remakes may be resolved at the discretion of the committee.`, resolution_source: 'x' }, f)).toMatchObject({ ok: false });
    expect(assessResolutionRisk({ question: 'A vs B', rules: 'YES if A wins', resolution_source: 'x' }, f).ok).toBe(false);
  });
});

describe('reconciliation invariants', () => {
  it('flags missing, unknown, fill and position mismatches, and leaves young orders alone', () => {
    const o = { ...newOrderRecord({ kind: 'place', client_order_id: 'a', market_id: 'm', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.4, size: 10, strategy: 'temporal', expires_at_ms: null }, 0), status: 'open' as const };
    const young = { ...o, client_order_id: 'b', placed_at_ms: 9000 };
    const m = reconcileMarket({
      expectedOrders: [o, young],
      venueOrders: [{ client_order_id: 'z', market_id: 'm', token_id: 'Y', side: 'BUY', price: 0.3, size: 5, filled_size: 0 }],
      expectedShares: { Y: 5 },
      venuePositions: [{ token_id: 'Y', shares: 4, avg_cost: 0.4 }],
      tokens: ['Y', 'N'],
      nowMs: 10_000,
      graceMs: 5000,
      toleranceShares: 0.01,
    });
    expect(m.map((x) => x.kind)).toEqual(['missing_at_venue', 'unknown_at_venue', 'position_mismatch']);
  });
});

describe('order history', () => {
  it('keeps live orders and only the most recent finished ones', async () => {
    const { pruneFinished } = await import('../../src/domain/trading/orders.ts');
    const mk = (id: string, t: number, status: 'open' | 'filled') => ({ ...newOrderRecord({ kind: 'place', client_order_id: id, market_id: 'm', token_id: 'Y', side: 'BUY', order_type: 'FAK', price: 0.5, size: 2, strategy: 'temporal', expires_at_ms: null }, t), status });
    const orders = Object.fromEntries([mk('a', 1, 'filled'), mk('b', 2, 'open'), mk('c', 3, 'filled'), mk('d', 4, 'filled')].map((o) => [o.client_order_id, o]));
    expect(Object.keys(pruneFinished(orders, 2)).sort()).toEqual(['b', 'c', 'd']);
  });

  it('keeps a finished order the venue reports matched until its fills are heard: it counts as held until then', async () => {
    const { pruneFinished } = await import('../../src/domain/trading/orders.ts');
    const mk = (id: string, t: number, heard: number) => ({ ...newOrderRecord({ kind: 'place', client_order_id: id, market_id: 'm', token_id: 'Y', side: 'BUY', order_type: 'FAK', price: 0.5, size: 2, strategy: 'temporal', expires_at_ms: null }, t), status: 'filled' as const, filled_size: 2, heard_size: heard });
    const orders = Object.fromEntries([mk('a', 1, 0), mk('b', 2, 2), mk('c', 3, 2), mk('d', 4, 2)].map((o) => [o.client_order_id, o]));
    expect(Object.keys(pruneFinished(orders, 2)).sort()).toEqual(['a', 'c', 'd']);
  });
});
