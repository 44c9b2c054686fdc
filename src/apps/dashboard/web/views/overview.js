import { html } from '../html.js';
import { useState } from 'preact/hooks';
import { edgeIsHot, marketPosition, noLongerTraded, tradableEdge, yesToken } from '../store.js';
import { clock, marketLabel, num, shortId, shown, signed, stateClass } from '../format.js';

/** One row's figures, computed once per paint for sorting and display alike. */
function rowOf(store, m) {
  const yes = yesToken(m);
  const book = yes ? store.books.get(yes) : undefined;
  const fair = yes ? (m.fair[yes] ?? null) : null;
  const mid = book?.mid ?? null;
  const pos = marketPosition(store, m);
  let unrealized = 0;
  for (const t of m.tokens) unrealized += store.positions.get(t)?.unrealized_pnl ?? 0;
  return {
    m,
    name: marketLabel(m) ?? shortId(m.market_id),
    source: m.station_id ?? m.match_id ?? '',
    state: m.state ?? '',
    fair,
    mid,
    edge: tradableEdge(m, fair, mid),
    spread: book?.spread ?? null,
    yes: pos.yes,
    no: pos.no,
    unrealized,
    halt: m.halt_causes.join(', '),
    changed: m.transitions[0]?.ts ?? null,
  };
}

/**
 * Key, header, alignment and the least width its content needs: the table's layout is fixed (a
 * repaint does not measure every cell), which would otherwise give every column the same width and
 * cut `TEMPORAL_ACTIVE` or a match id short while the figures have room to spare. Wider pages share
 * the rest out; narrower ones scroll the table sideways rather than cut the figures.
 */
const COLUMNS = [
  ['name', 'market', 'l', '14ch'],
  ['source', 'source', 'l', '19ch'],
  ['state', 'state', 'l', '18ch'],
  ['fair', 'fair', 'r', '8ch'],
  ['mid', 'mid', 'r', '8ch'],
  ['edge', 'edge', 'r', '9ch'],
  ['spread', 'spread', 'r', '9ch'],
  ['yes', 'YES sh', 'r', '9ch'],
  ['no', 'NO sh', 'r', '9ch'],
  ['unrealized', 'uPnL', 'r', '11ch'],
  ['halt', 'halt causes', 'l', '22ch'],
  ['changed', 'last change', 'r', '15ch'],
];

function compare(a, b, key) {
  const x = a[key];
  const y = b[key];
  if (x === y) return a.m.market_id < b.m.market_id ? -1 : 1;
  if (x === null || x === '') return 1;
  if (y === null || y === '') return -1;
  return x < y ? -1 : 1;
}

export function Summary({ store }) {
  const { pnl, risk, killSwitch, counts, settings, connection } = store;
  const net = pnl.realized + pnl.unrealized - pnl.fees;
  return html`<section class="cards" data-testid="summary">
    <div class="card"><label>mode</label><b data-testid="mode">${settings.mode}</b></div>
    <div class="card"><label>feed</label><b class=${connection.state === 'open' ? 'ok' : 'bad'}>${connection.state}</b></div>
    <div class="card"><label>risk</label><b class=${stateClass(risk.state)} data-testid="risk-state">${risk.state ?? '—'}</b><small>${risk.reason ?? ''}</small></div>
    <div class="card"><label>kill switch</label><b class=${killSwitch.on === null ? 'dim' : killSwitch.on ? 'bad' : 'ok'} data-testid="kill-switch">${killSwitch.on === null ? '—' : killSwitch.on ? 'ON' : 'off'}</b><small>${killSwitch.reason ?? ''}</small></div>
    <div class="card num"><label>realized</label><b>${signed(pnl.realized, 4)}</b></div>
    <div class="card num"><label>unrealized</label><b>${signed(pnl.unrealized, 4)}</b></div>
    <div class="card num"><label>fees</label><b>${num(pnl.fees, 4)}</b></div>
    <div class="card num"><label>net</label><b class=${shown(net, 4) >= 0 ? 'ok' : 'bad'} data-testid="net-pnl">${signed(net, 4)}</b></div>
    <div class="card num"><label>orders</label><b data-testid="orders-count">${counts.orders}</b></div>
    <div class="card num"><label>fills</label><b data-testid="fills-count">${counts.fills}</b><small>${counts.fills_failed ? `${counts.fills_failed} failed` : ''}</small></div>
    <div class="card"><label>data time</label><b>${clock(store.lastTs)}</b></div>
  </section>`;
}

export function Overview({ store }) {
  const [sort, setSort] = useState({ key: 'name', dir: 1 });
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const rows = [...store.markets.values()]
    .map((m) => rowOf(store, m))
    .filter((r) => !needle || `${r.name} ${r.m.market_id} ${r.source} ${r.state} ${r.halt}`.toLowerCase().includes(needle))
    .sort((a, b) => sort.dir * compare(a, b, sort.key));
  const header = (key, label, align) =>
    html`<th class=${`${align} sortable`} onClick=${() => setSort({ key, dir: sort.key === key ? -sort.dir : 1 })}>${label}${sort.key === key ? (sort.dir > 0 ? ' ▲' : ' ▼') : ''}</th>`;
  return html`<div>
    <${Summary} store=${store} />
    <div class="toolbar">
      <input type="search" placeholder="filter markets (name, id, state, station, halt cause)" value=${filter} onInput=${(e) => setFilter(e.currentTarget.value)} data-testid="market-filter" />
      <span class="dim">${rows.length} of ${store.markets.size} markets</span>
    </div>
    <div class="table-scroll">
      <table class="grid" data-testid="markets">
        <colgroup>${COLUMNS.map(([k, , , width]) => html`<col key=${k} style=${`width:${width}`} />`)}</colgroup>
        <thead><tr>${COLUMNS.map(([k, l, a]) => header(k, l, a))}</tr></thead>
        <tbody>
          ${rows.map(
            (r) => html`<tr key=${r.m.market_id} data-market=${r.m.market_id} onClick=${() => (location.hash = `#/market/${r.m.market_id}`)} class="clickable">
              <td class="l" title=${r.m.market_id}>${r.name}</td>
              <td class="l dim">${r.source}</td>
              <td class=${`l ${stateClass(r.state)}`} data-testid="market-state">${r.state || '—'}</td>
              <td class="r">${num(r.fair, 3)}</td>
              <td class="r" data-testid="market-mid">${num(r.mid, 3)}</td>
              <td class=${`r ${edgeIsHot(r.m, r.edge) ? 'hot' : ''}`} data-testid="market-edge" title=${noLongerTraded(r.m) ? `no edge: a ${r.m.state} market no longer trades` : ''}>${signed(r.edge, 3)}</td>
              <td class="r">${num(r.spread, 3)}</td>
              <td class="r">${num(r.yes, 1)}</td>
              <td class="r">${num(r.no, 1)}</td>
              <td class=${`r ${shown(r.unrealized, 4) < 0 ? 'bad' : ''}`} data-testid="market-upnl">${signed(r.unrealized, 4)}</td>
              <td class="l bad causes">${r.halt}</td>
              <td class="r dim">${clock(r.changed)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </div>`;
}
