import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { awaitingFillsStore } from '../../src/adapters/storage/awaiting-fills-file.ts';
import { givenUpFillsStore } from '../../src/adapters/storage/given-up-fills-file.ts';
import { sellCostsStore } from '../../src/adapters/storage/sell-costs-file.ts';
import { book, fills, req, rigPerTest, YES, type AdapterRig } from './support.ts';

const rigs = rigPerTest();

/**
 * Start-up reads the account's trades of the last `trades_lookback_s`. A trade older than that which
 * an open order still names (its matched size holds it), a recorded given-up fill or a recorded sell's cost, is read by id, so its fill is carried and
 * its answer applies. The venue's trade records can lag: one it does not return is read again,
 * `missing_trade_reads` times in all; still missing, it can never send its answer, so it is a critical
 * TRADE_NOT_FOUND (and `trades_not_found`), and the market of the open order naming it is halted.
 */

const over = { reconcile: { unknown_orders: 'adopt' as const, trades_lookback_s: 3600, missing_trade_reads: 3 } };

/** A resting BUY an earlier process left, 4 of its 10 shares matched two hours ago and still MATCHED. */
async function restingWithOldTrade(x: AdapterRig, rig: Awaited<ReturnType<typeof rigs.standIn>>): Promise<string> {
  const p = await x.session.prepare({ tokenId: YES, side: 'BUY', price: 0.3, size: 10, type: 'GTC', expiration: 0, tick: '0.01', negRisk: false }, false);
  await x.session.postOrder(p);
  const tradeId = rig.standIn.venue.fillResting(p.id, 4)!;
  rig.standIn.venue.trades.get(tradeId)!.match_time -= 7200;
  return tradeId;
}

describe('start-up: a trade older than trades_lookback_s that an open order names', () => {
  it('is read by id: its fill is carried as awaiting its answer, and its FAILED applies', async () => {
    const rig = await rigs.standIn();
    const earlier = await rigs.adapter(rig);
    const tradeId = await restingWithOldTrade(earlier, rig);
    const a = await rigs.adapter(rig, over);
    const report = await a.adapter.start();
    expect(report).toMatchObject({ trades: 0, trades_beyond_lookback: 1, trades_not_found: 0, unsettled_fills: 1 });
    expect(rig.standIn.queries('GET /data/trades').filter((q) => q.get('id') === tradeId)).toHaveLength(1);
    const awaiting = (await a.adapter.fetchPositions()).flatMap((p) => p.awaiting ?? []);
    expect(awaiting.map((f) => [f.fill_id.slice(f.fill_id.lastIndexOf(':') + 1), f.size])).toEqual([[tradeId, 4]]);
    rig.standIn.venue.settle(tradeId, 'FAILED');
    await vi.waitFor(() => expect(fills(a.events).map((f) => f.status)).toEqual(['MATCHED', 'FAILED']));
    expect(a.alerts.map((x) => x.code)).not.toContain('TRADE_NOT_FOUND');
  });

  it('one the venue does not return in missing_trade_reads reads: a critical TRADE_NOT_FOUND naming it, and its market halted (no new order there)', async () => {
    const rig = await rigs.standIn();
    const earlier = await rigs.adapter(rig);
    const tradeId = await restingWithOldTrade(earlier, rig);
    rig.standIn.venue.trades.delete(tradeId);
    const a = await rigs.adapter(rig, over);
    expect(await a.adapter.start()).toMatchObject({ trades_beyond_lookback: 1, trades_not_found: 1, unsettled_fills: 0, halted_markets: ['m1'] });
    expect(rig.standIn.queries('GET /data/trades').filter((q) => q.get('id') === tradeId)).toHaveLength(over.reconcile.missing_trade_reads);
    const told = a.alerts.filter((x) => x.code === 'TRADE_NOT_FOUND');
    expect(told.map((x) => [x.severity, x.market_id])).toEqual([['critical', 'm1']]);
    expect(told[0]!.message).toContain(tradeId);
    expect(a.adapter.haltedMarkets()).toMatchObject({ m1: expect.stringContaining(tradeId) });
    const refused = await a.adapter.placeOrder(req({ price: 0.3, size: 10 }));
    expect(refused).toMatchObject({ accepted: false, reason: expect.stringContaining('market halted') });
    // An operator who has checked the venue clears it: the market trades again.
    a.adapter.clearHalt('m1');
    expect(await a.adapter.placeOrder(req({ price: 0.3, size: 10 }))).toMatchObject({ accepted: true });
  });

  it('one the venue returns on a later read (its trade records lagging) is carried, with nothing told or halted', async () => {
    const rig = await rigs.standIn();
    const earlier = await rigs.adapter(rig);
    const tradeId = await restingWithOldTrade(earlier, rig);
    rig.standIn.lagTradeReads(tradeId, over.reconcile.missing_trade_reads - 1);
    const a = await rigs.adapter(rig, over);
    expect(await a.adapter.start()).toMatchObject({ trades_beyond_lookback: 1, trades_not_found: 0, unsettled_fills: 1, halted_markets: [] });
    expect(rig.standIn.queries('GET /data/trades').filter((q) => q.get('id') === tradeId)).toHaveLength(over.reconcile.missing_trade_reads);
    expect(a.alerts.map((x) => x.code)).not.toContain('TRADE_NOT_FOUND');
    expect(a.adapter.haltedMarkets()).toEqual({});
  });
});

describe('start-up: a trade older than trades_lookback_s that the given-up record names', () => {
  it('is read by id and carried as given up', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-older-trades-'));
    try {
      const rig = await rigs.standIn();
      rig.books.set(YES, book(0.44, 0.45, 100, 1));
      const earlier = await rigs.adapter(rig);
      const p = await earlier.session.prepare({ tokenId: YES, side: 'BUY', price: 0.45, size: 10, type: 'GTC', expiration: 0, tick: '0.01', negRisk: false }, false);
      await earlier.session.postOrder(p);
      const [trade] = [...rig.standIn.venue.trades.values()];
      trade!.match_time -= 7200;
      givenUpFillsStore(dataDir).save([`${p.id}:${trade!.id}`]);
      const a = await rigs.adapter(rig, over, undefined, undefined, undefined, { givenUpStore: givenUpFillsStore(dataDir) });
      expect(await a.adapter.start()).toMatchObject({ trades: 0, trades_beyond_lookback: 1, trades_not_found: 0, unsettled_fills: 1 });
      const carried = (await a.adapter.fetchPositions()).flatMap((v) => v.awaiting ?? []);
      expect(carried.map((f) => a.adapter.isFillAnswerGivenUp(f.fill_id))).toEqual([true]);
      // Still awaiting its answer: the record keeps it for the process after.
      expect(givenUpFillsStore(dataDir).load()).toEqual([`${p.id}:${trade!.id}`]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('start-up: a trade older than trades_lookback_s that the sell-costs record names', () => {
  it('is read by id and carried with the cost the record gives its sell', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-older-trades-'));
    try {
      const rig = await rigs.standIn();
      rig.books.set(YES, book(0.44, 0.45, 100, 1));
      const earlier = await rigs.adapter(rig);
      const buy = await earlier.session.prepare({ tokenId: YES, side: 'BUY', price: 0.45, size: 10, type: 'GTC', expiration: 0, tick: '0.01', negRisk: false }, false);
      await earlier.session.postOrder(buy);
      for (const t of rig.standIn.venue.trades.values()) rig.standIn.venue.settle(t.id, 'CONFIRMED');
      const sell = await earlier.session.prepare({ tokenId: YES, side: 'SELL', price: 0.6, size: 10, type: 'GTC', expiration: 0, tick: '0.01', negRisk: false }, false);
      await earlier.session.postOrder(sell);
      const tradeId = rig.standIn.venue.fillResting(sell.id, 10)!;
      rig.standIn.venue.trades.get(tradeId)!.match_time -= 7200;
      sellCostsStore(dataDir).save(new Map([[`${sell.id}:${tradeId}`, 0.45]]));
      const a = await rigs.adapter(rig, over, undefined, undefined, undefined, { sellCostStore: sellCostsStore(dataDir) });
      expect(await a.adapter.start()).toMatchObject({ trades_beyond_lookback: 1, trades_not_found: 0, unsettled_fills: 1 });
      const carried = (await a.adapter.fetchPositions()).flatMap((v) => v.awaiting ?? []);
      expect(carried.map((f) => [f.side, f.size, f.avg_cost])).toEqual([['SELL', 10, 0.45]]);
      // Still awaiting its answer: the record keeps it for the process after.
      expect(sellCostsStore(dataDir).load()).toEqual(new Map([[`${sell.id}:${tradeId}`, 0.45]]));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('start-up: a trade older than trades_lookback_s whose order is no longer open', () => {
  it('is read by id when the earlier process recorded its fill as awaiting its answer, and its FAILED applies', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-older-trades-'));
    try {
      const rig = await rigs.standIn();
      // An earlier process's BUY, filled whole at once: no open order names its trade afterwards.
      const earlier = await rigs.adapter(rig, {}, undefined, undefined, undefined, { awaitingStore: awaitingFillsStore(dataDir) });
      await earlier.adapter.start();
      const r = req({ order_type: 'FOK', price: 0.42, size: 10 });
      expect(await earlier.adapter.placeOrder(r)).toMatchObject({ accepted: true });
      await vi.waitFor(() => expect(fills(earlier.events, r.client_order_id).map((f) => f.status)).toEqual(['MATCHED']));
      const [trade] = [...rig.standIn.venue.trades.values()];
      expect(awaitingFillsStore(dataDir).load()).toEqual([expect.stringMatching(new RegExp(`:${trade!.id}$`))]);
      // It stops without an answer (a crash), and the next process starts after the lookback.
      earlier.adapter.stop();
      trade!.match_time -= 7200;
      const a = await rigs.adapter(rig, over, undefined, undefined, undefined, { awaitingStore: awaitingFillsStore(dataDir) });
      expect(await a.adapter.start()).toMatchObject({ open_orders: 0, trades: 0, trades_beyond_lookback: 1, trades_not_found: 0, unsettled_fills: 1 });
      const awaiting = (await a.adapter.fetchPositions()).flatMap((p) => p.awaiting ?? []);
      expect(awaiting.map((f) => [f.fill_id.slice(f.fill_id.lastIndexOf(':') + 1), f.side, f.size])).toEqual([[trade!.id, 'BUY', 10]]);
      rig.standIn.venue.settle(trade!.id, 'FAILED');
      await vi.waitFor(() => expect(fills(a.events).map((f) => f.status)).toEqual(['MATCHED', 'FAILED']));
      // Answered: the record lets go of it.
      expect(awaitingFillsStore(dataDir).load()).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
