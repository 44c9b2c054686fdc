import { Component } from 'preact';
import { html } from '../html.js';
import { decisionInputs } from '../store.js';
import { clock, compactJson, marketLabel, num, shortId } from '../format.js';

function summary(ev) {
  const p = ev.payload;
  switch (ev.type) {
    case 'POLICY':
      return `${p.source} fair ${Object.entries(p.fair_value).map(([t, v]) => `${shortId(t)}=${num(v, 3)}`).join(' ')}`;
    case 'ORDER_UPDATE':
      return `${p.status} ${p.side} ${p.size}@${p.price} ${p.order_type} ${p.strategy}`;
    case 'FILL':
      return `${p.status} ${p.side} ${p.size}@${p.price} fee ${num(p.fee_usdc, 4)}`;
    case 'MARKET_STATE':
      // HALT → HALT is no transition: the halt's causes changed (none left: it waits out its cool-down).
      if (p.previous === 'HALT' && p.state === 'HALT') return `HALT, causes now: ${p.reason ?? 'none (cool-down)'}`;
      return `${p.previous ?? '∅'} → ${p.state}${p.reason ? ` (${p.reason})` : ''}`;
    case 'RISK_STATE':
      return `${p.state}${p.reason ? ` (${p.reason})` : ''}`;
    default:
      return '';
  }
}

/**
 * A payload in one line, whole on demand: a nowcast's distribution would fill the screen. Long ids
 * are cut to their ends in the line (whole in its title, on hover, and in the opened text).
 */
function Payload({ value }) {
  const whole = JSON.stringify(value);
  const text = compactJson(value);
  const title = text === whole ? undefined : whole;
  if (text.length <= 90) return html`<span class="mono" title=${title}>${text}</span>`;
  return html`<details><summary class="mono" title=${title}>${text.slice(0, 90)}…</summary><pre class="json">${JSON.stringify(value, null, 1)}</pre></details>`;
}

/** An input in two rows: what and when on the first, its payload on the full width under it (ids would squeeze it beside them). */
function EventRow({ e, role }) {
  if (e.missing) return html`<tr><td class="dim">${role}</td><td colspan="3" class="dim mono">${e.missing} (not seen by this page)</td></tr>`;
  return html`<tr class="input"><td class="dim">${role}</td><td>${clock(e.ts_ingest)}</td><td>${e.type}</td><td class="mono">${e.event_id}</td></tr>
    <tr class="input-payload"><td colspan="4" class="json"><${Payload} value=${e.payload} /></td></tr>`;
}

function Inspector({ store, d }) {
  const why = decisionInputs(store, d);
  const ev = d.ev;
  return html`<section class="panel" data-testid="decision">
    <h3>${ev.type} · ${ev.market_id ? (marketLabel(store.markets.get(ev.market_id)) ?? shortId(ev.market_id)) : 'global'} · ${clock(ev.ts_ingest)}</h3>
    <table class="grid kv"><tbody>
      <tr><td class="dim">correlation_id</td><td class="mono" data-testid="correlation-id">${ev.correlation_id}</td></tr>
      <tr><td class="dim">causation_id</td><td class="mono">${ev.causation_id ?? '—'}</td></tr>
      <tr><td class="dim">event_id</td><td class="mono">${ev.event_id}</td></tr>
      <tr><td class="dim">payload</td><td class="json"><${Payload} value=${ev.payload} /></td></tr>
    </tbody></table>
    <h3>inputs behind it</h3>
    <table class="grid" data-testid="decision-inputs"><tbody>
      ${why.causes.map((e) => html`<${EventRow} e=${e} role=${e === why.policy ? 'policy in force' : 'caused by'} />`)}
      ${why.related.map((e) => html`<${EventRow} e=${e} role="same correlation" />`)}
      ${why.inputs.map((e) => html`<${EventRow} e=${e} role="nowcast input" />`)}
      ${why.causes.length + why.related.length + why.inputs.length === 0 ? html`<tr><td class="dim">no other event of this correlation seen</td></tr>` : ''}
    </tbody></table>
    <h3>books when it came</h3>
    <table class="grid" data-testid="decision-books"><thead><tr><th class="l">token</th><th class="r">bid</th><th class="r">ask</th><th class="r">mid</th><th class="r">micro</th><th class="l">top levels (bids, then asks)</th><th class="r">as of</th></tr></thead><tbody>
      ${why.books.map(([t, b]) => html`<tr><td class="mono">${shortId(t)}</td><td class="r">${num(b?.best_bid, 3)}</td><td class="r">${num(b?.best_ask, 3)}</td><td class="r">${num(b?.mid, 3)}</td><td class="r">${num(b?.microprice, 4)}</td>
        <td class="mono levels">${b ? html`<div>${topLevels(b.bids)}</div><div>${topLevels(b.asks)}</div>` : 'no book'}</td><td class="r dim">${clock(b?.ts)}</td></tr>`)}
    </tbody></table>
  </section>`;
}

/** A side's best three levels, price × size: one line a side, so the table keeps the panel's width. */
function topLevels(levels) {
  return levels.slice(0, 3).map(([p, s]) => `${p}×${num(s, 0)}`).join(' ');
}

/** A decision's row never changes once drawn: redrawn only when its selection does. */
class DecisionRow extends Component {
  shouldComponentUpdate(next) {
    return next.d !== this.props.d || next.selected !== this.props.selected || next.label !== this.props.label;
  }
  render({ d, selected, label }) {
    return html`<tr class=${`clickable ${selected ? 'selected' : ''}`} onClick=${() => (location.hash = `#/decisions/${d.ev.event_id}`)}>
      <td class="dim">${clock(d.ev.ts_ingest)}</td><td>${d.ev.type}</td><td>${label}</td><td class="mono summary">${summary(d.ev)}</td></tr>`;
  }
}

/** The decisions of the run, newest first; one chosen shows its correlation and what was behind it. */
export function Decisions({ store, eventId }) {
  const list = store.decisions.slice(-100).reverse();
  const chosen = (eventId && store.decisions.find((d) => d.ev.event_id === eventId)) || null;
  return html`<div class="decisions">
    <section class="panel list">
      <h3>decisions <span class="dim">(${store.decisions.length})</span></h3>
      <table class="grid" data-testid="decision-list"><tbody>
        ${list.map(
          (d) => html`<${DecisionRow} key=${d.ev.event_id} d=${d} selected=${chosen?.ev.event_id === d.ev.event_id}
            label=${d.ev.market_id ? (marketLabel(store.markets.get(d.ev.market_id)) ?? shortId(d.ev.market_id)) : ''} />`,
        )}
      </tbody></table>
    </section>
    ${chosen ? html`<${Inspector} store=${store} d=${chosen} />` : html`<p class="dim">choose a decision to see its correlation_id and inputs</p>`}
  </div>`;
}
