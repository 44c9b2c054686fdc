import { describe, expect, it } from 'vitest';
import { carriesNothing, type CarriedTrading } from '../../src/domain/trading/carried-state.ts';
import { DailyLoss } from '../../src/domain/trading/daily-loss.ts';
import { sharesByToken } from '../../src/domain/trading/pnl-ledger.ts';
import { book, flush, paperTradingNode, spec } from './support.ts';

/**
 * A paper session's state carried into the next one on the same data directory (what the daemon
 * saves in DATA_DIR/state/paper-state.json): the second node holds what the first held, with its
 * cost and realized PnL, reconciles clean against the paper venue built from the same state, and
 * its risk keeps counting the day's loss from where the first one's day began.
 */

const DAY_MS = 86_400_000;

async function firstLife() {
  const life = paperTradingNode(spec());
  await life.node.start();
  life.setBook('Y', book([[0.4, 500]], [[0.42, 500]]));
  life.setBook('N', book([[0.55, 500]], [[0.57, 500]]));
  const order = (id: string, side: 'BUY' | 'SELL', price: number, size: number) =>
    life.node.paper!.placeOrder({ client_order_id: id, market_id: 'm1', token_id: 'Y', side, price, size, order_type: 'FOK', strategy: 'temporal', expires_at_ms: null });
  const step = async (ms: number) => {
    life.clock.advanceBy(ms);
    await flush();
  };
  void order('s1-1', 'BUY', 0.42, 20);
  await step(100);
  void order('s1-2', 'SELL', 0.4, 5);
  await step(100);
  // The price falls after the fills: the day's loss is what the holding lost.
  life.setBook('Y', book([[0.35, 500]], [[0.37, 500]]));
  // The sell's fill is still unconfirmed when the session ends: it stays counted.
  return life;
}

describe('paper state carried into the next session', () => {
  it('restores holdings, ledger and risk: no reconcile break, the same PnL and the same daily loss', async () => {
    const first = await firstLife();
    const carried = first.node.carry()!;
    expect(carried.venue).toEqual([{ token_id: 'Y', shares: 15, cost: expect.closeTo(6.3, 9) }]);
    const before = first.node.runtime.marketPnl('m1');
    expect(before.realized).toBeCloseTo(-0.1, 9);
    expect(first.node.risk.dailyLossUsdc).toBeGreaterThan(0);

    const second = paperTradingNode(spec(), undefined, { carried: JSON.parse(JSON.stringify(carried)), startMs: first.clock.now() + 60_000 });
    await second.node.start();
    const ctx = second.node.runtime.marketSnapshot('m1')!.context;
    expect(sharesByToken(ctx.ledger)).toEqual({ Y: 15 });
    // The carried temporal holding is managed again: its market resumes in TEMPORAL_ACTIVE, not IDLE.
    expect(second.node.runtime.marketSnapshot('m1')!.state).toBe('TEMPORAL_ACTIVE');
    expect(ctx.synced).toBe(true);
    expect(second.sink.events.filter((e) => e.type === 'ALERT' && e.payload.code === 'RECONCILE_BREAK')).toEqual([]);
    const after = second.node.runtime.marketPnl('m1');
    expect(after.realized).toBeCloseTo(before.realized, 9);
    expect(after.fees).toBeCloseTo(before.fees, 9);
    expect(second.node.paper!.holdings()).toEqual(first.node.paper!.holdings());
    // Published at start, so the dashboard and pnl_net_usdc show it before any book.
    expect(second.sink.events.find((e) => e.type === 'POSITION' && e.token_id === 'Y')?.payload).toMatchObject({ shares: 15 });
    // The day's loss as the first session left it, before this one has seen a book.
    expect(second.node.risk.dailyLossUsdc).toBeCloseTo(first.node.risk.dailyLossUsdc, 9);
    // The other token's book alone does not value what is held in Y: the carried value stands.
    second.setBook('N', book([[0.55, 500]], [[0.57, 500]]));
    expect(second.node.risk.dailyLossUsdc).toBeCloseTo(first.node.risk.dailyLossUsdc, 9);
    second.setBook('Y', book([[0.3, 500]], [[0.32, 500]]));
    expect(second.node.risk.dailyLossUsdc).toBeCloseTo(first.node.risk.dailyLossUsdc + 15 * (0.35 - 0.35 * 0.03 * 0.65 - (0.3 - 0.3 * 0.03 * 0.7)), 9);
    // And what it carries on is the same ledger.
    expect(second.node.carry()!.markets.m1!.ledger.lots).toEqual(carried.markets.m1!.ledger.lots);
  });

  it('a baseline of an earlier UTC day is not counted: the new day starts at the net carried in', async () => {
    const first = await firstLife();
    const carried = first.node.carry()!;
    const nextDay = (DailyLoss.dayOf(first.clock.now()) + 1) * DAY_MS + 1_000;
    const second = paperTradingNode(spec(), undefined, { carried, startMs: nextDay });
    await second.node.start();
    expect(second.node.risk.dailyBaseline).toEqual({ day: DailyLoss.dayOf(nextDay), start_net_pnl: expect.any(Number) });
    expect(second.node.risk.dailyLossUsdc).toBe(0);
    expect(second.node.runtime.marketPnl('m1').realized).toBeCloseTo(-0.1, 9);
  });

  it('a session that never traded carries nothing: its day began at the 0 every session starts with', () => {
    const idle: CarriedTrading = { venue: [], markets: {}, daily: { day: 20_000, start_net_pnl: 0 }, peak_net_pnl: 0 };
    expect(carriesNothing(idle)).toBe(true);
    expect(carriesNothing({ ...idle, daily: { day: 20_000, start_net_pnl: -3 } })).toBe(false);
  });

  it('a market the new session does not trade stays carried, counted and published', async () => {
    const first = await firstLife();
    const carried = first.node.carry()!;
    const second = paperTradingNode(spec({ market_id: 'm2', yes_token: 'Y2', no_token: 'N2' }), undefined, { carried });
    await second.node.start();
    expect(second.node.carry()!.markets.m1).toEqual(carried.markets.m1);
    expect(second.node.paper!.holdings()).toEqual(carried.venue);
    expect(second.sink.events.find((e) => e.type === 'POSITION' && e.market_id === 'm1')?.payload).toMatchObject({ shares: 15 });
    expect(second.node.risk.dailyLossUsdc).toBeCloseTo(first.node.risk.dailyLossUsdc, 9);
  });

  it('carried holdings count against the notional caps from the start, in markets this session does not trade too', async () => {
    // Four markets holding 24 USDC each at cost (the defaults: 25 per market, 100 in all), none traded now.
    const held = ['1', '2', '3', '4'];
    const carried: CarriedTrading = {
      venue: held.map((n) => ({ token_id: `Y${n}`, shares: 48, cost: 24 })),
      markets: Object.fromEntries(
        held.map((n) => [`m${n}`, { ledger: { lots: { [`Y${n}|temporal`]: { token_id: `Y${n}`, strategy: 'temporal' as const, shares: 48, cost: 24, realized: 0, fees: 0 } }, cash: -24, settled_prices: null, settled_shares: {} }, risk_net: 0 }]),
      ),
      daily: null,
    };
    const second = paperTradingNode(spec({ market_id: 'm5', yes_token: 'Y5', no_token: 'N5' }), undefined, { carried });
    await second.node.start();
    expect(second.node.risk.totalExposure()).toBeCloseTo(96, 9);
    const order = (id: string, size: number) => ({ client_order_id: id, market_id: 'm5', side: 'BUY' as const, price: 0.5, size, reduces: false });
    // 96 held + 5 would pass the total cap: refused; 96 + 3 fits.
    expect(second.node.risk.checkOrder(order('c5-1', 10), second.clock.now())).toEqual({ ok: false, reason: 'total notional cap' });
    expect(second.node.risk.checkOrder(order('c5-2', 6), second.clock.now())).toEqual({ ok: true });
  });

  it('drawdown counts from the peak the previous session reached, on the same net PnL', async () => {
    const first = paperTradingNode(spec());
    await first.node.start();
    first.setBook('Y', book([[0.2, 500]], [[0.22, 500]]));
    first.setBook('N', book([[0.77, 500]], [[0.79, 500]]));
    void first.node.paper!.placeOrder({ client_order_id: 'd1-1', market_id: 'm1', token_id: 'Y', side: 'BUY', price: 0.22, size: 100, order_type: 'FOK', strategy: 'temporal', expires_at_ms: null });
    first.clock.advanceBy(100);
    await flush();
    // Up about 36 USDC, then back down about 20 (≥ risk.drawdown.reducing_usdc, 15): new risk only at a quarter size.
    first.setBook('Y', book([[0.6, 500]], [[0.62, 500]]));
    const peak = first.node.risk.peakNetPnl;
    expect(peak).toBeGreaterThan(30);
    first.setBook('Y', book([[0.4, 500]], [[0.42, 500]]));
    expect(first.node.risk.state).toBe('REDUCING');
    expect(first.node.risk.sizeScale).toBe(0.25);
    const carried = first.node.carry()!;
    expect(carried.peak_net_pnl).toBeCloseTo(peak, 9);

    const second = paperTradingNode(spec(), undefined, { carried: JSON.parse(JSON.stringify(carried)), startMs: first.clock.now() + 60_000 });
    await second.node.start();
    expect(second.node.risk.state).toBe('REDUCING');
    expect(second.node.risk.sizeScale).toBe(0.25);
    expect(second.sink.events.find((e) => e.type === 'RISK_STATE' && e.market_id === undefined)?.payload).toMatchObject({ state: 'REDUCING', size_scale: 0.25 });
    // The net it restarts from is the one the peak was measured against: back at the peak's marks, full size again.
    second.setBook('Y', book([[0.4, 500]], [[0.42, 500]]));
    expect(second.node.risk.state).toBe('REDUCING');
    second.setBook('Y', book([[0.6, 500]], [[0.62, 500]]));
    expect(second.node.risk.state).toBe('ACTIVE');
    expect(second.node.risk.sizeScale).toBe(1);
    expect(second.node.risk.peakNetPnl).toBeCloseTo(peak, 9);
  });

  it('a daily-loss kill restored as the kill switch\'s halt still refuses a resume that day', async () => {
    const startMs = 1_700_000_000_000;
    // The previous session lost 30 today (the limit is 20): a daily-loss kill, kept by the kill switch.
    const carried: CarriedTrading = {
      venue: [{ token_id: 'Y', shares: 100, cost: 50 }],
      markets: { m1: { ledger: { lots: { 'Y|temporal': { token_id: 'Y', strategy: 'temporal', shares: 100, cost: 50, realized: 0, fees: 0 } }, cash: -50, settled_prices: null, settled_shares: {} }, risk_net: -30 } },
      daily: { day: DailyLoss.dayOf(startMs), start_net_pnl: 0 },
      peak_net_pnl: 0,
    };
    const second = paperTradingNode(spec(), undefined, { carried, startMs });
    await second.node.start();
    expect(second.node.risk.haltReason).toMatch(/^daily loss 30\.00 ≥ 20/);
    // The daemon's first input after a restart: the halt still in force, as an operator's (a kill-switch file of an earlier build).
    second.node.route(second.events.make('HALT', { scope: 'global', reason: 'daily loss 30.00 ≥ 20 (restored: halted since …)' }));
    second.clock.advanceBy(second.cfg.risk.cool_down_ms);
    expect(second.node.runtime.resume()).toEqual({ ok: false, reason: 'daily loss limit still breached today' });
    expect(second.node.risk.state).toBe('HALTED');
    // The next UTC day an operator may resume it (an operator's halt is not lifted by the day's rollover).
    second.clock.advanceTo((DailyLoss.dayOf(startMs) + 1) * DAY_MS);
    expect(second.node.risk.state).toBe('HALTED');
    expect(second.node.runtime.resume()).toEqual({ ok: true });
  });

  it('a restored daily-loss kill remembers its day: no resume that day though the loss recovered, lifted at the rollover', async () => {
    const startMs = 1_700_000_000_000;
    const today = DailyLoss.dayOf(startMs);
    // The previous session reached the limit (20) today and was killed; its loss has since recovered to 5.
    const carried: CarriedTrading = {
      venue: [{ token_id: 'Y', shares: 100, cost: 50 }],
      markets: { m1: { ledger: { lots: { 'Y|temporal': { token_id: 'Y', strategy: 'temporal', shares: 100, cost: 50, realized: 0, fees: 0 } }, cash: -50, settled_prices: null, settled_shares: {} }, risk_net: -5 } },
      daily: { day: today, start_net_pnl: 0 },
      peak_net_pnl: 0,
    };
    const second = paperTradingNode(spec(), undefined, { carried, startMs });
    await second.node.start();
    expect(second.node.risk.state).toBe('ACTIVE');
    // The kill switch's record of that kill, restored as the first input.
    second.node.route(second.events.make('HALT', { scope: 'global', reason: 'daily loss 21.00 ≥ 20 (restored: halted since …)', kind: 'daily_loss', daily_limit_day: today }));
    expect(second.node.risk.haltKind).toBe('daily_loss');
    second.clock.advanceBy(second.cfg.risk.cool_down_ms);
    expect(second.node.runtime.resume()).toEqual({ ok: false, reason: 'daily loss limit still breached today' });
    // As before the restart, the next UTC day lifts it by itself.
    second.clock.advanceTo((today + 1) * DAY_MS + 1_000);
    expect(second.node.risk.state).toBe('ACTIVE');
  });
});

/**
 * A market leaving the universe (settled, then retired): what it made or lost stays in risk's net
 * PnL, the reports and what the next session carries. Dropping it looked like a loss of its profit
 * (drawdown, even the daily-loss kill) or hid its loss from the daily-loss limit.
 */
describe('a market that leaves the universe', () => {
  /** `shares` of Y bought at 0.22, then the market resolves to `winner` and leaves. */
  async function settledAndRemoved(winner: 'Y' | 'N', shares: number) {
    const life = paperTradingNode(spec());
    await life.node.start();
    life.setBook('Y', book([[0.2, 500]], [[0.22, 500]]));
    life.setBook('N', book([[0.77, 500]], [[0.79, 500]]));
    void life.node.paper!.placeOrder({ client_order_id: 'r1-1', market_id: 'm1', token_id: 'Y', side: 'BUY', price: 0.22, size: shares, order_type: 'FOK', strategy: 'temporal', expires_at_ms: null });
    life.clock.advanceBy(100);
    await flush();
    life.node.route(life.events.make('MARKET_RESOLVED', { winning_token_id: winner, winning_outcome: null }, { market_id: 'm1' }));
    await flush();
    const settled = {
      net: life.node.runtime.riskNetPnl(),
      peak: life.node.risk.peakNetPnl,
      dailyLoss: life.node.risk.dailyLossUsdc,
      pnl: life.node.runtime.marketPnl('m1'),
      total: life.node.runtime.totalNetPnl(),
      summary: life.node.summary().net_pnl,
    };
    expect(life.node.runtime.marketSnapshot('m1')!.context.ledger.settled_prices).not.toBeNull();
    life.node.runtime.removeMarket('m1');
    // Marks of the day go on, on a market still traded: risk re-evaluates.
    life.node.risk.onPnl(life.node.runtime.riskNetPnl(), life.clock.now());
    return { life, settled };
  }

  it('a profitable one keeps its profit in the net: no drawdown, the same reports, carried to the next session', async () => {
    const { life, settled } = await settledAndRemoved('Y', 100);
    expect(settled.net).toBeGreaterThan(70);
    expect(settled.pnl.unrealized).toBeCloseTo(0, 9);
    expect(settled.net).toBeCloseTo(settled.pnl.realized - settled.pnl.fees, 9);
    expect(life.node.runtime.riskNetPnl()).toBeCloseTo(settled.net, 9);
    expect(life.node.risk.state).toBe('ACTIVE');
    expect(life.node.risk.sizeScale).toBe(1);
    expect(life.node.runtime.marketIds()).toEqual([]);
    expect(life.node.runtime.marketPnl('m1')).toEqual(settled.pnl);
    expect(life.node.runtime.totalNetPnl()).toBeCloseTo(settled.total, 9);
    expect(life.node.summary().net_pnl).toBeCloseTo(settled.summary, 9);

    const carried = life.node.carry()!;
    expect(carried.markets.m1!.ledger.lots['Y|temporal']).toMatchObject({ shares: 0, realized: settled.pnl.realized, fees: settled.pnl.fees });
    expect(carried.markets.m1!.risk_net).toBeCloseTo(settled.net, 9);
    const next = paperTradingNode(spec({ market_id: 'm2', yes_token: 'Y2', no_token: 'N2' }), undefined, { carried: JSON.parse(JSON.stringify(carried)), startMs: life.clock.now() + 60_000 });
    await next.node.start();
    expect(next.node.runtime.riskNetPnl()).toBeCloseTo(settled.net, 9);
    expect(next.node.risk.state).toBe('ACTIVE');
    expect(next.node.risk.dailyLossUsdc).toBe(0);
    expect(next.node.runtime.totalNetPnl()).toBeCloseTo(settled.total, 9);
    // Published at start: the operator's realized total (observer, dashboard) includes it after a restart too.
    expect(next.sink.events.find((e) => e.type === 'POSITION' && e.market_id === 'm1')?.payload).toMatchObject({ realized_pnl: settled.pnl.realized });
  });

  it('a losing one keeps counting against the daily-loss limit, in this session and the next', async () => {
    const { life, settled } = await settledAndRemoved('N', 50);
    expect(settled.dailyLoss).toBeGreaterThan(9);
    expect(life.node.risk.dailyLossUsdc).toBeCloseTo(settled.dailyLoss, 9);
    expect(life.node.runtime.riskNetPnl()).toBeCloseTo(settled.net, 9);
    const carried = life.node.carry()!;
    expect(carried.markets.m1!.risk_net).toBeCloseTo(settled.net, 9);
    const next = paperTradingNode(spec({ market_id: 'm2', yes_token: 'Y2', no_token: 'N2' }), undefined, { carried: JSON.parse(JSON.stringify(carried)), startMs: life.clock.now() + 60_000 });
    await next.node.start();
    expect(next.node.risk.dailyLossUsdc).toBeCloseTo(settled.dailyLoss, 9);
  });
});
