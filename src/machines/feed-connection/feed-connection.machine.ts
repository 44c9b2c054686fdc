import { assign, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import { backoffDelayMs } from '../../domain/retry/backoff.ts';
import { rngStep } from '../../domain/util/random.ts';
import {
  initialFeedContext,
  type FeedConnectionContext,
  type FeedConnectionInput,
  type LastDisconnect,
} from './context.ts';
import type { DisconnectReason, FeedConnectionEvent, ResyncOutput, SocketCommand, SocketSignal } from './events.ts';

function disconnect(reason: DisconnectReason, code: number | null = null, detail = ''): LastDisconnect {
  return { reason, code, detail };
}

function disconnected(context: FeedConnectionContext, reason: DisconnectReason): Partial<FeedConnectionContext> {
  return { lastDisconnect: disconnect(reason), disconnects: context.disconnects + 1 };
}

/**
 * One market-channel WebSocket: disconnected → session(connecting → open(subscribing → live
 * (healthy | stale) ⇄ resyncing)) → backoff → session …, and failed on fatal errors.
 *
 * While open, a parallel heartbeat region sends a text PING every ping interval and gives up when
 * too many go unanswered. The stream region detects the silent freeze (socket open, pings fine,
 * no data): healthy → stale after `staleAfter`, stale → backoff when the idle timeout runs out.
 *
 * IO is two named placeholders: `marketSocket` (a callback actor that owns the socket and the books
 * and sends only coalesced SocketSignals) and `bookResync` (REST snapshots for unsynced books).
 * The composition root provides them, plus `halveSubscribeBatch`, with `.provide()`.
 */
export const feedConnectionMachine = setup({
  types: {
    context: {} as FeedConnectionContext,
    events: {} as FeedConnectionEvent,
    input: {} as FeedConnectionInput,
  },
  actors: {
    marketSocket: fromCallback<SocketCommand, void, SocketSignal>(() => {
      throw new Error('marketSocket actor not provided');
    }),
    bookResync: fromPromise<ResyncOutput>(async () => {
      throw new Error('bookResync actor not provided');
    }),
  },
  actions: {
    /** The pool shares one batch size across connections; provided by the composition root. */
    halveSubscribeBatch: () => {},
    subscribeAll: sendTo('socket', { type: 'SUBSCRIBE_ALL' } as SocketCommand),
    syncSubscriptions: sendTo('socket', { type: 'SYNC_SUBSCRIPTIONS' } as SocketCommand),
    sendPing: sendTo('socket', { type: 'SEND_PING' } as SocketCommand),
    countPing: assign({ missedPongs: ({ context }) => context.missedPongs + 1 }),
    clearMissedPongs: assign({ missedPongs: 0 }),
    resetAttempts: assign({ attempts: 0 }),
    scheduleBackoff: assign(({ context }) => {
      const attempts = context.attempts + 1;
      const [u, jitterState] = rngStep(context.jitterState);
      return { attempts, jitterState, backoffMs: backoffDelayMs(attempts, context.timings.backoff, u) };
    }),
    recordClose: assign(({ context, event }) => {
      if (event.type !== 'SOCKET_CLOSED') return {};
      const reason: DisconnectReason = event.code === 1008 ? 'policy_violation' : 'socket_closed';
      return { lastDisconnect: disconnect(reason, event.code, event.reason), disconnects: context.disconnects + 1 };
    }),
    recordConnectTimeout: assign(({ context }) => disconnected(context, 'connect_timeout')),
    recordSubscribeTimeout: assign(({ context }) => disconnected(context, 'subscribe_timeout')),
    recordIdleTimeout: assign(({ context }) => disconnected(context, 'idle_timeout')),
    recordPongTimeout: assign(({ context }) => disconnected(context, 'pong_timeout')),
    recordResyncFailure: assign(({ context }) => disconnected(context, 'resync_failed')),
    recordSocketError: assign(({ context }) => disconnected(context, 'socket_error')),
    recordStop: assign({ lastDisconnect: disconnect('stopped') }),
  },
  guards: {
    isFatalClose: ({ event }) => event.type === 'SOCKET_CLOSED' && event.fatal,
    isPolicyViolation: ({ event }) => event.type === 'SOCKET_CLOSED' && event.code === 1008,
    pongOverdue: ({ context }) => context.missedPongs >= context.timings.maxMissedPongs,
    retriesExhausted: ({ context }) =>
      context.timings.maxReconnectAttempts > 0 && context.attempts > context.timings.maxReconnectAttempts,
    moreToResync: ({ event }) => ((event as { output?: ResyncOutput }).output?.remaining ?? 0) > 0,
  },
  delays: {
    pingInterval: ({ context }) => context.timings.pingIntervalMs,
    connectTimeout: ({ context }) => context.timings.connectTimeoutMs,
    subscribeTimeout: ({ context }) => context.timings.subscribeTimeoutMs,
    staleAfter: ({ context }) => context.timings.staleAfterMs,
    idleRemainder: ({ context }) => Math.max(0, context.timings.idleTimeoutMs - context.timings.staleAfterMs),
    backoffDelay: ({ context }) => context.backoffMs,
  },
}).createMachine({
  id: 'feedConnection',
  context: ({ input }) => initialFeedContext(input),
  initial: 'disconnected',
  states: {
    disconnected: {
      on: { CONNECT: 'session' },
    },
    session: {
      invoke: {
        id: 'socket',
        src: 'marketSocket',
        onError: { target: 'backoff', actions: 'recordSocketError' },
      },
      on: {
        SOCKET_CLOSED: [
          { guard: 'isFatalClose', target: 'failed', actions: 'recordClose' },
          { guard: 'isPolicyViolation', target: 'backoff', actions: ['recordClose', 'halveSubscribeBatch'] },
          { target: 'backoff', actions: 'recordClose' },
        ],
        STOP: { target: 'disconnected', actions: 'recordStop' },
      },
      initial: 'connecting',
      states: {
        connecting: {
          on: { SOCKET_OPEN: 'open' },
          after: { connectTimeout: { target: '#feedConnection.backoff', actions: 'recordConnectTimeout' } },
        },
        open: {
          type: 'parallel',
          entry: 'clearMissedPongs',
          on: { ASSETS_CHANGED: { actions: 'syncSubscriptions' } },
          states: {
            heartbeat: {
              initial: 'beating',
              states: {
                beating: {
                  on: { PONG: { actions: 'clearMissedPongs' } },
                  after: {
                    pingInterval: [
                      { guard: 'pongOverdue', target: '#feedConnection.backoff', actions: 'recordPongTimeout' },
                      { target: 'beating', reenter: true, actions: ['countPing', 'sendPing'] },
                    ],
                  },
                },
              },
            },
            stream: {
              initial: 'subscribing',
              states: {
                subscribing: {
                  entry: 'subscribeAll',
                  on: { SUBSCRIBED: { target: 'live', actions: 'resetAttempts' } },
                  after: {
                    subscribeTimeout: { target: '#feedConnection.backoff', actions: 'recordSubscribeTimeout' },
                  },
                },
                live: {
                  initial: 'healthy',
                  on: { RESYNC_NEEDED: 'resyncing' },
                  states: {
                    healthy: {
                      tags: ['live'],
                      on: { DATA_SEEN: { target: 'healthy', reenter: true } },
                      after: { staleAfter: 'stale' },
                    },
                    stale: {
                      tags: ['live'],
                      on: { DATA_SEEN: 'healthy' },
                      after: {
                        idleRemainder: { target: '#feedConnection.backoff', actions: 'recordIdleTimeout' },
                      },
                    },
                  },
                },
                resyncing: {
                  tags: ['live'],
                  invoke: {
                    id: 'resync',
                    src: 'bookResync',
                    onDone: [
                      { guard: 'moreToResync', target: 'resyncing', reenter: true },
                      { target: 'live' },
                    ],
                    onError: { target: '#feedConnection.backoff', actions: 'recordResyncFailure' },
                  },
                },
              },
            },
          },
        },
      },
    },
    backoff: {
      entry: 'scheduleBackoff',
      always: { guard: 'retriesExhausted', target: 'failed' },
      after: { backoffDelay: 'session' },
      on: { STOP: { target: 'disconnected', actions: 'recordStop' } },
    },
    failed: {
      on: { RESET: { target: 'disconnected', actions: 'resetAttempts' } },
    },
  },
});

export type FeedConnectionMachine = typeof feedConnectionMachine;
