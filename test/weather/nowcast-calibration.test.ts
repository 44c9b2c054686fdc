import { describe, expect, it } from 'vitest';
import type { StationDayCalibration } from '../../src/domain/replay/backtest-metrics.ts';
import { renderBacktestHtml, renderBacktestMarkdown, type BacktestReport } from '../../src/domain/replay/backtest-report.ts';
import { poolReliability } from '../../src/domain/weather/nowcast/reliability-pool.ts';

function day(judge_day: string, bins: Array<[number, number, number, number]>): StationDayCalibration {
  return {
    station_id: 'KLGA',
    judge_day,
    realized_max_f: 80,
    realized_source: 'observed_by_end',
    forecasts: 10,
    brier: 0.1,
    bins: bins.map(([lo, n, mean_p, observed]) => ({ lo, hi: Math.round((lo + 0.1) * 10) / 10, n, mean_p, observed })),
    buckets: [],
  };
}

/** The least of a report the renderers read, with two station-days of NOWCAST calibration. */
function report(calibration: StationDayCalibration[]): BacktestReport {
  const zeroPnl = { net: 0, realized: 0, unrealized: 0, fees: 0 };
  return {
    schema: 'helios.backtest/1',
    range: { from: 0, to: 1, from_iso: '2026-06-12T00:00:00Z', to_iso: '2026-06-13T00:00:00Z' },
    data_dir: 'data',
    source: 'journal',
    overrides: {},
    replay: { events: 1, wall_ms: 1, speed_multiple: null },
    market_catalog: 'recorded',
    markets: [],
    pnl: { ...zeroPnl, by_strategy: {}, max_drawdown: 0, path: [] },
    orders: { submitted: 0, filled: 0, partially_filled: 0, canceled: 0, rejected: 0, expired: 0, fill_rate: null, volume_fill_rate: null },
    fills: { count: 0, failed: 0, volume: 0, notional: 0, fees: 0, maker: 0, taker: 0 },
    slippage: { count: 0, mean_ticks: null, p50_ticks: null, p90_ticks: null, vs_touch_mean_ticks: null, cost_usdc: 0 },
    decisions: {},
    calibration,
    drift: [],
    qc_sensitivity: null,
    regimes: { spread: [], hour_nyc: [] },
  } as unknown as BacktestReport;
}

describe('calibration over all station-days (backtest report)', () => {
  const days = [
    day('2026-06-12', [
      [0, 40, 0.02, 0.025],
      [0.7, 30, 0.72, 0.6],
    ]),
    day('2026-06-13', [
      [0, 60, 0.04, 0.05],
      [0.7, 10, 0.76, 0.9],
    ]),
  ];

  it('pools the deciles of every station-day by counts and judges the gap where there are enough forecasts', () => {
    const rows = poolReliability(days.map((d) => d.bins));
    expect(rows.map((r) => [r.p_lo, r.n])).toEqual([
      [0, 100],
      [0.7, 40],
    ]);
    expect(rows[0]!.mean_p).toBeCloseTo(0.032, 9);
    expect(rows[0]!.observed_freq).toBeCloseTo(0.04, 9);
    expect(rows[0]!.gap_pp).toBe(0.8);
    expect(rows[0]!.enough).toBe(true);
    // (30·0.6 + 10·0.9)/40 = 0.675 against (30·0.72 + 10·0.76)/40 = 0.73.
    expect(rows[1]!.gap_pp).toBe(-5.5);
    expect(rows[1]!.enough).toBe(false);
  });

  it('renders the pooled table in report.md and the pooled chart in report.html', () => {
    const r = report(days);
    const md = renderBacktestMarkdown(r);
    expect(md).toContain('### All station-days, per probability decile');
    expect(md).toContain('| 0.7–0.8 | 40 | ');
    expect(md).toContain('-5.5 (few)');
    const html = renderBacktestHtml(r);
    expect(html).toContain('Calibration, all station-days');
    const none = renderBacktestMarkdown(report([]));
    expect(none).not.toContain('All station-days');
  });
});
