import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { applyFrame, createStore, seedCounts, seedMarkets, seedRetired, seedRisk } from './store.js';
import { connectChannels, getJson } from './connection.js';
import { Overview } from './views/overview.js';
import { Health } from './views/health.js';
import { MarketView } from './views/market.js';
import { Controls } from './views/controls.js';
import { WorldLive } from './views/world.js';
import { Nowcast } from './views/nowcast.js';
import { Truth } from './views/truth.js';
import { Decisions } from './views/decisions.js';
import { Machines } from './views/machines.js';
import { Backtests } from './views/backtests.js';
import { ReplayBar, useReplayStatus } from './views/replay.js';

const VIEWS = [
  ['overview', 'Overview'],
  ['health', 'Health'],
  ['market', 'Market'],
  ['world', 'World'],
  ['nowcast', 'Nowcast'],
  ['truth', 'Truth'],
  ['decisions', 'Decisions'],
  ['machines', 'Machines'],
  ['backtests', 'Backtests'],
  ['controls', 'Controls'],
];

const store = createStore();
// For tests and the benchmark: the page's store and its paint counter, read-only by convention.
// renderMs and handleMs: main-thread time spent painting and taking in frames (the benchmark reads them).
window.__helios = { store, paints: 0, frames: 0, renderMs: 0, handleMs: 0 };

function route() {
  const [view = 'overview', arg = null] = location.hash.replace(/^#\/?/, '').split('/');
  return { view: VIEWS.some(([v]) => v === view) ? view : 'overview', arg };
}

/**
 * Frames fold into the store as they arrive; the page repaints at most once per animation frame,
 * however many frames came in between (10 Hz per token × 200 tokens is one paint, not 2000).
 */
function useFramePaint() {
  const [, setVersion] = useState(0);
  useEffect(() => {
    let scheduled = false;
    let painted = -1;
    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        if (store.version === painted) return;
        painted = store.version;
        const h = window.__helios;
        h.paints++;
        const t0 = performance.now();
        setVersion(painted);
        // Preact renders in a microtask queued by setVersion: this one runs after it.
        queueMicrotask(() => (h.renderMs += performance.now() - t0));
      });
    };
    // Frames pushed while a load is under way wait for it, so nothing older lands on top of
    // something newer; those in both are folded once.
    let early = null;
    let loads = 0;
    /**
     * What a page opened now shows: the store emptied and filled again from settings.json,
     * /markets and (unless `recent` is false) snapshot.json (the recent past, the session's orders
     * and fills counts and the global risk state), then the frames pushed meanwhile. The
     * first load, every reopened socket (a restarted daemon is another state; the same one went on
     * while the socket was away) and a replay sought backwards, which restarts from its beginning:
     * what the page folded is the future there, and so is the recent past until the seek is done.
     */
    const load = async ({ recent = true } = {}) => {
      const n = ++loads;
      early = [];
      const [settings, list, snapshot] = await Promise.all([getJson('/dashboard/settings.json'), getJson('/markets'), recent ? getJson('/dashboard/snapshot.json') : null]);
      if (n !== loads) return; // the socket reopened meanwhile: the newer load holds the frames
      const { connection, version } = store;
      Object.assign(store, createStore(), { connection, version: version + 1, settings: settings ?? store.settings });
      seedRetired(store, settings?.retired_markets);
      if (Array.isArray(list)) seedMarkets(store, list);
      seedCounts(store, snapshot?.totals);
      seedRisk(store, snapshot?.risk);
      const folded = new Set();
      for (const e of Array.isArray(snapshot?.events) ? snapshot.events : []) {
        folded.add(e.event_id);
        applyFrame(store, e, { counted: false });
      }
      // Frames come in emission order: up to the last one the totals counted, they are in them.
      const through = snapshot?.totals ? early.findIndex((f) => f.event_id === snapshot.totals.through) : -1;
      early.forEach((f, i) => folded.has(f.event_id) || applyFrame(store, f, { counted: i > through }));
      early = null;
      window.__helios.ready = true;
      schedule();
    };
    /**
     * A market listed while the page is open (a station's next judge day, from noon there): its
     * label, station and judge day as /markets names them, which its frames do not carry.
     */
    const describeListed = async () => {
      const list = await getJson('/markets');
      if (!Array.isArray(list)) return;
      seedMarkets(store, list);
      schedule();
    };
    const conn = connectChannels({
      onFrame: (f) => {
        window.__helios.frames++;
        if (f.type === 'MARKET_DISCOVERED') void describeListed();
        if (early) return void early.push(f);
        applyFrame(store, f);
        schedule();
      },
      onStatus: (s) => {
        const reopened = s === 'open' && store.connection.state === 'closed';
        if (reopened) store.connection.reconnects++;
        store.connection.state = s;
        store.version++;
        schedule();
        if (reopened) void load();
      },
    });
    void load();
    window.__helios.schedule = schedule;
    window.__helios.reset = () => load({ recent: false });
    return () => conn.close();
  }, []);
}

function App() {
  useFramePaint();
  const [r, setRoute] = useState(route());
  const [replay, setReplay] = useReplayStatus(store.settings.replay_controls === true);
  useEffect(() => {
    const on = () => setRoute(route());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const body =
    r.view === 'health' ? html`<${Health} store=${store} />`
    : r.view === 'market' ? html`<${MarketView} store=${store} marketId=${r.arg} />`
    : r.view === 'controls' ? html`<${Controls} store=${store} />`
    : r.view === 'world' ? html`<${WorldLive} store=${store} />`
    : r.view === 'nowcast' ? html`<${Nowcast} store=${store} />`
    : r.view === 'truth' ? html`<${Truth} store=${store} />`
    : r.view === 'decisions' ? html`<${Decisions} store=${store} eventId=${r.arg} />`
    : r.view === 'machines' ? html`<${Machines} store=${store} />`
    : r.view === 'backtests' ? html`<${Backtests} name=${r.arg ? decodeURIComponent(r.arg) : null} />`
    : html`<${Overview} store=${store} />`;
  return html`<header>
      <span class="brand">helios</span>
      <nav>${VIEWS.map(([v, label]) => html`<a href=${`#/${v}`} class=${r.view === v ? 'active' : ''} data-view=${v}>${label}</a>`)}</nav>
      <span class="spacer"></span>
      <span class="mono dim">${store.settings.mode}</span>
      <span class=${store.connection.state === 'open' ? 'ok' : 'bad'} data-testid="connection">● ${store.connection.state}</span>
    </header>
    ${replay && html`<${ReplayBar} store=${store} status=${replay} setStatus=${setReplay} />`}
    <main data-view=${r.view}>${body}</main>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the boot line; preact would otherwise keep it beside the app
render(html`<${App} />`, root);
