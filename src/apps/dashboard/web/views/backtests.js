import { html } from '../html.js';
import { useEffect, useState } from 'preact/hooks';
import { Chart } from '../components/sparkline.js';
import { getJson } from '../connection.js';
import { num, pct, shortId, shown, signed } from '../format.js';

/** Series over different x values on one shared, sorted x axis (uPlot's shape), gaps as null. */
function align(seriesPoints) {
  const xs = [...new Set(seriesPoints.flatMap((pts) => pts.map((p) => p[0])))].sort((a, b) => a - b);
  const at = seriesPoints.map((pts) => new Map(pts.map((p) => [p[0], p[1]])));
  return { xs, values: at.map((m) => xs.map((x) => (m.has(x) ? m.get(x) : null))) };
}

function RegimeTable({ title, rows }) {
  const max = Math.max(1e-9, ...rows.map((r) => Math.abs(r.markout_pnl)));
  return html`<section class="panel"><h3>${title}</h3><table class="grid"><thead><tr><th class="l">regime</th><th class="r">fills</th><th class="r">volume</th><th class="r">fees</th><th class="r">markout PnL</th><th></th></tr></thead><tbody>
    ${rows.map((r) => html`<tr><td>${r.regime}</td><td class="r">${r.fills}</td><td class="r">${num(r.volume, 1)}</td><td class="r">${num(r.fees, 4)}</td><td class=${`r ${shown(r.markout_pnl, 4) < 0 ? 'bad' : 'ok'}`}>${signed(r.markout_pnl, 4)}</td>
      <td class="barcell"><div class="hbar"><div class=${`fill ${r.markout_pnl < 0 ? 'neg' : 'model'}`} style=${`width:${((Math.abs(r.markout_pnl) / max) * 100).toFixed(1)}%`}></div></div></td></tr>`)}
  </tbody></table></section>`;
}

function Report({ r }) {
  const pooled = r.calibration.flatMap((c) => c.bins.filter((b) => b.n > 0 && b.mean_p !== null && b.observed !== null)).sort((a, b) => a.mean_p - b.mean_p);
  const cal = align([pooled.map((b) => [b.mean_p, b.observed]), [[0, 0], [1, 1]]]);
  return html`<div data-testid="backtest-report">
    ${r.market_catalog === 'inferred' ? html`<p class="bad">No market catalog beside the data: markets were inferred from the tape (pair arbitrage only); not what the recording traded.</p>` : ''}
    <section class="cards">
      <div class="card num"><label>net</label><b class=${shown(r.pnl.net, 4) >= 0 ? 'ok' : 'bad'}>${signed(r.pnl.net, 4)}</b></div>
      <div class="card num"><label>realized</label><b>${signed(r.pnl.realized, 4)}</b></div>
      <div class="card num"><label>unrealized</label><b>${signed(r.pnl.unrealized, 4)}</b></div>
      <div class="card num"><label>fees</label><b>${num(r.pnl.fees, 4)}</b></div>
      <div class="card num"><label>max drawdown</label><b>${num(r.pnl.max_drawdown, 4)}</b></div>
      <div class="card num"><label>orders</label><b>${r.orders.submitted}</b><small>fill rate ${pct(r.orders.fill_rate)}</small></div>
      <div class="card num"><label>fills</label><b>${r.fills.count}</b><small>${r.fills.failed} failed · ${r.fills.maker} maker</small></div>
      <div class="card num"><label>slippage</label><b>${num(r.slippage.mean_ticks, 2)}</b><small>ticks vs mid, mean</small></div>
      <div class="card"><label>replay</label><b>${r.replay.events}</b><small>events, ${r.source}</small></div>
    </section>
    <div class="chart-grid">
      <section class="panel"><${Chart} title="Net PnL (USDC)" xs=${r.pnl.path.map((p) => p.ts)} series=${[{ label: 'net PnL', values: r.pnl.path.map((p) => p.net), color: '#6cb6ff' }]} width=${560} height=${220} /></section>
      <section class="panel"><${Chart} title="Calibration: observed frequency vs NOWCAST bucket probability" xs=${cal.xs} xTime=${false} yRange=${[0, 1]}
        series=${[{ label: 'observed', values: cal.values[0], color: '#ef5f5f', points: true }, { label: 'perfect', values: cal.values[1], color: '#7c8494' }]} width=${560} height=${220} /></section>
      ${r.drift.map((d) => {
        const a = align([d.series.map((s) => [s.ts, s.expected_max_f]), d.series.filter((s) => s.max_so_far_f !== null).map((s) => [s.ts, s.max_so_far_f]), d.metar.filter((m) => m.temp_f_judge !== null).map((m) => [m.ts, m.temp_f_judge])]);
        return html`<section class="panel"><${Chart} title=${`Judge-aligned value ${d.station_id} ${d.judge_day} (realized ${d.realized_max_f ?? '—'} °F)`} xs=${a.xs}
          series=${[{ label: 'expected max °F', values: a.values[0], color: '#b9e' }, { label: 'max so far °F', values: a.values[1], color: '#58c47c' }, { label: 'METAR judge °F', values: a.values[2], color: '#7c8494', points: true }]} width=${560} height=${220} /></section>`;
      })}
    </div>
    <div class="row2">
      <${RegimeTable} title="markout by spread regime at fill" rows=${r.regimes.spread} />
      <${RegimeTable} title="markout by hour (New York) of fill" rows=${r.regimes.hour_nyc} />
    </div>
    <section class="panel"><h3>markets</h3><table class="grid"><thead><tr><th class="l">market</th><th class="l">kind</th><th class="l">priced by</th><th class="l">state</th><th class="r">net</th><th class="r">realized</th><th class="r">unrealized</th><th class="r">fees</th></tr></thead><tbody>
      ${r.markets.map((m) => html`<tr><td class="mono">${shortId(m.market_id)}</td><td>${m.kind}</td><td>${m.feeds ?? '—'}</td><td>${m.state ?? '—'}</td><td class=${`r ${shown(m.pnl.net, 4) < 0 ? 'bad' : ''}`}>${signed(m.pnl.net, 4)}</td><td class="r">${signed(m.pnl.realized, 4)}</td><td class="r">${signed(m.pnl.unrealized, 4)}</td><td class="r">${num(m.pnl.fees, 4)}</td></tr>`)}
    </tbody></table></section>
  </div>`;
}

/** The reports under the data directory's backtests/, one drawn with the live views' chart components. */
export function Backtests({ name }) {
  const [list, setList] = useState(null);
  const [report, setReport] = useState(null);
  useEffect(() => void getJson('/dashboard/backtests.json').then((l) => setList(l ?? [])), []);
  const chosen = name ?? list?.[0]?.name ?? null;
  useEffect(() => {
    setReport(null);
    if (chosen) void getJson(`/dashboard/backtests/${encodeURIComponent(chosen)}.json`).then(setReport);
  }, [chosen]);
  if (list === null) return html`<p class="dim">loading…</p>`;
  if (!list.length) return html`<p class="dim" data-testid="no-backtests">no reports under the data directory's backtests/ (write one with helios backtest)</p>`;
  return html`<div class="backtests">
    <section class="panel"><h3>reports</h3><table class="grid" data-testid="backtest-list"><thead><tr><th class="l">report</th><th class="l">from</th><th class="l">to</th><th class="r">net</th><th class="r">orders</th><th class="r">fills</th></tr></thead><tbody>
      ${list.map((b) => html`<tr class=${`clickable ${b.name === chosen ? 'selected' : ''}`} onClick=${() => (location.hash = `#/backtests/${encodeURIComponent(b.name)}`)}><td class="mono">${b.name}</td><td>${b.from_iso ?? '—'}</td><td>${b.to_iso ?? '—'}</td><td class="r">${signed(b.net, 4)}</td><td class="r">${b.orders ?? '—'}</td><td class="r">${b.fills ?? '—'}</td></tr>`)}
    </tbody></table></section>
    ${report ? html`<${Report} r=${report} />` : html`<p class="dim">loading report…</p>`}
  </div>`;
}
