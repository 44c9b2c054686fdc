import { assign, createActor, createMachine, getNextTransitions, type AnyMachineSnapshot } from 'xstate';
import { adjacencyMapToArray, createTestModel, getAdjacencyMap, getShortestPaths, toDirectedGraph } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { QcVerdict } from '../../src/domain/weather/pws-qc.ts';
import { stationQcMachine, type StationQcInput } from '../../src/machines/station-qc/station-qc.machine.ts';

const INPUT: StationQcInput = { stationId: 'KLGA', staleAfterMs: 30 * 60_000, outliersToDegrade: 2, passesToRecover: 2 };
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
const spec = createMachine({
  types: {} as { context: { o: number; p: number }; events: { type: 'PASS' } | { type: 'OUTLIER' } | { type: 'FAIL' } | { type: 'TIMEOUT' } },
  id: 'spec',
  initial: 'stale',
  context: { o: 0, p: 0 },
  states: {
    stale: {
      on: {
        PASS: { target: 'ok', actions: assign({ o: 0, p: 1 }) },
        OUTLIER: { target: 'outlier_likely', actions: assign({ o: 1, p: 0 }) },
        FAIL: { target: 'degraded', actions: assign({ o: 0, p: 0 }) },
      },
    },
    ok: {
      on: {
        PASS: { target: 'ok', actions: assign(({ context }) => ({ o: 0, p: Math.min(context.p + 1, R) })) },
        OUTLIER: { target: 'outlier_likely', actions: assign({ o: 1, p: 0 }) },
        FAIL: { target: 'degraded', actions: assign({ o: 0, p: 0 }) },
        TIMEOUT: { target: 'stale', actions: assign({ o: 0, p: 0 }) },
      },
    },
    outlier_likely: {
      on: {
        PASS: { target: 'ok', actions: assign({ o: 0, p: 1 }) },
        OUTLIER: [
          { guard: ({ context }) => context.o + 1 >= D, target: 'degraded', actions: assign({ o: 0, p: 0 }) },
          { target: 'outlier_likely', actions: assign(({ context }) => ({ o: context.o + 1, p: 0 })) },
        ],
        FAIL: { target: 'degraded', actions: assign({ o: 0, p: 0 }) },
        TIMEOUT: { target: 'stale', actions: assign({ o: 0, p: 0 }) },
      },
    },
    degraded: {
      on: {
        PASS: [
          { guard: ({ context }) => context.p + 1 >= R, target: 'ok', actions: assign({ o: 0, p: 0 }) },
          { target: 'degraded', actions: assign(({ context }) => ({ o: 0, p: context.p + 1 })) },
        ],
        OUTLIER: { target: 'degraded', actions: assign({ o: 0, p: 0 }) },
        FAIL: { target: 'degraded', actions: assign({ o: 0, p: 0 }) },
        TIMEOUT: { target: 'stale', actions: assign({ o: 0, p: 0 }) },
      },
    },
  },
});

describe('station QC machine, model-based', () => {
  it('follows the specification on every shortest and simple path (state and transition coverage)', async () => {
    const model = createTestModel(spec);
    const paths = [...model.getShortestPaths(), ...model.getSimplePaths()];
    const visited = new Set<string>();
    const transitions = new Set<string>();
    for (const path of paths) {
      const sut = startSut();
      await path.test({
        states: Object.fromEntries(
          ['stale', 'ok', 'outlier_likely', 'degraded'].map((s) => [
            s,
            (state: AnyMachineSnapshot) => {
              visited.add(s);
              expect(sut.actor.getSnapshot().value).toBe(s);
              expect(state.value).toBe(s);
            },
          ]),
        ),
        events: {
          PASS: () => sut.check('pass'),
          OUTLIER: () => sut.check('outlier'),
          FAIL: () => sut.check('fail'),
          TIMEOUT: () => sut.clock.advanceBy(INPUT.staleAfterMs),
        },
      });
      for (const step of path.steps) transitions.add(`${JSON.stringify(step.state.value)}:${step.event.type}`);
      sut.actor.stop();
    }
    expect([...visited].sort()).toEqual(['degraded', 'ok', 'outlier_likely', 'stale']);
    // Every (state, event) the spec accepts was exercised (stale has no TIMEOUT).
    expect(transitions.size).toBeGreaterThanOrEqual(4 * 4 - 1);
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
