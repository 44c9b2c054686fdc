import { enqueueActions, setup, type AnyActorRef, type AnyStateMachine } from 'xstate';
import type { TradingConfig } from '../../config/sections/trading.ts';
import { backoffAfterFailures, failuresExceed, type RestartPolicy } from '../../domain/supervision/restart-intensity.ts';
import { timeChangesDecision } from '../../domain/trading/time-bounds.ts';
import type { MarketTradingContext, MarketTradingInput } from '../market-trading/context.ts';

export type MarketGroupEvent =
  | { type: 'ADD_MARKET'; input: MarketTradingInput }
  | { type: 'REMOVE_MARKET'; market_id: string }
  | { type: 'RESPAWN'; market_id: string }
  | { type: 'RESTART_EXPIRED'; market_id: string };

export type MarketGroupEmitted =
  | { type: 'MARKET_RESTARTING'; market_id: string; attempt: number; delay_ms: number; error: string }
  | { type: 'MARKET_DOWN'; market_id: string; restarts: number; error: string };

export interface MarketGroupContext {
  group_id: string;
  capacity: number;
  inputs: Record<string, MarketTradingInput>;
  /** Restarts per market inside the restart window: each is counted down by a timer of the window's length. */
  restarts: Record<string, number>;
  down: string[];
  /** The group's time: its start, advanced by one period per watchdog pulse (the pulse carries it). */
  now_ms: number;
}

export interface MarketGroupDeps {
  supervision: TradingConfig['supervision'];
  /** The market machine, already `.provide()`d with its IO. */
  market: AnyStateMachine;
  /** Input for a restarted market (e.g. unsynced, with a sequence past every id it used). */
  respawnInput: (marketId: string, last: MarketTradingInput) => MarketTradingInput;
  /** Period of the group's one watchdog timer, pulsing markets started with watchdog 'parent'. */
  watchdogMs: number;
}

const ERROR_PREFIX = 'xstate.error.actor.';

/**
 * Whether a pulse at `nowMs` can change what a market decides. One that cannot would be a
 * transition that changes nothing but the actor's time, and every later event brings its own time:
 * such pulses are most of what a long quiet stretch of virtual time costs (every market, every
 * period), so they are not sent. A child that is not a trading market (a test's) is always pulsed.
 */
function pulseCanChange(child: AnyActorRef | undefined, nowMs: number): boolean {
  const market = child?.getSnapshot()?.context as MarketTradingContext | undefined;
  return !market?.signals || timeChangesDecision(market, market.now_ms, nowMs);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A shard of market actors (≤ ~100: spawning N children under one parent costs O(N²), xstate.md
 * §5). One-for-one supervision: a crashed market is restarted after an exponential backoff unless
 * it crashed more than `max_restarts` times within `restart_window_ms`, in which case it stays down
 * and MARKET_DOWN is emitted; siblings are untouched.
 */
export function createMarketGroupMachine(deps: MarketGroupDeps) {
  const sup = deps.supervision;
  // The one restart-intensity rule set (the daemon's supervisors use it too), on trading's keys.
  const policy: RestartPolicy = { max_restarts: sup.max_restarts, window_ms: sup.restart_window_ms, backoff_min_ms: sup.restart_backoff_min_ms, backoff_max_ms: sup.restart_backoff_max_ms };
  return setup({
    types: {
      context: {} as MarketGroupContext,
      events: {} as MarketGroupEvent,
      input: {} as { group_id: string; capacity?: number; now_ms: number },
      emitted: {} as MarketGroupEmitted,
    },
    actors: { market: deps.market },
    actions: {
      pulseMarkets: enqueueActions(({ enqueue, context, self }) => {
        const now_ms = context.now_ms + deps.watchdogMs;
        enqueue.assign({ now_ms });
        const children = self.getSnapshot().children as Record<string, AnyActorRef | undefined>;
        for (const id of Object.keys(context.inputs)) {
          if (context.inputs[id]!.watchdog !== 'parent' || context.down.includes(id)) continue;
          if (pulseCanChange(children[id], now_ms)) enqueue.sendTo(id, { type: 'WATCHDOG', now_ms });
        }
      }),
      superviseCrash: enqueueActions(({ enqueue, event, context }) => {
        const crash = event as unknown as { type: string; error?: unknown };
        const id = crash.type.slice(ERROR_PREFIX.length);
        if (!(id in context.inputs)) return;
        const error = errorText(crash.error);
        const recent = context.restarts[id] ?? 0;
        enqueue.stopChild(id);
        if (failuresExceed(recent + 1, policy)) {
          enqueue.assign({ down: [...context.down.filter((d) => d !== id), id].sort() });
          enqueue.emit({ type: 'MARKET_DOWN', market_id: id, restarts: recent, error });
          return;
        }
        const attempt = recent + 1;
        const delay = backoffAfterFailures(attempt, policy);
        enqueue.assign({ restarts: { ...context.restarts, [id]: attempt } });
        enqueue.emit({ type: 'MARKET_RESTARTING', market_id: id, attempt, delay_ms: delay, error });
        enqueue.raise({ type: 'RESPAWN', market_id: id }, { delay });
        enqueue.raise({ type: 'RESTART_EXPIRED', market_id: id }, { delay: policy.window_ms });
      }),
    },
    delays: { watchdog: deps.watchdogMs },
    guards: {
      hasRoom: ({ context, event }) =>
        event.type === 'ADD_MARKET' && !(event.input.spec.market_id in context.inputs) && Object.keys(context.inputs).length < context.capacity,
    },
  }).createMachine({
    id: 'marketGroup',
    context: ({ input }) => ({ group_id: input.group_id, capacity: input.capacity ?? sup.max_markets_per_group, inputs: {}, restarts: {}, down: [], now_ms: input.now_ms }),
    initial: 'supervising',
    states: {
      supervising: {
        after: { watchdog: { target: 'supervising', reenter: true, actions: 'pulseMarkets' } },
        on: {
          ADD_MARKET: {
            guard: 'hasRoom',
            actions: enqueueActions(({ enqueue, event, context }) => {
              const id = event.input.spec.market_id;
              enqueue.assign({ inputs: { ...context.inputs, [id]: event.input } });
              enqueue.spawnChild('market', { id, input: event.input });
            }),
          },
          REMOVE_MARKET: {
            actions: enqueueActions(({ enqueue, event, context }) => {
              const { [event.market_id]: _gone, ...inputs } = context.inputs;
              enqueue.stopChild(event.market_id);
              enqueue.assign({ inputs, down: context.down.filter((d) => d !== event.market_id) });
            }),
          },
          RESPAWN: {
            actions: enqueueActions(({ enqueue, event, context }) => {
              const last = context.inputs[event.market_id];
              if (!last) return;
              const input = deps.respawnInput(event.market_id, last);
              enqueue.assign({ inputs: { ...context.inputs, [event.market_id]: input } });
              enqueue.spawnChild('market', { id: event.market_id, input });
            }),
          },
          RESTART_EXPIRED: {
            actions: enqueueActions(({ enqueue, event, context }) => {
              const left = (context.restarts[event.market_id] ?? 0) - 1;
              const { [event.market_id]: _done, ...rest } = context.restarts;
              enqueue.assign({ restarts: left > 0 ? { ...rest, [event.market_id]: left } : rest });
            }),
          },
          'xstate.error.actor.*': { actions: 'superviseCrash' },
        },
      },
    },
  });
}

export type MarketGroupMachine = ReturnType<typeof createMarketGroupMachine>;
