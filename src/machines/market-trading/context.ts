import type { TradingConfig } from '../../config/sections/trading.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import type { MarketStateName } from '../../domain/trading/market-states.ts';
import type { OrderIntent, OrderRecord } from '../../domain/trading/orders.ts';
import { emptyLedger, strategyHolding, type Ledger } from '../../domain/trading/pnl-ledger.ts';
import type { LatchedCause } from '../../domain/trading/halt-causes.ts';
import { pairImbalance } from '../../domain/trading/pair-arb.ts';
import type { PlanMode } from '../../domain/trading/plan.ts';
import { emptySignals, type MarketSignals } from '../../domain/trading/signals.ts';

export interface MarketTradingInput {
  spec: MarketSpec;
  /** Trading configuration (plain data, shared by reference, never changed). */
  cfg: TradingConfig;
  /** The time the actor starts at; later times arrive on its events (`now_ms`). */
  now_ms: number;
  /** First client-order sequence number: past every id this market ever used (restart safety). */
  seq_start?: number;
  /** Start already reconciled (tests, replay); the daemon starts unsynced and reconciles first. */
  synced?: boolean;
  /**
   * Who sends WATCHDOG: the actor itself (a delayed raise per actor, the default) or its parent
   * (one timer per group pulsing all children, which keeps virtual-time replay linear in markets).
   */
  watchdog?: 'self' | 'parent';
  /**
   * The market's ledger as a previous session on the same data directory left it (paper), or as a
   * crashed predecessor last published it (a supervisor's restart): the reconciliation then checks
   * it against the venue's holdings, like any ledger.
   */
  ledger?: Ledger;
  /** What a restarted actor takes over from its crashed predecessor (its `ledger` wins over the one above). */
  resume?: MarketResume;
}

/**
 * A crashed market's last good context (before the step that failed, which is not replayed): its
 * orders, so the venue's are still its own (not unknown ones a reconciliation rebuilds as
 * `reconciled`; the runtime adds the orders the failing step already placed, and marks the
 * cancels it already sent as requested), its ledger, its order
 * sequence, since when its pair has been naked, the halt causes it latched (an operator's halt
 * outlives the crash), and the signals no later event may bring again soon (policy, truth,
 * nowcast, resolution). Not its books: the successor waits for fresh ones.
 */
export interface MarketResume {
  ledger: Ledger;
  orders: Record<string, OrderRecord>;
  seq: number;
  nakedSinceMs: number | null;
  latched: LatchedCause[];
  signals: Pick<MarketSignals, 'policy' | 'truth' | 'nowcast' | 'resolved'>;
}

export function resumeOf(context: MarketTradingContext): MarketResume {
  const { policy, truth, nowcast, resolved } = context.signals;
  return { ledger: context.ledger, orders: context.orders, seq: context.seq, nakedSinceMs: context.nakedSinceMs, latched: context.latched, signals: { policy, truth, nowcast, resolved } };
}

/**
 * What only the machine itself reads: kept out of the top level because every `assign` copies the
 * top-level fields into a new object (XState's `Object.assign({}, context, update)`), about 13 ns
 * a field on every signal, while these change only on rare steps (intents, halts, state changes).
 */
export interface MarketTradingInternals {
  /** Intents of the current step, handed to `dispatch` and then cleared. */
  outbox: readonly OrderIntent[];
  coolDownElapsed: boolean;
  /**
   * Set when an order ends (filled, canceled, rejected, expired), cleared by the next book signal:
   * a retry on the same book would meet the same answer, so it waits for news.
   */
  awaitBook: boolean;
  /**
   * A marketable order ended having taken nothing: only a book signal that changed the market's
   * books clears `awaitBook` (the feed's periodic snapshot of the same levels is no news).
   */
  awaitBookChange: boolean;
  lastState: MarketStateName | null;
  /** The halt causes the last state announcement named (a change while in HALT is announced too). */
  announcedHalt: readonly string[];
  selfWatchdog: boolean;
  /** When the current halt began (its cool-down ends `halt.cool_down_ms` later). */
  haltSinceMs: number;
}

/**
 * Fourteen top-level fields: every `assign` copies them into a new object, so each costs on every
 * signal, and on Node 20 a copy of 20 or more comes out as a dictionary object, which made a book
 * signal cost 2.9 times the CPU (test/trading/context-fast-copy.test.ts). A field only the machine
 * reads goes into `internals`; any other new field into a nested object too.
 */
export interface MarketTradingContext {
  spec: MarketSpec;
  cfg: TradingConfig;
  /**
   * The actor's time: the latest `now_ms` its events carried, or a timer's own deadline (watchdog,
   * halt cool-down). The machine never reads a clock, so the inspector sees the time it decided at.
   */
  now_ms: number;
  signals: MarketSignals;
  ledger: Ledger;
  orders: Record<string, OrderRecord>;
  seq: number;
  synced: boolean;
  latched: LatchedCause[];
  /** The halt causes as of `now_ms`: recomputed whenever the time or one of their inputs moves. */
  halt: string[];
  /** The last decision: in which state it was taken and what it concluded. */
  plan: { state: MarketStateName | null; mode: PlanMode; pairLocked: boolean; note: string };
  /** Since when the pair has had a naked leg (null: none): bounds how long it may stay naked. */
  nakedSinceMs: number | null;
  /**
   * Set when the market left HALT before its cool-down ended, to close a naked pair leg: until this
   * time it takes no new risk (null: nothing held back).
   */
  entriesHeldUntilMs: number | null;
  internals: MarketTradingInternals;
}

export function initialContext(input: MarketTradingInput): MarketTradingContext {
  const resume = input.resume;
  const ledger = resume?.ledger ?? input.ledger ?? emptyLedger();
  const { yes_token, no_token } = input.spec;
  return {
    spec: input.spec,
    cfg: input.cfg,
    now_ms: input.now_ms,
    signals: resume ? { ...emptySignals(), ...resume.signals } : { ...emptySignals(), resolved: resolvedBy(ledger) },
    ledger,
    orders: resume?.orders ?? {},
    // Never below the predecessor's: a client order id is never used twice.
    seq: Math.max(input.seq_start ?? 0, resume?.seq ?? 0),
    synced: input.synced ?? false,
    latched: resume?.latched ?? [],
    halt: [],
    plan: { state: null, mode: 'none', pairLocked: false, note: '' },
    // A restart does not extend how long a leg may stay naked; one carried over from a previous
    // session is bounded from now: its time starts again.
    nakedSinceMs: resume ? resume.nakedSinceMs : pairImbalance(strategyHolding(ledger, yes_token, 'pair_arb'), strategyHolding(ledger, no_token, 'pair_arb')) ? input.now_ms : null,
    entriesHeldUntilMs: null,
    internals: { outbox: [], coolDownElapsed: false, awaitBook: false, awaitBookChange: false, lastState: null, announcedHalt: [], selfWatchdog: input.watchdog !== 'parent', haltSinceMs: input.now_ms },
  };
}

/**
 * A carried ledger already settled belongs to a resolved market (its winner paid 1, a 50-50 paid
 * both 0.5): the actor starts resolved rather than trading a market that is over.
 */
function resolvedBy(ledger: Ledger): MarketSignals['resolved'] {
  const paid = ledger.settled_prices;
  if (paid === null) return null;
  return { winning_token_id: Object.keys(paid).find((t) => paid[t] === 1) ?? null };
}
