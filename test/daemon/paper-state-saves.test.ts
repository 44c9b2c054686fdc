import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { createMetrics } from '../../src/adapters/metrics/metrics.ts';
import { paperStateFile, readPaperState } from '../../src/adapters/storage/paper-state-file.ts';
import { DaemonContext } from '../../src/apps/daemon/context.ts';
import { persistedPaperState } from '../../src/apps/daemon/paper-state.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import type { CarriedTrading, UnconfirmedCarriedFill } from '../../src/domain/trading/carried-state.ts';
import type { TradingNode } from '../../src/runtime/trading/trading-node.ts';

/**
 * Every save of the paper state names the fills it carries unanswered, so the session after a
 * crash can tell of them; a clean stop tells of its own and marks its file so. Here the save
 * policy alone, on a real daemon context and data directory, with a node that carries a fixed
 * state and whichever fills the test says still await their answer.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const carried: Required<CarriedTrading> = {
  venue: [{ token_id: 'Y', shares: 10, cost: 4 }],
  markets: { m1: { ledger: { lots: { 'Y|temporal': { token_id: 'Y', strategy: 'temporal', shares: 10, cost: 4, realized: 0, fees: 0.1 } }, cash: -4.1, settled_prices: null, settled_shares: {} }, risk_net: -0.1 } },
  daily: { day: 20000, start_net_pnl: 0 },
  peak_net_pnl: 0,
  retired: { ids: [], pnl: { realized: 0, unrealized: 0, fees: 0, net: 0, by_strategy: {} }, risk_net: 0 },
};
const f1: UnconfirmedCarriedFill = { market_id: 'm1', fill_id: 'f1', client_order_id: 'c1', token_id: 'Y', side: 'BUY', size: 10, price: 0.4 };
const f2: UnconfirmedCarriedFill = { market_id: 'm1', fill_id: 'f2', client_order_id: 'c2', token_id: 'Y', side: 'SELL', size: 2.5, price: 0.45 };

/** A daemon context on `dataDir` whose JSON log lines are kept. */
function context(dataDir: string): { ctx: DaemonContext; logged: Array<{ msg: string; fills?: UnconfirmedCarriedFill[]; unconfirmed_fills_carried?: number }> } {
  const { config, secrets } = loadConfig({ env: {} });
  const destination = new PassThrough();
  const logged: Array<{ msg: string }> = [];
  destination.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line) logged.push(JSON.parse(line) as { msg: string });
  });
  const ctx = new DaemonContext({ config, secrets, logger: createLogger({ destination, format: 'json', level: 'info' }), mode: 'sim', speed: 1, dataDir, inspect: false, role: 'all' }, new VirtualClock(1_000_000), createMetrics());
  return { ctx, logged };
}

/** A node carrying `carried`, with `unanswered` the fills it would carry unanswered now. */
function nodeAwaiting(unanswered: UnconfirmedCarriedFill[]): TradingNode {
  return { carry: () => carried, runtime: { unconfirmedAtCarry: () => unanswered } } as unknown as TradingNode;
}

const fillEvent = { type: 'FILL' } as HeliosEvent;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the paper state saves', () => {
  it('name the fills still unanswered at each save, also when only an answer came or a wait was given up (the carried state unchanged)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-paper-saves-'));
    dirs.push(dataDir);
    const { ctx } = context(dataDir);
    const store = persistedPaperState(ctx);
    const unanswered = [f1, f2];
    store.attach(nodeAwaiting(unanswered), () => 5_000);
    const sink = store.wrap({ emit: () => undefined });
    sink.emit(fillEvent);
    await turn();
    expect(readPaperState(dataDir)).toMatchObject({ unanswered_fills: [f1, f2], clean_stop: false });
    // f1's CONFIRMED: its shares were carried already, only the wait ended. A crash now must not name it.
    unanswered.splice(0, 1);
    sink.emit(fillEvent);
    await turn();
    expect(readPaperState(dataDir)).toMatchObject({ unanswered_fills: [f2], clean_stop: false });
    // f2's wait given up (told of by its alert, nothing else changed): it is no longer to be told of after a crash.
    unanswered.splice(0, 1);
    sink.emit({ type: 'ALERT', payload: { severity: 'critical', code: 'FILL_UNANSWERED', message: 'm1: fill(s) f2 (order c2) still have no CONFIRMED/FAILED' } } as HeliosEvent);
    await turn();
    expect(readPaperState(dataDir)).toMatchObject({ unanswered_fills: [], clean_stop: false });
  });

  /** A data dir whose session crashed after saving f1 and f2 unanswered. */
  async function crashedWithTwoUnanswered(): Promise<string> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-paper-saves-'));
    dirs.push(dataDir);
    const crashed = persistedPaperState(context(dataDir).ctx);
    crashed.attach(nodeAwaiting([f1, f2]), () => 5_000);
    crashed.wrap({ emit: () => undefined }).emit(fillEvent);
    await turn();
    return dataDir;
  }

  it('a start after a crash warns naming the last save\'s unanswered fills and counts them; after a clean stop it does not warn again', async () => {
    const dataDir = await crashedWithTwoUnanswered();

    const afterCrash = context(dataDir);
    const next = persistedPaperState(afterCrash.ctx);
    await turn();
    expect(next.untoldAtStart).toBe(2);
    const warned = afterCrash.logged.filter((l) => l.fills);
    expect(warned).toHaveLength(1);
    // Each named with its trade: what the operator needs to take one that in truth failed back by hand.
    expect(warned[0]).toMatchObject({ fills: [f1, f2], msg: expect.stringContaining('did not stop cleanly') });
    expect(afterCrash.logged.find((l) => l.msg.startsWith('paper state restored:'))).toMatchObject({ unconfirmed_fills_carried: 2 });

    // That session stops cleanly with f2 of its own unanswered: it tells of f2 and marks its file so.
    next.attach(nodeAwaiting([f2]), () => 9_000);
    expect(next.save()).toBe(1);
    await turn();
    expect(afterCrash.logged.filter((l) => l.fills).map((l) => l.fills)).toEqual([[f1, f2], [f2]]);
    expect(readPaperState(dataDir)).toMatchObject({ unanswered_fills: [f2], clean_stop: true });

    const afterStop = context(dataDir);
    expect(persistedPaperState(afterStop.ctx).untoldAtStart).toBe(0);
    await turn();
    expect(afterStop.logged.filter((l) => l.fills)).toEqual([]);
  });

  it('a second crash before the first save after a crash does not have the next start tell of (and count) the same fills again', async () => {
    const dataDir = await crashedWithTwoUnanswered();

    // The next session tells of them, then crashes too before anything made it save.
    const firstRestart = context(dataDir);
    expect(persistedPaperState(firstRestart.ctx).untoldAtStart).toBe(2);
    await turn();
    expect(firstRestart.logged.filter((l) => l.fills).map((l) => l.fills)).toEqual([[f1, f2]]);

    const secondRestart = context(dataDir);
    const third = persistedPaperState(secondRestart.ctx);
    await turn();
    expect(third.untoldAtStart).toBe(0);
    expect(secondRestart.logged.filter((l) => l.fills)).toEqual([]);
    expect(secondRestart.logged.find((l) => l.msg.startsWith('paper state restored:'))).toMatchObject({ unconfirmed_fills_carried: 0 });
    // What is carried is untouched: the fills stay counted as matched.
    expect(third.carried).toEqual(carried);
  });

  it('a start on a version-4 file a crashed earlier build left still warns naming its fills, as that file named them (without their trade)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-paper-saves-'));
    dirs.push(dataDir);
    const named = [f1, f2].map(({ market_id, fill_id, client_order_id }) => ({ market_id, fill_id, client_order_id }));
    mkdirSync(path.dirname(paperStateFile(dataDir)), { recursive: true });
    writeFileSync(paperStateFile(dataDir), JSON.stringify({ version: 4, saved_ms: 5_000, ...carried, unanswered_fills: named, clean_stop: false }));
    const afterCrash = context(dataDir);
    expect(persistedPaperState(afterCrash.ctx).untoldAtStart).toBe(2);
    await turn();
    expect(afterCrash.logged.filter((l) => l.fills)).toEqual([expect.objectContaining({ fills: named, msg: expect.stringContaining('did not stop cleanly') })]);
  });

  it('a save after the final one (events still draining) stays a clean stop\'s while it carries no fill the stop did not tell of', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-paper-saves-'));
    dirs.push(dataDir);
    const { ctx } = context(dataDir);
    const store = persistedPaperState(ctx);
    const unanswered = [f1];
    store.attach(nodeAwaiting(unanswered), () => 5_000);
    const sink = store.wrap({ emit: () => undefined });
    store.save();
    sink.emit({ type: 'MARKET_STATE' } as HeliosEvent);
    await turn();
    expect(readPaperState(dataDir)).toMatchObject({ unanswered_fills: [f1], clean_stop: true });
    // A fill the stop did not name: the next start has to.
    unanswered.push(f2);
    sink.emit(fillEvent);
    await turn();
    expect(readPaperState(dataDir)).toMatchObject({ unanswered_fills: [f1, f2], clean_stop: false });
  });
});
