import { html } from '../html.js';
import { useEffect, useState } from 'preact/hooks';
import { Sparkline } from '../components/sparkline.js';
import { getJson } from '../connection.js';
import { level, ms, num } from '../format.js';

const STAGE_ORDER = ['source_to_ingest_market', 'source_to_ingest_metar', 'source_to_ingest_pws', 'source_to_ingest_truth', 'source_to_ingest_nowcast', 'decision_to_order', 'order_to_fill'];

/** The daemon's hot path in the order a frame travels it: each pushed as `<stage>_p50` / `<stage>_p99` over the last interval. */
const HOT_PATH = ['frame_to_book', 'book_to_best_price', 'best_price_to_decision', 'decision_to_order'];

/** Sub-millisecond stages stay readable (`ms()` rounds to whole milliseconds). */
function fineMs(x) {
  return x === null || x === undefined ? '—' : `${num(x, x < 10 ? 2 : 1)}ms`;
}

function stageRank(name) {
  const i = STAGE_ORDER.indexOf(name);
  return i === -1 ? STAGE_ORDER.length : i;
}

/** The reconciler is not on a channel: polled while this view is open (a replay has none). */
function useReconciler(enabled) {
  const [state, setState] = useState(null);
  useEffect(() => {
    if (!enabled) return undefined;
    let live = true;
    const load = async () => {
      const [subs, metrics] = await Promise.all([getJson('/subscriptions'), getJson('/reconciler/metrics')]);
      if (live) setState(subs ? { desired: subs.desired?.length ?? 0, subscribed: subs.subscribed?.length ?? 0, metrics } : null);
    };
    void load();
    const t = setInterval(load, 2000);
    return () => ((live = false), clearInterval(t));
  }, [enabled]);
  return state;
}

export function Health({ store }) {
  const { latest, history } = store.health;
  const reconciler = useReconciler(store.settings.replay_controls !== true);
  if (!latest) {
    // A recording has HEALTH events only if its daemon recorded the health channel: a replay of one
    // without (`helios sample-data` writes none) would otherwise seem to wait for ever.
    const why = store.settings.mode === 'replay' ? 'no HEALTH event replayed so far (a recording holds them only if its daemon recorded the health channel; helios sample-data writes none)' : 'waiting for the first HEALTH event…';
    return html`<p class="dim" data-testid="health-waiting">${why}</p>`;
  }
  const xs = history.map((h) => h.ts);
  const thresholds = store.settings.staleness_ms ?? {};
  const feeds = Object.keys(latest.staleness_ms).sort();
  const stages = Object.keys(latest.stage_latency_ms).filter((s) => !HOT_PATH.includes(s) && !/_p(50|99)$/.test(s)).sort((a, b) => stageRank(a) - stageRank(b) || (a < b ? -1 : 1));
  const backlog = Object.entries(latest.bus_backlog).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const busy = backlog.filter(([, n]) => n > 0);
  const idle = backlog.length - busy.length;
  const totalBacklog = history.map((h) => Object.values(h.bus_backlog).reduce((a, b) => a + b, 0));
  const lag = latest.event_loop_lag_ms;
  return html`<div class="health" data-testid="health">
    <section class="panel">
      <h3>feeds <span class=${latest.ready ? 'ok' : 'bad'}>${latest.ready ? 'ready' : 'NOT READY'}</span></h3>
      <table class="grid" data-testid="feeds">
        <thead><tr><th class="l">feed</th><th class="r">staleness</th><th class="r">threshold</th><th class="l">trend</th></tr></thead>
        <tbody>
          ${feeds.map((f) => {
            const v = latest.staleness_ms[f];
            const t = thresholds[f] ?? null;
            const cls = t === null ? 'dim' : level(v, t * 0.5, t);
            return html`<tr key=${f} data-feed=${f}>
              <td class="l">${f}</td><td class=${`r ${cls}`}>${ms(v)}</td><td class="r dim">${ms(t)}</td>
              <td><${Sparkline} xs=${xs} series=${[{ values: history.map((h) => h.staleness_ms[f] ?? null), color: '#7bd' }]} threshold=${t} /></td>
            </tr>`;
          })}
        </tbody>
      </table>
    </section>
    <section class="panel">
      <h3>hot path (p50 / p99 per interval)</h3>
      <table class="grid" data-testid="hot-path">
        <thead><tr><th class="l">stage</th><th class="r">p50</th><th class="r">p99</th><th class="l">trend</th></tr></thead>
        <tbody>
          ${HOT_PATH.map(
            (s) => html`<tr key=${s} data-stage=${s}><td class="l">${s.replaceAll('_', ' ')}</td>
              <td class="r" data-testid="p50">${fineMs(latest.stage_latency_ms[`${s}_p50`])}</td><td class="r" data-testid="p99">${fineMs(latest.stage_latency_ms[`${s}_p99`])}</td>
              <td><${Sparkline} xs=${xs} series=${[
                { values: history.map((h) => h.stage_latency_ms[`${s}_p50`] ?? null), color: '#7d9' },
                { values: history.map((h) => h.stage_latency_ms[`${s}_p99`] ?? null), color: '#db7' },
              ]} /></td></tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section class="panel">
      <h3>stage latency</h3>
      <table class="grid" data-testid="stages">
        <thead><tr><th class="l">stage</th><th class="r">latest</th><th class="l">trend</th></tr></thead>
        <tbody>
          ${stages.map(
            (s) => html`<tr key=${s}><td class="l">${s.replaceAll('_', ' ')}</td><td class="r">${ms(latest.stage_latency_ms[s])}</td>
              <td><${Sparkline} xs=${xs} series=${[{ values: history.map((h) => h.stage_latency_ms[s] ?? null), color: '#db7' }]} /></td></tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section class="panel">
      <h3>process</h3>
      <table class="grid">
        <tbody>
          <tr><td class="l">event-loop lag p99</td><td class=${`r ${level(lag, 50, 200)}`} data-testid="loop-lag">${num(lag, 1)}ms</td>
            <td><${Sparkline} xs=${xs} series=${[{ values: history.map((h) => h.event_loop_lag_ms), color: '#b9e' }]} /></td></tr>
          <tr><td class="l">bus backlog (all topics)</td><td class="r">${totalBacklog.at(-1) ?? 0}</td>
            <td><${Sparkline} xs=${xs} series=${[{ values: totalBacklog, color: '#e97' }]} /></td></tr>
          <tr><td class="l">reconnects</td><td class=${`r ${latest.reconnects ? 'warn' : ''}`}>${latest.reconnects}</td>
            <td><${Sparkline} xs=${xs} series=${[{ values: history.map((h) => h.reconnects), color: '#e77' }]} /></td></tr>
          <tr><td class="l">resyncs</td><td class=${`r ${latest.resyncs ? 'warn' : ''}`}>${latest.resyncs}</td>
            <td><${Sparkline} xs=${xs} series=${[{ values: history.map((h) => h.resyncs), color: '#e77' }]} /></td></tr>
          <tr><td class="l">reconciler desired / subscribed</td>
            <td class=${`r ${reconciler && reconciler.desired !== reconciler.subscribed ? 'warn' : ''}`} data-testid="reconciler">${reconciler ? `${reconciler.desired} / ${reconciler.subscribed}` : 'n/a'}</td>
            <td class="dim">${reconciler ? `drift ${reconciler.desired - reconciler.subscribed}` : ''}</td></tr>
        </tbody>
      </table>
    </section>
    <section class="panel">
      <h3>bus backlog per topic</h3>
      <table class="grid" data-testid="backlog">
        <tbody>
          ${busy.slice(0, 16).map(([topic, n]) => html`<tr key=${topic}><td class="l mono">${topic}</td><td class=${`r ${level(n, 100, 1000)}`}>${n}</td></tr>`)}
          <tr><td class="l dim">${idle} topic${idle === 1 ? '' : 's'} at 0${busy.length > 16 ? `, ${busy.length - 16} more busy` : ''}</td><td></td></tr>
        </tbody>
      </table>
    </section>
  </div>`;
}
