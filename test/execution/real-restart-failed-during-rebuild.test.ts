import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { sharesByToken } from '../../src/domain/trading/pnl-ledger.ts';
import type { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { defaultSections } from '../trading/support.ts';
import { lockedPairOnStandIn, pairRuntime } from './pair-restart-support.ts';
import { NO, TEST_ADDRESS, YES, rigPerTest } from './support.ts';

const rigs = rigPerTest();

/**
 * A new process rebuilds its ledger from the venue's positions and the fills the adapter carries as
 * awaiting their answer. A trade that turns FAILED after the venue's positions were read but before
 * the rebuild must come out at that rebuild, not wait for the next reconciliation to break on it.
 */

const cfg = defaultSections();
const ledgerShares = (runtime: TradingRuntime) => {
  const held = sharesByToken(runtime.marketSnapshot('m1')!.context.ledger);
  return [YES, NO].map((t) => held[t] ?? 0);
};

describe('a carried fill FAILED between the start-up positions read and the rebuild', () => {
  it.each(['while the positions answer is on its way', 'while the open orders are still being read'] as const)('is taken out at the rebuild (%s)', async (when) => {
    const { rig, a: first, before } = await lockedPairOnStandIn(rigs, cfg);
    before.runtime.stop();
    first.adapter.stop();
    const next = await rigs.adapter(rig);
    await next.adapter.start();
    const noTrades = [...rig.standIn.venue.trades.values()].filter((t) => t.asset_id === NO).map((t) => t.id);
    const failedHeard = () => next.events.filter((e) => e.kind === 'fill' && e.fill.status === 'FAILED').length;
    const failNoLeg = async () => {
      for (const id of noTrades) rig.standIn.venue.settle(id, 'FAILED');
      await vi.waitFor(() => expect(failedHeard()).toBe(noTrades.length));
    };
    // The venue's positions are read with the NO leg still held; its FAILED comes after that read:
    // before the positions answer is in, or while the reconciliation still waits for another read.
    const readPositions = next.session.positions.bind(next.session);
    const readOrders = next.session.openOrders.bind(next.session);
    let failing: Promise<void> | null = null;
    vi.spyOn(next.session, 'positions').mockImplementationOnce(async () => {
      const rows = await readPositions();
      failing = failNoLeg();
      if (when === 'while the positions answer is on its way') await failing;
      return rows;
    });
    if (when === 'while the open orders are still being read') {
      vi.spyOn(next.session, 'openOrders').mockImplementationOnce(async () => {
        const orders = await readOrders();
        // Read alongside the positions: this answer comes only once the FAILED was heard.
        if (vi.mocked(next.session.positions).mock.calls.length > 0) await vi.waitFor(() => expect(failedHeard()).toBe(noTrades.length));
        return orders;
      });
    }
    const clock = new VirtualClock(Date.now());
    const after = pairRuntime(next.adapter, clock, cfg);
    await after.runtime.start();
    await vi.waitFor(() => expect(failedHeard()).toBe(noTrades.length));
    expect(failing).not.toBeNull();
    expect([YES, NO].map((t) => rig.standIn.venue.position(TEST_ADDRESS, t))).toEqual([20, 0]);
    // Taken out without a second reconciliation.
    expect(ledgerShares(after.runtime)).toEqual([20, 0]);
    expect(Object.keys(after.runtime.marketSnapshot('m1')!.context.ledger.pending).filter((f) => noTrades.some((t) => f.endsWith(`:${t}`)))).toEqual([]);
    clock.advanceBy(cfg.execution.reconcile.interval_ms + 1000);
    expect((await after.runtime.reconcile()).breaks).toEqual([]);
    after.runtime.stop();
  });
});
