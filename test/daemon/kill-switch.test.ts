import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killSwitchFile, readKillSwitch } from '../../src/adapters/storage/kill-switch-file.ts';
import { writeAtomically } from '../../src/adapters/storage/atomic-file.ts';
import type { DaemonContext } from '../../src/apps/daemon/context.ts';
import { persistedKillSwitch } from '../../src/apps/daemon/kill-switch.ts';
import type { EventFactory } from '../../src/domain/events/factory.ts';
import type { CarriedTrading } from '../../src/domain/trading/carried-state.ts';
import { DailyLoss } from '../../src/domain/trading/daily-loss.ts';
import { book, paperTradingNode, spec } from '../trading/support.ts';

/**
 * The kill switch's record (DATA_DIR/state/kill-switch.json) keeps what kind of kill is in force
 * and the UTC day the daily loss reached its limit, so a node restarted on the same data directory
 * treats a restored daily-loss kill as one: no resume that day, lifted at the day's rollover. Real
 * trading nodes on the paper venue, the daemon's kill-switch sink between them and the file (its
 * `sync` is what the daemon's trading component calls on every tick).
 */

const DAY_MS = 86_400_000;
const START_MS = 1_700_000_000_000;
const TODAY = DailyLoss.dayOf(START_MS);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const dataDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'helios-kill-switch-unit-'));
  dirs.push(d);
  return d;
};

/** A previous session left 100 Y at cost 50 (limit 20), valued by risk at `riskNet`, the day starting at 0. */
const carriedAt = (riskNet: number, peak = 0): CarriedTrading => ({
  venue: [{ token_id: 'Y', shares: 100, cost: 50 }],
  markets: { m1: { ledger: { lots: { 'Y|temporal': { token_id: 'Y', strategy: 'temporal', shares: 100, cost: 50, realized: 0, fees: 0 } }, cash: -50, settled_prices: null, settled_shares: {} }, risk_net: riskNet } },
  daily: { day: TODAY, start_net_pnl: 0 },
  peak_net_pnl: peak,
});

/** One trading start as the daemon's trading component does it: kill-switch sink, start, the restored halt first. */
async function tradingStart(dir: string, carried: CarriedTrading, startMs = START_MS) {
  let events: EventFactory | null = null;
  let killSwitch: ReturnType<typeof persistedKillSwitch> | null = null;
  const life = paperTradingNode(spec(), undefined, {
    carried,
    startMs,
    wrapSink: (inner) => {
      const ctx = { opts: { dataDir: dir }, sink: inner, log: { warn: () => {} }, events: () => events!, reportError: (_c: string, err: unknown) => { throw err; } };
      killSwitch = persistedKillSwitch(ctx as unknown as DaemonContext);
      return killSwitch.sink;
    },
  });
  events = life.events;
  killSwitch!.attach(life.node.risk);
  await life.node.start();
  const restored = killSwitch!.restoredHalt();
  if (restored) life.node.route(restored);
  return { ...life, restored, killSwitch: killSwitch! };
}

describe('the kill switch keeps the kind of kill across restarts', () => {
  it('a daily-loss kill restored after a restart refuses a resume that day though the loss recovered, and ends at the rollover', async () => {
    const dir = dataDir();
    const first = await tradingStart(dir, carriedAt(-30));
    expect(first.node.risk.haltKind).toBe('daily_loss');
    expect(readKillSwitch(dir)).toMatchObject({ reason: expect.stringMatching(/^daily loss 30\.00 ≥ 20/), kind: 'daily_loss', daily_limit_day: TODAY });

    // Restarted the same day; the loss carried in has recovered to 5, under the limit.
    const second = await tradingStart(dir, carriedAt(-5), START_MS + 60_000);
    expect(second.restored?.payload).toMatchObject({ kind: 'daily_loss', daily_limit_day: TODAY });
    expect(second.node.risk.state).toBe('HALTED');
    second.clock.advanceBy(second.cfg.risk.cool_down_ms);
    expect(second.node.runtime.resume()).toEqual({ ok: false, reason: 'daily loss limit still breached today' });
    expect(readKillSwitch(dir)).toMatchObject({ kind: 'daily_loss', daily_limit_day: TODAY });
    second.clock.advanceTo((TODAY + 1) * DAY_MS + 1_000);
    expect(second.node.risk.state).toBe('ACTIVE');
    expect(existsSync(killSwitchFile(dir))).toBe(false);
  });

  it('an operator\'s halt over a daily-loss kill is kept as the operator\'s, with the day the limit was reached', async () => {
    const dir = dataDir();
    const first = await tradingStart(dir, carriedAt(-30));
    first.node.route(first.events.make('HALT', { scope: 'global', reason: 'operator' }));
    expect(readKillSwitch(dir)).toMatchObject({ kind: 'manual', daily_limit_day: TODAY });
    // Restarted the next day: the rollover does not lift an operator's halt.
    const second = await tradingStart(dir, carriedAt(-5), (TODAY + 1) * DAY_MS + 1_000);
    second.clock.advanceBy(2_000);
    expect(second.node.risk.state).toBe('HALTED');
    expect(readKillSwitch(dir)).toMatchObject({ kind: 'manual' });
  });

  it('the daily loss reaching its limit under an operator\'s halt is recorded, and refuses a resume that day after a restart', async () => {
    const dir = dataDir();
    const first = await tradingStart(dir, carriedAt(0));
    first.node.route(first.events.make('HALT', { scope: 'global', reason: 'operator' }));
    expect(readKillSwitch(dir)).toMatchObject({ kind: 'manual', daily_limit_day: null });
    // Y's bid falls from 0.5 to 0.2 while halted: 100 shares lose about 30, over the limit.
    first.setBook('Y', book([[0.2, 500]], [[0.22, 500]]));
    first.setBook('N', book([[0.77, 500]], [[0.79, 500]]));
    expect(first.node.risk.dailyLossUsdc).toBeGreaterThan(20);
    // No new state is reported (the halt is in force already): the trading component's next tick records it.
    first.killSwitch.sync();
    expect(readKillSwitch(dir)).toMatchObject({ kind: 'manual', daily_limit_day: TODAY });

    const second = await tradingStart(dir, carriedAt(-5), START_MS + 60_000);
    second.clock.advanceBy(second.cfg.risk.cool_down_ms);
    expect(second.node.runtime.resume()).toEqual({ ok: false, reason: 'daily loss limit still breached today' });
  });

  it('a starting node reporting REDUCING (its carried drawdown) does not remove the record before the restored halt is in force', async () => {
    const dir = dataDir();
    writeAtomically(killSwitchFile(dir), JSON.stringify({ reason: 'operator', since_ms: START_MS - 1_000, kind: 'manual', daily_limit_day: null }) + '\n');
    // Peak 20, net 0: drawdown 20 ≥ risk.drawdown.reducing_usdc.
    const restarted = await tradingStart(dir, carriedAt(0, 20), START_MS);
    expect(restarted.restored?.payload).toMatchObject({ scope: 'global', reason: expect.stringContaining('operator (restored: halted since') });
    expect(restarted.node.risk.state).toBe('HALTED');
    expect(readKillSwitch(dir)).toEqual({ reason: 'operator', since_ms: START_MS - 1_000, kind: 'manual', daily_limit_day: null });
  });

  it('a record an earlier build wrote (no kind, no day) reads as an operator\'s halt', () => {
    const dir = dataDir();
    writeAtomically(killSwitchFile(dir), JSON.stringify({ reason: 'daily loss 30.00 ≥ 20', since_ms: 5 }) + '\n');
    expect(readKillSwitch(dir)).toEqual({ reason: 'daily loss 30.00 ≥ 20', since_ms: 5, kind: 'manual', daily_limit_day: null });
  });
});
