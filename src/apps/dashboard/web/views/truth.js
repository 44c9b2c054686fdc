import { html } from '../html.js';
import { clock, pct, stateClass } from '../format.js';

function Match({ store, m }) {
  const t = m.state;
  const score = t?.progress?.score ? Object.entries(t.progress.score).map(([k, v]) => `${k} ${v}`).join(' · ') : '';
  const markets = [...store.markets.values()].filter((x) => x.match_id === m.match_id);
  const sources = Object.values(m.sources).sort((a, b) => (a.source < b.source ? -1 : 1));
  const stale = new Set(t?.stale_sources ?? []);
  return html`<section class="panel" data-testid="match" data-match=${m.match_id}>
    <h3>${t?.title ?? ''} <span class="dim">${m.match_id}</span> <span class=${stateClass(t?.stale ? 'stale' : t?.state)} data-testid="truth-state">${t?.state ?? '—'}${t?.stale ? ' (stale)' : ''}</span>
      <span class="dim"> ${score}${t?.progress?.best_of ? ` · ${t.progress.game === null ? '' : `game ${t.progress.game} of `}bo${t.progress.best_of}` : ''} · confidence ${pct(t?.confidence)} · ${clock(t?.ts)}</span></h3>
    <div class="row2">
      <table class="grid"><thead><tr><th class="l">source</th><th class="l">tier</th><th class="l">status</th><th class="l">score</th><th class="l">winner</th><th class="r">reported</th></tr></thead><tbody>
        ${sources.map((s) => html`<tr key=${s.source}><td class=${stale.has(s.source) ? 'bad' : ''}>${s.source}${stale.has(s.source) ? ' (stale)' : ''}</td><td>${s.tier}</td><td>${s.status}</td><td>${s.score ?? ''}</td><td>${s.winner ?? ''}</td><td class="r dim">${clock(s.ts)}</td></tr>`)}
      </tbody></table>
      <table class="grid"><thead><tr><th class="l">outcome</th><th class="r">implied p</th><th class="l">market</th><th class="l">state</th></tr></thead><tbody>
        ${Object.entries(t?.implied_p ?? {}).sort().map(([k, p]) => html`<tr><td>${k}</td><td class="r">${pct(p)}</td><td></td><td></td></tr>`)}
        ${t?.implied_p ? '' : html`<tr><td class="dim" colspan="2">no opinion (implied_p null)</td><td></td><td></td></tr>`}
        ${markets.map((x) => html`<tr><td class="dim">market</td><td></td><td>${x.label ?? x.market_id}</td><td class=${stateClass(x.state)}>${x.state ?? ''}</td></tr>`)}
      </tbody></table>
    </div>
    ${t?.reason ? html`<div class="dim">${t.reason}</div>` : ''}
  </section>`;
}

export function Truth({ store }) {
  const matches = [...store.matches.values()].sort((a, b) => (a.match_id < b.match_id ? -1 : 1));
  if (!matches.length) return html`<p class="dim">no match reported yet</p>`;
  return html`<div data-testid="truth">${matches.map((m) => html`<${Match} key=${m.match_id} store=${store} m=${m} />`)}</div>`;
}
