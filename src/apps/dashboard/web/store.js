// The page's state, folded from channel frames exactly as the daemon (or a replay) sends them.
// One store for every view; `version` grows with each applied frame so the renderer can tell
// whether a frame changed anything since the last paint.

const HISTORY = 120; // points kept per sparkline
const TAPE = 60;
const TRANSITIONS = 30;
const FILLS = 200;
const CONTROL_LOG = 50;
const DECISIONS = 500;
const NOWCAST_DAYS = 7; // judge days of nowcasts kept per station (two are listed at once; older ones only wait to retire)
const INDEXED = 30_000; // events kept by id for the decision inspector
/** Too many to index, and never a decision's input by id (the book is captured with the decision). */
const UNINDEXED = new Set(['L2_SNAPSHOT', 'L2_DELTA', 'BEST_PRICE']);
/** Types that are decisions of the trading node (what the inspector explains). */
export const DECISION_TYPES = new Set(['POLICY', 'ORDER_UPDATE', 'MARKET_STATE', 'RISK_STATE', 'FILL']);

export function createStore() {
  return {
    version: 0,
    settings: { mode: '…', staleness_ms: {} },
    connection: { state: 'connecting', frames: 0, reconnects: 0 },
    /** market_id → row */
    markets: new Map(),
    /** markets retired after they resolved (ALERT MARKET_RETIRED): a late frame of one never brings its row back */
    retired: new Set(),
    /** token_id → market_id */
    tokenMarket: new Map(),
    /** token_id → latest L2_SNAPSHOT payload (plus ts) */
    books: new Map(),
    /** token_id → latest POSITION payload */
    positions: new Map(),
    /** client_order_id → latest ORDER_UPDATE payload with market, token, status history (a retired market's go with it) */
    orders: new Map(),
    /** market_id → its entries of `orders`, first seen first: what a market's view reads (marketOrders), not every market's */
    ordersOfMarket: new Map(),
    fills: [],
    /** token_id → recent TRADE payloads, newest first */
    tape: new Map(),
    /** Unknown (null) until a RISK_STATE or the server's snapshot says: a replay not yet at its first is no ACTIVE one. */
    risk: { state: null, reason: null, size_scale: null, ts: null },
    /** Unknown (on: null) with the risk state, until either says. */
    killSwitch: { on: null, reason: null, ts: null },
    controlLog: [],
    health: { latest: null, history: [] },
    counts: { orders: 0, fills: 0, fills_failed: 0 },
    pnl: { realized: 0, unrealized: 0, fees: 0 },
    /**
     * station_id → { metars: [], pws, qc: { station → QC_STATE }, features, nowcast, nowcasts }:
     * `nowcasts` the newest NOWCAST per judge day (a station's next day is listed before its
     * current one ends), `nowcast` the newest of any day.
     */
    stations: new Map(),
    /** match_id → { state: TRUTH_STATE payload, sources: { source → SOURCE_REPORT payload } } */
    matches: new Map(),
    /** the decisions seen (policy, orders, fills, state changes), newest last: { ev, books } */
    decisions: [],
    /** markers for the replay timeline: { ts, kind, label, event_id } */
    markers: [],
    lastTs: null,
    /** event_id → event, and correlation_id → event_ids, bounded: the inputs behind a decision */
    index: new Map(),
    byCorrelation: new Map(),
  };
}

function marketRow(store, market_id) {
  let m = store.markets.get(market_id);
  if (!m) {
    m = { market_id, label: null, judge_day: null, station_id: null, match_id: null, fair_source: null, yes_token: null, no_token: null, tokens: [], state: null, previous: null, reason: null, halt_causes: [], transitions: [], fair: {}, edge_threshold: null, policy_ts: null };
    // A retired market's row stays gone: its frames still fold (into a row no view lists).
    if (!store.retired.has(market_id)) store.markets.set(market_id, m);
  }
  return m;
}

function station(store, id) {
  let s = store.stations.get(id);
  if (!s) {
    s = { station_id: id, metars: [], pws: null, qc: null, features: null, nowcast: null, nowcasts: new Map() };
    store.stations.set(id, s);
  }
  return s;
}

function noteToken(store, market_id, token_id) {
  if (!market_id || !token_id || store.tokenMarket.has(token_id) || store.retired.has(market_id)) return;
  store.tokenMarket.set(token_id, market_id);
  const m = marketRow(store, market_id);
  if (!m.tokens.includes(token_id)) m.tokens = [...m.tokens, token_id].sort();
}

/**
 * The markets retired so far, from settings.json's `retired_markets` (before anything else is
 * folded): the recent past names only those this daemon life retired, and a later frame of one an
 * earlier life retired must not make its row again either.
 */
export function seedRetired(store, ids) {
  for (const id of Array.isArray(ids) ? ids : []) retireMarket(store, id);
}

/** Seeds the market rows from GET /markets (a replay answers it from the recorded market catalog). */
export function seedMarkets(store, list) {
  for (const r of list) {
    const m = marketRow(store, r.market_id);
    Object.assign(m, {
      label: r.label ?? m.label,
      judge_day: r.judge_day ?? m.judge_day,
      station_id: r.station_id ?? m.station_id,
      match_id: r.match_id ?? m.match_id,
      fair_source: r.fair_source ?? m.fair_source,
      yes_token: r.yes_token ?? m.yes_token,
      no_token: r.no_token ?? m.no_token,
    });
    if (m.state === null) m.state = r.state ?? null;
    if (r.halt_causes?.length) m.halt_causes = r.halt_causes;
    noteToken(store, r.market_id, r.yes_token);
    noteToken(store, r.market_id, r.no_token);
  }
  store.version++;
}

function pushBounded(list, item, max) {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

function mark(store, ev, kind, label) {
  pushBounded(store.markers, { ts: ev.ts_ingest, kind, label, event_id: ev.event_id, market_id: ev.market_id ?? null }, 2000);
}

function recomputePnl(store) {
  let realized = 0;
  let unrealized = 0;
  let fees = 0;
  for (const p of store.positions.values()) {
    realized += p.realized_pnl;
    unrealized += p.unrealized_pnl;
    fees += p.fees_paid;
  }
  store.pnl = { realized, unrealized, fees };
}

/** A market's orders, first seen first. */
export function marketOrders(store, marketId) {
  return store.ordersOfMarket.get(marketId)?.values() ?? [];
}

function retireMarket(store, marketId) {
  store.retired.add(marketId);
  // What no view reads any more (they list live markets only) goes, or a page open for weeks keeps every order and book.
  for (const t of store.markets.get(marketId)?.tokens ?? []) {
    store.books.delete(t);
    store.tape.delete(t);
    store.tokenMarket.delete(t);
  }
  for (const id of store.ordersOfMarket.get(marketId)?.keys() ?? []) store.orders.delete(id);
  store.ordersOfMarket.delete(marketId);
  store.markets.delete(marketId);
  for (const [token, p] of store.positions) if (p.market_id === marketId) store.positions.delete(token);
  recomputePnl(store);
}

function indexEvent(store, ev) {
  if (UNINDEXED.has(ev.type) || !ev.event_id) return;
  store.index.set(ev.event_id, ev);
  if (store.index.size > INDEXED) store.index.delete(store.index.keys().next().value);
  const list = store.byCorrelation.get(ev.correlation_id);
  if (list) {
    if (list.length < 50) list.push(ev.event_id);
  } else {
    store.byCorrelation.set(ev.correlation_id, [ev.event_id]);
    if (store.byCorrelation.size > INDEXED) store.byCorrelation.delete(store.byCorrelation.keys().next().value);
  }
}

/** A decision with the books of its market as the page held them when it came (book objects are replaced, never mutated). */
function decide(store, ev) {
  const m = ev.market_id ? store.markets.get(ev.market_id) : undefined;
  const books = (m?.tokens ?? []).map((t) => [t, store.books.get(t) ?? null]);
  const d = { ev, books };
  pushBounded(store.decisions, d, DECISIONS);
}

/**
 * What was behind a decision: its causation chain (by id, as far as the page has seen), the
 * other events of its correlation, the inputs a nowcast names, and the books when it came.
 */
export function decisionInputs(store, d) {
  const causes = [];
  const policy = policyInForce(store, d.ev);
  if (policy) causes.push(policy);
  let id = policy ? policy.causation_id : d.ev.causation_id;
  for (let i = 0; id && i < 8; i++) {
    const e = store.index.get(id);
    if (!e) {
      causes.push({ missing: id });
      break;
    }
    causes.push(e);
    id = e.causation_id;
  }
  const seen = new Set([d.ev.event_id, ...causes.map((e) => e.event_id ?? e.missing)]);
  const related = (store.byCorrelation.get(d.ev.correlation_id) ?? []).filter((x) => !seen.has(x)).map((x) => store.index.get(x)).filter(Boolean);
  const inputs = [];
  for (const e of [...causes, ...related]) {
    if (e.type !== 'NOWCAST') continue;
    for (const x of e.payload.inputs ?? []) inputs.push(store.index.get(x) ?? { missing: x });
  }
  return { causes, related, inputs, books: d.books, policy };
}

/**
 * Orders and state changes carry no causation of their own: the market's policy of the same
 * moment is their input. The trading node publishes that policy right after the order it led
 * to (same timestamp), so it is looked up when asked, not when the order came.
 */
function policyInForce(store, ev) {
  if (ev.type === 'POLICY' || !ev.market_id) return null;
  const list = store.markets.get(ev.market_id)?.policies ?? [];
  for (let i = list.length - 1; i >= 0; i--) if (list[i].ts_ingest <= ev.ts_ingest) return list[i];
  return null;
}

/**
 * Sets the orders and fills counts to the server's session totals (snapshot.json), which already
 * include the recent past and every frame up to `through`: those fold with `counted: false`.
 */
export function seedCounts(store, totals) {
  if (!totals) return;
  store.counts = { orders: totals.orders, fills: totals.fills, fills_failed: totals.fills_failed };
  store.version++;
}

/** The global risk state (a RISK_STATE's payload, or the server's at connect) and the kill switch it implies. */
function setGlobalRisk(store, p, ts) {
  store.risk = { state: p.state, reason: p.reason, size_scale: p.size_scale, ts };
  store.killSwitch = p.state === 'HALTED' ? { on: true, reason: p.reason, ts } : { on: false, reason: null, ts };
}

/**
 * The trading side's global risk as the server has it now (snapshot.json `risk`; null where it
 * hosts none, as in a replay): before the recent past, whose RISK_STATE, if any, is as new or newer.
 */
export function seedRisk(store, risk) {
  if (!risk) return;
  setGlobalRisk(store, risk, null);
  store.version++;
}

/**
 * Folds one frame (a bus envelope) into the store. Unknown types are ignored. `counted: false`:
 * the frame is already in the counts (the server's totals include it).
 */
export function applyFrame(store, ev, { counted = true } = {}) {
  if (!ev || typeof ev.type !== 'string') return;
  store.version++;
  store.connection.frames++;
  store.lastTs = Math.max(store.lastTs ?? 0, ev.ts_ingest ?? 0);
  const p = ev.payload;
  noteToken(store, ev.market_id, ev.token_id);
  indexEvent(store, ev);
  if (DECISION_TYPES.has(ev.type)) decide(store, ev);
  switch (ev.type) {
    case 'L2_SNAPSHOT':
      if (store.retired.has(ev.market_id)) return;
      // The frame's own payload object, never mutated after (a decision may hold it).
      p.ts = ev.ts_ingest;
      p.market_id = ev.market_id;
      store.books.set(ev.token_id, p);
      return;
    case 'BEST_PRICE': {
      const b = store.books.get(ev.token_id);
      // Keeps the ladder's top honest between snapshots without inventing depth.
      if (b) store.books.set(ev.token_id, { ...b, best_bid: p.best_bid, best_ask: p.best_ask, mid: p.best_bid !== null && p.best_ask !== null ? (p.best_bid + p.best_ask) / 2 : b.mid, ts: ev.ts_ingest });
      return;
    }
    case 'TRADE': {
      if (store.retired.has(ev.market_id)) return;
      const list = store.tape.get(ev.token_id) ?? [];
      list.unshift({ ...p, ts: ev.ts_ingest });
      if (list.length > TAPE) list.length = TAPE;
      store.tape.set(ev.token_id, list);
      return;
    }
    case 'BOOK_RESYNC_START':
      mark(store, ev, 'resync', `resync ${p.reason}`);
      return;
    case 'POLICY': {
      const m = marketRow(store, ev.market_id);
      m.fair = p.fair_value;
      m.edge_threshold = p.edge_threshold;
      m.policy_ts = ev.ts_ingest;
      m.policy_source = p.source;
      m.policies = [...(m.policies ?? []), ev].slice(-20);
      return;
    }
    case 'MARKET_STATE': {
      const m = marketRow(store, ev.market_id);
      // In HALT the machine names its causes as the reason, comma-separated (as /markets splits them):
      // entering it, and again (HALT → HALT) whenever they change; none left means it waits out
      // its cool-down, which /markets lists as `cool_down`.
      m.halt_causes = p.state !== 'HALT' ? [] : p.reason ? p.reason.split(',') : ['cool_down'];
      m.reason = p.reason;
      // Changed causes inside a halt are neither a transition nor a new halt on the timeline.
      if (p.previous === p.state && m.state === p.state) return;
      m.previous = p.previous;
      m.state = p.state;
      m.transitions = [{ ts: ev.ts_ingest, from: p.previous, to: p.state, reason: p.reason, event_id: ev.event_id, correlation_id: ev.correlation_id }, ...m.transitions].slice(0, TRANSITIONS);
      if (p.state === 'HALT') mark(store, ev, 'halt', `halt ${p.reason ?? ''}`);
      return;
    }
    case 'RISK_STATE':
      if (ev.market_id) {
        marketRow(store, ev.market_id).risk = p.state;
      } else {
        setGlobalRisk(store, p, ev.ts_ingest);
      }
      return;
    case 'ORDER_UPDATE': {
      const prior = store.orders.get(p.client_order_id);
      // An order is counted once, by its first update (as the server's totals count it): a later
      // update of one placed before the page opened is not a new order.
      if (counted && p.status === 'pending') store.counts.orders++;
      const history = prior ? (prior.history.at(-1) === p.status ? prior.history : [...prior.history, p.status]) : [p.status];
      const order = { ...p, market_id: ev.market_id, token_id: ev.token_id, history, ts: ev.ts_ingest, correlation_id: ev.correlation_id };
      store.orders.set(p.client_order_id, order);
      if (prior && prior.market_id !== ev.market_id) store.ordersOfMarket.get(prior.market_id)?.delete(p.client_order_id);
      let mine = store.ordersOfMarket.get(ev.market_id);
      if (!mine) store.ordersOfMarket.set(ev.market_id, (mine = new Map()));
      mine.set(p.client_order_id, order);
      if (!prior) mark(store, ev, 'order', `${p.side} ${p.size}@${p.price}`);
      return;
    }
    case 'FILL': {
      if (counted && p.status === 'MATCHED') store.counts.fills++;
      if (counted && p.status === 'FAILED') store.counts.fills_failed++;
      const i = store.fills.findIndex((f) => f.fill_id === p.fill_id);
      const entry = { ...p, market_id: ev.market_id, token_id: ev.token_id, ts: ev.ts_ingest, history: i >= 0 ? [...store.fills[i].history, p.status] : [p.status] };
      if (i >= 0) store.fills[i] = entry;
      else pushBounded(store.fills, entry, FILLS);
      if (i < 0) mark(store, ev, 'fill', `fill ${p.side} ${p.size}@${p.price}`);
      return;
    }
    case 'POSITION':
      store.positions.set(ev.token_id, { ...p, market_id: ev.market_id, ts: ev.ts_ingest });
      recomputePnl(store);
      return;
    case 'HALT':
    case 'RESUME':
    case 'ALERT':
    case 'RECONCILE_FORCE':
      pushBounded(store.controlLog, { ts: ev.ts_ingest, type: ev.type, market_id: ev.market_id ?? null, payload: p, event_id: ev.event_id }, CONTROL_LOG);
      if (ev.type === 'HALT' && p.scope === 'global') store.killSwitch = { on: true, reason: p.reason, ts: ev.ts_ingest };
      if (ev.type === 'HALT') mark(store, ev, 'halt', `HALT ${p.scope} ${p.reason}`);
      // Resolved and gone from the trading side: no longer a live market's row, nor its positions (its PnL
      // is in the retired markets' one position, published right after, as after a restart).
      if (ev.type === 'ALERT' && p.code === 'MARKET_RETIRED' && ev.market_id) retireMarket(store, ev.market_id);
      return;
    case 'HEALTH':
      store.health.latest = { ...p, ts: ev.ts_ingest };
      pushBounded(store.health.history, { ts: ev.ts_ingest, ...p }, HISTORY);
      return;
    case 'METAR_OBS': {
      const s = station(store, ev.station_id);
      s.metars = [{ ...p, ts: ev.ts_ingest, ts_source: ev.ts_source }, ...s.metars].slice(0, 24);
      mark(store, ev, 'metar', `METAR ${ev.station_id}`);
      return;
    }
    case 'PWS_CLUSTER':
      station(store, ev.station_id).pws = { ...p, ts: ev.ts_ingest };
      return;
    case 'FEATURES':
      station(store, ev.station_id).features = { ...p, ts: ev.ts_ingest };
      return;
    case 'NOWCAST': {
      const s = station(store, ev.station_id);
      s.nowcast = { ...p, ts: ev.ts_ingest, correlation_id: ev.correlation_id };
      s.nowcasts.set(p.judge_day, s.nowcast);
      if (s.nowcasts.size > NOWCAST_DAYS) s.nowcasts.delete([...s.nowcasts.keys()].sort()[0]);
      return;
    }
    case 'QC_STATE': {
      // A PWS's QC belongs to the METAR station whose cluster it is in.
      const s = station(store, p.target_station ?? ev.station_id);
      const prior = s.qc?.[ev.station_id];
      const transitions = [{ ts: ev.ts_ingest, from: p.previous, to: p.state, reason: p.reason }, ...(prior?.transitions ?? [])].slice(0, TRANSITIONS);
      s.qc = { ...(s.qc ?? {}), [ev.station_id]: { ...p, ts: ev.ts_ingest, transitions } };
      return;
    }
    case 'TRUTH_STATE': {
      const m = store.matches.get(ev.match_id) ?? { match_id: ev.match_id, state: null, sources: {} };
      if (p.previous !== p.state || !m.state) m.transitions = [{ ts: ev.ts_ingest, from: p.previous, to: p.state, reason: p.reason }, ...(m.transitions ?? [])].slice(0, TRANSITIONS);
      m.state = { ...p, ts: ev.ts_ingest };
      store.matches.set(ev.match_id, m);
      return;
    }
    case 'SOURCE_REPORT': {
      const m = store.matches.get(ev.match_id) ?? { match_id: ev.match_id, state: null, sources: {} };
      m.sources = { ...m.sources, [p.source]: { ...p, ts: ev.ts_ingest } };
      store.matches.set(ev.match_id, m);
      return;
    }
    case 'WINDOW_OPEN':
      mark(store, ev, 'window', `window ${p.trigger}`);
      return;
    default:
  }
}

/** The YES token of a market: from the market list, else the first token seen. */
export function yesToken(m) {
  return m.yes_token ?? m.tokens[0] ?? null;
}

/** Shares held of each side of a market. */
export function marketPosition(store, m) {
  const yes = store.positions.get(m.yes_token ?? m.tokens[0])?.shares ?? 0;
  const noToken = m.no_token ?? m.tokens[1];
  const no = noToken ? (store.positions.get(noToken)?.shares ?? 0) : 0;
  return { yes, no };
}

/**
 * States a market never trades in again: FINALIZING waits for the outcome, RESOLVED is settled.
 * An edge there is no opportunity (only cancels are allowed), so the views show none. A HALT is
 * not one of them: it ends, and the edge is what the market would trade on when it does.
 */
const NO_LONGER_TRADED = new Set(['FINALIZING', 'RESOLVED']);

export function noLongerTraded(m) {
  return NO_LONGER_TRADED.has(m?.state);
}

/** The edge an operator could act on, model minus price: null without either, or once the market can no longer trade. */
export function tradableEdge(m, model, mid) {
  if (model === null || mid === null || noLongerTraded(m)) return null;
  return model - mid;
}

/** Whether an edge reaches its market's threshold (the policy's `edge_threshold`; never before a policy names one). */
export function edgeIsHot(m, edge) {
  return edge !== null && Math.abs(edge) >= (m?.edge_threshold ?? Infinity);
}
