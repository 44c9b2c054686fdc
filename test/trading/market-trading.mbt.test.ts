import { describe, expect, it } from 'vitest';
import { assign, setup, transition, type AnyActorRef } from 'xstate';
import { createTestModel, toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import { MARKET_STATES, PERMISSIONS, type MarketStateName } from '../../src/domain/trading/market-states.ts';
import type { OrderIntent } from '../../src/domain/trading/orders.ts';
import type { TruthSignal } from '../../src/domain/trading/policy.ts';
import type { MarketTradingContext } from '../../src/machines/market-trading/context.ts';
import type { MarketTradingEvent } from '../../src/machines/market-trading/events.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { book, bookSignal, defaultSections, flush, rig, spec, truthSignal } from './support.ts';

/**
 * Model-based tests. An abstract spec machine (no timers, no IO: createTestModel refuses those)
 * describes the market actor in trading terms; each spec event is driven into the real actor
 * running in the runtime on the paper venue, and every step asserts the real state. Coverage is
 * then checked against the implementation machine's own edges (toDirectedGraph), and every
 * (state, event) pair is stepped purely with `transition` to cover the self-transitions.
 */
type Held = 'none' | 'pair_locked' | 'pair_open' | 'pair_broken' | 'temporal';

const spec_ = setup({
  types: { context: {} as { held: Held }, events: {} as { type: string } },
  guards: {
    held: ({ context }) => context.held !== 'none',
    none: ({ context }) => context.held === 'none',
    lockedPair: ({ context }) => context.held === 'pair_locked',
    // pair_broken is not an open pair after a halt: the driver's FAILED is one the paper venue never
    // had, so reconciliation rebuilds the market from the venue (reconciled lots, no pair): IDLE.
    openPair: ({ context }) => context.held === 'pair_open',
    temporal: ({ context }) => context.held === 'temporal',
    nakedPair: ({ context }) => context.held === 'pair_open' || context.held === 'pair_broken',
  },
}).createMachine({
  id: 'spec',
  context: { held: 'none' },
  initial: 'IDLE',
  states: {
    IDLE: {
      on: {
        PAIR_WINDOW: 'BUILDING_PAIR',
        EDGE: 'TEMPORAL_ACTIVE',
        KILL_SWITCH: 'HALT',
        STALE_TRUTH: 'HALT',
        TRUTH_FINAL: 'FINALIZING',
        RESOLVE: 'RESOLVED',
      },
    },
    BUILDING_PAIR: {
      on: {
        LEGS_FILL: { guard: 'none', target: 'BUILDING_PAIR', actions: assign({ held: 'pair_locked' as Held }) },
        ONE_LEG_FILLS: { guard: 'none', target: 'BUILDING_PAIR', actions: assign({ held: 'pair_open' as Held }) },
        WINDOW_CLOSES: [
          { guard: 'lockedPair', target: 'LOCKED_PAIR' },
          { guard: 'none', target: 'IDLE' },
        ],
        UNSYNCED_BOOK: 'HALT',
        TRUTH_FINAL: 'FINALIZING',
      },
    },
    LOCKED_PAIR: {
      on: {
        MANUAL_HALT: 'HALT',
        TRUTH_FINAL: 'FINALIZING',
        // A fill of the locked pair FAILS after the lock: the leg it leaves naked must be closed.
        LEG_FAILS: { target: 'BUILDING_PAIR', actions: assign({ held: 'pair_broken' as Held }) },
      },
    },
    TEMPORAL_ACTIVE: {
      on: {
        EDGE_FILLS: { guard: 'none', target: 'TEMPORAL_ACTIVE', actions: assign({ held: 'temporal' as Held }) },
        EDGE_FADES: { guard: 'none', target: 'IDLE' },
        RECONCILE_BREAK: { guard: 'none', target: 'HALT' },
        STALE_TRUTH: 'HALT',
        TRUTH_FINAL: 'FINALIZING',
      },
    },
    HALT: {
      on: {
        // Every cause cleared inside the cool-down: only a naked pair leg leaves, to be closed at once.
        CLEAR_EARLY: [{ guard: 'nakedPair', target: 'BUILDING_PAIR' }, { target: 'HALT' }],
        CLEAR: [
          { guard: 'lockedPair', target: 'LOCKED_PAIR' },
          { guard: 'openPair', target: 'BUILDING_PAIR' },
          { guard: 'temporal', target: 'TEMPORAL_ACTIVE' },
          { target: 'IDLE' },
        ],
        TRUTH_FINAL: 'FINALIZING',
      },
    },
    FINALIZING: { on: { RESOLVE: 'RESOLVED' } },
    RESOLVED: {},
  },
});

const cfg = defaultSections();
const T0 = 1_700_000_000_000;

const truth = truthSignal;

/** A fresh runtime per path, plus drivers that turn spec events into real inputs. */
function sut() {
  const r = rig();
  const snapshots = new Map<string, unknown>();
  let fairA = 0.5;
  const books = (y: [number, number], n: [number, number], synced = true) => {
    const yb = book([[y[0] - 0.01, 200]], [[y[0], y[1]]]);
    const nb = book([[n[0] - 0.01, 200]], [[n[0], n[1]]]);
    r.books.set('Y', yb);
    r.books.set('N', nb);
    r.paper.onBookUpdated('Y');
    r.paper.onBookUpdated('N');
    // Both books at once, as the router hands on a price_change's pair of BEST_PRICEs.
    r.runtime.onBook(bookSignal('Y', yb, r.clock.now(), synced), bookSignal('N', nb, r.clock.now(), synced));
  };
  const neutral = () => books([0.55, 200], [0.55, 200]);
  const sendTruth = (st: TruthSignal['state'] = 'live') => r.runtime.send('m1', { type: 'TRUTH', truth: truth(st, fairA), ts_ms: r.clock.now() });
  const advance = async (ms: number) => {
    r.clock.advanceBy(ms);
    await flush();
  };
  const state = () => r.runtime.marketSnapshot('m1')!.state;
  const attach = () => {
    const ref = r.runtime.marketRef('m1') as AnyActorRef;
    ref.subscribe((s: { value: string; context: unknown }) => {
      snapshots.set(s.value, s);
    });
    snapshots.set(state(), ref.getSnapshot());
  };
  return {
    r,
    snapshots,
    state,
    async start() {
      r.clock.advanceTo(T0);
      r.runtime.addMarket(spec());
      attach();
      await r.runtime.start();
      await flush();
      sendTruth();
      neutral();
    },
    drive: {
      // Books price YES + NO at 0.90: FAK legs go out (they reach the venue 50 ms later).
      PAIR_WINDOW: async () => books([0.45, 200], [0.45, 200]),
      LEGS_FILL: async () => advance(100),
      ONE_LEG_FILLS: async () => {
        // NO's liquidity is gone before its FAK arrives: only YES fills.
        const nb = book([[0.54, 200]], [[0.6, 200]]);
        r.books.set('N', nb);
        r.paper.onBookUpdated('N');
        await advance(100);
      },
      LEG_FAILS: async () => {
        const ledger = r.runtime.marketSnapshot('m1')!.context.ledger;
        const id = Object.keys(ledger.pending).filter((k) => ledger.pending[k]!.key.startsWith('N|')).sort().at(-1)!;
        const d = ledger.pending[id]!;
        r.runtime.send('m1', { type: 'FILL', fill: { client_order_id: id.replace(/-f\d+$/, ''), fill_id: id, token_id: 'N', strategy: 'pair_arb', side: 'BUY', price: d.cost / d.shares, size: d.shares, fee_usdc: d.fees, status: 'FAILED' } });
        await flush();
      },
      WINDOW_CLOSES: async () => {
        neutral();
        await advance(100);
        neutral();
        await flush();
      },
      EDGE: async () => {
        // Prices first (no edge at the old fair value), then the truth engine moves fair value.
        books([0.5, 200], [0.6, 200]);
        fairA = 0.8;
        sendTruth();
      },
      EDGE_FILLS: async () => advance(100),
      EDGE_FADES: async () => {
        fairA = 0.5;
        sendTruth();
        neutral();
        await advance(100);
        neutral();
        await flush();
      },
      KILL_SWITCH: async () => r.runtime.kill('operator'),
      STALE_TRUTH: async () => sendTruth('stale'),
      UNSYNCED_BOOK: async () => books([0.55, 200], [0.55, 200], false),
      MANUAL_HALT: async () => r.runtime.haltMarket('m1', 'operator'),
      RECONCILE_BREAK: async () => {
        await advance(100);
        r.runtime.send('m1', { type: 'RECONCILE_BREAK', reason: 'test', venue_orders: r.paper.openOrdersNow(), venue_positions: r.paper.positionsNow() });
      },
      CLEAR_EARLY: async () => {
        fairA = 0.5;
        sendTruth();
        neutral();
        r.runtime.resumeMarket('m1');
        await flush();
      },
      CLEAR: async () => {
        // Outlast both cool-downs (the kill switch's and the market's), then clear every cause.
        const wait = Math.max(cfg.risk.cool_down_ms, cfg.trading.halt.cool_down_ms) + 1000;
        await advance(wait);
        r.runtime.resume();
        r.runtime.resumeMarket('m1');
        await r.runtime.reconcile();
        fairA = 0.5;
        sendTruth();
        neutral();
        await flush();
      },
      TRUTH_FINAL: async () => sendTruth('effectively_final'),
      RESOLVE: async () => r.runtime.send('m1', { type: 'MARKET_RESOLVED', winning_token_id: 'Y' }),
    } as Record<string, () => Promise<void>>,
  };
}

function specEdges(machine: typeof spec_): string[] {
  const out: string[] = [];
  const walk = (n: DirectedGraphNode) => {
    for (const e of n.edges) out.push(`${e.source.key}->${e.target.key}:${e.label.text}`);
    n.children.forEach(walk);
  };
  walk(toDirectedGraph(machine));
  return out;
}

/**
 * Targeted edges of the implementation machine, as source→target state names. Its transitions
 * between states are all eventless (`always`, guarded), which toDirectedGraph does not list, so
 * they are read from the state nodes, together with evented and delayed ones.
 */
function implEdges(): string[] {
  const machine = marketTradingMachine;
  type Tr = { target?: ReadonlyArray<{ key: string }> };
  type Node = { key: string; always?: Tr[]; transitions: Map<string, Tr[]> };
  const out = new Set<string>();
  for (const node of Object.values(machine.root.states) as unknown as Node[]) {
    const all = [...(node.always ?? []), ...[...node.transitions.values()].flat()];
    for (const t of all) for (const target of t.target ?? []) if (target.key !== node.key) out.add(`${node.key}->${target.key}`);
  }
  return [...out].sort();
}

describe('market trading machine: model-based', () => {
  const model = createTestModel(spec_);
  const paths = model.getShortestPaths();
  const stepsSeen = new Set<string>();
  const implSeen = new Set<string>();
  const snapshotsByState = new Map<string, unknown>();

  it('the spec has exactly the issue\'s seven states', () => {
    expect(Object.keys(spec_.config.states!).sort()).toEqual([...MARKET_STATES].sort());
    expect(paths.length).toBeGreaterThan(10);
  });

  for (const path of paths) {
    it(`path: ${path.steps.map((s) => s.event.type).join(' → ')}`, async () => {
      const s = sut();
      await s.start();
      await path.test({
        states: Object.fromEntries(MARKET_STATES.map((name) => [name, () => expect(s.state()).toBe(name)])),
        events: Object.fromEntries(
          Object.keys(s.drive).map((type) => [
            type,
            async () => {
              await s.drive[type]!();
            },
          ]),
        ),
      });
      let prev = 'IDLE';
      for (const step of path.steps) {
        const v = String(step.state.value);
        stepsSeen.add(`${prev}->${v}:${step.event.type}`);
        prev = v;
      }
      // Every state entry is published with its predecessor, transient ones (FINALIZING on the way
      // to RESOLVED in one macrostep) included.
      for (const e of s.r.sink.events) {
        if (e.type !== 'MARKET_STATE' || e.payload.previous === null) continue;
        if (e.payload.previous !== e.payload.state) implSeen.add(`${e.payload.previous}->${e.payload.state}`);
      }
      for (const [k, v] of s.snapshots) snapshotsByState.set(k, v);
      s.r.runtime.stop();
    });
  }

  it('covers every spec transition and every implementation edge', () => {
    const want = new Set(specEdges(spec_).map((e) => e.replace(/spec\./g, '')));
    const missing = [...want].filter((e) => !stepsSeen.has(e));
    expect(missing).toEqual([]);
    const impl = implEdges();
    expect(impl.length).toBe(20);
    expect([...implSeen].filter((e) => !impl.includes(e))).toEqual([]);
    expect(impl.filter((e) => !implSeen.has(e))).toEqual([]);
  });

  it('every state handles every event without buying where buying is forbidden', () => {
    const machine = marketTradingMachine;
    const events = sampleEvents();
    const forbidden = MARKET_STATES.filter((st) => !PERMISSIONS[st].buy);
    let stepped = 0;
    for (const st of MARKET_STATES) {
      const snap = snapshotsByState.get(st);
      expect(snap, `a snapshot in ${st}`).toBeDefined();
      for (const ev of events) {
        const [next, actions] = transition(machine, snap as never, ev);
        stepped++;
        expect(MARKET_STATES).toContain(String(next.value));
        if (st === 'RESOLVED') expect(String(next.value)).toBe('RESOLVED');
        for (const a of actions) {
          if (a.type !== 'dispatch') continue;
          const intents = (a.params as { intents: OrderIntent[] }).intents;
          const decidedIn = (next.context as MarketTradingContext).plan.state as MarketStateName;
          if (forbidden.includes(decidedIn)) expect(intents.filter((i) => i.kind === 'place' && i.side === 'BUY')).toEqual([]);
        }
      }
    }
    expect(stepped).toBe(MARKET_STATES.length * events.length);
  });
});

function sampleEvents(): MarketTradingEvent[] {
  const b = book([[0.44, 100]], [[0.45, 100]]);
  return [
    { type: 'BOOK', now_ms: T0, signal: bookSignal('Y', b, T0) },
    { type: 'POLICY', now_ms: T0, policy: { fair_value: { Y: 0.9, N: 0.1 }, edge_threshold: 0.05, max_position_usdc: 5, max_order_usdc: 5, source: 'manual', valid_until_ms: T0 + 1e9 } },
    { type: 'TRUTH', now_ms: T0, truth: truth('live', 0.9), ts_ms: T0 },
    { type: 'NOWCAST', now_ms: T0, nowcast: { judge_day: 'd', max_so_far_f: null, distribution: [], buckets: [], peak_time_bins: [], confidence: 0, qc_gate: 'open', inputs: [] }, ts_ms: T0 },
    { type: 'RISK', now_ms: T0, risk: { state: 'ACTIVE', size_scale: 1, market_tripped: false, reason: null } },
    { type: 'ORDER_UPDATE', now_ms: T0, update: { client_order_id: 'x', status: 'open', filled_size: 0 } },
    { type: 'FILL', now_ms: T0, fill: { client_order_id: 'x', fill_id: 'x-f0', token_id: 'Y', strategy: 'temporal', side: 'BUY', price: 0.5, size: 1, fee_usdc: 0, status: 'MATCHED' } },
    { type: 'CANCEL_REJECTED', now_ms: T0, client_order_id: 'x', reason: 'test' },
    { type: 'RECONCILE_BREAK', now_ms: T0, reason: 'test', venue_orders: [], venue_positions: [] },
    { type: 'RECONCILED', now_ms: T0 },
    { type: 'HALT_CMD', now_ms: T0, reason: 'test' },
    { type: 'RESUME_CMD', now_ms: T0 },
    { type: 'WATCHDOG', now_ms: T0 },
    { type: 'DECIDE' },
    { type: 'MARKET_RESOLVED', now_ms: T0, winning_token_id: 'Y' },
  ];
}

