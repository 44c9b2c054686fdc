import { describe, expect, it } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { supervisorMachine } from '../../src/machines/supervisor/supervisor.machine.ts';
import { supervisorId, systemMachine } from '../../src/machines/system/system.machine.ts';

const policy = { max_restarts: 3, window_ms: 60_000, backoff_min_ms: 100, backoff_max_ms: 1_000 };

/** Starts a child life that fails after `lifeMs` of virtual time (recording when it started). */
function failAfter(clock: VirtualClock, lifeMs: number, starts: number[]): Promise<void> {
  return new Promise<void>((_, reject) => {
    starts.push(clock.now());
    clock.setTimeout(() => reject(new Error('boom')), lifeMs);
  });
}

function failingChild(clock: VirtualClock, lifeMs: number, starts: number[]) {
  return fromPromise<void, { name: string }>(() => failAfter(clock, lifeMs, starts));
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe('supervisor', () => {
  it('restarts a failing child with exponential backoff, then gives up past the intensity limit', async () => {
    const clock = new VirtualClock(0);
    const starts: number[] = [];
    const machine = supervisorMachine.provide({ actors: { child: failingChild(clock, 10, starts) } });
    const actor = createActor(machine, { clock, input: { name: 'feeds', policy } }).start();
    await clock.advanceSettling(5_000, settle);
    // failures at 10, 120 (10+100+10), 330 (+200), 740 (+400) → the 4th failure exceeds 3 restarts.
    expect(starts).toEqual([0, 110, 320, 730]);
    expect(actor.getSnapshot().status).toBe('done');
    expect(actor.getSnapshot().output).toEqual({ name: 'feeds', outcome: 'gave_up', restarts: 3, lastError: 'boom' });
  });

  it('forgets failures older than the window', async () => {
    const clock = new VirtualClock(0);
    const starts: number[] = [];
    const machine = supervisorMachine.provide({ actors: { child: failingChild(clock, 30_000, starts) } });
    const actor = createActor(machine, { clock, input: { name: 'x', policy: { ...policy, window_ms: 20_000 } } }).start();
    await clock.advanceSettling(300_000, settle);
    expect(starts.length).toBeGreaterThan(5);
    expect(actor.getSnapshot().status).toBe('active');
  });

  it('keeps only plain data in its context: no clock, no function (the inspector serialises it)', async () => {
    const clock = new VirtualClock(0);
    const actor = createActor(supervisorMachine.provide({ actors: { child: failingChild(clock, 10, []) } }), { clock, input: { name: 'x', policy } }).start();
    await clock.advanceSettling(50, settle);
    const context = actor.getSnapshot().context;
    expect(context.failuresInWindow).toBe(1);
    expect(JSON.parse(JSON.stringify(context))).toEqual(context);
    expect(Object.values(context).filter((v) => typeof v === 'function')).toEqual([]);
  });

  it('reaches every state (graph coverage)', () => {
    const paths = getShortestPaths(supervisorMachine, {
      input: { name: 'x', policy: { ...policy, max_restarts: 0 } },
      events: [{ type: 'STOP' }],
    });
    const reached = new Set(paths.map((p) => JSON.stringify(p.state.value)));
    for (const s of ['running', 'stopped']) expect(reached).toContain(JSON.stringify(s));
  });
});

describe('system root', () => {
  it('escalates to fatal (exit code 3) when one component exhausts its restarts', async () => {
    const clock = new VirtualClock(0);
    const starts: number[] = [];
    const machine = systemMachine.provide({
      actors: {
        supervisor: supervisorMachine.provide({
          actors: {
            child: fromPromise<void, { name: string }>(({ input }) => (input.name === 'bad' ? failAfter(clock, 10, starts) : new Promise<void>(() => {}))),
          },
        }),
      },
    });
    const actor = createActor(machine, { clock, input: { components: ['good', 'bad'], policy } }).start();
    expect(Object.keys(actor.getSnapshot().children).sort()).toEqual([supervisorId('bad'), supervisorId('good')]);
    await clock.advanceSettling(5_000, settle);
    expect(actor.getSnapshot().status).toBe('done');
    expect(actor.getSnapshot().output?.exitCode).toBe(3);
    expect(actor.getSnapshot().output?.failed?.name).toBe('bad');
  });

  it('stops every supervisor on SHUTDOWN with exit code 0', () => {
    const clock = new VirtualClock(0);
    const machine = systemMachine.provide({
      actors: { supervisor: supervisorMachine.provide({ actors: { child: fromPromise(() => new Promise<void>(() => {})) } }) },
    });
    const actor = createActor(machine, { clock, input: { components: ['a', 'b'], policy } }).start();
    actor.send({ type: 'SHUTDOWN' });
    expect(actor.getSnapshot().status).toBe('done');
    expect(actor.getSnapshot().output).toEqual({ exitCode: 0, failed: null });
  });
});
