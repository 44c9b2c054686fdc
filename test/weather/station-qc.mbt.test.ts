import { assign, createActor, getNextTransitions, setup, type AnyMachineSnapshot } from 'xstate';
import { adjacencyMapToArray, createTestModel, getAdjacencyMap, getShortestPaths, toDirectedGraph } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { QcVerdict } from '../../src/domain/weather/pws-qc.ts';
import { stationQcMachine, type StationQcInput } from '../../src/machines/station-qc/station-qc.machine.ts';

const INPUT: StationQcInput = { stationId: 'KLGA', staleAfterMs: 30 * 60_000, outliersToDegrade: 3, passesToRecover: 2 };
const T0 = Date.UTC(2025, 6, 4, 12);

/** The system under test: the real machine as an actor on a virtual clock. */
function startSut() {
  const clock = new VirtualClock(T0);
  const actor = createActor(stationQcMachine, { clock, input: INPUT }).start();
  const check = (verdict: QcVerdict) => actor.send({ type: 'CHECKED', verdict, reason: verdict, at: clock.now() });
  return { clock, actor, check };
}

/**
 * The behaviour the issue asks for, written independently of the implementation: thresholds as
 * capped counters, staleness as an explicit TIMEOUT (the model cannot hold timers).
 */
const D = INPUT.outliersToDegrade;
const R = INPUT.passesToRecover;
type V = 'pass' | 'outlier' | 'fail' | 'timeout' | 'none';
type SpecContext = { o: number; p: number; v: V };
const set = (o: number, p: number, v: V) => ({ type: 'set' as const, params: { o, p, v } });
const spec = setup({
  types: {} as { context: SpecContext; events: { type: 'PASS' } | { type: 'OUTLIER' } | { type: 'FAIL' } | { type: 'TIMEOUT' } },
  actions: { set: assign((_, params: SpecContext) => params) },
}).createMachine({
  id: 'spec',
  initial: 'stale',
  context: { o: 0, p: 0, v: 'none' },
  states: {
    stale: {
      on: {
        PASS: { target: 'ok', actions: set(0, 1, 'pass') },
        OUTLIER: { target: 'outlier_likely', actions: set(1, 0, 'outlier') },
        FAIL: { target: 'degraded', actions: set(0, 0, 'fail') },
      },
    },
    ok: {
      on: {
        PASS: { target: 'ok', actions: assign(({ context }) => ({ o: 0, p: Math.min(context.p + 1, R), v: 'pass' as const })) },
        OUTLIER: { target: 'outlier_likely', actions: set(1, 0, 'outlier') },
        FAIL: { target: 'degraded', actions: set(0, 0, 'fail') },
        TIMEOUT: { target: 'stale', actions: set(0, 0, 'timeout') },
      },
    },
    outlier_likely: {
      on: {
        PASS: { target: 'ok', actions: set(0, 1, 'pass') },
        OUTLIER: [
          { guard: ({ context }) => context.o + 1 >= D, target: 'degraded', actions: set(0, 0, 'outlier') },
          { target: 'outlier_likely', actions: assign(({ context }) => ({ o: context.o + 1, p: 0, v: 'outlier' as const })) },
        ],
        FAIL: { target: 'degraded', actions: set(0, 0, 'fail') },
        TIMEOUT: { target: 'stale', actions: set(0, 0, 'timeout') },
      },
    },
    degraded: {
      on: {
        PASS: [
          { guard: ({ context }) => context.p + 1 >= R, target: 'ok', actions: set(0, 0, 'pass') },
          { target: 'degraded', actions: assign(({ context }) => ({ o: 0, p: context.p + 1, v: 'pass' as const })) },
        ],
        OUTLIER: { target: 'degraded', actions: set(0, 0, 'outlier') },
        FAIL: { target: 'degraded', actions: set(0, 0, 'fail') },
        TIMEOUT: { target: 'stale', actions: set(0, 0, 'timeout') },
      },
    },
  },
});

describe('station QC machine, model-based', () => {
  it('follows the specification on a path to every transition (state and transition coverage)', async () => {
    const model = createTestModel(spec);
    // Vertices include the transition taken, so the shortest paths reach every edge of the spec.
    const paths = model.getShortestPaths();
    const visited = new Set<string>();
    const transitions = new Set<string>();
    for (const path of paths) {
      const sut = startSut();
      const drive = (event: string, act: () => void) => {
        transitions.add(`${String(sut.actor.getSnapshot().value)}:${event}`);
        act();
      };
      await path.test({
        states: Object.fromEntries(
          ['stale', 'ok', 'outlier_likely', 'degraded'].map((s) => [
            s,
            (state: AnyMachineSnapshot) => {
              visited.add(s);
              const snap = sut.actor.getSnapshot();
              expect(snap.value).toBe(s);
              expect(state.value).toBe(s);
              // The reason the machine keeps is the last verdict (or the staleness timeout).
              const v = (state.context as { v: V }).v;
              if (v === 'timeout') expect(snap.context.reason).toMatch(/no reading/);
              else if (v !== 'none') expect(snap.context.reason).toBe(v);
            },
          ]),
        ),
        events: {
          PASS: () => drive('PASS', () => sut.check('pass')),
          OUTLIER: () => drive('OUTLIER', () => sut.check('outlier')),
          FAIL: () => drive('FAIL', () => sut.check('fail')),
          TIMEOUT: () => drive('TIMEOUT', () => sut.clock.advanceBy(INPUT.staleAfterMs)),
        },
      });
      sut.actor.stop();
    }
    expect([...visited].sort()).toEqual(['degraded', 'ok', 'outlier_likely', 'stale']);
    // Every (state, event) the spec accepts was exercised (stale has no TIMEOUT).
    expect([...transitions].sort()).toEqual(["degraded", "ok", "outlier_likely", "stale"].flatMap((s) => ["FAIL", "OUTLIER", "PASS", ...(s === "stale" ? [] : ["TIMEOUT"])].map((e) => `${s}:${e}`)).sort());
  });

  it('covers every edge of the implementation machine, timers included, on the virtual clock', () => {
    const verdicts: QcVerdict[] = ['pass', 'outlier', 'fail'];
    const options = {
      input: INPUT,
      events: (s: ReturnType<typeof stationQcMachine.transition>) =>
        [...new Set(getNextTransitions(s).map((t) => t.eventType))]
          .filter((t) => t !== '')
          .flatMap((type) => (type === 'CHECKED' ? verdicts.map((verdict) => ({ type: 'CHECKED' as const, verdict, reason: verdict, at: 0 })) : [{ type } as never])),
      serializeState: (s: ReturnType<typeof stationQcMachine.transition>) =>
        `${String(s.value)}|o${Math.min(s.context.consecutiveOutliers, D)}|p${Math.min(s.context.consecutivePasses, R)}`,
    };
    const edges = adjacencyMapToArray(getAdjacencyMap(stationQcMachine, options));
    const shortest = getShortestPaths(stationQcMachine, options);
    const pathTo = new Map(shortest.map((p) => [options.serializeState(p.state), p]));
    const covered = new Set<string>();
    for (const edge of edges) {
      const prefix = pathTo.get(options.serializeState(edge.state));
      expect(prefix).toBeDefined();
      const sut = startSut();
      for (const ev of [...prefix!.steps.map((s) => s.event), edge.event]) {
        if (ev.type.startsWith('xstate.after.')) sut.clock.advanceBy(INPUT.staleAfterMs);
        else if (ev.type === 'CHECKED') sut.check((ev as { verdict: QcVerdict }).verdict);
      }
      expect(sut.actor.getSnapshot().value).toBe(edge.nextState.value);
      covered.add(`${String(edge.state.value)}->${String(edge.nextState.value)}:${edge.event.type.startsWith('xstate.after.') ? 'after' : edge.event.type}`);
      sut.actor.stop();
    }
    const graph = toDirectedGraph(stationQcMachine);
    const configured = new Set<string>();
    const walk = (node: typeof graph) => {
      for (const e of node.edges) configured.add(`${e.source.key.split('.').pop()}->${e.target.key.split('.').pop()}:${e.label.text.startsWith('xstate.after.') ? 'after' : e.label.text}`);
      node.children.forEach(walk);
    };
    walk(graph);
    for (const c of configured) expect(covered).toContain(c);
  });

  it('goes stale exactly when no reading arrives for staleAfterMs, and each reading restarts the timer', () => {
    const sut = startSut();
    sut.check('pass');
    sut.clock.advanceBy(INPUT.staleAfterMs - 1);
    expect(sut.actor.getSnapshot().value).toBe('ok');
    sut.check('pass');
    sut.clock.advanceBy(INPUT.staleAfterMs - 1);
    expect(sut.actor.getSnapshot().value).toBe('ok');
    sut.clock.advanceBy(1);
    expect(sut.actor.getSnapshot().value).toBe('stale');
    expect(sut.actor.getSnapshot().context.reason).toMatch(/no reading/);
  });
});
