import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { ExecutionAdapter } from '../../src/adapters/execution/execution-adapter.ts';
import { sharesByToken } from '../../src/domain/trading/pnl-ledger.ts';
import type { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { defaultSections } from '../trading/support.ts';
import { lockedPairOnStandIn, pairRuntime } from './pair-restart-support.ts';
import { NO, TEST_ADDRESS, YES, rigPerTest, type StandInRig } from './support.ts';

const rigs = rigPerTest();

/**
 * Fills MATCHED at the venue in one trading session whose CONFIRMED / FAILED arrives in the next:
 * each share counts once, and a FAILED takes its shares out of the ledger as it takes them out of
 * the venue's position (README, "Real orders": FAILED voids a counted fill as paper's FAILED does).
 */

const cfg = defaultSections();

function tradingRuntime(adapter: ExecutionAdapter): { runtime: TradingRuntime; clock: VirtualClock } {
  const clock = new VirtualClock(Date.now());
  return { runtime: pairRuntime(adapter, clock, cfg).runtime, clock };
}

const ledgerShares = (runtime: TradingRuntime) => {
  const held = sharesByToken(runtime.marketSnapshot('m1')!.context.ledger);
  return [YES, NO].map((t) => held[t] ?? 0);
};
const venueShares = (rig: StandInRig) => [YES, NO].map((t) => rig.standIn.venue.position(TEST_ADDRESS, t));
/** The venue's trades of one token. */
const tradesOf = (rig: StandInRig, token: string) => [...rig.standIn.venue.trades.values()].filter((t) => t.asset_id === token).map((t) => t.id);

describe('fills matched before a restart of the trading component, answered after it', () => {
  it('in-process restart around the same venue adapter: a CONFIRMED counts its shares once, a FAILED takes them out', async () => {
    // No auto-settle: the venue's trades stay MATCHED until the test settles them.
    const { rig, a, before } = await lockedPairOnStandIn(rigs, cfg);
    // The trading component stops and a new one starts around the same adapter (as the daemon's supervisor does).
    before.runtime.stop();
    const after = tradingRuntime(a.adapter);
    const report = await after.runtime.start();
    // It starts with nothing and takes the venue's positions, the matched shares included.
    expect(report.breaks.map((b) => b.market_id)).toEqual(['m1']);
    expect(ledgerShares(after.runtime)).toEqual([20, 20]);
    const [yesTrades, noTrades] = [tradesOf(rig, YES), tradesOf(rig, NO)];
    for (const id of yesTrades) rig.standIn.venue.settle(id, 'CONFIRMED');
    for (const id of noTrades) rig.standIn.venue.settle(id, 'FAILED');
    expect(venueShares(rig)).toEqual([20, 0]);
    const answered = () => a.events.filter((e) => e.kind === 'fill' && e.fill.status !== 'MATCHED').length;
    await vi.waitFor(() => expect(answered()).toBe(yesTrades.length + noTrades.length));
    await vi.waitFor(() => expect(ledgerShares(after.runtime)).toEqual([20, 0]));
    expect(runtimePending(after.runtime)).toEqual([]);
    // And the next reconciliation finds nothing to rebuild.
    after.clock.advanceBy(cfg.execution.reconcile.interval_ms + 1000);
    expect((await after.runtime.reconcile()).breaks).toEqual([]);
    expect(ledgerShares(after.runtime)).toEqual([20, 0]);
    after.runtime.stop();
  });

  it('a new process: an earlier session\'s matched fills are held pending on the rebuilt position, their answers applied once from the stream or read by REST', async () => {
    const { rig, a: first, before } = await lockedPairOnStandIn(rigs, cfg);
    // The process ends: its runtime and its adapter go; the venue's trades are still MATCHED.
    before.runtime.stop();
    first.adapter.stop();
    const next = await rigs.adapter(rig);
    const [yesTrades, noTrades] = [tradesOf(rig, YES), tradesOf(rig, NO)];
    expect(await next.adapter.start()).toMatchObject({ unsettled_fills: yesTrades.length + noTrades.length });
    const after = tradingRuntime(next.adapter);
    const report = await after.runtime.start();
    expect(report.breaks.map((b) => b.market_id)).toEqual(['m1']);
    expect(ledgerShares(after.runtime)).toEqual([20, 20]);
    // The NO leg's trades fail on the stream.
    for (const id of noTrades) rig.standIn.venue.settle(id, 'FAILED');
    await vi.waitFor(() => expect(ledgerShares(after.runtime)).toEqual([20, 0]));
    expect(venueShares(rig)).toEqual([20, 0]);
    expect(runtimePending(after.runtime)).toHaveLength(yesTrades.length);
    // The YES leg's are confirmed at the venue but the message never comes: the fills are asked of the venue by id.
    for (const id of yesTrades) rig.standIn.venue.trades.get(id)!.status = 'CONFIRMED';
    const reads = () => rig.standIn.queries('GET /data/trades').filter((q) => q.has('id')).length;
    const readsBefore = reads();
    await after.runtime.reconcile();
    after.clock.advanceBy(cfg.execution.reconcile.fill_answer_after_ms);
    await after.runtime.reconcile();
    await vi.waitFor(() => expect(runtimePending(after.runtime)).toEqual([]));
    // One targeted read of each fill's trade.
    expect(reads() - readsBefore).toBe(yesTrades.length);
    expect(ledgerShares(after.runtime)).toEqual([20, 0]);
    after.clock.advanceBy(cfg.execution.reconcile.interval_ms + 1000);
    expect((await after.runtime.reconcile()).breaks).toEqual([]);
    after.runtime.stop();
  });
});

const runtimePending = (runtime: TradingRuntime) => Object.keys(runtime.marketSnapshot('m1')!.context.ledger.pending);
