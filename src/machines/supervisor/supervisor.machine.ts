import { assign, fromPromise, raise, setup } from 'xstate';
import { backoffAfterFailures, failuresExceed, type RestartPolicy } from '../../domain/supervision/restart-intensity.ts';

export interface SupervisorInput {
  name: string;
  policy: RestartPolicy;
}

export interface SupervisorContext extends SupervisorInput {
  outcome: 'stopped' | 'gave_up' | null;
  /** Failures inside the restart window: each is counted down by a timer of window_ms (no clock is read). */
  failuresInWindow: number;
  restarts: number;
  lastError: string | null;
}

export type SupervisorEvent = { type: 'STOP' } | { type: 'FAILURE_EXPIRED' };

export interface SupervisorOutput {
  name: string;
  outcome: 'stopped' | 'gave_up';
  restarts: number;
  lastError: string | null;
}

/**
 * Supervises one child (`child`, provided by the composition root): runs it, restarts it with
 * exponential backoff when it fails, and gives up — escalating to its parent through its output —
 * once the restart intensity is exceeded. A child that ends on its own is treated as a failure: a
 * daemon component is meant to run until it is stopped.
 */
export const supervisorMachine = setup({
  types: {
    input: {} as SupervisorInput,
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    output: {} as SupervisorOutput,
  },
  actors: {
    child: fromPromise<void, { name: string }>(async () => {
      throw new Error('supervisor: child actor not provided');
    }),
  },
  guards: {
    intensityExceeded: ({ context }) => failuresExceed(context.failuresInWindow, context.policy),
  },
  delays: {
    restartBackoff: ({ context }) => backoffAfterFailures(context.failuresInWindow, context.policy),
    restartWindow: ({ context }) => context.policy.window_ms,
  },
  actions: {
    recordFailure: assign(({ context, event }) => {
      const error = (event as { error?: unknown }).error;
      return {
        failuresInWindow: context.failuresInWindow + 1,
        lastError: error instanceof Error ? error.message : error === undefined ? 'child ended unexpectedly' : String(error),
      };
    }),
    expireLater: raise({ type: 'FAILURE_EXPIRED' }, { delay: 'restartWindow' }),
    expireFailure: assign({ failuresInWindow: ({ context }) => Math.max(0, context.failuresInWindow - 1) }),
    countRestart: assign({ restarts: ({ context }) => context.restarts + 1 }),
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({ ...input, outcome: null, failuresInWindow: 0, restarts: 0, lastError: null }),
  initial: 'running',
  on: { FAILURE_EXPIRED: { actions: 'expireFailure' } },
  states: {
    running: {
      invoke: {
        id: 'child',
        src: 'child',
        input: ({ context }) => ({ name: context.name }),
        onDone: { target: 'failed', actions: ['recordFailure', 'expireLater'] },
        onError: { target: 'failed', actions: ['recordFailure', 'expireLater'] },
      },
      on: { STOP: 'stopped' },
    },
    failed: {
      always: [{ guard: 'intensityExceeded', target: 'gaveUp' }, { target: 'backoff' }],
    },
    backoff: {
      after: { restartBackoff: { target: 'running', actions: 'countRestart' } },
      on: { STOP: 'stopped' },
    },
    gaveUp: { type: 'final', entry: assign({ outcome: 'gave_up' as const }) },
    stopped: { type: 'final', entry: assign({ outcome: 'stopped' as const }) },
  },
  output: ({ context }) => ({
    name: context.name,
    outcome: context.outcome ?? 'stopped',
    restarts: context.restarts,
    lastError: context.lastError,
  }),
});
