import { assertEvent, enqueueActions, raise, setup, type AnyActorRef, type AnyStateMachine } from 'xstate';
import type { TradingConfig } from '../../config/sections/trading.ts';
import { backoffAfterFailures, failuresExceed, type RestartPolicy } from '../../domain/supervision/restart-intensity.ts';
import { firstChangeOnGrid, timeChangesDecision } from '../../domain/trading/time-bounds.ts';
import { resumeOf, type MarketTradingContext, type MarketTradingInput } from '../market-trading/context.ts';

export type MarketGroupEvent =
  | { type: 'ADD_MARKET'; input: MarketTradingInput }
  | { type: 'REMOVE_MARKET'; market_id: string }
  | { type: 'RESPAWN'; market_id: string }
  | { type: 'RESTART_EXPIRED'; market_id: string }
  /** The group's pulse, raised for its own grid point (the time it carries). */
  | { type: 'PULSE'; now_ms: number }
  /** A market of this group got an event: a resting group pulses again from the next grid point. */
  | { type: 'WAKE'; now_ms: number };

export type MarketGroupEmitted =
  | { type: 'MARKET_RESTARTING'; market_id: string; attempt: number; delay_ms: number; error: string }
  | { type: 'MARKET_DOWN'; market_id: string; restarts: number; error: string }
  /** Its restarted actor is up (started, before any event reached it). */
  | { type: 'MARKET_RESTARTED'; market_id: string };

export interface MarketGroupContext {
  group_id: string;
  capacity: number;
  inputs: Record<string, MarketTradingInput>;
  /** Restarts per market inside the restart window: each is counted down by a timer of the window's length. */
  restarts: Record<string, number>;
  down: string[];
  /** The group's time: its start, then the time of its latest pulse or wake (the events carry it). */
  now_ms: number;
  /** Its pulses fall on `origin_ms + k × watchdogMs`, where a pulse every period would fall. */
  origin_ms: number;
  /** When it pulses next (a grid point); null: no market can change with time alone, it rests until woken. */
  next_pulse_ms: number | null;
}

const PULSE_ID = 'pulse';

export interface MarketGroupDeps {
  supervision: TradingConfig['supervision'];
  /** The market machine, already `.provide()`d with its IO. */
  market: AnyStateMachine;
  /** Input for a restarted market (e.g. unsynced, with a sequence past every id it used); `last.resume`: what its predecessor had. */
  respawnInput: (marketId: string, last: MarketTradingInput) => MarketTradingInput;
  /** Period of the group's one watchdog timer, pulsing markets started with watchdog 'parent'. */
  watchdogMs: number;
}

const ERROR_PREFIX = 'xstate.error.actor.';

/** A trading market's context; undefined for another machine (a test's), which is pulsed every period. */
function marketContext(child: AnyActorRef): MarketTradingContext | undefined {
  const context = child.getSnapshot()?.context as MarketTradingContext | undefined;
  return context?.signals ? context : undefined;
}

function takesPulse(child: AnyActorRef, nowMs: number): boolean {
  return child.getSnapshot().can({ type: 'WATCHDOG', now_ms: nowMs });
}

/** The first grid point after `nowMs`. */
export function nextGridPoint(context: Pick<MarketGroupContext, 'origin_ms'>, periodMs: number, nowMs: number): number {
  return context.origin_ms + (Math.floor((nowMs - context.origin_ms) / periodMs) + 1) * periodMs;
}

/** Whether an event reaching one of the group's markets at `nowMs` must wake it: its next pulse is later than the next grid point, or none. */
export function groupRestsPast(context: Pick<MarketGroupContext, 'origin_ms' | 'next_pulse_ms'>, periodMs: number, nowMs: number): boolean {
  return context.next_pulse_ms === null || context.next_pulse_ms > nextGridPoint(context, periodMs, nowMs);
}

/**
 * Where each market first changes with time alone, by its context object (a context that is the
 * same object has not changed): a resting group asks again only of the markets that changed.
 */
const firstChangeByContext = new WeakMap<MarketTradingContext, { origin: number; at: number | null }>();

function firstChange(market: MarketTradingContext, originMs: number, periodMs: number): number | null {
  const known = firstChangeByContext.get(market);
  if (known && known.origin === originMs) return known.at;
  const at = firstChangeOnGrid(market, market.now_ms, originMs, periodMs);
  firstChangeByContext.set(market, { origin: originMs, at });
  return at;
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
      /**
       * Pulses the markets whose decision time alone can change by now. A pulse to any other would
       * be a transition that changes nothing but the actor's time (every later event brings its
       * own): in a long quiet stretch of virtual time those were nearly all the cost, every market
       * every period. The group then sleeps to the first grid point where one can change, or rests
       * until an event wakes it; while markets get events it pulses every period.
       */
      pulseMarkets: enqueueActions(({ enqueue, context, event, self }) => {
        assertEvent(event, 'PULSE');
        const now_ms = event.now_ms;
        const period = deps.watchdogMs;
        const children = self.getSnapshot().children as Record<string, AnyActorRef | undefined>;
        const soonest = now_ms + period;
        let next: number | null = null;
        const quiet: Array<{ child: AnyActorRef; market: MarketTradingContext }> = [];
        for (const id of Object.keys(context.inputs)) {
          if (context.inputs[id]!.watchdog !== 'parent' || context.down.includes(id)) continue;
          // A market waiting out its restart backoff has no actor: a pulse sent to it would fail the whole group.
          const child = children[id];
          if (!child) continue;
          const market = marketContext(child);
          if (!market || timeChangesDecision(market, market.now_ms, now_ms)) {
            // A market past trading (RESOLVED) takes no pulse: it would stay due for ever.
            if (market && !takesPulse(child, now_ms)) continue;
            enqueue.sendTo(id, { type: 'WATCHDOG', now_ms });
            next = soonest;
          } else if (market.now_ms > context.now_ms) next = soonest;
          else quiet.push({ child, market });
        }
        // Only when no market was pulsed or had an event since the last pulse: sleep past the quiet ones.
        if (next === null) {
          for (const { child, market } of quiet) {
            if (!takesPulse(child, now_ms)) continue;
            const at = firstChange(market, context.origin_ms, period);
            if (at !== null && (next === null || at < next)) next = at;
            if (next === soonest) break;
          }
        }
        enqueue.assign({ now_ms, next_pulse_ms: next });
        if (next !== null) enqueue.raise({ type: 'PULSE', now_ms: next }, { delay: next - now_ms, id: PULSE_ID });
      }),
      wake: enqueueActions(({ enqueue, context, event }) => {
        assertEvent(event, 'WAKE');
        const next = nextGridPoint(context, deps.watchdogMs, event.now_ms);
        enqueue.cancel(PULSE_ID);
        enqueue.assign({ now_ms: event.now_ms, next_pulse_ms: next });
        enqueue.raise({ type: 'PULSE', now_ms: next }, { delay: next - event.now_ms, id: PULSE_ID });
      }),
      superviseCrash: enqueueActions(({ enqueue, event, context, self }) => {
        const crash = event as unknown as { type: string; error?: unknown };
        const id = crash.type.slice(ERROR_PREFIX.length);
        const last = context.inputs[id];
        if (!last) return;
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
        // A failed actor keeps its snapshot from before the failing step: its successor resumes from
        // there (one that failed starting has none: the input it started from stands).
        const failed = (self.getSnapshot().children as Record<string, AnyActorRef | undefined>)[id];
        const predecessor = failed && marketContext(failed);
        const input = predecessor ? { ...last, resume: resumeOf(predecessor) } : last;
        enqueue.assign({ restarts: { ...context.restarts, [id]: attempt }, inputs: { ...context.inputs, [id]: input } });
        enqueue.emit({ type: 'MARKET_RESTARTING', market_id: id, attempt, delay_ms: delay, error });
        enqueue.raise({ type: 'RESPAWN', market_id: id }, { delay });
        enqueue.raise({ type: 'RESTART_EXPIRED', market_id: id }, { delay: policy.window_ms });
      }),
    },
    guards: {
      restsPast: ({ context, event }) => event.type === 'WAKE' && groupRestsPast(context, deps.watchdogMs, event.now_ms),
      hasRoom: ({ context, event }) =>
        event.type === 'ADD_MARKET' && !(event.input.spec.market_id in context.inputs) && Object.keys(context.inputs).length < context.capacity,
    },
  }).createMachine({
    id: 'marketGroup',
    context: ({ input }) => ({
      group_id: input.group_id,
      capacity: input.capacity ?? sup.max_markets_per_group,
      inputs: {},
      restarts: {},
      down: [],
      now_ms: input.now_ms,
      origin_ms: input.now_ms,
      next_pulse_ms: input.now_ms + deps.watchdogMs,
    }),
    initial: 'supervising',
    states: {
      supervising: {
        entry: raise(({ context }) => ({ type: 'PULSE' as const, now_ms: context.next_pulse_ms! }), { delay: deps.watchdogMs, id: PULSE_ID }),
        on: {
          PULSE: { actions: 'pulseMarkets' },
          WAKE: { guard: 'restsPast', actions: 'wake' },
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
              enqueue.emit({ type: 'MARKET_RESTARTED', market_id: event.market_id });
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
