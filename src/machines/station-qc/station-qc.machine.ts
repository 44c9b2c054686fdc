import { assign, setup } from 'xstate';
import type { QcVerdict } from '../../domain/weather/pws-qc.ts';

/**
 * QC state of one station (a METAR station or a PWS): `ok`, `outlier_likely` (its readings disagree
 * with the cluster or its own groups), `degraded` (hard check failures, or outliers that persist) and
 * `stale` (no reading within `staleAfterMs`, timed on the actor's clock). The state gates the nowcast
 * and trading; the machine only keeps state, the QC engine publishes its changes.
 */
export type StationQcState = 'ok' | 'outlier_likely' | 'degraded' | 'stale';

export interface StationQcInput {
  stationId: string;
  staleAfterMs: number;
  /** Consecutive outlier verdicts that turn `outlier_likely` into `degraded`. */
  outliersToDegrade: number;
  /** Consecutive passes that bring a `degraded` station back to `ok`. */
  passesToRecover: number;
}

export interface StationQcContext extends StationQcInput {
  consecutiveOutliers: number;
  consecutivePasses: number;
  reason: string;
  lastCheckAt: number | null;
}

export type StationQcEvent = { type: 'CHECKED'; verdict: QcVerdict; reason: string; at: number };

const isPass = ({ event }: { event: StationQcEvent }) => event.verdict === 'pass';
const isOutlier = ({ event }: { event: StationQcEvent }) => event.verdict === 'outlier';
const isFail = ({ event }: { event: StationQcEvent }) => event.verdict === 'fail';

export const stationQcMachine = setup({
  types: {
    context: {} as StationQcContext,
    events: {} as StationQcEvent,
    input: {} as StationQcInput,
  },
  actions: {
    recordCheck: assign(({ context, event }) => ({
      reason: event.reason,
      lastCheckAt: event.at,
      consecutiveOutliers: event.verdict === 'outlier' ? context.consecutiveOutliers + 1 : 0,
      consecutivePasses: event.verdict === 'pass' ? context.consecutivePasses + 1 : 0,
    })),
    recordStale: assign(({ context }) => ({
      reason: `no reading for ${context.staleAfterMs} ms`,
      consecutiveOutliers: 0,
      consecutivePasses: 0,
    })),
  },
  guards: {
    isPass,
    isOutlier,
    isFail,
    outlierPersists: ({ context, event }) => event.verdict === 'outlier' && context.consecutiveOutliers + 1 >= context.outliersToDegrade,
    recovered: ({ context, event }) => event.verdict === 'pass' && context.consecutivePasses + 1 >= context.passesToRecover,
  },
  delays: {
    staleAfter: ({ context }) => context.staleAfterMs,
  },
}).createMachine({
  id: 'stationQc',
  context: ({ input }) => ({ ...input, consecutiveOutliers: 0, consecutivePasses: 0, reason: 'no reading yet', lastCheckAt: null }),
  initial: 'stale',
  states: {
    ok: {
      after: { staleAfter: { target: 'stale', actions: 'recordStale' } },
      on: {
        CHECKED: [
          { guard: 'isFail', target: 'degraded', actions: 'recordCheck' },
          { guard: 'isOutlier', target: 'outlier_likely', actions: 'recordCheck' },
          { target: 'ok', reenter: true, actions: 'recordCheck' },
        ],
      },
    },
    outlier_likely: {
      after: { staleAfter: { target: 'stale', actions: 'recordStale' } },
      on: {
        CHECKED: [
          { guard: 'isFail', target: 'degraded', actions: 'recordCheck' },
          { guard: 'outlierPersists', target: 'degraded', actions: 'recordCheck' },
          { guard: 'isOutlier', target: 'outlier_likely', reenter: true, actions: 'recordCheck' },
          { target: 'ok', actions: 'recordCheck' },
        ],
      },
    },
    degraded: {
      after: { staleAfter: { target: 'stale', actions: 'recordStale' } },
      on: {
        CHECKED: [
          { guard: 'recovered', target: 'ok', actions: 'recordCheck' },
          { target: 'degraded', reenter: true, actions: 'recordCheck' },
        ],
      },
    },
    stale: {
      on: {
        CHECKED: [
          { guard: 'isFail', target: 'degraded', actions: 'recordCheck' },
          { guard: 'isOutlier', target: 'outlier_likely', actions: 'recordCheck' },
          { guard: 'isPass', target: 'ok', actions: 'recordCheck' },
        ],
      },
    },
  },
});
