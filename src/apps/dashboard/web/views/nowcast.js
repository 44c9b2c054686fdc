import { html } from '../html.js';
import { clock, num, pct, signed } from '../format.js';
import { edgeIsHot, tradableEdge, yesToken } from '../store.js';
import { nowcastPanels } from '../nowcast-days.js';

function Bar({ p, cls }) {
  return html`<div class="hbar"><div class=${`fill ${cls}`} style=${`width:${Math.max(0, Math.min(100, p * 100)).toFixed(1)}%`}></div></div>`;
}

function StationNowcast({ store, panel }) {
  const { nowcast: n, markets } = panel;
  const peak = n.peak_time_bins ?? [];
  const peakMax = Math.max(1e-9, ...peak.map((b) => b.p));
  return html`<section class="panel" data-testid="nowcast" data-station=${panel.station_id} data-judge-day=${panel.judge_day}>
    <h3>${panel.station_id} · judge day ${n.judge_day}
      <span class="dim"> max so far ${n.max_so_far_f ?? '—'}°F · confidence ${pct(n.confidence)} · issued ${clock(n.issued_ms ?? n.ts)}</span>
      <span class=${n.qc_gate === 'open' ? 'ok' : 'bad'}> QC gate ${n.qc_gate}${n.qc_reason ? ` (${n.qc_reason})` : ''}</span></h3>
    <div class="row2">
      <table class="grid" data-testid="buckets">
        <thead><tr><th class="l">bucket</th><th class="r">P(bucket)</th><th class="l"></th><th class="r">YES mid</th><th class="l"></th><th class="r">edge</th><th class="l">market</th></tr></thead>
        <tbody>
          ${n.buckets.map((b) => {
            const m = markets.get(b.label);
            const token = m ? yesToken(m) : null;
            const mid = token ? (store.books.get(token)?.mid ?? null) : null;
            const edge = tradableEdge(m, b.p, mid);
            return html`<tr key=${b.label} data-bucket=${b.label} data-market=${m?.market_id}>
              <td>${b.label}</td><td class="r" data-testid="bucket-p">${pct(b.p, 2)}</td><td class="barcell"><${Bar} p=${b.p} cls="model" /></td>
              <td class="r" data-testid="bucket-mid">${num(mid, 3)}</td><td class="barcell"><${Bar} p=${mid ?? 0} cls="price" /></td>
              <td class=${`r ${edgeIsHot(m, edge) ? 'hot' : ''}`}>${signed(edge, 3)}</td>
              <td class=${m ? '' : 'dim'}>${m ? m.state ?? '' : 'not traded'}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      <div>
        <h3>time of the peak (local)</h3>
        <table class="grid" data-testid="peak"><tbody>
          ${peak.map((b) => html`<tr><td>${String(b.start_hour).padStart(2, '0')}–${String(b.start_hour + 2).padStart(2, '0')}h</td><td class="r">${pct(b.p)}</td><td class="barcell"><${Bar} p=${b.p / peakMax} cls="model" /></td></tr>`)}
        </tbody></table>
      </div>
    </div>
  </section>`;
}

export function Nowcast({ store }) {
  const panels = nowcastPanels(store);
  if (!panels.length) return html`<p class="dim">no nowcast yet</p>`;
  return html`<div>${panels.map((panel) => html`<${StationNowcast} key=${`${panel.station_id} ${panel.judge_day}`} store=${store} panel=${panel} />`)}</div>`;
}
