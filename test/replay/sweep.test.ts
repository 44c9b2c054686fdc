import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridCombinations, rankResults, runSweep, type SweepJob, type SweepResult } from '../../src/apps/replay/sweep.ts';
import { FROM, recordSession, tempDir, testConfig } from './support.ts';

let dir: string;
let cleanup: () => void;
let to: number;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('helios-sweep-'));
  ({ to } = await recordSession(dir, 6));
}, 60_000);
afterAll(() => cleanup());

const result = (index: number, net: number, dd: number, overrides: Record<string, unknown>): SweepResult => ({
  index,
  overrides,
  net_pnl: net,
  realized: 0,
  fees: 0,
  max_drawdown: dd,
  orders: 0,
  fills: 0,
  fill_rate: null,
  mean_slippage_ticks: null,
  events: 0,
  wall_ms: 0,
});

describe('sweep', () => {
  it('expands a grid into every combination, keys in sorted order', () => {
    expect(gridCombinations({ 'b.y': [1, 2], 'a.x': ['p', 'q'] })).toEqual([
      { 'a.x': 'p', 'b.y': 1 },
      { 'a.x': 'p', 'b.y': 2 },
      { 'a.x': 'q', 'b.y': 1 },
      { 'a.x': 'q', 'b.y': 2 },
    ]);
  });

  it('ranks by net PnL, then smaller drawdown, then the overrides, whatever order results arrived in', () => {
    const rs = [result(0, 1, 0.5, { k: 2 }), result(1, 3, 0, { k: 1 }), result(2, 1, 0.5, { k: 1 }), result(3, 1, 0.2, { k: 9 })];
    const ranked = rankResults(rs);
    expect(ranked.map((r) => r.index)).toEqual([1, 3, 2, 0]);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    expect(rankResults([...rs].reverse()).map((r) => r.index)).toEqual([1, 3, 2, 0]);
  });

  it('runs a tiny grid on worker threads and ranks it the same as in-process', async () => {
    const jobs: SweepJob[] = gridCombinations({ 'trading.temporal.edge_threshold': [0.03, 0.2] }).map((overrides, index) => ({
      index,
      overrides,
      config: testConfig(overrides),
      dataDir: dir,
      from: FROM,
      to,
      source: 'journal',
    }));
    const threaded = await runSweep(jobs, 2);
    expect(threaded.map((r) => r.rank)).toEqual([1, 2]);
    expect(threaded[0]!.net_pnl).toBeGreaterThanOrEqual(threaded[1]!.net_pnl);
    expect(threaded.every((r) => r.events > 1000)).toBe(true);
    const inline = await runSweep(jobs, 0);
    const strip = (rs: typeof threaded) => rs.map(({ wall_ms: _w, ...r }) => r);
    expect(strip(threaded)).toEqual(strip(inline));
  });
});
