import type { PnlSummary } from '../trading/pnl-ledger.ts';
import type { ExecutionMetrics, ModelMetrics, RegimeRow, StationDayCalibration } from './backtest-metrics.ts';
import { barChart, CHART_CSS, esc, xyChart } from './svg-charts.ts';
import { poolReliability } from '../weather/nowcast/reliability-pool.ts';

export interface VariantResult {
  net_pnl: number;
  orders: number;
  fills: number;
}

/** What `helios backtest` writes (report.json); report.md and report.html render the same object. */
export interface BacktestReport {
  schema: 'helios.backtest/1';
  range: { from: number; to: number; from_iso: string; to_iso: string };
  data_dir: string;
  source: 'journal' | 'parquet';
  overrides: Record<string, unknown>;
  replay: { events: number; wall_ms: number; speed_multiple: number | null };
  /**
   * recorded: markets.json beside the data said what each market is; inferred: there was none, so
   * markets were guessed from the tape and only pair arbitrage could trade (the run is not what the
   * recording traded).
   */
  market_catalog: 'recorded' | 'inferred';
  markets: Array<{ market_id: string; kind: 'truth' | 'nowcast' | 'none' | 'inferred'; feeds: string | null; state: string | null; pnl: PnlSummary }>;
  pnl: { net: number; realized: number; unrealized: number; fees: number; by_strategy: Record<string, number>; max_drawdown: number; path: ExecutionMetrics['pnl_path'] };
  orders: ExecutionMetrics['orders'];
  fills: ExecutionMetrics['fills'];
  slippage: ExecutionMetrics['slippage'];
  decisions: Record<string, number>;
  calibration: ModelMetrics['calibration'];
  drift: ModelMetrics['drift'];
  /** Same range and settings with the NOWCAST QC gate as recorded, forced open, forced closed (null when not run). */
  qc_sensitivity: { recorded: VariantResult; open: VariantResult; closed: VariantResult } | null;
  regimes: ExecutionMetrics['regimes'];
}

export function renderBacktestMarkdown(r: BacktestReport): string {
  const L: string[] = [];
  L.push(`# Backtest ${r.range.from_iso} → ${r.range.to_iso}`, '');
  L.push(`Data: \`${r.data_dir}\` (${r.source}), ${r.replay.events} events replayed in ${(r.replay.wall_ms / 1000).toFixed(1)} s${r.replay.speed_multiple ? ` (${r.replay.speed_multiple}× real time)` : ''}.`);
  if (r.market_catalog === 'inferred') L.push('', `**Warning: no market catalog (\`markets.json\`) in the data directory: markets were inferred from the tape and traded by pair arbitrage only; temperature and esports markets were not priced, so this is not what the recording traded.**`, '');
  L.push(`Overrides: ${Object.keys(r.overrides).length ? Object.entries(r.overrides).map(([k, v]) => `\`${k}=${JSON.stringify(v)}\``).join(', ') : 'none'}.`, '');
  L.push('## PnL', '');
  L.push(table(['net', 'realized', 'unrealized', 'fees', 'max drawdown'], [[usd(r.pnl.net), usd(r.pnl.realized), usd(r.pnl.unrealized), usd(r.pnl.fees), usd(r.pnl.max_drawdown)]]));
  L.push('', 'By strategy: ' + (Object.keys(r.pnl.by_strategy).length ? Object.entries(r.pnl.by_strategy).map(([k, v]) => `${k} ${usd(v)}`).join(', ') : 'no positions'), '');
  L.push(table(['market', 'kind', 'priced by', 'state', 'net', 'realized', 'unrealized', 'fees'], r.markets.map((m) => [short(m.market_id), m.kind, m.feeds ?? '—', m.state ?? '—', usd(m.pnl.net), usd(m.pnl.realized), usd(m.pnl.unrealized), usd(m.pnl.fees)])));
  L.push('', '## Execution', '');
  const o = r.orders;
  L.push(table(['orders', 'filled', 'partial', 'canceled', 'rejected', 'expired', 'fill rate', 'volume fill rate'], [[o.submitted, o.filled, o.partially_filled, o.canceled, o.rejected, o.expired, pct(o.fill_rate), pct(o.volume_fill_rate)].map(String)]));
  const f = r.fills;
  L.push('', table(['fills', 'failed', 'maker', 'taker', 'shares', 'notional', 'fees'], [[f.count, f.failed, f.maker, f.taker, f.volume, usd(f.notional), usd(f.fees)].map(String)]));
  const s = r.slippage;
  L.push('', `Slippage vs mid at submission: mean ${num(s.mean_ticks)} ticks, p50 ${num(s.p50_ticks)}, p90 ${num(s.p90_ticks)}; vs touch ${num(s.vs_touch_mean_ticks)} ticks; cost ${usd(s.cost_usdc)}.`, '');
  L.push('## Breakdown by regime', '', '### Spread regime at fill', '', regimeTable(r.regimes.spread), '', '### Hour (New York) of fill', '', regimeTable(r.regimes.hour_nyc), '');
  L.push('## QC sensitivity', '');
  if (r.qc_sensitivity) {
    const q = r.qc_sensitivity;
    L.push(table(['QC gate', 'net PnL', 'orders', 'fills'], (['recorded', 'open', 'closed'] as const).map((k) => [k, usd(q[k].net_pnl), String(q[k].orders), String(q[k].fills)])));
  } else L.push('Not run (no NOWCAST-priced market, or disabled).');
  L.push('', '## Calibration (NOWCAST bucket probabilities vs the recorded resolution, else the realized judge maximum)', '');
  if (!r.calibration.length) L.push('No NOWCAST in range.');
  const pooled = poolReliability(r.calibration.map((c) => c.bins));
  if (pooled.length) {
    L.push('### All station-days, per probability decile (target: within ±5 pp where n ≥ 50)', '');
    L.push(table(['p bin', 'n', 'mean p', 'observed', 'gap (pp)'], pooled.map((b) => [`${b.p_lo.toFixed(1)}–${b.p_hi.toFixed(1)}`, String(b.n), num(b.mean_p), num(b.observed_freq), `${b.gap_pp}${b.enough ? '' : ' (few)'}`])), '');
  }
  for (const c of r.calibration) {
    L.push(`### ${c.station_id} ${c.judge_day}: realized ${realizedText(c)}, ${c.forecasts} forecasts, Brier ${num(c.brier)}`, '');
    L.push(table(['p bin', 'n', 'mean p', 'observed'], c.bins.filter((b) => b.n > 0).map((b) => [`${b.lo.toFixed(1)}–${b.hi.toFixed(1)}`, String(b.n), num(b.mean_p), num(b.observed)])));
    L.push('', table(['bucket', 'mean p', 'last p', 'realized'], c.buckets.map((b) => [b.label, num(b.mean_p), num(b.last_p), b.realized === null ? '—' : String(b.realized)])), '');
  }
  L.push('## Drift of the judge-aligned value', '');
  if (!r.drift.length) L.push('No NOWCAST in range.');
  for (const d of r.drift) {
    const first = d.series[0];
    const last = d.series[d.series.length - 1];
    L.push(
      `- ${d.station_id} ${d.judge_day}: expected max ${num(first?.expected_max_f ?? null)} → ${num(last?.expected_max_f ?? null)} °F, realized ${d.realized_max_f ?? '—'} °F, mean |drift| ${num(d.mean_abs_drift_f)} °F over ${d.series.length} nowcasts; ${d.metar.length} METARs.`,
    );
  }
  L.push('', '## Decisions', '', table(Object.keys(r.decisions), [Object.values(r.decisions).map(String)]), '');
  return L.join('\n');
}

export function renderBacktestHtml(r: BacktestReport): string {
  const time = (x: number) => new Date(x).toISOString().slice(11, 16);
  const charts: string[] = [];
  charts.push(
    xyChart({ title: 'Net PnL (USDC)', series: [{ name: 'net PnL', color: '#1c7ed6', points: r.pnl.path.map((p) => [p.ts, p.net] as const) }], xFormat: time, yRule: 0 }),
  );
  const rq = r.qc_sensitivity;
  if (rq) charts.push(barChart({ title: 'QC sensitivity: net PnL by QC gate', bars: (['recorded', 'open', 'closed'] as const).map((k) => ({ label: k, value: rq[k].net_pnl })) }));
  charts.push(barChart({ title: 'Markout PnL by spread regime at fill', bars: r.regimes.spread.map((g) => ({ label: g.regime, value: g.markout_pnl })) }));
  charts.push(barChart({ title: 'Markout PnL by hour (New York) of fill', bars: r.regimes.hour_nyc.map((g) => ({ label: g.regime, value: g.markout_pnl })) }));
  const pooled = poolReliability(r.calibration.map((c) => c.bins));
  if (pooled.length) {
    charts.push(
      xyChart({
        title: `Calibration, all station-days: observed frequency vs NOWCAST bucket probability (±5 pp band)`,
        series: [
          { name: 'perfect', color: '#adb5bd', points: [[0, 0], [1, 1]], dashed: true },
          { name: '+5 pp', color: '#dee2e6', points: [[0, 0.05], [0.95, 1]], dashed: true },
          { name: '−5 pp', color: '#dee2e6', points: [[0.05, 0], [1, 0.95]], dashed: true },
          { name: 'observed vs predicted', color: '#c2255c', points: pooled.map((b) => [b.mean_p!, b.observed_freq!] as const), dots: true, sizes: pooled.map((b) => b.n) },
        ],
        xDomain: [0, 1],
        yDomain: [0, 1],
        width: 420,
        height: 340,
      }),
    );
  }
  for (const c of r.calibration) {
    const bins = c.bins.filter((b) => b.n > 0 && b.mean_p !== null && b.observed !== null);
    charts.push(
      xyChart({
        title: `Reliability ${c.station_id} ${c.judge_day} (realized ${realizedText(c)})`,
        series: [
          { name: 'perfect', color: '#adb5bd', points: [[0, 0], [1, 1]], dashed: true },
          { name: 'observed vs predicted', color: '#e8590c', points: bins.map((b) => [b.mean_p!, b.observed!] as const), dots: true, sizes: bins.map((b) => b.n) },
        ],
        xDomain: [0, 1],
        yDomain: [0, 1],
        width: 360,
        height: 300,
      }),
    );
  }
  for (const d of r.drift) {
    const series = [
      { name: 'expected max °F', color: '#7048e8', points: d.series.map((s) => [s.ts, s.expected_max_f] as const) },
      { name: 'max so far °F', color: '#2b8a3e', points: d.series.filter((s) => s.max_so_far_f !== null).map((s) => [s.ts, s.max_so_far_f!] as const) },
      { name: 'METAR judge °F', color: '#868e96', points: d.metar.filter((m) => m.temp_f_judge !== null).map((m) => [m.ts, m.temp_f_judge!] as const), dots: true },
    ];
    charts.push(xyChart({ title: `Judge-aligned value ${d.station_id} ${d.judge_day} (realized ${d.realized_max_f ?? '—'} °F)`, series, xFormat: time, yRule: d.realized_max_f ?? undefined }));
  }
  const md = renderBacktestMarkdown(r);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>Backtest ${esc(r.range.from_iso)} → ${esc(r.range.to_iso)}</title>`,
    `<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1100px}${CHART_CSS}pre{background:#f8f9fa;padding:12px;overflow:auto;font-size:12px}</style>`,
    '</head><body>',
    `<h1>Backtest ${esc(r.range.from_iso)} → ${esc(r.range.to_iso)}</h1>`,
    `<p>Net PnL <b>${usd(r.pnl.net)}</b>, ${r.orders.submitted} orders, fill rate ${pct(r.orders.fill_rate)}, ${r.fills.count} fills, mean slippage ${num(r.slippage.mean_ticks)} ticks.</p>`,
    `<div>${charts.join('\n')}</div>`,
    `<h2>Report</h2><pre>${esc(md)}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** What a station-day's buckets were scored against, in words. */
function realizedText(c: StationDayCalibration): string {
  const judge = `judge max ${c.realized_max_f ?? '—'} °F`;
  const w = c.resolution?.winner;
  if (c.realized_source === 'resolution' && w) {
    const late = c.resolution!.markets.some((m) => m.market_id === w.market_id && m.after_range) ? ' after the range' : '';
    return `${w.lo_f ?? '…'}–${w.hi_f ?? '…'} °F (resolution: market ${short(w.market_id)} resolved YES${late}; ${judge})`;
  }
  const no = c.resolution?.markets.filter((m) => m.outcome === 'NO').length ?? 0;
  if (c.realized_source === 'resolution_partial') return `${judge} (resolution_partial: ${no} bucket market(s) resolved NO decide theirs)`;
  return `${judge} (${c.realized_source})`;
}

function regimeTable(rows: RegimeRow[]): string {
  if (!rows.length) return 'No fills.';
  return table(['regime', 'fills', 'shares', 'notional', 'fees', 'markout PnL', 'mean slippage (ticks)'], rows.map((g) => [g.regime, String(g.fills), String(g.volume), usd(g.notional), usd(g.fees), usd(g.markout_pnl), num(g.mean_slippage_ticks)]));
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function usd(x: number): string {
  return (x < 0 ? '-$' : '$') + Math.abs(x).toFixed(4);
}

function pct(x: number | null): string {
  return x === null ? '—' : `${(x * 100).toFixed(1)}%`;
}

function num(x: number | null): string {
  return x === null ? '—' : String(Math.round(x * 1000) / 1000);
}

function short(id: string): string {
  return id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id;
}
