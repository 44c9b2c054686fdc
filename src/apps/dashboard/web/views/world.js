import { html } from '../html.js';
import { clock, num, stateClass } from '../format.js';

const cToF = (c) => (c === null || c === undefined ? null : (c * 9) / 5 + 32);

function Station({ s }) {
  const last = s.metars[0];
  const qc = Object.entries(s.qc ?? {}).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const pwsQc = new Map(qc);
  return html`<section class="panel" data-testid="station" data-station=${s.station_id}>
    <h3>${s.station_id}
      <span class=${stateClass(pwsQc.get(s.station_id)?.state)}> QC ${pwsQc.get(s.station_id)?.state ?? '—'}</span>
      <span class="dim"> judge day ${last?.judge_day ?? '—'}</span></h3>
    <div class="cards">
      <div class="card num"><label>judge max so far</label><b data-testid="judge-max">${last?.judge_max_so_far_f ?? '—'}°F</b></div>
      <div class="card num"><label>official max</label><b class=${last?.official_max_f != null && last.official_max_f !== last.judge_max_so_far_f ? 'warn' : ''}>${last?.official_max_f ?? '—'}°F</b></div>
      <div class="card num"><label>last temp</label><b>${num(cToF(last?.temp_c), 1)}°F</b><small>${last?.precision === 'tenths' ? 'T-group' : last ? 'whole °C' : ''}</small></div>
      <div class="card num"><label>PWS median</label><b>${num(s.pws?.median_f, 1)}°F</b><small>support ${s.pws?.support ?? '—'} · spread ${num(s.pws?.spread_f, 1)}</small></div>
    </div>
    <div class="row2">
      <div>
        <h3>METAR reports</h3>
        <table class="grid" data-testid="metars"><thead><tr><th class="l">obs (UTC)</th><th class="l">type</th><th class="r">T °C</th><th class="r">judge °F</th><th class="r">max so far</th><th class="l">flags</th></tr></thead><tbody>
          ${s.metars.slice(0, 12).map(
            (m) => html`<tr title=${m.raw}><td>${m.obs_time_utc.slice(11, 16)}</td><td class=${m.report_type === 'SPECI' || m.corrected ? 'warn' : ''}>${m.report_type}${m.corrected ? ' COR' : ''}</td>
              <td class="r">${num(m.temp_c, m.precision === 'tenths' ? 1 : 0)}</td><td class="r">${m.temp_f_judge ?? '—'}</td><td class="r">${m.judge_max_so_far_f ?? '—'}</td><td class="dim">${m.flags.join(' ')}</td></tr>`,
          )}
        </tbody></table>
      </div>
      <div>
        <h3>PWS cluster <span class="dim">${s.pws ? clock(s.pws.bin_start_ms) : ''}</span></h3>
        <table class="grid" data-testid="pws"><thead><tr><th class="l">station</th><th class="r">°F</th><th class="r">z</th><th class="l">QC</th><th class="l">flags</th></tr></thead><tbody>
          ${(s.pws?.stations ?? []).map(
            (p) => html`<tr key=${p.pws_id}><td>${p.pws_id}</td><td class="r">${num(p.temp_f, 1)}</td><td class="r">${num(p.z, 2)}</td><td class=${stateClass(p.qc_state)}>${p.qc_state}</td><td class="dim">${p.flags.join(' ')}</td></tr>`,
          )}
        </tbody></table>
      </div>
    </div>
  </section>`;
}

export function WorldLive({ store }) {
  const stations = [...store.stations.values()].filter((s) => s.metars.length || s.pws || s.nowcast).sort((a, b) => (a.station_id < b.station_id ? -1 : 1));
  if (!stations.length) return html`<p class="dim">no station has reported yet</p>`;
  return html`<div data-testid="world">${stations.map((s) => html`<${Station} key=${s.station_id} s=${s} />`)}</div>`;
}
