import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { ExecutionAdapter } from '../../src/adapters/execution/execution-adapter.ts';
import { givenUpFillsFile, givenUpFillsStore } from '../../src/adapters/storage/given-up-fills-file.ts';
import type { CollectingSink } from '../../src/domain/events/sink.ts';
import type { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { defaultSections } from '../trading/support.ts';
import { lockedPairOnStandIn, pairRuntime } from './pair-restart-support.ts';
import { rigPerTest } from './support.ts';

const rigs = rigPerTest();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

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

describe('a live fill given up, then the process restarts (a new real adapter on the same data directory)', () => {
  it('the new process carries it as given up: no second full wait, no second alert; its answer still applies', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-given-up-'));
    dirs.push(dataDir);
    const { rig, a: first, clock, before } = await lockedPairOnStandIn(rigs, cfg, { givenUpStore: givenUpFillsStore(dataDir) });
    const matched = pendingOf(before.runtime);
    const asks = () => rig.standIn.queries('GET /data/trades').filter((q) => q.has('id')).length;
    await reconcileFor(before.runtime, clock, TIMEOUT_MS + cfg.execution.reconcile.interval_ms);
    expect(unansweredAlerts(before.sink)).toHaveLength(matched.length);
    // Recorded by venue order and trade: the names the next process knows these fills by.
    const recorded = givenUpFillsStore(dataDir).load();
    expect(recorded).toHaveLength(matched.length);
    expect(recorded.map((k) => k.slice(k.lastIndexOf(':') + 1)).sort()).toEqual(matched.map((f) => f.slice(f.lastIndexOf(':') + 1)).sort());
    before.runtime.stop();
    first.adapter.stop();

    // A new process: new adapter and session, the fills carried from the venue under new client ids.
    const next = await rigs.adapter(rig, {}, undefined, undefined, undefined, { givenUpStore: givenUpFillsStore(dataDir) });
    expect(await next.adapter.start()).toMatchObject({ unsettled_fills: matched.length });
    const after = tradingRuntime(next.adapter, clock);
    await after.runtime.start();
    const carried = pendingOf(after.runtime);
    expect(carried).toHaveLength(matched.length);
    expect(carried.every((f) => next.adapter.isFillAnswerGivenUp(f))).toBe(true);
    const asksAtRestart = asks();
    await reconcileFor(after.runtime, clock, 2 * TIMEOUT_MS + cfg.execution.reconcile.interval_ms);
    expect(asks()).toBe(asksAtRestart);
    expect(unansweredAlerts(after.sink)).toEqual([]);
    // An answer that does come still applies, and the record forgets the fills it settled.
    for (const id of rig.standIn.venue.trades.keys()) rig.standIn.venue.settle(id, 'CONFIRMED');
    await vi.waitFor(() => expect(pendingOf(after.runtime)).toEqual([]));
    after.runtime.stop();
    next.adapter.stop();
    // The process after it finds them settled: the record keeps nothing of them.
    await (await rigs.adapter(rig, {}, undefined, undefined, undefined, { givenUpStore: givenUpFillsStore(dataDir) })).adapter.start();
    expect(givenUpFillsStore(dataDir).load()).toEqual([]);
  });

  it('a damaged record is refused with its name, never read as empty', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-given-up-'));
    dirs.push(dataDir);
    givenUpFillsStore(dataDir).save(['0xabc:t1']);
    expect(givenUpFillsStore(dataDir).load()).toEqual(['0xabc:t1']);
    rmSync(givenUpFillsFile(dataDir));
    expect(givenUpFillsStore(dataDir).load()).toEqual([]);
    writeFileSync(givenUpFillsFile(dataDir), '{"version":1,"trades":[1]}');
    expect(() => givenUpFillsStore(dataDir).load()).toThrow(/given-up fills .*real-given-up-fills\.json are damaged: trades\.0/);
  });
});
