import { html } from '../html.js';

/**
 * The subset of Mermaid stateDiagram-v2 that `helios inspect --graph` prints, read back into
 * states (with their parent) and transitions. Nothing is fetched: drawn by the page, offline.
 */
export function parseStateDiagram(text) {
  const states = new Map(); // id → { id, key, parent, children: [] }
  const transitions = []; // { from, to, label }
  let initial = null;
  const stack = [null];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m;
    if ((m = /^state "(.*)" as (\S+)$/.exec(line))) {
      const parent = stack.at(-1);
      states.set(m[2], { id: m[2], key: m[1], parent, children: [] });
      if (parent) states.get(parent)?.children.push(m[2]);
    } else if ((m = /^state (\S+) \{$/.exec(line))) stack.push(m[1]);
    else if (line === '}') stack.pop();
    else if ((m = /^\[\*\] --> (\S+)$/.exec(line))) {
      if (stack.length === 1) initial = m[1];
    } else if ((m = /^(\S+) --> (\S+?)(?:: (.*))?$/.exec(line)) && m[2] !== '[*]') transitions.push({ from: m[1], to: m[2], label: m[3] ?? '' });
  }
  return { states, transitions, initial };
}

function topOf(states, id) {
  let s = states.get(id);
  while (s?.parent) s = states.get(s.parent);
  return s?.id ?? id;
}

function descendants(states, id) {
  const out = [];
  const walk = (x, depth) => {
    for (const c of states.get(x)?.children ?? []) {
      out.push({ id: c, depth });
      walk(c, depth + 1);
    }
  };
  walk(id, 0);
  return out;
}

const W = 150;
const GAP_X = 60;
const ROW = 14;

/**
 * Top-level states in layers by distance from the initial state, nested states listed inside
 * their box; `active` (state keys) are highlighted. Edges between top-level boxes; every
 * transition, nested ones included, is in the table beside.
 */
export function StateChart({ graph, active = [] }) {
  const { states, transitions, initial } = graph;
  const tops = [...states.values()].filter((s) => !s.parent).map((s) => s.id);
  const edges = new Map();
  for (const t of transitions) {
    const a = topOf(states, t.from);
    const b = topOf(states, t.to);
    if (a === b) continue;
    const k = `${a}>${b}`;
    edges.set(k, [...(edges.get(k) ?? []), t.label]);
  }
  const layer = new Map([[initial ?? tops[0], 0]]);
  const queue = [initial ?? tops[0]];
  while (queue.length) {
    const a = queue.shift();
    for (const k of edges.keys()) {
      const [x, y] = k.split('>');
      if (x === a && !layer.has(y)) {
        layer.set(y, layer.get(a) + 1);
        queue.push(y);
      }
    }
  }
  for (const t of tops) if (!layer.has(t)) layer.set(t, Math.max(0, ...layer.values()) + 1);
  const columns = [];
  for (const t of tops) (columns[layer.get(t)] ??= []).push(t);
  const activeSet = new Set(active);
  const box = new Map();
  let height = 0;
  columns.forEach((col, i) => {
    let y = 10;
    for (const id of col) {
      const inner = descendants(states, id);
      const h = 24 + inner.length * ROW + (inner.length ? 6 : 0);
      box.set(id, { x: 10 + i * (W + GAP_X), y, h, inner });
      y += h + 18;
    }
    height = Math.max(height, y);
  });
  const width = 10 + columns.length * (W + GAP_X);
  const isActive = (id) => activeSet.has(states.get(id)?.key);
  return html`<svg class="statechart" width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`} data-testid="statechart">
    <defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#7c8494" /></marker></defs>
    ${[...edges.entries()].map(([k, labels]) => {
      const [a, b] = k.split('>');
      const p = box.get(a);
      const q = box.get(b);
      const forward = q.x > p.x;
      const x1 = forward ? p.x + W : p.x + W / 2;
      const y1 = forward ? p.y + 12 : p.y + p.h;
      const x2 = forward ? q.x : q.x + W / 2;
      const y2 = forward ? q.y + 12 : q.y + q.h;
      const d = forward ? `M${x1},${y1} C${x1 + GAP_X / 2},${y1} ${x2 - GAP_X / 2},${y2} ${x2},${y2}` : `M${x1},${y1} C${x1},${y1 + 40} ${x2},${y2 + 40} ${x2},${y2}`;
      return html`<path d=${d} class=${`edge ${isActive(a) ? 'from-active' : ''}`} marker-end="url(#arrow)"><title>${labels.join('\n')}</title></path>`;
    })}
    ${[...box.entries()].map(
      ([id, b]) => html`<g class=${`state ${isActive(id) || b.inner.some((c) => isActive(c.id)) ? 'active' : ''}`} data-state=${states.get(id).key}>
        <rect x=${b.x} y=${b.y} width=${W} height=${b.h} rx="5" />
        <text x=${b.x + 8} y=${b.y + 16}>${id === initial ? '● ' : ''}${states.get(id).key}</text>
        ${b.inner.map((c, j) => html`<text class=${`inner ${isActive(c.id) ? 'on' : ''}`} x=${b.x + 12 + c.depth * 10} y=${b.y + 34 + j * ROW}>${states.get(c.id).key}</text>`)}
      </g>`,
    )}
  </svg>`;
}
