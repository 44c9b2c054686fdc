import { html } from '../html.js';
import { useEffect, useState } from 'preact/hooks';
import { getJson, post } from '../connection.js';
import { clock } from '../format.js';

const SPEEDS = ['1', '5', '10', '60', '600', 'max'];
/** The server's speed as the select's value: `max` for an unpaced replay. */
const speedValue = (speed) => (speed === null || speed === Infinity || speed > 1e9 ? 'max' : String(speed));

/**
 * The preset speeds, with the server's own among them when it is none of them (`replay --serve
 * --speed 2`, or `POST /replay/speed?x=30`): a select whose value has no option shows nothing.
 */
const speedChoices = (current) =>
  SPEEDS.includes(current) ? SPEEDS : [...SPEEDS.slice(0, -1), current].sort((a, b) => Number(a) - Number(b)).concat('max');

const MARK_COLOURS = { metar: '#6cb6ff', order: '#e0b341', fill: '#58c47c', halt: '#ef5f5f', resync: '#c678dd', window: '#7c8494' };

/**
 * The replay's state, polled when the server says it has replay controls (the frames themselves
 * never tell live from replay); null against a daemon.
 */
export function useReplayStatus(enabled) {
  const [status, setStatus] = useState(null);
  useEffect(() => {
    if (!enabled) return undefined;
    let live = true;
    let timer = null;
    const load = async () => {
      const s = await getJson('/replay/status');
      if (!live) return;
      if (s !== null) setStatus(s);
      timer = setTimeout(load, 500);
    };
    void load();
    return () => ((live = false), clearTimeout(timer));
  }, [enabled]);
  return [status, setStatus];
}

/** The range's markers read ahead, and any the page saw that they lack (a live halt from the page). */
function markersOf(ahead, seen) {
  if (!ahead.length) return seen;
  const ids = new Set(ahead.map((m) => m.event_id));
  return [...ahead, ...seen.filter((m) => !ids.has(m.event_id))];
}

/** A time as the range inputs show it and the server reads it back (ISO, UTC, to the second). */
function isoSecond(t) {
  return `${new Date(t).toISOString().slice(0, 19)}Z`;
}

/**
 * Play, pause, step, speed and a timeline of the whole replay with markers to jump to; a range
 * chosen inside it (typed, or dragged on the timeline) where playing pauses by itself at its end.
 */
export function ReplayBar({ store, status, setStatus }) {
  const [target, setTarget] = useState('event');
  const [error, setError] = useState('');
  const chosen = status.range ?? null;
  const [rangeText, setRangeText] = useState(() => ({ from: isoSecond(status.from), to: isoSecond(status.to) }));
  // The inputs follow the range the server holds (chosen here, by a drag, or by another page).
  useEffect(() => {
    if (chosen) setRangeText({ from: isoSecond(chosen.from), to: isoSecond(chosen.to) });
  }, [chosen?.from, chosen?.to]);
  const [dragFrom, setDragFrom] = useState(null);
  const [ahead, setAhead] = useState([]);
  useEffect(() => void getJson('/replay/markers').then((m) => Array.isArray(m) && setAhead(m)), []);
  const [runToDecision, setRunToDecision] = useState(false);
  const control = async (path) => {
    const r = await post(path);
    if (r.status === 200) setStatus(r.body);
    setError(r.status === 200 ? '' : (r.body?.error ?? `HTTP ${r.status}`));
    return r.status === 200;
  };
  // The server pauses on the next policy or new order as it goes out; the page opens that decision.
  const runToNextDecision = async () => {
    if (await control('/replay/play?until=decision')) setRunToDecision(true);
  };
  const stoppedOn = status.stopped_on_decision;
  useEffect(() => {
    if (!runToDecision) return;
    // Paused by hand, stepped, sought or ended before any decision: nothing to open.
    if (!stoppedOn) return void (status.state !== 'playing' && setRunToDecision(false));
    setRunToDecision(false);
    location.hash = `#/decisions/${stoppedOn}`;
  }, [runToDecision, stoppedOn, status.state]);
  const span = Math.max(1, status.to - status.from);
  const at = (t) => `${(((t - status.from) / span) * 100).toFixed(3)}%`;
  const seekTo = async (t) => {
    if (t < status.now) await window.__helios.reset();
    await control(`/replay/seek?t=${Math.round(t)}`);
  };
  const timeAt = (e) => {
    const r = e.currentTarget.getBoundingClientRect();
    return status.from + (Math.min(Math.max(e.clientX - r.left, 0), r.width) / r.width) * span;
  };
  // The server seeks to the range's start (restarting the replay when that is behind us) and pauses there.
  const chooseRange = async (from, to) => {
    if (from < status.now) await window.__helios.reset();
    await control(`/replay/range?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  };
  const applyTyped = (e) => {
    e.preventDefault();
    const from = Date.parse(rangeText.from);
    const to = Date.parse(rangeText.to);
    if (Number.isNaN(from) || Number.isNaN(to)) return setError('range: from and to must be ISO times, e.g. 2025-07-15T17:00:00Z');
    void chooseRange(from, to);
  };
  const wholeReplay = () => control('/replay/range');
  // A click seeks; a drag of a few pixels or more chooses the range it covers.
  const onTimelineDown = (e) => setDragFrom({ x: e.clientX, t: timeAt(e) });
  const onTimeline = (e) => {
    const t = timeAt(e);
    const drag = dragFrom;
    setDragFrom(null);
    if (drag && Math.abs(e.clientX - drag.x) >= 4) void chooseRange(Math.round(Math.min(drag.t, t)), Math.round(Math.max(drag.t, t)));
    else void seekTo(t);
  };
  const playing = status.state === 'playing';
  const speed = speedValue(status.speed);
  return html`<section class="replay-bar" data-testid="replay-bar">
    <div class="toolbar">
      <b class="replay-tag">REPLAY</b>
      <span data-testid="replay-state" class=${playing ? 'ok' : 'warn'}>${status.state}</span>
      <span class="mono" data-testid="replay-now">${clock(status.now)}</span>
      <span class="dim">${new Date(status.from).toISOString().slice(0, 16)} → ${new Date(status.to).toISOString().slice(0, 16)} · ${status.emitted} events</span>
      <button onClick=${() => control(playing ? '/replay/pause' : '/replay/play')} data-testid="replay-toggle">${playing ? '❚❚ pause' : '▶ play'}</button>
      <select value=${target} onChange=${(e) => setTarget(e.currentTarget.value)}>${['event', 'metar', 'window', 'shock'].map((t) => html`<option value=${t}>${t}</option>`)}</select>
      <button onClick=${() => control(`/replay/step?target=${target}`)} data-testid="replay-step">step »</button>
      <button onClick=${runToNextDecision} class=${runToDecision ? 'hot' : ''} data-testid="replay-next-decision">▶ to next decision</button>
      <label class="dim">speed <select value=${speed} onChange=${(e) => control(`/replay/speed?x=${e.currentTarget.value}`)} data-testid="replay-speed">
        ${speedChoices(speed).map((s) => html`<option value=${s}>${s === 'max' ? 'max' : `${s}×`}</option>`)}
      </select></label>
    </div>
    <form class="toolbar range-form" onSubmit=${applyTyped} data-testid="replay-range-form">
      <span class="dim">range</span>
      <input class="mono" size="20" value=${rangeText.from} onInput=${(e) => setRangeText({ ...rangeText, from: e.currentTarget.value })} data-testid="replay-range-from" />
      →
      <input class="mono" size="20" value=${rangeText.to} onInput=${(e) => setRangeText({ ...rangeText, to: e.currentTarget.value })} data-testid="replay-range-to" />
      <button type="submit" data-testid="replay-range-apply">set range</button>
      <button type="button" onClick=${wholeReplay} disabled=${!chosen} data-testid="replay-range-clear">whole replay</button>
      <span class="dim" data-testid="replay-range">${chosen ? `plays ${clock(chosen.from)} → ${clock(chosen.to)}, pauses at its end${status.state === 'paused' && status.now === chosen.to ? ' · at range end' : ''}` : 'whole replay (drag on the timeline to choose a range)'}</span>
      ${error ? html`<span class="bad" data-testid="replay-error">${error}</span>` : null}
    </form>
    <div class="timeline" onMouseDown=${onTimelineDown} onClick=${onTimeline} data-testid="timeline" title="click to seek, drag to choose a range">
      <div class="played" style=${`width:${at(status.now)}`}></div>
      ${chosen ? html`<div class="range" data-testid="timeline-range" style=${`left:${at(chosen.from)};width:${at(status.from + (chosen.to - chosen.from))}`}></div>` : null}
      ${markersOf(ahead, store.markers).map(
        (m) => html`<div class="marker" key=${m.event_id} title=${`${clock(m.ts)} ${m.label}`} style=${`left:${at(m.ts)};background:${MARK_COLOURS[m.kind] ?? '#999'}`}
          onClick=${(e) => (e.stopPropagation(), seekTo(m.ts))}></div>`,
      )}
    </div>
    <div class="legend dim">${Object.entries(MARK_COLOURS).map(([k, c]) => html`<span><i style=${`background:${c}`}></i>${k}</span>`)}</div>
  </section>`;
}
