import { describe, expect, it } from 'vitest';
import { createActor, getNextTransitions, type SnapshotFrom } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { isSilent } from '../../src/domain/truth/assess.ts';
import { sourcesInOrder } from '../../src/domain/truth/evidence.ts';
import type { ReportStatus } from '../../src/domain/truth/report.ts';
import { truthView } from '../../src/domain/truth/view.ts';
import type { TruthEvent } from '../../src/machines/truth/context.ts';
import { truthMachine } from '../../src/machines/truth/truth.machine.ts';
import { MATCH, RULES, report } from './support.ts';

type Snap = SnapshotFrom<typeof truthMachine>;
type AnyEvent = TruthEvent | { type: `xstate.after.${string}` };

/** A small alphabet that still reaches every transition: who says what. */
const SAYINGS: Array<[string, ReportStatus, string | null]> = [
  ['grid', 'not_started', null],
  ['grid', 'running', null],
  ['grid', 'finished', 'A'],
  ['grid', 'invalidated', null],
  ['pandascore', 'not_started', null],
  ['pandascore', 'running', null],
  ['pandascore', 'finished', 'A'],
  ['pandascore', 'finished', 'B'],
  ['polymarket_sports', 'running', null],
  ['polymarket_sports', 'finished', 'A'],
  ['liquipedia', 'finished', 'A'],
  ['liquipedia', 'finished', 'B'],
];

/** Reports come 1 ms after the machine's latest time; time passes only through the machine's own timers. */
function events(snap: Snap): AnyEvent[] {
  if (snap.status !== 'active') return [];
  const at = snap.context.now + 1;
  const timers = [...new Set(getNextTransitions(snap).map((t) => t.eventType))]
    .filter((t) => t.startsWith('xstate.after.'))
    .map((type) => ({ type }) as AnyEvent);
  return [
    ...SAYINGS.map(([source, status, winner]): AnyEvent => ({ type: 'REPORT', report: report(source, status, at, winner) })),
    { type: 'SETTLE', winner: 'A', at },
    ...timers,
  ];
}

/** What can influence future transitions: the state, each source's claim and silence, and overdue-ness. */
function serializeState(snap: Snap): string {
  const c = snap.context;
  const sources = sourcesInOrder(c.evidence).map((s) => `${s.source}:${s.status}:${s.winner ?? ''}:${isSilent(s, c.now, RULES) ? 'silent' : 'fresh'}`);
  return `${String(snap.value)}|${sources.join(',')}|${c.verdict.overdue ? 'overdue' : ''}`;
}

function serializeEvent(e: AnyEvent): string {
  return e.type === 'REPORT' ? `REPORT:${e.report.source}:${e.report.status}:${e.report.winner ?? ''}` : e.type;
}

const traversal = {
  input: { match: MATCH, rules: RULES, now: 0 },
  events,
  serializeState: (s: Snap) => serializeState(s),
  serializeEvent: (e: AnyEvent) => serializeEvent(e),
};

/** Every (state, event type, target) the machine definition declares; targetless and reentering ones go to themselves. */
function declaredTransitions(): Set<string> {
  const out = new Set<string>();
  for (const [name, node] of Object.entries(truthMachine.root.states)) {
    for (const [eventType, list] of node.transitions) {
      for (const t of list) {
        const target = t.target?.[0]?.key ?? name;
        out.add(`${name} --${eventType}--> ${target}`);
      }
    }
  }
  return out;
}

function edgeKey(from: Snap, event: AnyEvent, to: Snap): string {
  return `${String(from.value)} --${event.type}--> ${String(to.value)}`;
}

describe('truth machine, model-based (xstate/graph)', () => {
  const adjacency = getAdjacencyMap(truthMachine as never, traversal as never) as Record<
    string,
    { state: Snap; transitions: Record<string, { event: AnyEvent; state: Snap }> }
  >;
  const declared = declaredTransitions();

  /** For each declared transition, one vertex and event that take it. */
  const witnesses = new Map<string, { vertex: string; event: AnyEvent }>();
  for (const [vertex, { state, transitions }] of Object.entries(adjacency)) {
    for (const { event, state: next } of Object.values(transitions)) {
      const key = edgeKey(state, event, next);
      if (!witnesses.has(key)) witnesses.set(key, { vertex, event });
    }
  }

  it('reaches every state of the machine', () => {
    const reached = new Set(Object.values(adjacency).map((v) => String(v.state.value)));
    expect([...reached].sort()).toEqual(Object.keys(truthMachine.root.states).sort());
  });

  it('takes every declared transition, and no undeclared one', () => {
    const missing = [...declared].filter((k) => !witnesses.has(k));
    expect(missing).toEqual([]);
    const undeclared = [...witnesses.keys()].filter((k) => !declared.has(k));
    expect(undeclared).toEqual([]);
    expect(declared.size).toBeGreaterThan(50);
  });

  it('replays a shortest path to each transition on a live actor with a virtual clock', () => {
    const paths = getShortestPaths(truthMachine as never, traversal as never) as unknown as Array<{ state: Snap; steps: Array<{ event: AnyEvent; state: Snap }> }>;
    const pathTo = new Map(paths.map((p) => [serializeState(p.state), p]));
    let replayed = 0;
    for (const [key, { vertex, event }] of [...witnesses].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const path = pathTo.get(vertex);
      expect(path, `a path to ${vertex}`).toBeDefined();
      const steps = [...path!.steps.slice(1), { event, state: adjacency[vertex]!.transitions[serializeEvent(event)]!.state }];
      const clock = new VirtualClock(0);
      const actor = createActor(truthMachine, { clock, input: { match: MATCH, rules: RULES, now: 0 } }).start();
      for (const step of steps) {
        if (step.event.type.startsWith('xstate.after.')) {
          const deadline = clock.nextDeadline();
          expect(deadline, `${key}: a pending timer for ${step.event.type}`).toBeDefined();
          clock.advanceTo(deadline!);
        } else {
          actor.send(step.event as TruthEvent);
        }
        const snap = actor.getSnapshot();
        expect(String(snap.value), key).toBe(String(step.state.value));
        expect(snap.context.verdict.state === snap.value || snap.value === 'settled', key).toBe(true);
        assertInvariants(snap);
      }
      actor.stop();
      replayed++;
    }
    expect(replayed).toBe(declared.size);
  });
});

/** What every state promises to consumers of TRUTH_STATE. */
function assertInvariants(snap: Snap): void {
  const c = snap.context;
  const view = truthView({
    state: snap.value as never,
    verdict: c.verdict,
    evidence: c.evidence,
    settlement: c.settlement,
    match: c.match,
    rules: c.rules,
    now: c.now,
  });
  expect(view.stale).toBe(snap.value === 'stale');
  if (!['live', 'effectively_final', 'settled'].includes(String(snap.value))) expect(view.implied_p).toBeNull();
  if (snap.value === 'effectively_final') {
    expect(view.winner).not.toBeNull();
    expect(view.confidence).toBeGreaterThanOrEqual(RULES.confirm_threshold);
  }
  if (snap.value === 'disputed' || snap.value === 'stale') expect(view.confidence).toBe(0);
  if (view.implied_p) expect(Object.values(view.implied_p).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
}
