import { describe, expect, it, vi } from 'vitest';
import type { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { ExecutionAdapter } from '../../src/adapters/execution/execution-adapter.ts';
import type { CollectingSink } from '../../src/domain/events/sink.ts';
import type { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { defaultSections } from '../trading/support.ts';
import { lockedPairOnStandIn, pairRuntime } from './pair-restart-support.ts';
import { rigPerTest } from './support.ts';

const rigs = rigPerTest();

/**
 * A live fill given up after `execution.reconcile.fill_answer_timeout_ms` (one FILL_UNANSWERED, no
 * more asks) stays given up across an in-process restart of the trading component: the real
 * adapter outlives it and lists the fill as still awaiting its answer, so the rebuilt ledger holds
 * it pending, but it is neither asked about again nor told of a second time.
 */

const cfg = defaultSections();
const TIMEOUT_MS = 60_000;
cfg.execution.reconcile.fill_answer_after_ms = 10_000;
cfg.execution.reconcile.fill_answer_timeout_ms = TIMEOUT_MS;

const tradingRuntime = (adapter: ExecutionAdapter, clock: VirtualClock) => pairRuntime(adapter, clock, cfg);

const unansweredAlerts = (sink: CollectingSink) => sink.events.filter((e) => e.type === 'ALERT' && e.payload.code === 'FILL_UNANSWERED');
const pendingOf = (runtime: TradingRuntime) => Object.keys(runtime.marketSnapshot('m1')!.context.ledger.pending).sort();

/** Reconciles every interval from now until `ms` later (the venue never answers). */
async function reconcileFor(runtime: TradingRuntime, clock: VirtualClock, ms: number): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    clock.advanceBy(cfg.execution.reconcile.interval_ms);
    await runtime.reconcile();
  }
}

describe('a live fill given up, then the trading component restarts around the same real adapter', () => {
  it('is not asked about again, nor told of a second time', async () => {
    // No auto-settle: the venue's trades stay MATCHED for good.
    const { rig, a, clock, before } = await lockedPairOnStandIn(rigs, cfg);
    const matched = pendingOf(before.runtime);
    const asks = () => rig.standIn.queries('GET /data/trades').filter((q) => q.has('id')).length;

    // Asked while waited for, then given up: one alert per fill.
    await reconcileFor(before.runtime, clock, TIMEOUT_MS + cfg.execution.reconcile.interval_ms);
    expect(unansweredAlerts(before.sink)).toHaveLength(matched.length);
    expect(asks()).toBeGreaterThan(0);
    before.runtime.stop();

    const after = tradingRuntime(a.adapter, clock);
    await after.runtime.start();
    // The adapter still names them as awaiting their answer: the rebuilt ledger holds them pending (a later answer still applies once).
    expect(pendingOf(after.runtime)).toEqual(matched);
    const asksAtRestart = asks();
    await reconcileFor(after.runtime, clock, 2 * TIMEOUT_MS + cfg.execution.reconcile.interval_ms);
    expect(asks()).toBe(asksAtRestart);
    expect(unansweredAlerts(after.sink)).toEqual([]);
    expect(pendingOf(after.runtime)).toEqual(matched);
    // Given up is not forgotten: an answer that does come is still applied.
    for (const id of rig.standIn.venue.trades.keys()) rig.standIn.venue.settle(id, 'CONFIRMED');
    await vi.waitFor(() => expect(pendingOf(after.runtime)).toEqual([]));
    expect(unansweredAlerts(after.sink)).toEqual([]);
    after.runtime.stop();
  });
});
