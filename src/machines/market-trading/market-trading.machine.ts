import { and, assertEvent, assign, enqueueActions, raise, setup } from 'xstate';
import { haltCauses, isFinalizing, type LatchedCause } from '../../domain/trading/halt-causes.ts';
import type { MarketStateName } from '../../domain/trading/market-states.ts';
import { ordersHearing } from '../../domain/trading/matched-holdings.ts';
import { advanceOrder, isMarketable, isTerminal, newOrderRecord, pruneFinished, type OrderIntent, type OrderRecord } from '../../domain/trading/orders.ts';
import { liveOrders, plan, type PlanInput } from '../../domain/trading/plan.ts';
import { applyFill, ledgerFromVenue, resolutionPrices, settle } from '../../domain/trading/pnl-ledger.ts';
import type { BookSignal, MarketSignals } from '../../domain/trading/signals.ts';
import { initialContext, type MarketTradingContext, type MarketTradingInput, type MarketTradingInternals } from './context.ts';
import type { MarketNotice, MarketTradingEvent } from './events.ts';
import { holds, nakedSince, pairLockedNow } from './holdings.ts';
import { venueOrderRecord } from './venue-orders.ts';

/** Finished orders kept in context (reconciliation looks back at recent ones). */
const FINISHED_ORDERS_KEPT = 100;

/** A step's update with its intents, if any, as the outbox (which the `always` step `dispatchOutbox` hands on). */
function withOutbox(context: MarketTradingContext, update: Partial<MarketTradingContext>, intents: readonly OrderIntent[]): Partial<MarketTradingContext> {
  return intents.length ? { ...update, internals: { ...(update.internals ?? context.internals), outbox: intents } } : update;
}

/** The machine's own fields with `change` applied (they are nested: see MarketTradingInternals). */
function internalsWith(context: MarketTradingContext, change: Partial<MarketTradingInternals>): Pick<MarketTradingContext, 'internals'> {
  return { internals: { ...context.internals, ...change } };
}

/** The event's time becomes the actor's, never backwards (a group pulse may trail a real clock). */
function nowOf(ctx: MarketTradingContext, event: MarketTradingEvent): number {
  return 'now_ms' in event && event.now_ms > ctx.now_ms ? event.now_ms : ctx.now_ms;
}

/** What a signal changes in the context: the signal itself and the actor's time. */
type StoredSignal = Pick<MarketTradingContext, 'now_ms'> & Partial<Pick<MarketTradingContext, 'signals' | 'spec' | 'internals'>>;

/**
 * The signals with `change` applied, written out field by field: on the hot path a spread (and a
 * computed key above all) costs several times as much as a literal of the same shape.
 */
function signalsWith(s: MarketSignals, change: Partial<MarketSignals>): MarketSignals {
  return {
    books: change.books ?? s.books,
    policy: change.policy !== undefined ? change.policy : s.policy,
    truth: change.truth !== undefined ? change.truth : s.truth,
    nowcast: change.nowcast !== undefined ? change.nowcast : s.nowcast,
    risk: change.risk ?? s.risk,
    resolved: change.resolved !== undefined ? change.resolved : s.resolved,
  };
}

function booksWith(books: Readonly<Record<string, BookSignal>>, signal: BookSignal, partner: BookSignal | undefined): Record<string, BookSignal> {
  const out: Record<string, BookSignal> = {};
  for (const token in books) out[token] = books[token]!;
  out[signal.token_id] = signal;
  if (partner) out[partner.token_id] = partner;
  return out;
}

/**
 * Whether a book signal tells the market something its held books did not: other levels (the
 * router hands the same levels value while a token's book is unchanged) or another sync state. The
 * feed's periodic snapshot of an unchanged book only refreshes its time: a marketable order that
 * just took nothing there would be sent again, and meet the same answer, every snapshot.
 */
function isBookNews(held: Readonly<Record<string, BookSignal>>, signal: BookSignal, partner: BookSignal | undefined): boolean {
  const differs = (b: BookSignal) => {
    const h = held[b.token_id];
    return h === undefined || h.synced !== b.synced || h.levels !== b.levels;
  };
  return differs(signal) || (partner !== undefined && differs(partner));
}

function storedSignal(context: MarketTradingContext, event: MarketTradingEvent): StoredSignal {
  const s = context.signals;
  const now_ms = nowOf(context, event);
  switch (event.type) {
    case 'BOOK': {
      const signals = signalsWith(s, { books: booksWith(s.books, event.signal, event.partner) });
      // Written only when set: every field of the update is copied once more into the next context.
      const { awaitBook, awaitBookChange } = context.internals;
      return awaitBook && (!awaitBookChange || isBookNews(s.books, event.signal, event.partner))
        ? { now_ms, signals, ...internalsWith(context, { awaitBook: false, awaitBookChange: false }) }
        : { now_ms, signals };
    }
    case 'POLICY':
      return { now_ms, signals: signalsWith(s, { policy: event.policy }) };
    case 'TRUTH':
      return { now_ms, signals: signalsWith(s, { truth: { payload: event.truth, ts_ms: event.ts_ms } }) };
    case 'NOWCAST':
      return { now_ms, signals: signalsWith(s, { nowcast: { payload: event.nowcast, ts_ms: event.ts_ms } }) };
    case 'RISK':
      return { now_ms, signals: signalsWith(s, { risk: event.risk }) };
    case 'MARKET_RESOLVED':
      return { now_ms, signals: signalsWith(s, { resolved: { winning_token_id: event.winning_token_id } }) };
    case 'SPEC_CHANGE':
      // The venue's new tick or minimum size: the decision below already prices and sizes to it.
      return { now_ms, spec: { ...context.spec, tick_size: event.tick_size, min_order_size: event.min_order_size } };
    default:
      return { now_ms };
  }
}

function planEntersPair(context: MarketTradingContext): boolean {
  return context.plan.state === 'IDLE' && context.plan.mode === 'pair';
}

function planEntersEdge(context: MarketTradingContext): boolean {
  return context.plan.state === 'IDLE' && context.plan.mode === 'edge';
}

/**
 * What a decision in `state` reads: the context with `stored` in (when a signal brought one) and
 * the halt causes `halt`, as one object built once per evaluation (the plan's own input).
 */
function planInputOf(context: MarketTradingContext, state: MarketStateName, halt: readonly string[], stored?: StoredSignal): PlanInput {
  const spec = stored?.spec ?? context.spec;
  const signals = stored?.signals ?? context.signals;
  return {
    state,
    spec,
    signals,
    ledger: context.ledger,
    orders: context.orders,
    seq: context.seq,
    synced: context.synced,
    finalizing: isFinalizing(spec, signals),
    awaitBook: (stored?.internals ?? context.internals).awaitBook,
    haltCauses: halt,
    nowMs: stored ? stored.now_ms : context.now_ms,
    nakedSinceMs: context.nakedSinceMs,
    entriesHeldUntilMs: context.entriesHeldUntilMs,
    cfg: context.cfg,
  };
}

/**
 * The halt causes at `nowMs` on `spec` and `signals` (the context's unless a signal changes them),
 * or the current array when they did not change (so nothing downstream sees a change).
 */
function causesAt(context: MarketTradingContext, nowMs: number, spec = context.spec, signals = context.signals): string[] {
  const halt = haltCauses(spec, signals, context.latched, context.cfg, nowMs);
  return sameCauses(halt, context.halt) ? context.halt : [...halt];
}

function sameCauses(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  // A loop, not `every`: its callback would be a closure allocated on every evaluation.
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A decision on `input`, written into `update`: the plan, and the orders its intents open or
 * cancel; returns the intents. The previous plan object is kept when the decision concluded the
 * same, and a decision that concludes nothing new writes nothing, so an evaluation that changes
 * nothing allocates nothing the inspector or a snapshot observer would see as new.
 */
function decideInto(update: Partial<MarketTradingContext>, context: MarketTradingContext, input: PlanInput): readonly OrderIntent[] {
  const now = input.nowMs;
  const state = input.state;
  const p = plan(input);
  const prev = context.plan;
  const planState =
    prev.state === state && prev.mode === p.mode && prev.pairLocked === p.pairLocked && prev.note === p.note
      ? prev
      : { state, mode: p.mode, pairLocked: p.pairLocked, note: p.note };
  if (planState !== prev || p.intents.length) update.plan = planState;
  if (!p.intents.length) return p.intents;
  const orders = { ...input.orders };
  for (const i of p.intents) {
    if (i.kind === 'place') orders[i.client_order_id] = newOrderRecord(i, now);
    else if (orders[i.client_order_id]) orders[i.client_order_id] = { ...orders[i.client_order_id]!, cancel_requested: true };
  }
  update.orders = orders;
  update.seq = p.seq;
  return p.intents;
}

/**
 * One actor per market. States exactly IDLE, BUILDING_PAIR, LOCKED_PAIR, TEMPORAL_ACTIVE, HALT,
 * FINALIZING, RESOLVED. Every event updates context, recomputes halt causes as of its time and
 * decides in the current state (no entries while a halt cause or finality is pending); `always` then moves the
 * state, and entering a state raises DECIDE so the new state decides too. A decision's intents pass
 * the state's permissions (domain/trading/market-states.ts) before `dispatch`.
 * Side effects are the placeholders `dispatch` and `notify`, wired by the runtime with `.provide()`.
 * Configuration comes in the input, time on the events (`now_ms`) and from the actor's own timers,
 * whose deadlines it knows: the machine reads no clock and its context is plain data.
 */
export const marketTradingMachine = setup({
  types: {
    context: {} as MarketTradingContext,
    events: {} as MarketTradingEvent,
    input: {} as MarketTradingInput,
  },
  actions: {
    /** Send the step's intents to execution (placeholder). */
    dispatch: (_args, _params: { market_id: string; intents: readonly OrderIntent[] }) => {},
    /** Report a state change, positions or a rebuild (placeholder). */
    notify: (_args, _params: MarketNotice) => {},

    /**
     * The event's time becomes the actor's, and the halt causes move with it: every event decides,
     * and a decision on causes as of an earlier time would trade on an input gone stale since.
     */
    stamp: assign(({ context, event }) => {
      const now_ms = nowOf(context, event);
      const halt = causesAt(context, now_ms);
      return halt === context.halt ? { now_ms } : { now_ms, halt };
    }),
    /**
     * A signal, the hot path: store it, refresh the halt causes and decide in `state` in one
     * context update (each assign copies the context); `dispatchOutbox` then hands on its intents.
     */
    signalStep: assign(({ context, event }, params: { state: MarketStateName }) => {
      const stored = storedSignal(context, event);
      const halt = causesAt(context, stored.now_ms, stored.spec, stored.signals);
      // `stored` is this step's own object: the update grows on it rather than in further copies.
      const update: Partial<MarketTradingContext> = stored;
      if (halt !== context.halt) update.halt = halt;
      return withOutbox(context, update, decideInto(update, context, planInputOf(context, params.state, halt, stored)));
    }),
    applyOrderUpdate: assign(({ context, event }) => {
      assertEvent(event, 'ORDER_UPDATE');
      const o = context.orders[event.update.client_order_id];
      if (!o) return {};
      const next = advanceOrder(o, event.update);
      if (next === o) return {};
      const all = { ...context.orders, [o.client_order_id]: next };
      const orders = isTerminal(next.status) ? pruneFinished(all, FINISHED_ORDERS_KEPT) : all;
      const ended = isTerminal(next.status);
      const awaitBook = context.internals.awaitBook || ended;
      // A marketable order that took nothing found no liquidity where the book showed it (taken already, by us or others).
      const awaitBookChange = context.internals.awaitBookChange || (ended && isMarketable(next.order_type) && next.filled_size === 0);
      return { orders, ...internalsWith(context, { awaitBook, awaitBookChange }), nakedSinceMs: nakedSince(context, context.ledger, orders, context.now_ms) };
    }),
    clearCancelRequest: assign(({ context, event }) => {
      assertEvent(event, 'CANCEL_REJECTED');
      const o = context.orders[event.client_order_id];
      return o ? { orders: { ...context.orders, [o.client_order_id]: { ...o, cancel_requested: false } } } : {};
    }),
    /**
     * A resolved market's orders the venue no longer lists end here; the ones it still lists are
     * cancelled (again). A venue order it never placed is taken in as the venue shows it and
     * cancelled: from then on it is closed out and its cancel re-sent like the market's own.
     */
    closeOut: assign(({ context, event }) => {
      assertEvent(event, 'CLOSE_OUT');
      const orders = { ...context.orders };
      const cancels: OrderIntent[] = [];
      for (const v of event.foreign) {
        if (orders[v.client_order_id]) continue;
        orders[v.client_order_id] = { ...venueOrderRecord(v, context.now_ms), cancel_requested: true, reason: 'not placed by this market: found at the venue after resolution' };
        cancels.push({ kind: 'cancel', client_order_id: v.client_order_id, reason: 'state RESOLVED: venue order this market never placed' });
      }
      for (const id of event.gone) {
        const o = orders[id];
        if (o) orders[id] = advanceOrder(o, { client_order_id: id, status: 'canceled', filled_size: o.filled_size, reason: 'closed out after resolution: no longer open at the venue' });
      }
      for (const id of event.resting) {
        const o = orders[id];
        if (!o || isTerminal(o.status)) continue;
        orders[id] = { ...o, cancel_requested: true };
        cancels.push({ kind: 'cancel', client_order_id: id, reason: 'state RESOLVED: still open at the venue' });
      }
      return withOutbox(context, { orders: pruneFinished(orders, FINISHED_ORDERS_KEPT) }, cancels);
    }),
    applyFill: assign(({ context, event }) => {
      assertEvent(event, 'FILL');
      const ledger = applyFill(context.ledger, event.fill);
      const orders = ordersHearing(context.ledger, context.orders, event.fill);
      return { ledger, orders, nakedSinceMs: nakedSince(context, ledger, orders, context.now_ms) };
    }),
    rebuildFromVenue: assign(({ context, event }) => {
      assertEvent(event, 'RECONCILE_BREAK');
      const now = context.now_ms;
      const orders: Record<string, OrderRecord> = {};
      // The venue's positions, which the ledger is rebuilt from, hold what its finished orders matched.
      for (const [id, o] of Object.entries(context.orders)) if (isTerminal(o.status)) orders[id] = { ...o, heard_size: o.filled_size };
      for (const v of event.venue_orders) orders[v.client_order_id] = venueOrderRecord(v, now);
      const latched: LatchedCause[] = context.latched.includes('reconcile_break') ? context.latched : [...context.latched, 'reconcile_break'];
      const ledger = ledgerFromVenue(context.ledger, event.venue_positions);
      return { orders, ledger, nakedSinceMs: nakedSince(context, ledger, orders, now), latched: latched.sort(), synced: true };
    }),
    markReconciled: assign(({ context }) => ({ synced: true, latched: context.latched.filter((c) => c !== 'reconcile_break') })),
    latchManualHalt: assign(({ context }) => ({ latched: context.latched.includes('manual') ? context.latched : [...context.latched, 'manual' as const].sort() })),
    clearManualHalt: assign(({ context }) => ({ latched: context.latched.filter((c) => c !== 'manual') })),
    refreshCauses: assign(({ context }) => {
      const halt = causesAt(context, context.now_ms);
      return halt === context.halt ? {} : { halt };
    }),
    decide: assign(({ context }, params: { state: MarketStateName }) => {
      const update: Partial<MarketTradingContext> = {};
      return withOutbox(context, update, decideInto(update, context, planInputOf(context, params.state, context.halt)));
    }),
    clearOutbox: assign(({ context }) => internalsWith(context, { outbox: [] })),
    // HALT itself holds everything back: a hold left by an earlier halt ends here.
    enterHalt: assign(({ context }) => ({ ...internalsWith(context, { coolDownElapsed: false, haltSinceMs: context.now_ms }), entriesHeldUntilMs: null })),
    /** Leaving HALT early for a naked leg: nothing new until the cool-down would have ended it. */
    holdEntriesForCoolDown: assign(({ context }) => ({ entriesHeldUntilMs: context.internals.haltSinceMs + context.cfg.halt.cool_down_ms })),
    /** The cool-down timer fires at its deadline: that is the actor's time now. */
    markCoolDownElapsed: assign(({ context }) => ({ ...internalsWith(context, { coolDownElapsed: true }), now_ms: Math.max(context.now_ms, context.internals.haltSinceMs + context.cfg.halt.cool_down_ms) })),
    settleLedger: assign(({ context }) => ({
      ledger: settle(context.ledger, resolutionPrices([context.spec.yes_token, context.spec.no_token], context.signals.resolved?.winning_token_id ?? null)),
    })),
    rememberState: assign(({ context }, params: { state: MarketStateName }) => internalsWith(context, { lastState: params.state, announcedHalt: context.halt })),
    requestDecision: raise({ type: 'DECIDE' }),
    armWatchdog: enqueueActions(({ context, enqueue }) => {
      // It fires one period after now, the time it carries.
      if (context.internals.selfWatchdog) enqueue.raise({ type: 'WATCHDOG', now_ms: context.now_ms + context.cfg.staleness.watchdog_ms }, { delay: 'watchdog', id: 'watchdog' });
    }),
  },
  guards: {
    isFinalizing: ({ context }) => isFinalizing(context.spec, context.signals),
    isResolved: ({ context }) => context.signals.resolved !== null,
    hasHaltCauses: ({ context }) => context.halt.length > 0,
    hasOutbox: ({ context }) => context.internals.outbox.length > 0,
    haltCleared: ({ context }) => context.internals.coolDownElapsed && context.halt.length === 0,
    noHaltCauses: ({ context }) => context.halt.length === 0,
    haltCausesMoved: ({ context }) => !sameCauses(context.halt, context.internals.announcedHalt),
    /**
     * IDLE's ways out, one guard per target (every signal evaluates each `always` candidate of its
     * state; two fewer here for the signals that change nothing): holdings from a previous session
     * first, then the plan; a pair whose plan would enter yields to temporal holdings, as in the
     * order holdsPair, holdsTemporal, plan enters a pair, plan enters an edge.
     */
    idleEntersPair: ({ context }) => holds(context, 'pair_arb') || (planEntersPair(context) && !holds(context, 'temporal')),
    idleEntersTemporal: ({ context }) => holds(context, 'temporal') || planEntersEdge(context),
    pairLocked: ({ context }) => context.plan.state === 'BUILDING_PAIR' && context.plan.pairLocked,
    pairAbandoned: ({ context }) =>
      context.plan.state === 'BUILDING_PAIR' && context.plan.mode === 'none' && !holds(context, 'pair_arb') && liveOrders(context.orders).length === 0,
    temporalFlat: ({ context }) =>
      context.plan.state === 'TEMPORAL_ACTIVE' && context.plan.mode === 'none' && !holds(context, 'temporal') && liveOrders(context.orders).length === 0,
    holdsLockedPair: ({ context }) => holds(context, 'pair_arb') && pairLockedNow(context),
    /** A leg of the pair went naked (e.g. a fill FAILED after the lock): only BUILDING_PAIR can close it. */
    pairNaked: ({ context }) => context.nakedSinceMs !== null,
    holdsPair: ({ context }) => holds(context, 'pair_arb'),
    holdsTemporal: ({ context }) => holds(context, 'temporal'),
  },
  delays: {
    watchdog: ({ context }) => context.cfg.staleness.watchdog_ms,
    haltCoolDown: ({ context }) => context.cfg.halt.cool_down_ms,
  },
}).createMachine(
  (() => {
    /**
     * Decide in `state`: the plan refuses entries while halt causes or finality are pending, so
     * deciding inside the signal's own transition is safe, and `always` then moves the state.
     */
    const decideIn = (state: MarketStateName) => [{ type: 'decide', params: { state } }] as const;
    /**
     * A decision's intents go out first thing after it, before any state change: as the first
     * `always` step of every deciding state, so a decision that concluded nothing (most signals)
     * runs no action and no assign for it.
     */
    const dispatchOutbox = {
      guard: 'hasOutbox',
      actions: [{ type: 'dispatch', params: ({ context }: { context: MarketTradingContext }) => ({ market_id: context.spec.market_id, intents: context.internals.outbox }) }, 'clearOutbox'],
    } as const;
    /** Handlers every live state shares, each ending in a decision taken in that state. */
    const handlersIn = (state: MarketStateName) => {
      const decide = decideIn(state);
      const signal = { actions: [{ type: 'signalStep', params: { state } }] } as const;
      return {
        BOOK: signal,
        POLICY: signal,
        TRUTH: signal,
        NOWCAST: signal,
        RISK: signal,
        MARKET_RESOLVED: signal,
        SPEC_CHANGE: signal,
        ORDER_UPDATE: { actions: ['stamp', 'applyOrderUpdate', ...decide] },
        FILL: { actions: ['stamp', 'applyFill', { type: 'notify', params: { kind: 'positions' } as MarketNotice }, ...decide] },
        CANCEL_REJECTED: { actions: ['stamp', 'clearCancelRequest', ...decide] },
        RECONCILE_BREAK: {
          actions: [
            'stamp',
            'rebuildFromVenue',
            { type: 'notify', params: ({ event }: { event: MarketTradingEvent }): MarketNotice => ({ kind: 'rebuilt', reason: event.type === 'RECONCILE_BREAK' ? event.reason : '' }) },
            'refreshCauses',
            ...decide,
          ],
        },
        RECONCILED: { actions: ['stamp', 'markReconciled', 'refreshCauses', ...decide] },
        HALT_CMD: { actions: ['stamp', 'latchManualHalt', 'refreshCauses', ...decide] },
        RESUME_CMD: { actions: ['stamp', 'clearManualHalt', 'refreshCauses', ...decide] },
        WATCHDOG: { actions: ['stamp', 'armWatchdog', ...decide] },
        // Raised in the step that entered the state, at its time: the causes are already as of it.
        DECIDE: { actions: [...decide] },
      } as const;
    };
    const announce = (state: MarketStateName) => [
      {
        type: 'notify' as const,
        params: ({ context }: { context: MarketTradingContext }): MarketNotice => ({
          kind: 'state',
          state,
          previous: context.internals.lastState,
          reason: state === 'HALT' ? context.halt.join(',') || null : context.plan.note || null,
        }),
      },
      { type: 'rememberState', params: { state } },
      'requestDecision',
    ] as const;
    const guardedExits = [
      dispatchOutbox,
      { guard: 'isFinalizing', target: 'FINALIZING' },
      { guard: 'hasHaltCauses', target: 'HALT' },
    ] as const;

    return {
      id: 'marketTrading',
      context: ({ input }: { input: MarketTradingInput }) => initialContext(input),
      entry: ['refreshCauses', 'armWatchdog'],
      initial: 'IDLE',
      states: {
        IDLE: {
          entry: announce('IDLE'),
          on: handlersIn('IDLE'),
          always: [
            ...guardedExits,
            // Holdings in IDLE come only from a previous session (a restored paper ledger): they
            // resume in the state that manages them, as after a halt (a locked pair through
            // BUILDING_PAIR, whose plan finds it locked).
            { guard: 'idleEntersPair', target: 'BUILDING_PAIR' },
            { guard: 'idleEntersTemporal', target: 'TEMPORAL_ACTIVE' },
          ],
        },
        BUILDING_PAIR: {
          entry: announce('BUILDING_PAIR'),
          on: handlersIn('BUILDING_PAIR'),
          always: [...guardedExits, { guard: 'pairLocked', target: 'LOCKED_PAIR' }, { guard: 'pairAbandoned', target: 'IDLE' }],
        },
        LOCKED_PAIR: {
          entry: announce('LOCKED_PAIR'),
          on: handlersIn('LOCKED_PAIR'),
          always: [...guardedExits, { guard: 'pairNaked', target: 'BUILDING_PAIR' }],
        },
        TEMPORAL_ACTIVE: {
          entry: announce('TEMPORAL_ACTIVE'),
          on: handlersIn('TEMPORAL_ACTIVE'),
          always: [...guardedExits, { guard: 'temporalFlat', target: 'IDLE' }],
        },
        HALT: {
          entry: ['enterHalt', ...announce('HALT')],
          on: handlersIn('HALT'),
          // The causes as of the cool-down's end: ones refreshed before it would let the halt end on an input gone stale since.
          after: { haltCoolDown: { actions: ['markCoolDownElapsed', 'refreshCauses'] } },
          always: [
            dispatchOutbox,
            { guard: 'isFinalizing', target: 'FINALIZING' },
            // A naked pair leg does not wait out the cool-down: once every cause has cleared,
            // BUILDING_PAIR closes it as it would outside a halt (its bound counted from the fill),
            // while the plan holds back anything new until the cool-down's end.
            { guard: and(['noHaltCauses', 'pairNaked']), target: 'BUILDING_PAIR', actions: 'holdEntriesForCoolDown' },
            { guard: and(['haltCleared', 'holdsLockedPair']), target: 'LOCKED_PAIR' },
            { guard: and(['haltCleared', 'holdsPair']), target: 'BUILDING_PAIR' },
            { guard: and(['haltCleared', 'holdsTemporal']), target: 'TEMPORAL_ACTIVE' },
            { guard: 'haltCleared', target: 'IDLE' },
            // Staying in HALT, a cause that joins or clears is announced too (HALT → HALT): the
            // stream is the only record of the causes where no machine runs (a served replay).
            { guard: 'haltCausesMoved', actions: announce('HALT').slice(0, 2) },
          ],
        },
        FINALIZING: {
          entry: announce('FINALIZING'),
          on: handlersIn('FINALIZING'),
          always: [
            dispatchOutbox,
            // A resolution enters FINALIZING and leaves it in one step, before the DECIDE its entry
            // raised is taken (RESOLVED decides nothing): FINALIZING's decision, cancelling every live
            // order, runs on the way out. A resting order left at the venue could still fill after
            // the outcome is known, on a ledger that no longer books new fills.
            { guard: 'isResolved', target: 'RESOLVED', actions: [...decideIn('FINALIZING'), ...dispatchOutbox.actions] },
          ],
        },
        RESOLVED: {
          entry: ['settleLedger', { type: 'notify', params: { kind: 'positions' } as MarketNotice }, ...announce('RESOLVED').slice(0, 2)],
          // No more decisions, but the venue still answers what was sent before: the cancels of the
          // orders resting at resolution end them, and a fill matched before it is confirmed or
          // fails (the settled ledger takes that back with its payout). Until both are done the
          // runtime keeps the market (it retires only a market with nothing left to hear).
          // An order that never hears its end (a cancel the venue rejected, an answer lost) is closed
          // out by reconciliation from the venue's open orders (CLOSE_OUT), so the market settles.
          on: {
            ORDER_UPDATE: { actions: ['stamp', 'applyOrderUpdate'] },
            FILL: { actions: ['stamp', 'applyFill', { type: 'notify', params: { kind: 'positions' } as MarketNotice }] },
            CANCEL_REJECTED: { actions: ['stamp', 'clearCancelRequest'] },
            CLOSE_OUT: { actions: ['stamp', 'closeOut'] },
          },
          always: [dispatchOutbox],
        },
      },
    };
  })(),
);

export type MarketTradingMachine = typeof marketTradingMachine;
