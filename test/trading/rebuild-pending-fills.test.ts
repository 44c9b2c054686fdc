import { describe, expect, it } from 'vitest';
import { applyFill, emptyLedger, ledgerFromVenue, pnlSummary, sharesByToken, type LedgerFill } from '../../src/domain/trading/pnl-ledger.ts';
import { book, flush, rig, startEdgeMarket } from './support.ts';

const buy: LedgerFill = { fill_id: 'f1', token_id: 'Y', strategy: 'temporal', side: 'BUY', price: 0.5, size: 10, fee_usdc: 0.075, status: 'MATCHED' };

/** The venue's view of a ledger holding `buy` MATCHED: its positions hold matched fills. */
const venue = [{ token_id: 'Y', shares: 10, avg_cost: 0.5 }];

describe('a rebuild from the venue while a fill is MATCHED', () => {
  it('a later CONFIRMED counts the fill once (shares, cost and fee)', () => {
    const rebuilt = ledgerFromVenue(applyFill(emptyLedger(), buy), venue);
    const confirmed = applyFill(rebuilt, { ...buy, status: 'CONFIRMED' });
    expect(sharesByToken(confirmed).Y).toBe(10);
    expect(confirmed.cash).toBeCloseTo(-5.075, 9);
    expect(pnlSummary(confirmed, { Y: 0.5 })).toMatchObject({ fees: 0.075, net: -0.075 });
    expect(confirmed.pending).toEqual({});
  });

  it('a later FAILED takes the fill back from the rebuilt position, as the venue does', () => {
    const rebuilt = ledgerFromVenue(applyFill(emptyLedger(), buy), venue);
    const failed = applyFill(rebuilt, { ...buy, status: 'FAILED' });
    expect(sharesByToken(failed).Y ?? 0).toBeCloseTo(0, 9);
    expect(failed.cash).toBeCloseTo(0, 9);
    expect(pnlSummary(failed, {}).net).toBeCloseTo(0, 9);
  });

  it('on the trading path: the market holds what the venue holds once the fill is confirmed', async () => {
    const r = rig();
    await startEdgeMarket(r, { fair: 0.7, yes: book([[0.49, 100]], [[0.5, 100]]), no: book([[0.49, 100]], [[0.5, 100]]), afterMs: 100 });
    const before = r.runtime.marketSnapshot('m1')!.context.ledger;
    expect(Object.keys(before.pending)).toHaveLength(1);
    // An order at the venue this market does not know: reconciliation rebuilds it from the venue.
    void r.paper.placeOrder({ client_order_id: 'external-1', market_id: 'm1', token_id: 'N', side: 'BUY', order_type: 'GTC', price: 0.3, size: 10, strategy: 'temporal', expires_at_ms: null });
    r.clock.advanceBy(100);
    await flush();
    const report = await r.runtime.reconcile();
    expect(report.breaks.map((b) => b.mismatches.map((m) => m.kind))).toEqual([['unknown_at_venue']]);
    r.clock.advanceBy(r.cfg.execution.paper.confirm_delay_ms + 100);
    await flush();
    const after = r.runtime.marketSnapshot('m1')!.context.ledger;
    expect(after.pending).toEqual({});
    expect(sharesByToken(after).Y).toBeCloseTo(r.paper.positionsNow().find((p) => p.token_id === 'Y')!.shares, 9);
    expect(pnlSummary(after, {}).fees).toBeCloseTo(pnlSummary(before, {}).fees, 9);
    expect((await r.runtime.reconcile()).breaks.filter((b) => b.mismatches.some((m) => m.kind === 'position_mismatch'))).toEqual([]);
    r.runtime.stop();
  });
});

describe('a rebuild from the venue holding a fill this ledger never heard matched (an earlier trading session\'s)', () => {
  const awaitingBuy = { fill_id: 'f9', client_order_id: 'c9', side: 'BUY' as const, price: 0.5, size: 10 };

  it('a later CONFIRMED makes it final without counting it again', () => {
    const rebuilt = ledgerFromVenue(emptyLedger(), [{ ...venue[0]!, awaiting: [awaitingBuy] }]);
    expect(Object.keys(rebuilt.pending)).toEqual(['f9']);
    expect(rebuilt.pending.f9!.order_id).toBe('c9');
    const confirmed = applyFill(rebuilt, { ...buy, fill_id: 'f9', status: 'CONFIRMED' });
    expect(sharesByToken(confirmed).Y).toBe(10);
    expect(confirmed.cash).toBeCloseTo(-5, 9);
    expect(confirmed.pending).toEqual({});
  });

  it('a later FAILED takes its shares and their cost out (no fee: none was booked here)', () => {
    const rebuilt = ledgerFromVenue(emptyLedger(), [{ token_id: 'Y', shares: 15, avg_cost: 0.5, awaiting: [awaitingBuy] }]);
    const failed = applyFill(rebuilt, { ...buy, fill_id: 'f9', status: 'FAILED' });
    expect(sharesByToken(failed).Y).toBeCloseTo(5, 9);
    expect(failed.cash).toBeCloseTo(-2.5, 9);
    expect(pnlSummary(failed, { Y: 0.5 }).net).toBeCloseTo(0, 9);
  });

  it('a matched sell that emptied the position: a FAILED gives the shares back', () => {
    const sold = { fill_id: 'f8', client_order_id: 'c8', side: 'SELL' as const, price: 0.6, size: 10 };
    const rebuilt = ledgerFromVenue(emptyLedger(), [{ token_id: 'Y', shares: 0, avg_cost: 0, awaiting: [sold] }]);
    const failed = applyFill(rebuilt, { ...buy, fill_id: 'f8', side: 'SELL', price: 0.6, status: 'FAILED' });
    expect(sharesByToken(failed).Y).toBeCloseTo(10, 9);
  });

  it('a matched sell that emptied the position, its cost known: a FAILED gives the shares back at that cost and takes back the gain it booked', () => {
    const sold = { fill_id: 'f8', client_order_id: 'c8', side: 'SELL' as const, price: 0.6, size: 10, avg_cost: 0.45 };
    const rebuilt = ledgerFromVenue(emptyLedger(), [{ token_id: 'Y', shares: 0, avg_cost: 0, awaiting: [sold] }]);
    expect(rebuilt.cash).toBeCloseTo(1.5, 9);
    const failed = applyFill(rebuilt, { ...buy, fill_id: 'f8', side: 'SELL', price: 0.6, status: 'FAILED' });
    const lots = Object.values(failed.lots);
    expect(lots.reduce((s, l) => s + l.shares, 0)).toBeCloseTo(10, 9);
    expect(lots.reduce((s, l) => s + l.cost, 0)).toBeCloseTo(4.5, 9);
    expect(lots.reduce((s, l) => s + l.realized, 0)).toBeCloseTo(0, 9);
    expect(failed.cash).toBeCloseTo(-4.5, 9);
  });

  it('one the ledger already holds pending, or already answered, is not taken twice', () => {
    const heard = applyFill(emptyLedger(), buy);
    const again = ledgerFromVenue(heard, [{ ...venue[0]!, awaiting: [{ ...awaitingBuy, fill_id: 'f1' }] }]);
    expect(again.pending.f1).toEqual(ledgerFromVenue(heard, venue).pending.f1);
    const answered = applyFill(heard, { ...buy, status: 'CONFIRMED' });
    expect(ledgerFromVenue(answered, [{ ...venue[0]!, awaiting: [{ ...awaitingBuy, fill_id: 'f1' }] }]).pending).toEqual({});
  });
});
