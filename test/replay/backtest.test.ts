import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, writeBacktestReport } from '../../src/apps/replay/backtest.ts';
import type { BacktestReport } from '../../src/domain/replay/backtest-report.ts';
import { FROM, recordSession, tempDir, testConfig } from './support.ts';

let dir: string;
let cleanup: () => void;
let to: number;
let report: BacktestReport;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('helios-backtest-'));
  ({ to } = await recordSession(dir, 10));
  report = await runBacktest({ config: testConfig(), dataDir: dir, from: FROM, to, source: 'journal', overrides: { 'trading.temporal.edge_threshold': 0.05 } });
}, 60_000);
afterAll(() => cleanup());

describe('backtest report', () => {
  it('has the range, source, overrides and per-market PnL that adds up', () => {
    expect(report.schema).toBe('helios.backtest/1');
    expect(report.range).toEqual({ from: FROM, to, from_iso: new Date(FROM).toISOString(), to_iso: new Date(to).toISOString() });
    expect(report.source).toBe('journal');
    expect(report.overrides).toEqual({ 'trading.temporal.edge_threshold': 0.05 });
    expect(report.replay.events).toBeGreaterThan(1000);
    expect(report.markets.map((m) => m.kind).sort()).toEqual(['nowcast', 'nowcast', 'truth', 'truth']);
    const net = report.markets.reduce((s, m) => s + m.pnl.net, 0);
    expect(report.pnl.net).toBeCloseTo(net, 5);
    expect(report.pnl.net).toBeCloseTo(report.pnl.realized - report.pnl.fees + report.pnl.unrealized, 5);
  });

  it('PnL path, fill rate and slippage come from the orders and fills the pipeline decided', () => {
    expect(report.pnl.path.length).toBeGreaterThan(5);
    expect(report.pnl.path[report.pnl.path.length - 1]!.net).toBeCloseTo(report.pnl.net, 5);
    expect(report.orders.submitted).toBeGreaterThan(0);
    expect(report.orders.submitted).toBe(report.orders.filled + report.orders.partially_filled + report.orders.canceled + report.orders.rejected + report.orders.expired);
    expect(report.orders.fill_rate).toBeGreaterThan(0);
    expect(report.orders.fill_rate).toBeLessThanOrEqual(1);
    expect(report.fills.count).toBeGreaterThan(0);
    expect(report.fills.maker + report.fills.taker).toBe(report.fills.count);
    expect(report.slippage.count).toBe(report.fills.count);
    expect(report.slippage.mean_ticks).not.toBeNull();
    expect(report.decisions.FILL).toBeGreaterThanOrEqual(report.fills.count);
  });

  it('calibration per bucket and drift of the judge-aligned value, against the realized maximum', () => {
    expect(report.calibration).toHaveLength(1);
    const c = report.calibration[0]!;
    expect(c.station_id).toBe('KLGA');
    expect(c.realized_source).toBe('observed_by_end');
    expect(c.realized_max_f).not.toBeNull();
    expect(c.forecasts).toBeGreaterThan(5);
    expect(c.bins).toHaveLength(10);
    expect(c.bins.reduce((s, b) => s + b.n, 0)).toBe(c.forecasts * c.buckets.length);
    expect(c.buckets.filter((b) => b.realized === 1)).toHaveLength(1);
    expect(c.brier).toBeGreaterThanOrEqual(0);
    const d = report.drift[0]!;
    expect(d.series).toHaveLength(c.forecasts);
    expect(d.series[0]!.drift_f).toBeCloseTo(d.series[0]!.expected_max_f - c.realized_max_f!, 3);
    expect(d.metar.length).toBeGreaterThan(0);
  });

  it('QC sensitivity reruns with the gate forced open and closed; regimes break fills down', () => {
    const q = report.qc_sensitivity!;
    expect(q.recorded).toEqual({ net_pnl: report.pnl.net, orders: report.orders.submitted, fills: report.fills.count });
    expect(Object.keys(q).sort()).toEqual(['closed', 'open', 'recorded']);
    // A closed gate removes the fair value of the bucket markets: never more orders than with it.
    expect(q.closed.orders).toBeLessThanOrEqual(q.open.orders);
    const spread = report.regimes.spread;
    expect(spread.reduce((s, r) => s + r.fills, 0)).toBe(report.fills.count);
    expect(spread.every((r) => ['locked', 'normal', 'wide', 'one_sided'].includes(r.regime))).toBe(true);
    expect(report.regimes.hour_nyc.reduce((s, r) => s + r.fills, 0)).toBe(report.fills.count);
    expect(report.regimes.hour_nyc[0]!.regime).toBe('12');
  });

  it('writes report.json, report.md and report.html with inline SVG charts', async () => {
    const files = await writeBacktestReport(report, path.join(dir, 'report'));
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    const md = readFileSync(files.md, 'utf8');
    for (const h of ['## PnL', '## Execution', '## Breakdown by regime', '## QC sensitivity', '## Calibration', '## Drift']) expect(md).toContain(h);
    const html = readFileSync(files.html, 'utf8');
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(5);
    expect(html).not.toMatch(/<script/);
    expect(existsSync(files.json + '.tmp')).toBe(false);
  });

  it('is deterministic: the same range and settings give the same report', async () => {
    const again = await runBacktest({ config: testConfig(), dataDir: dir, from: FROM, to, source: 'journal', overrides: { 'trading.temporal.edge_threshold': 0.05 }, qcSensitivity: false });
    const strip = (r: BacktestReport) => ({ ...r, replay: null, qc_sensitivity: null });
    expect(strip(again)).toEqual(strip(report));
  });
});
