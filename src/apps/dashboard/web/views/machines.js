import { html } from '../html.js';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { getJson } from '../connection.js';
import { parseStateDiagram, StateChart } from '../components/statechart.js';
import { clock, shortId, stateClass } from '../format.js';

/** The actors whose state the channels carry, per machine: id, label, current state key, recent transitions. */
function actorsOf(store, machine) {
  if (machine === 'market-trading') {
    return [...store.markets.values()].sort((a, b) => (a.market_id < b.market_id ? -1 : 1)).map((m) => ({ id: m.market_id, label: `${m.label ?? ''} ${shortId(m.market_id)}`, state: m.state, transitions: m.transitions }));
  }
  if (machine === 'truth') {
    return [...store.matches.values()].sort((a, b) => (a.match_id < b.match_id ? -1 : 1)).map((m) => ({ id: m.match_id, label: m.match_id, state: m.state?.state ?? null, transitions: m.transitions ?? [] }));
  }
  if (machine === 'station-qc') {
    const out = [];
    for (const s of store.stations.values()) for (const [id, q] of Object.entries(s.qc ?? {})) out.push({ id, label: `${id} (${s.station_id})`, state: q.state, transitions: q.transitions ?? [] });
    return out.sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  return [];
}

let graphsOnce = null;

/** Every machine's graph (what `helios inspect --graph` exports), the live state of a chosen actor highlighted. */
export function Machines({ store }) {
  const [graphs, setGraphs] = useState([]);
  const [name, setName] = useState('market-trading');
  const [actorId, setActorId] = useState('');
  useEffect(() => {
    graphsOnce ??= getJson('/dashboard/machines.json');
    void graphsOnce.then((g) => setGraphs(g ?? []));
  }, []);
  const entry = graphs.find((g) => g.name === name);
  const graph = useMemo(() => (entry ? parseStateDiagram(entry.mermaid) : null), [entry]);
  if (!graph) return html`<p class="dim">loading machine graphs…</p>`;
  const actors = actorsOf(store, name);
  const actor = actors.find((a) => a.id === actorId) ?? actors[0] ?? null;
  const active = actor?.state ? [actor.state] : [];
  const activeIds = new Set([...graph.states.values()].filter((s) => active.includes(s.key)).map((s) => s.id));
  return html`<div class="machines" data-testid="machines">
    <div class="toolbar">
      <select value=${name} onChange=${(e) => (setName(e.currentTarget.value), setActorId(''))} data-testid="machine-select">
        ${graphs.map((g) => html`<option value=${g.name}>${g.name}</option>`)}
      </select>
      <span class="dim">${entry.description}</span>
      ${actors.length
        ? html`<select value=${actor?.id ?? ''} onChange=${(e) => setActorId(e.currentTarget.value)} data-testid="actor-select">${actors.map((a) => html`<option value=${a.id}>${a.label}</option>`)}</select>
            <span>state <b class=${stateClass(actor?.state)} data-testid="actor-state">${actor?.state ?? '—'}</b></span>`
        : html`<span class="dim">no actor of this machine reports its state on the channels</span>`}
    </div>
    <div class="machine-row">
      <section class="panel chart-panel"><${StateChart} graph=${graph} active=${active} /></section>
      <section class="panel">
        <h3>recent transitions</h3>
        <table class="grid" data-testid="actor-transitions"><tbody>
          ${(actor?.transitions ?? []).slice(0, 12).map((t) => html`<tr><td class="dim">${clock(t.ts)}</td><td class=${stateClass(t.from)}>${t.from ?? '∅'}</td><td>→</td><td class=${stateClass(t.to)}>${t.to}</td><td class="dim wrap">${t.reason ?? ''}</td></tr>`)}
        </tbody></table>
        <h3>transitions of the machine</h3>
        <table class="grid" data-testid="machine-transitions"><tbody>
          ${graph.transitions.map(
            (t) => html`<tr class=${activeIds.has(t.from) ? 'from-active' : ''}><td>${graph.states.get(t.from)?.key ?? t.from}</td><td>→</td><td>${graph.states.get(t.to)?.key ?? t.to}</td><td class="dim wrap">${t.label}</td></tr>`,
          )}
        </tbody></table>
      </section>
    </div>
  </div>`;
}
