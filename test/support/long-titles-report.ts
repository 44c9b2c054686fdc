import type { StationDayCalibration } from '../../src/domain/replay/backtest-metrics.ts';
import type { BacktestReport } from '../../src/domain/replay/backtest-report.ts';

const T0 = Date.parse('2026-06-12T12:00:00Z');
const WINNER = '0x9f3c2a71b4e8d05c6a1f2e3d4c5b6a79880716253443526170819a0b1c2d3e4f';

/**
 * A backtest report whose charts carry the longest titles the renderer writes: a station-day
 * scored on a resolution recorded after the range (the reliability chart, 360 px wide), the pooled
 * calibration chart (420 px, four series), a judge-aligned drift chart and the bar charts.
 */
export function longTitlesReport(): BacktestReport {
  const bins = [
    { lo: 0, hi: 0.1, n: 40, mean_p: 0.03, observed: 0.05 },
    { lo: 0.7, hi: 0.8, n: 12, mean_p: 0.74, observed: 0.66 },
  ];
  const calibration: StationDayCalibration[] = [
    {
      station_id: 'KLGA',
      judge_day: '2026-06-12',
      realized_max_f: 86,
      realized_source: 'resolution',
      resolution: {
        winner: { market_id: WINNER, lo_f: 86, hi_f: 87 },
        markets: [{ market_id: WINNER, outcome: 'YES', after_range: true, lo_f: 86, hi_f: 87 }],
      },
      forecasts: 52,
      brier: 0.1,
      bins,
      buckets: [],
    } as StationDayCalibration,
  ];
  const path = Array.from({ length: 20 }, (_, i) => ({ ts: T0 + i * 60_000, net: Math.sin(i / 3) * 2 }));
  const row = (regime: string, markout_pnl: number) => ({ regime, fills: 3, volume: 30, notional: 12, fees: 0.1, markout_pnl, mean_slippage_ticks: 0.5 });
  return {
    schema: 'helios.backtest/1',
    range: { from: T0, to: T0 + 3_600_000, from_iso: '2026-06-12T12:00:00Z', to_iso: '2026-06-12T13:00:00Z' },
    data_dir: 'data',
    source: 'journal',
    overrides: {},
    replay: { events: 1, wall_ms: 1, speed_multiple: null },
    market_catalog: 'recorded',
    markets: [],
    pnl: { net: 1, realized: 1, unrealized: 0, fees: 0, by_strategy: {}, max_drawdown: 0, path },
    orders: { submitted: 3, filled: 3, partially_filled: 0, canceled: 0, rejected: 0, expired: 0, fill_rate: 1, volume_fill_rate: 1 },
    fills: { count: 3, failed: 0, volume: 30, notional: 12, fees: 0.1, maker: 0, taker: 3 },
    slippage: { count: 3, mean_ticks: 0.5, p50_ticks: 0.5, p90_ticks: 1, vs_touch_mean_ticks: 0, cost_usdc: 0.01 },
    decisions: {},
    calibration,
    drift: [
      {
        station_id: 'KLGA',
        judge_day: '2026-06-12',
        realized_max_f: 86,
        mean_abs_drift_f: 0.8,
        series: path.map((p, i) => ({ ts: p.ts, expected_max_f: 85 + i / 20, max_so_far_f: 80 + i / 4, drift_f: 0.1, qc_gate: 'open' as const })),
        metar: [{ ts: T0, temp_f_judge: 80, max_so_far_f: 80 }],
      },
    ],
    qc_sensitivity: null,
    regimes: { spread: [row('tight', 0.4), row('wide', -0.2)], hour_nyc: [row('08', 0.1), row('09', -0.1)] },
  } as unknown as BacktestReport;
}
