import { expect, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { ExecutionAdapter } from '../../src/adapters/execution/execution-adapter.ts';
import type { ClobExecutionAdapter, RealAdapterDeps } from '../../src/adapters/execution/real-clob-adapter.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { book as l2, bookSignal, type defaultSections, spec } from '../trading/support.ts';
import { NO, TEST_ADDRESS, YES, book, type rigPerTest } from './support.ts';

/**
 * The trading component of the restart tests on the stand-in CLOB: one pair-arbitrage market `m1`
 * (YES / NO, fair value from truth), started and stopped around a real adapter that outlives it.
 */
export function pairRuntime(adapter: ExecutionAdapter, clock: VirtualClock, cfg: ReturnType<typeof defaultSections>): { runtime: TradingRuntime; sink: CollectingSink } {
  const sink = new CollectingSink();
  const runtime = new TradingRuntime({ clock, ...cfg, riskEngine: new RiskEngine(cfg.risk), adapter, sink, events: new EventFactory(clock, ulidGenerator(seededRng(1))) });
  runtime.addMarket(spec({ yes_token: YES, no_token: NO, fair_source: { kind: 'truth', outcome_by_token: { [YES]: 'teamA', [NO]: 'teamB' } }, strategies: { pair_arb: true, temporal: false } }));
  return { runtime, sink };
}

/** Offers a mispriced pair (both legs at 0.45) until the market holds both legs as MATCHED fills. */
export async function lockPair(runtime: TradingRuntime, clock: VirtualClock, adapter: ClobExecutionAdapter): Promise<void> {
  for (let i = 0; i < 12 && runtime.marketSnapshot('m1')!.state !== 'LOCKED_PAIR'; i++) {
    for (const t of [YES, NO]) runtime.onBook(bookSignal(t, l2([[0.44, 100]], [[0.45, 100]]), clock.now()));
    clock.advanceBy(100);
    await vi.waitFor(() => expect(adapter.tracker.live().filter((o) => o.status === 'pending')).toEqual([]));
  }
  await vi.waitFor(() => expect(Object.keys(runtime.marketSnapshot('m1')!.context.ledger.pending).length).toBeGreaterThanOrEqual(2));
}

/**
 * A stand-in CLOB offering the mispriced pair, a real adapter on it, and a trading component around
 * the adapter that has locked the pair: both legs MATCHED at the venue (20 shares each), not
 * settled (the stand-in settles only on command).
 */
export async function lockedPairOnStandIn(rigs: ReturnType<typeof rigPerTest>, cfg: ReturnType<typeof defaultSections>, extra: Pick<RealAdapterDeps, 'givenUpStore' | 'sellCostStore'> = {}) {
  const rig = await rigs.standIn();
  rig.books.set(YES, book(0.44, 0.45, 100, 1));
  rig.books.set(NO, book(0.44, 0.45, 100, 1));
  const a = await rigs.adapter(rig, {}, undefined, undefined, undefined, extra);
  await a.adapter.start();
  const clock = new VirtualClock(Date.now());
  const before = pairRuntime(a.adapter, clock, cfg);
  await before.runtime.start();
  await lockPair(before.runtime, clock, a.adapter);
  expect([YES, NO].map((t) => rig.standIn.venue.position(TEST_ADDRESS, t))).toEqual([20, 20]);
  return { rig, a, clock, before };
}
