import { assign, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import type { RestartPolicy } from '../../domain/supervision/restart-intensity.ts';
import { supervisorMachine, type SupervisorOutput } from '../supervisor/supervisor.machine.ts';

export interface SystemInput {
  /** Daemon components in start order; each runs under its own supervisor. */
  components: string[];
  policy: RestartPolicy;
}

export interface SystemContext extends SystemInput {
  failed: SupervisorOutput | null;
}

export type SystemEvent = { type: 'SHUTDOWN' };

export interface SystemOutput {
  /** 0 after a requested shutdown, 3 when a component exhausted its restart intensity. */
  exitCode: 0 | 3;
  failed: SupervisorOutput | null;
}

export const supervisorId = (component: string): string => `supervisor:${component}`;

/**
 * The root of the actor tree: one supervisor per daemon component (feed pools, world, truth,
 * nowcast, market groups, execution, risk, reconciliation, recorder, API). When any supervisor
 * gives up, the whole system escalates to `fatal` so the process exits non-zero and a service
 * manager restarts it; SHUTDOWN stops every supervisor.
 */
export const systemMachine = setup({
  types: {
    input: {} as SystemInput,
    context: {} as SystemContext,
    events: {} as SystemEvent,
    output: {} as SystemOutput,
  },
  actors: { supervisor: supervisorMachine },
  guards: {
    supervisorGaveUp: ({ event }) => (event as unknown as { output?: SupervisorOutput }).output?.outcome === 'gave_up',
  },
  actions: {
    spawnSupervisors: enqueueActions(({ context, enqueue }) => {
      for (const name of context.components) {
        enqueue.spawnChild('supervisor', {
          id: supervisorId(name),
          input: { name, policy: context.policy },
        });
      }
    }),
    stopSupervisors: enqueueActions(({ context, enqueue, self }) => {
      for (const name of context.components) {
        const child = self.getSnapshot().children[supervisorId(name)] as ActorRefFrom<typeof supervisorMachine> | undefined;
        if (child?.getSnapshot().status === 'active') enqueue.sendTo(child, { type: 'STOP' });
      }
    }),
    recordFailure: assign({ failed: ({ event }) => (event as unknown as { output: SupervisorOutput }).output }),
  },
}).createMachine({
  id: 'system',
  context: ({ input }) => ({ ...input, failed: null }),
  initial: 'running',
  states: {
    running: {
      entry: 'spawnSupervisors',
      on: {
        SHUTDOWN: 'stopping',
        'xstate.done.actor.*': { guard: 'supervisorGaveUp', target: 'fatal', actions: 'recordFailure' },
      },
    },
    stopping: {
      entry: 'stopSupervisors',
      always: 'stopped',
    },
    fatal: { type: 'final', entry: 'stopSupervisors' },
    stopped: { type: 'final' },
  },
  output: ({ context }) => ({ exitCode: context.failed ? 3 : 0, failed: context.failed }),
});
