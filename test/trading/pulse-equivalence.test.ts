import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, enqueueActions, setup, type AnyActorRef, type AnyStateMachine } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createMarketGroupMachine } from '../../src/machines/market-group/market-group.machine.ts';
import type { MarketTradingContext, MarketTradingInput } from '../../src/machines/market-trading/context.ts';
import type { MarketInputEvent, MarketTradingEvent } from '../../src/machines/market-trading/events.ts';
import type { NowcastSignal } from '../../src/domain/trading/policy.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { isTerminal, type OrderStatus } from '../../src/domain/trading/orders.ts';
import { MarketGroups } from '../../src/runtime/trading/market-groups.ts';
import { book, bookSignal, defaultSections, spec, truthSignal } from './support.ts';

/**
 * The market group pulses only markets whose decision time alone can change, and sleeps through
 * stretches where none can. The claim: every market decides exactly as under a group that pulses
 * every market every period. Checked here against that reference over random event sequences.
 */

const cfg = defaultSections().trading;
const PERIOD = cfg.staleness.watchdog_ms;
const START = 1_000_000;
const MARKETS = [
  spec({ market_id: 'm1' }),
  spec({ market_id: 'm2', yes_token: 'Y2', no_token: 'N2', fair_source: { kind: 'truth', outcome_by_token: { Y2: 'teamA', N2: 'teamB' } }, strategies: { pair_arb: false, temporal: true } }),
  spec({ market_id: 'm3', yes_token: 'Y3', no_token: 'N3', fair_source: { kind: 'nowcast', bucket_label: '80-81', yes_token: 'Y3', no_token: 'N3' }, strategies: { pair_arb: true, temporal: true } }),
];

/** The group as it was before it learned to skip pulses: every market, every period. */
function alwaysPulsingGroup(market: AnyStateMachine) {
  return setup({
    types: { context: {} as { now_ms: number; ids: string[] }, events: {} as { type: 'ADD_MARKET'; input: MarketTradingInput }, input: {} as { now_ms: number } },
    actors: { market },
  }).createMachine({
    context: ({ input }) => ({ now_ms: input.now_ms, ids: [] }),
    on: {
      ADD_MARKET: {
        actions: enqueueActions(({ enqueue, context, event }) => {
          enqueue.assign({ ids: [...context.ids, event.input.spec.market_id] });
          enqueue.spawnChild('market', { id: event.input.spec.market_id, input: event.input });
        }),
      },
    },
    initial: 'pulsing',
    states: {
      pulsing: {
        after: {
          [PERIOD]: {
            target: 'pulsing',
            reenter: true,
            actions: enqueueActions(({ enqueue, context }) => {
              const now_ms = context.now_ms + PERIOD;
              enqueue.assign({ now_ms });
              for (const id of context.ids) enqueue.sendTo(id, { type: 'WATCHDOG', now_ms });
            }),
          },
        },
      },
    },
  });
}

interface System {
  clock: VirtualClock;
  /** What the markets did, in order: every dispatch and notice with its time and the market's state. */
  log: string[];
  ref(id: string): AnyActorRef;
  send(id: string, event: MarketInputEvent): void;
  stop(): void;
}

function logged(clock: VirtualClock, log: string[], onDispatch: (marketId: string) => void): AnyStateMachine {
  return marketTradingMachine.provide({
    actions: {
      dispatch: (_a, p) => {
        // The runtime wakes the group before a market's own orders go out (TradingRuntime.dispatch).
        if (p.intents.length) onDispatch(p.market_id);
        log.push(`${clock.now()} ${p.market_id} dispatch ${JSON.stringify(p.intents)}`);
      },
      notify: ({ context }, p) => log.push(`${clock.now()} ${context.spec.market_id} notify ${JSON.stringify(p)}`),
    },
  });
}

function inputOf(i: number, clock: VirtualClock): MarketTradingInput {
  return { spec: MARKETS[i]!, cfg, now_ms: clock.now(), synced: true, watchdog: 'parent' };
}

function referenceSystem(): System {
  const clock = new VirtualClock(START);
  const log: string[] = [];
  const group = createActor(alwaysPulsingGroup(logged(clock, log, () => {})), { clock, input: { now_ms: clock.now() } });
  group.start();
  MARKETS.forEach((_, i) => group.send({ type: 'ADD_MARKET', input: inputOf(i, clock) }));
  const ref = (id: string) => group.getSnapshot().children[id] as AnyActorRef;
  return { clock, log, ref, send: (id, e) => ref(id).send({ ...e, now_ms: clock.now() } as MarketTradingEvent), stop: () => group.stop() };
}

function skippingSystem(): System {
  const clock = new VirtualClock(START);
  const log: string[] = [];
  const market = logged(clock, log, (id) => groups.wake(id));
  const machine = createMarketGroupMachine({ supervision: cfg.supervision, market, respawnInput: (_id, last) => last, watchdogMs: PERIOD });
  const groups: MarketGroups = new MarketGroups({ machine, clock, capacity: 100, watchdogMs: PERIOD, alert: () => {}, restarted: () => {}, down: () => {} });
  MARKETS.forEach((_, i) => groups.add(inputOf(i, clock)));
  const ref = (id: string) => groups.ref(id)!;
  return {
    clock,
    log,
    ref,
    send: (id, e) => {
      // As TradingRuntime.send: the group first, then the event.
      groups.wake(id);
      ref(id).send({ ...e, now_ms: clock.now() } as MarketTradingEvent);
    },
    stop: () => groups.stop(),
  };
}

/** One step of a sequence: time passing, then (most steps) an event to one market, its details drawn from `a` and `b`. */
interface Step {
  gapMs: number;
  market: number;
  kind: number;
  a: number;
  b: number;
}

const cents = (x: number) => Math.round(x * 100) / 100;
const STATUSES: OrderStatus[] = ['open', 'open', 'partially_filled', 'filled', 'canceled', 'expired', 'rejected'];

/** The event a step sends, chosen from what the market holds (its orders) so updates and fills refer to real ones. */
function eventOf(step: Step, ctx: MarketTradingContext, now: number): MarketInputEvent | null {
  const { yes_token: Y, no_token: N } = ctx.spec;
  const { a, b } = step;
  const live = Object.values(ctx.orders)
    .filter((o) => !isTerminal(o.status))
    .sort((x, y) => x.client_order_id.localeCompare(y.client_order_id));
  const order = live.length ? live[Math.floor(a * live.length)]! : null;
  // The venue repeats updates (stream and polling): one may name an order that has already finished.
  const known = Object.values(ctx.orders).sort((x, y) => x.client_order_id.localeCompare(y.client_order_id));
  const updated = known.length ? known[Math.floor(a * known.length)]! : null;
  // The venue answers an order just sent before most other news: a resting one rests, a marketable one fills or is killed.
  const pending = live.find((o) => o.status === 'pending');
  if (pending && step.kind <= 11 && a < 0.6) {
    const status: OrderStatus = pending.order_type === 'GTD' || pending.order_type === 'GTC' ? (b < 0.8 ? 'open' : 'rejected') : b < 0.6 ? 'filled' : 'canceled';
    return { type: 'ORDER_UPDATE', update: { client_order_id: pending.client_order_id, status, filled_size: status === 'filled' ? pending.size : 0 } };
  }
  switch (step.kind) {
    case 0:
    case 1:
    case 2: {
      const yAsk = cents(0.3 + a * 0.4);
      const nAsk = cents(0.3 + b * 0.4);
      // Wide books leave room for a resting order inside the spread.
      const spread = step.kind === 1 ? 0.1 : 0.02;
      // Mostly fresh; now and then a book that was already old when it arrived.
      const ts = step.kind === 2 ? now - Math.floor(b * 12_000) : now;
      return {
        type: 'BOOK',
        signal: bookSignal(Y, book([[cents(yAsk - spread), 50]], [[yAsk, 50]]), ts),
        partner: bookSignal(N, book([[cents(nAsk - spread), 50]], [[nAsk, 50]]), ts),
      };
    }
    case 3:
      if (ctx.spec.fair_source.kind === 'nowcast') {
        const nowcast: NowcastSignal = { judge_day: 'd', max_so_far_f: 80, distribution: [], buckets: [{ label: '80-81', lo_f: 80, hi_f: 81, p: cents(a) }], peak_time_bins: [], confidence: 1, qc_gate: b < 0.9 ? 'open' : 'closed', inputs: [] };
        return { type: 'NOWCAST', nowcast, ts_ms: now - Math.floor(b * 1_000_000) };
      }
      return { type: 'TRUTH', truth: truthSignal(b < 0.85 ? 'live' : b < 0.95 ? 'stale' : b < 0.98 ? 'disputed' : 'effectively_final', cents(0.2 + a * 0.6)), ts_ms: now - Math.floor(b * b * 20_000) };
    case 4:
      return {
        type: 'POLICY',
        policy: { fair_value: { [Y]: cents(a), [N]: cents(1 - a) }, edge_threshold: 0.03, max_position_usdc: 5, max_order_usdc: 5, source: 'truth', valid_until_ms: now + Math.floor(b * 20_000) },
      };
    case 5:
      return { type: 'RISK', risk: { state: b < 0.85 ? 'ACTIVE' : b < 0.92 ? 'REDUCING' : 'HALTED', size_scale: 1, market_tripped: a < 0.05, reason: null, max_order_usdc: 5 } };
    case 6:
    case 7:
    case 8:
    case 9: {
      if (!updated) return null;
      const status = STATUSES[Math.floor(b * STATUSES.length)]!;
      const filled = status === 'filled' ? updated.size : status === 'partially_filled' ? Math.max(updated.filled_size, Math.floor(updated.size / 2)) : updated.filled_size;
      return { type: 'ORDER_UPDATE', update: { client_order_id: updated.client_order_id, status, filled_size: filled, venue_order_id: `v-${updated.client_order_id}` } };
    }
    case 10: {
      if (!order) return null;
      const size = Math.max(1, Math.floor(order.size * (0.3 + b * 0.7)));
      return {
        type: 'FILL',
        fill: { client_order_id: order.client_order_id, fill_id: `f-${now}`, token_id: order.token_id, strategy: order.strategy, side: order.side, price: order.price, size, fee_usdc: 0.01, status: b < 0.9 ? 'MATCHED' : 'FAILED' },
      };
    }
    case 11: {
      const asked = live.find((o) => o.cancel_requested);
      return asked ? { type: 'CANCEL_REJECTED', client_order_id: asked.client_order_id, reason: 'too late' } : null;
    }
    case 12:
      return a < 0.2 ? { type: 'HALT_CMD', reason: 'operator' } : { type: 'RESUME_CMD' };
    case 13:
      if (b < 0.02) return { type: 'MARKET_RESOLVED', winning_token_id: a < 0.5 ? Y : N };
      if (b < 0.1) return { type: 'SPEC_CHANGE', tick_size: 0.01, min_order_size: a < 0.5 ? 5 : 1 };
      if (b < 0.2) return { type: 'RECONCILE_BREAK', reason: 'test', venue_orders: [], venue_positions: [] };
      return { type: 'RECONCILED' };
    default:
      return null;
  }
}

/** Runs the steps on a system; its log, with each market's state after every step. */
function run(system: System, steps: readonly Step[]): string[] {
  // Every market starts with a fair value (a truth or a nowcast): the sequences then make it trade.
  const opening = MARKETS.map((_, market): Step => ({ gapMs: 0, market, kind: 3, a: 0.5 + 0.1 * market, b: 0 }));
  for (const step of [...opening, ...steps]) {
    system.clock.advanceBy(step.gapMs);
    const id = MARKETS[step.market]!.market_id;
    const event = eventOf(step, system.ref(id).getSnapshot().context as MarketTradingContext, system.clock.now());
    if (event) system.send(id, event);
    system.log.push(`${system.clock.now()} states ${MARKETS.map((m) => system.ref(m.market_id).getSnapshot().value).join(',')}`);
  }
  // Long enough for anything left to age, overstay, fall due or cool down.
  system.clock.advanceBy(120_000);
  system.log.push(`end states ${MARKETS.map((m) => system.ref(m.market_id).getSnapshot().value).join(',')}`);
  system.stop();
  return system.log;
}

const step: fc.Arbitrary<Step> = fc.record({
  // Mostly bursts and pauses within a pulse period; now and then a stretch past every staleness bound.
  gapMs: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 300 }) },
    { weight: 3, arbitrary: fc.integer({ min: 300, max: 2_000 }) },
    { weight: 2, arbitrary: fc.integer({ min: 2_000, max: 12_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 12_000, max: 45_000 }) },
  ),
  market: fc.integer({ min: 0, max: MARKETS.length - 1 }),
  // Books and fair values most often, then what orders bring back, then the rest (see `eventOf`).
  kind: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 2 }) },
    { weight: 3, arbitrary: fc.constant(3) },
    { weight: 6, arbitrary: fc.integer({ min: 4, max: 11 }) },
    { weight: 2, arbitrary: fc.integer({ min: 12, max: 15 }) },
  ),
  // Spread over [0, 1) (fast-check's doubles favour the ends, which would resolve most markets early).
  a: fc.integer({ min: 0, max: 9_999 }).map((x) => x / 10_000),
  b: fc.integer({ min: 0, max: 9_999 }).map((x) => x / 10_000),
});

describe('a group that pulses only what time can change decides as one that pulses every market every period', () => {
  it('same dispatches, notices and states over random event sequences', () => {
    let dispatched = 0;
    let overstayed = 0;
    let aged = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 5, maxLength: 80 }), (steps) => {
        const expected = run(referenceSystem(), steps);
        const actual = run(skippingSystem(), steps);
        dispatched += expected.filter((l) => l.includes(' dispatch ')).length;
        overstayed += expected.filter((l) => l.includes('max time in book')).length;
        aged += expected.filter((l) => /"state":"HALT".*"reason":"[a-z_,]*stale_/.test(l)).length;
        expect(actual).toEqual(expected);
      }),
      { numRuns: 300, seed: 20261206 },
    );
    // Not vacuous: the markets traded and cancelled, and time alone changed decisions (inputs aged, orders overstayed).
    expect(dispatched).toBeGreaterThan(200);
    expect(aged).toBeGreaterThan(100);
    expect(overstayed).toBeGreaterThan(0);
    // 300 runs of two systems take ~15 s alone; beside the rest of the suite on two cores, more than the default 30 s.
  }, 180_000);
});
