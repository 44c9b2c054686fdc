import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PAPER_STATE_VERSION, paperStateFile, readPaperState, writePaperState } from '../../src/adapters/storage/paper-state-file.ts';
// @ts-expect-error the dashboard's browser module is plain JavaScript without types
import { applyFrame, createStore } from '../../src/apps/dashboard/web/store.js';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import type { CarriedTrading } from '../../src/domain/trading/carried-state.ts';
import type { DispatchInput } from '../../src/runtime/trading/dispatch-pump.ts';
import type { TradingNode } from '../../src/runtime/trading/trading-node.ts';
import { feed, HOUR, inputFactory, LIFE_MS, marketLife, marketSpec, node, T0 } from './retirement-support.ts';

/**
 * A market retired for good (resolved, settled, its retention over) is carried into the next
 * session collapsed: no ledger of its own, its id and PnL in the retired markets' aggregate
 * (paper state version 3). Every total is the same after a restart from the file, and the retired
 * markets do not come back as actors, even when the next session's universe still lists them.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'helios-retired-carried-'));
  dirs.push(d);
  return d;
};

const RETIRED = 3;
/** Markets m0..m2 live, resolve and (retention 0) are retired; m3 locks its pair and stays open. */
const universe = () => [0, 1, 2, 3].map((i) => ({ spec: marketSpec(i), match_id: null, station_id: null }));

function firstSessionInputs(): DispatchInput[] {
  const input = inputFactory();
  const out: DispatchInput[] = [];
  for (let i = 0; i < RETIRED; i++) out.push(...marketLife(input.events, input.clock, i, T0 + 1_000 + i * LIFE_MS));
  // The open market's life stops short of its resolution: it holds its pair into the next session.
  out.push(...marketLife(input.events, input.clock, RETIRED, T0 + 1_000 + RETIRED * LIFE_MS).filter((x) => x.kind === 'tick' || x.event.type !== 'MARKET_RESOLVED'));
  out.push({ kind: 'tick', t: T0 + 1_000 + (RETIRED + 2) * LIFE_MS });
  return out;
}

/** The open market's books as the first session last saw them, so both sessions value it alike. */
function openMarketBooks(atMs: number): DispatchInput[] {
  const input = inputFactory(atMs, 9);
  const payload = { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.44, 100]], asks: [[0.45, 100]], best_bid: 0.44, best_ask: 0.45, mid: null, spread: null, microprice: null, imbalance: null, hash: null };
  return ['Y3', 'N3'].map((token) => ({ kind: 'event', event: input.events.make('L2_SNAPSHOT', payload as never, { market_id: 'm3', token_id: token }) }));
}

/** The dashboard's PnL totals (its own store: the latest position of every token, a retired market's dropped). */
function dashboardPnl(events: readonly HeliosEvent[]): { realized: number; unrealized: number; fees: number } {
  const store = createStore();
  for (const e of events) applyFrame(store, e);
  return store.pnl;
}

function totals(n: TradingNode, events: readonly HeliosEvent[]) {
  const summary = n.summary();
  return {
    total_net: n.runtime.totalNetPnl(),
    risk_net: n.runtime.riskNetPnl(),
    peak: n.risk.peakNetPnl,
    daily: n.risk.dailyBaseline,
    daily_loss: n.risk.dailyLossUsdc,
    summary_net: summary.net_pnl,
    open_market: n.runtime.marketPnl('m3'),
    dashboard: dashboardPnl(events),
  };
}

function expectSameTotals(after: ReturnType<typeof totals>, before: ReturnType<typeof totals>): void {
  for (const k of ['total_net', 'risk_net', 'peak', 'daily_loss', 'summary_net'] as const) expect(after[k], k).toBeCloseTo(before[k], 9);
  expect(after.daily).toEqual(before.daily);
  expect(after.open_market.net).toBeCloseTo(before.open_market.net, 9);
  for (const k of ['realized', 'unrealized', 'fees'] as const) expect(after.dashboard[k], `dashboard ${k}`).toBeCloseTo(before.dashboard[k], 9);
}

async function firstSession() {
  const first = node(0, { markets: universe() });
  await first.node.start();
  await feed(first.node, firstSessionInputs());
  expect(first.node.runtime.marketIds()).toEqual(['m3']);
  expect(first.retired.map((x) => x.market.spec.market_id)).toEqual(['m0', 'm1', 'm2']);
  return first;
}

/** The next session on the same data directory: built from the file, the whole universe listed again. */
async function nextSession(carried: CarriedTrading, atMs: number) {
  const next = node(0, { startMs: atMs, markets: universe(), carried });
  await next.node.start();
  // Its positions were published at cost at start; once both books were seen, one past the marks' interval publishes them at their marks.
  await feed(next.node, openMarketBooks(atMs + 10));
  await feed(next.node, openMarketBooks(atMs + next.cfg.trading.positions.mark_interval_ms + 20));
  return next;
}

describe('retired markets in the carried paper state', () => {
  it('carries them collapsed, and a restart from the file has every total as before, without their actors', async () => {
    const first = await firstSession();
    const before = totals(first.node, first.sink.events);
    // The PnL is real: three locked pairs paid out, the open one is valued.
    expect(before.summary_net).toBeGreaterThan(3 * 1.5);
    const dataDir = tempDir();
    writePaperState(dataDir, first.node.carry()!, first.clock.now(), { unanswered: first.node.runtime.unconfirmedAtCarry(), cleanStop: true });
    first.node.runtime.stop();

    const stored = readPaperState(dataDir)!;
    expect(stored.version).toBe(PAPER_STATE_VERSION);
    expect(Object.keys(stored.markets)).toEqual(['m3']);
    expect(stored.retired!.ids).toEqual(['m0', 'm1', 'm2']);
    expect(stored.retired!.pnl.net + before.open_market.net).toBeCloseTo(before.total_net, 9);

    const next = await nextSession(stored, first.clock.now() + 60_000);
    // Not back as actors, routes, books or topics, though the universe lists them again.
    expect(next.node.runtime.marketIds()).toEqual(['m3']);
    expect(next.node.router.marketIds()).toEqual(['m3']);
    for (const id of ['m0', 'm1', 'm2']) expect(next.node.runtime.marketRef(id)).toBeUndefined();
    expect(next.node.topics().filter((t) => /m[012]$/.test(t))).toEqual([]);
    expectSameTotals(totals(next.node, next.sink.events), before);
    // Their figures are in the report as earlier sessions' retired markets.
    const summary = next.node.summary();
    expect(summary.markets.map((m) => m.market_id)).toEqual(['m3']);
    expect(summary.retired_before.markets).toBe(3);
    expect(summary.retired_before.pnl).toEqual(stored.retired!.pnl);
    // And it carries them on as they came.
    expect(next.node.carry()!.retired).toEqual(stored.retired);
    next.node.runtime.stop();
  });

  it('loads a version-2 file that kept retired markets per market: they come back resolved, retire again, and collapse with the same totals', async () => {
    // What the build before version 3 wrote: resolved (here not yet retired) markets' whole settled ledgers, no aggregate.
    const longRetention = node(HOUR, { markets: universe() });
    await longRetention.node.start();
    await feed(longRetention.node, firstSessionInputs());
    const before = totals(longRetention.node, longRetention.sink.events);
    const { retired: _none, ...version2 } = longRetention.node.carry()!;
    expect(Object.keys(version2.markets)).toEqual(['m0', 'm1', 'm2', 'm3']);
    const dataDir = tempDir();
    mkdirSync(path.dirname(paperStateFile(dataDir)), { recursive: true });
    writeFileSync(paperStateFile(dataDir), JSON.stringify({ version: 2, saved_ms: longRetention.clock.now(), ...version2 }) + '\n');
    longRetention.node.runtime.stop();
    const stored = readPaperState(dataDir)!;
    expect(stored.version).toBe(2);

    const next = await nextSession(stored, longRetention.clock.now() + 60_000);
    await feed(next.node, [{ kind: 'tick', t: longRetention.clock.now() + 65_000 }]);
    expect(next.node.runtime.marketIds()).toEqual(['m3']);
    const carried = next.node.carry()!;
    expect(Object.keys(carried.markets)).toEqual(['m3']);
    expect(carried.retired.ids).toEqual(['m0', 'm1', 'm2']);
    expectSameTotals(totals(next.node, next.sink.events), before);
    next.node.runtime.stop();
  });
});
