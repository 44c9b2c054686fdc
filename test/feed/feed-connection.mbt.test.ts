import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise, getNextTransitions, type AnyEventObject, type SnapshotFrom } from 'xstate';
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths, toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import {
  feedConnectionMachine,
  feedStatusOf,
  type FeedTimings,
  type ResyncOutput,
  type SocketCommand,
  type SocketSignal,
  type FeedConnectionEvent,
} from '../../src/machines/feed-connection/index.ts';

/**
 * Model-based coverage of the implementation machine: the adjacency map enumerates every
 * (state, event) → next-state edge reachable with bounded context; each edge is executed on a
 * real actor (virtual clock, stubbed IO) by replaying the shortest path to its source state and
 * then the edge, checking the state reached and the side effects after every step.
 */

const timings: FeedTimings = {
  pingIntervalMs: 10_000,
  maxMissedPongs: 2,
  connectTimeoutMs: 5_000,
  subscribeTimeoutMs: 5_000,
  staleAfterMs: 20_000,
  idleTimeoutMs: 60_000,
  backoff: { initialMs: 1_000, maxMs: 60_000, multiplier: 2, jitter: 0.5 },
  maxReconnectAttempts: 2,
};

type Snap = SnapshotFrom<typeof feedConnectionMachine>;

/** Bounded vertex key: state value, attempts, and missed pongs only where they matter (open). */
function serializeState(s: Snap): string {
  const open = s.matches({ session: 'open' });
  return JSON.stringify({ v: s.value, a: s.context.attempts, p: open ? s.context.missedPongs : null });
}

const payloads: Record<string, AnyEventObject[]> = {
  SOCKET_CLOSED: [
    { type: 'SOCKET_CLOSED', code: 1006, reason: 'abnormal', fatal: false, largestBatch: 4 },
    { type: 'SOCKET_CLOSED', code: 1008, reason: 'policy', fatal: false, largestBatch: 4 },
    { type: 'SOCKET_CLOSED', code: 1008, reason: 'policy at minimum batch', fatal: true, largestBatch: 1 },
  ],
  SUBSCRIBED: [{ type: 'SUBSCRIBED', assets: 3 }],
  RESYNC_NEEDED: [{ type: 'RESYNC_NEEDED', tokens: 1 }],
  'xstate.done.actor.resync': [
    { type: 'xstate.done.actor.resync', output: { resynced: 1, remaining: 0 } satisfies ResyncOutput },
    { type: 'xstate.done.actor.resync', output: { resynced: 1, remaining: 2 } satisfies ResyncOutput },
  ],
  'xstate.error.actor.resync': [{ type: 'xstate.error.actor.resync', error: new Error('rest exhausted') }],
  'xstate.error.actor.socket': [{ type: 'xstate.error.actor.socket', error: new Error('socket crashed') }],
};

/** Graph events include the actor outcomes and timer events the machine itself never types. */
function eventsFor(s: Snap): FeedConnectionEvent[] {
  const types = [...new Set(getNextTransitions(s).map((t) => t.eventType))].filter((t) => t !== '' && t !== '*');
  return types.sort().flatMap((type) => payloads[type] ?? [{ type }]) as FeedConnectionEvent[];
}

/** Stubbed IO the test controls: commands the socket received, the pending resync promise. */
class Harness {
  readonly commands: SocketCommand['type'][] = [];
  socketsStarted = 0;
  socketsLive = 0;
  resyncsStarted = 0;
  halvings = 0;
  pendingResync: { resolve: (o: ResyncOutput) => void; reject: (e: unknown) => void } | null = null;
  readonly clock = new VirtualClock(1_000_000);

  readonly machine = feedConnectionMachine.provide({
    actors: {
      marketSocket: fromCallback<SocketCommand, void, SocketSignal>(({ receive }) => {
        this.socketsStarted++;
        this.socketsLive++;
        receive((cmd) => this.commands.push(cmd.type));
        return () => {
          this.socketsLive--;
        };
      }),
      bookResync: fromPromise<ResyncOutput>(
        () =>
          new Promise<ResyncOutput>((resolve, reject) => {
            this.resyncsStarted++;
            this.pendingResync = { resolve, reject };
          }),
      ),
    },
    actions: {
      halveSubscribeBatch: () => {
        this.halvings++;
      },
    },
  });

  readonly actor = createActor(this.machine, { input: { timings, jitterSeed: 7 }, clock: this.clock });
  readonly errors: unknown[] = [];

  constructor() {
    this.actor.subscribe({ error: (e) => this.errors.push(e) });
    this.actor.start();
  }

  /** Makes `event` happen the way it happens in production, as far as the stubs allow. */
  async drive(event: AnyEventObject): Promise<void> {
    if (event.type === 'xstate.done.actor.resync') {
      const p = this.pendingResync;
      if (!p) throw new Error('no resync in flight');
      this.pendingResync = null;
      p.resolve((event as unknown as { output: ResyncOutput }).output);
      await flush();
    } else if (event.type === 'xstate.error.actor.resync') {
      const p = this.pendingResync;
      if (!p) throw new Error('no resync in flight');
      this.pendingResync = null;
      p.reject((event as unknown as { error: unknown }).error);
      await flush();
    } else {
      // Timer events are sent as they are: the graph treats each armed timer as able to fire next,
      // and firing one directly keeps the others from racing it (the timing tests cover durations).
      this.actor.send(event as never);
    }
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

const input = { timings, jitterSeed: 7 };
const traversal = {
  input,
  serializeState: (s: Snap) => serializeState(s),
  events: (s: Snap) => eventsFor(s),
  limit: 20_000,
};

function staticEdges(node: DirectedGraphNode): string[] {
  const own = node.edges.map((e) => `${e.source.id} -${e.transition.eventType}-> ${e.target.id}`);
  return [...own, ...node.children.flatMap(staticEdges)];
}

function checkInvariants(h: Harness, s: Snap): void {
  const inSession = s.matches('session');
  expect(h.socketsLive).toBe(inSession ? 1 : 0);
  expect(s.children.resync !== undefined).toBe(s.matches({ session: { open: { stream: 'resyncing' } } }));
  expect(h.errors).toEqual([]);
}

describe('feed connection machine: model-based edge coverage', () => {
  const harnessMachine = new Harness().machine;
  const adjacency = getAdjacencyMap(harnessMachine, traversal);
  const edges = adjacencyMapToArray(adjacency);
  const paths = getShortestPaths(harnessMachine, traversal);
  const pathTo = new Map(paths.map((p) => [serializeState(p.state), p]));

  it('reaches every state node and takes every transition of the machine, guarded branches included', () => {
    const graph = toDirectedGraph(feedConnectionMachine);
    const allNodes = new Set<string>();
    const walk = (n: DirectedGraphNode) => {
      allNodes.add(n.id);
      n.children.forEach(walk);
    };
    walk(graph);
    const visited = new Set(edges.flatMap((e) => [...e.nextState._nodes].map((n) => n.id)));
    expect([...allNodes].filter((n) => !visited.has(n))).toEqual([]);

    // Each declared (source, event, target) must be realised by some explored edge: the source
    // is active before, the event fires, the target is active after.
    const declared = [...new Set(staticEdges(graph))];
    expect(declared.length).toBe(24);
    const taken = (source: string, eventType: string, target: string) =>
      edges.some(
        (e) =>
          e.event.type === eventType &&
          [...e.state._nodes].some((n) => n.id === source) &&
          [...e.nextState._nodes].some((n) => n.id === target),
      );
    for (const d of declared) {
      const [, source, eventType, target] = /^(\S+) -(\S+)-> (\S+)$/.exec(d)!;
      expect(taken(source!, eventType!, target!), `transition never taken: ${d}`).toBe(true);
    }
    // The eventless backoff → failed (retries exhausted) is taken too.
    expect(edges.some((e) => feedStatusOf(e.nextState) === 'failed' && e.event.type !== 'SOCKET_CLOSED')).toBe(true);
    expect(edges.length).toBeGreaterThan(60);
  });

  it('covers every flat status the issue names', () => {
    const statuses = new Set(edges.map((e) => feedStatusOf(e.nextState)));
    expect([...statuses].sort()).toEqual(
      ['backoff', 'connecting', 'disconnected', 'failed', 'healthy', 'resyncing', 'stale', 'subscribing'].sort(),
    );
  });

  it.each(edges.map((e, i) => [i, `${feedStatusOf(e.state)} --${e.event.type}${'code' in e.event ? `(${String(e.event.code)}${e.event.fatal ? ',fatal' : ''})` : ''}--> ${feedStatusOf(e.nextState)}`, e] as const))(
    'edge %i: %s',
    async (_i, _label, edge) => {
      const path = pathTo.get(serializeState(edge.state));
      expect(path, 'no shortest path to the source state').toBeDefined();
      const h = new Harness();
      const steps = [...path!.steps.slice(1), { event: edge.event, state: edge.nextState }];
      for (const step of steps) {
        const pingsBefore = h.commands.filter((c) => c === 'SEND_PING').length;
        const subscribesBefore = h.commands.filter((c) => c === 'SUBSCRIBE_ALL').length;
        const halvingsBefore = h.halvings;
        await h.drive(step.event as AnyEventObject);
        const snap = h.actor.getSnapshot();
        expect(serializeState(snap)).toBe(serializeState(step.state));
        checkInvariants(h, snap);
        const ev = step.event as AnyEventObject;
        if (ev.type.startsWith('xstate.after.pingInterval') && snap.matches({ session: 'open' })) {
          expect(h.commands.filter((c) => c === 'SEND_PING').length).toBe(pingsBefore + 1);
        }
        if (snap.matches({ session: { open: { stream: 'subscribing' } } }) && !ev.type.startsWith('xstate.after.pingInterval') && ev.type !== 'PONG' && ev.type !== 'ASSETS_CHANGED') {
          expect(h.commands.filter((c) => c === 'SUBSCRIBE_ALL').length).toBe(subscribesBefore + 1);
        }
        if (ev.type === 'SOCKET_CLOSED' && ev.code === 1008 && !ev.fatal) expect(h.halvings).toBe(halvingsBefore + 1);
        if (ev.type === 'ASSETS_CHANGED' && snap.matches({ session: 'open' })) expect(h.commands.at(-1)).toBe('SYNC_SUBSCRIPTIONS');
      }
      h.actor.stop();
    },
  );
});
