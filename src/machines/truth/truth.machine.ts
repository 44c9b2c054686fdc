import { assertEvent, assign, setup } from 'xstate';
import type { VerdictState } from '../../domain/truth/assess.ts';
import { initialContext, stepFor, type TruthContext, type TruthEvent, type TruthInput } from './context.ts';

/** Node's timers overflow above this; also the "no deadline" delay (the guard then finds nothing changed). */
const MAX_DELAY_MS = 2_147_483_647;

/** Guard order when a report or timer is evaluated: the first verdict that matches wins. */
const VERDICT_ORDER: readonly VerdictState[] = [
  'invalidated',
  'disputed',
  'effectively_final',
  'pending_final',
  'stale',
  'live',
  'scheduled',
];

/** States whose timers depend on the latest evidence, so staying in them re-arms the timer. */
const REARMED = new Set<VerdictState>(['live', 'pending_final']);

type Candidate = {
  guard: { type: 'verdictIs'; params: { state: VerdictState } };
  target?: VerdictState;
  reenter?: boolean;
  actions: Array<'applyStep' | 'requestConfirmation'>;
};

/**
 * The transitions out of `from` when evidence or time changes: one per verdict the rules can reach
 * from there. Entering pending_final asks the confirmation sources (PandaScore REST, Liquipedia)
 * to look; so does a pending final that has waited max_wait_ms.
 */
function decide(from: VerdictState, verdicts: readonly VerdictState[], cause: 'report' | 'timer'): Candidate[] {
  return verdicts.map((v) => {
    const actions: Candidate['actions'] = ['applyStep'];
    if (v === 'pending_final' && (from !== 'pending_final' || cause === 'timer')) actions.push('requestConfirmation');
    const guard = { type: 'verdictIs' as const, params: { state: v } };
    if (v !== from) return { guard, target: v, actions };
    return REARMED.has(v) ? { guard, target: v, reenter: true, actions } : { guard, actions };
  });
}

/** Every verdict except stale: a first live claim comes from a source that has just spoken. */
const FROM_SCHEDULED = VERDICT_ORDER.filter((v) => v !== 'stale');

const settleByMarket = { target: 'settled', actions: 'settleByMarket' } as const;

/**
 * One esports match's truth: what the sources, weighed by tier, say about its state and winner.
 * Time enters only through report times and the injected clock's timers (`recheck` at the next
 * deadline the rules named, `settleAfter` once effectively final).
 */
export const truthMachine = setup({
  types: {
    context: {} as TruthContext,
    events: {} as TruthEvent,
    input: {} as TruthInput,
  },
  guards: {
    verdictIs: ({ context, event }, params: { state: VerdictState }) => stepFor(context, event).verdict.state === params.state,
  },
  actions: {
    applyStep: assign(({ context, event }) => stepFor(context, event)),
    /** Placeholder: the engine provides the call into the confirmation sources. */
    requestConfirmation: () => {},
    settleByMarket: assign(({ context, event }) => {
      assertEvent(event, 'SETTLE');
      return { now: Math.max(context.now, event.at), settlement: { winner: event.winner, at: event.at, by: 'market' as const } };
    }),
    markFinalSince: assign(({ context }) => ({ final_since: context.now })),
    settleByHold: assign(({ context }) => {
      const at = (context.final_since ?? context.now) + context.rules.settle_after_ms;
      return { now: Math.max(context.now, at), settlement: { winner: context.verdict.winner, at, by: 'hold' as const } };
    }),
  },
  delays: {
    recheck: ({ context }) => Math.min(MAX_DELAY_MS, Math.max(0, (context.verdict.check_at ?? Infinity) - context.now)),
    settleAfter: ({ context }) => Math.min(MAX_DELAY_MS, context.rules.settle_after_ms),
  },
}).createMachine({
  id: 'truth',
  context: ({ input }) => initialContext(input),
  initial: 'scheduled',
  states: {
    scheduled: {
      on: { REPORT: decide('scheduled', FROM_SCHEDULED, 'report'), SETTLE: settleByMarket },
    },
    live: {
      on: { REPORT: decide('live', VERDICT_ORDER, 'report'), SETTLE: settleByMarket },
      after: { recheck: decide('live', ['stale', 'live'], 'timer') },
    },
    stale: {
      on: { REPORT: decide('stale', VERDICT_ORDER, 'report'), SETTLE: settleByMarket },
    },
    pending_final: {
      on: { REPORT: decide('pending_final', VERDICT_ORDER, 'report'), SETTLE: settleByMarket },
      after: { recheck: decide('pending_final', ['pending_final'], 'timer') },
    },
    effectively_final: {
      entry: 'markFinalSince',
      on: { REPORT: decide('effectively_final', VERDICT_ORDER, 'report'), SETTLE: settleByMarket },
      after: { settleAfter: { target: 'settled', actions: 'settleByHold' } },
    },
    disputed: {
      on: { REPORT: decide('disputed', VERDICT_ORDER, 'report'), SETTLE: settleByMarket },
    },
    invalidated: {
      on: { REPORT: decide('invalidated', VERDICT_ORDER, 'report'), SETTLE: settleByMarket },
    },
    settled: { type: 'final' },
  },
});
