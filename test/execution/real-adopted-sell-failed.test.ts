import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { sellCostsFile, sellCostsStore } from '../../src/adapters/storage/sell-costs-file.ts';
import type { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { defaultSections } from '../trading/support.ts';
import { pairRuntime } from './pair-restart-support.ts';
import { TEST_ADDRESS, YES, book, rigPerTest, type AdapterRig } from './support.ts';

const rigs = rigPerTest();

/**
 * A SELL picked up at start-up (an earlier process's order, adopted) fills at the venue and empties
 * the position, then its trade FAILED. The shares come back at the position's average cost before
 * the sell, in the ledger and at the venue, also when the trading component restarted in between
 * (its rebuilt ledger holds the sell pending though the position it emptied reports no cost).
 */
const cfg = defaultSections();

const yesLot = (runtime: TradingRuntime) => {
  const lots = Object.values(runtime.marketSnapshot('m1')!.context.ledger.lots).filter((l) => l.token_id === YES);
  return { shares: lots.reduce((s, l) => s + l.shares, 0), cost: lots.reduce((s, l) => s + l.cost, 0) };
};

async function post(x: AdapterRig, side: 'BUY' | 'SELL', price: number, size: number): Promise<string> {
  const p = await x.session.prepare({ tokenId: YES, side, price, size, type: 'GTC', expiration: 0, tick: '0.01', negRisk: false }, false);
  await x.session.postOrder(p);
  return p.id;
}

/** An earlier process bought 20 YES at 0.45 (confirmed) and left a SELL of all 20 at 0.6 resting; the next adopts it. */
async function heldAndSelling() {
  const rig = await rigs.standIn();
  rig.books.set(YES, book(0.44, 0.45, 100, 1));
  const earlier = await rigs.adapter(rig);
  await post(earlier, 'BUY', 0.45, 20);
  for (const t of rig.standIn.venue.trades.values()) rig.standIn.venue.settle(t.id, 'CONFIRMED');
  const sellId = await post(earlier, 'SELL', 0.6, 20);
  const over = { reconcile: { unknown_orders: 'adopt' as const, trades_lookback_s: 3600, missing_trade_reads: 3 } };
  return { rig, sellId, over };
}

describe('an adopted SELL that emptied the position, then FAILED', () => {
  it.each(['no restart', 'a trading-component restart'] as const)('gives the shares back at their cost, with %s in between', async (restart) => {
    const { rig, sellId, over } = await heldAndSelling();
    const a = await rigs.adapter(rig, over);
    expect((await a.adapter.start()).adopted).toHaveLength(1);
    const clock = new VirtualClock(Date.now());
    let t = pairRuntime(a.adapter, clock, cfg);
    await t.runtime.start();
    expect(yesLot(t.runtime)).toEqual({ shares: 20, cost: 9 });
    const cashBeforeSell = t.runtime.marketSnapshot('m1')!.context.ledger.cash;
    const sold = rig.standIn.venue.fillResting(sellId, 20)!;
    await vi.waitFor(() => expect(yesLot(t.runtime).shares).toBeCloseTo(0, 9));
    if (restart === 'a trading-component restart') {
      t.runtime.stop();
      t = pairRuntime(a.adapter, clock, cfg);
      await t.runtime.start();
      // Shares agree (none here, none at the venue), yet the rebuild takes in the sell awaiting its answer.
      expect(Object.keys(t.runtime.marketSnapshot('m1')!.context.ledger.pending)).toHaveLength(1);
    }
    rig.standIn.venue.settle(sold, 'FAILED');
    expect(rig.standIn.venue.position(TEST_ADDRESS, YES)).toBe(20);
    await vi.waitFor(() => expect(yesLot(t.runtime).shares).toBeCloseTo(20, 9));
    expect(yesLot(t.runtime).cost).toBeCloseTo(9, 9);
    expect(rig.standIn.venue.avgPrice(TEST_ADDRESS, YES)).toBeCloseTo(0.45, 9);
    // The sell's proceeds and gain go with it: cash and realized PnL as before the sell.
    expect(t.runtime.marketSnapshot('m1')!.context.ledger.cash).toBeCloseTo(cashBeforeSell, 9);
    const ledger = t.runtime.marketSnapshot('m1')!.context.ledger;
    const realized = Object.values(ledger.lots).reduce((s, l) => s + l.realized, 0);
    expect(realized).toBeCloseTo(0, 9);
    clock.advanceBy(cfg.execution.reconcile.interval_ms + 1000);
    expect((await t.runtime.reconcile()).breaks).toEqual([]);
    t.runtime.stop();
  });
});

describe('a SELL that emptied the position, then the process is replaced (a new adapter and session on the same data directory), then FAILED', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const dataDirOf = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'helios-sell-costs-'));
    dirs.push(d);
    return d;
  };

  it('gives the shares back at their cost: the cost the sell carried is recorded for the new process', async () => {
    const dataDir = dataDirOf();
    const stores = () => ({ sellCostStore: sellCostsStore(dataDir) });
    const { rig, sellId, over } = await heldAndSelling();
    const first = await rigs.adapter(rig, over, undefined, undefined, undefined, stores());
    await first.adapter.start();
    const clock = new VirtualClock(Date.now());
    const before = pairRuntime(first.adapter, clock, cfg);
    await before.runtime.start();
    expect(yesLot(before.runtime)).toEqual({ shares: 20, cost: 9 });
    const cashBeforeSell = before.runtime.marketSnapshot('m1')!.context.ledger.cash;
    const sold = rig.standIn.venue.fillResting(sellId, 20)!;
    await vi.waitFor(() => expect(yesLot(before.runtime).shares).toBeCloseTo(0, 9));
    before.runtime.stop();
    first.adapter.stop();

    // The venue lists no position for the emptied token: only the record knows the sell's cost.
    const next = await rigs.adapter(rig, over, undefined, undefined, undefined, stores());
    expect(await next.adapter.start()).toMatchObject({ unsettled_fills: 1, positions: 0 });
    const after = pairRuntime(next.adapter, clock, cfg);
    await after.runtime.start();
    expect(Object.keys(after.runtime.marketSnapshot('m1')!.context.ledger.pending)).toHaveLength(1);
    rig.standIn.venue.settle(sold, 'FAILED');
    await vi.waitFor(() => expect(yesLot(after.runtime).shares).toBeCloseTo(20, 9));
    expect(yesLot(after.runtime).cost).toBeCloseTo(9, 9);
    const ledger = after.runtime.marketSnapshot('m1')!.context.ledger;
    expect(ledger.cash).toBeCloseTo(cashBeforeSell, 9);
    expect(Object.values(ledger.lots).reduce((s, l) => s + l.realized, 0)).toBeCloseTo(0, 9);
    clock.advanceBy(cfg.execution.reconcile.interval_ms + 1000);
    expect((await after.runtime.reconcile()).breaks).toEqual([]);
    after.runtime.stop();
    // Answered: the record no longer holds it.
    expect(sellCostsStore(dataDir).load()).toEqual(new Map());
  });

  it('a damaged record is refused with its name, never read as empty', () => {
    const dataDir = dataDirOf();
    sellCostsStore(dataDir).save(new Map([['0xabc:t1', 0.45]]));
    expect(sellCostsStore(dataDir).load()).toEqual(new Map([['0xabc:t1', 0.45]]));
    rmSync(sellCostsFile(dataDir));
    expect(sellCostsStore(dataDir).load()).toEqual(new Map());
    writeFileSync(sellCostsFile(dataDir), '{"version":1,"sells":{"0xabc:t1":-1}}');
    expect(() => sellCostsStore(dataDir).load()).toThrow(/sell costs .*real-sell-costs\.json are damaged: sells\.0xabc:t1/);
  });
});
