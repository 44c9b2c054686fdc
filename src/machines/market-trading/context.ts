import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import type { MarketStateName } from '../../domain/trading/market-states.ts';
import type { OrderIntent, OrderRecord } from '../../domain/trading/orders.ts';
import { emptyLedger, type Ledger } from '../../domain/trading/pnl-ledger.ts';
import type { LatchedCause } from '../../domain/trading/halt-causes.ts';
import type { PlanMode } from '../../domain/trading/plan.ts';
import { emptySignals, type MarketSignals } from '../../domain/trading/signals.ts';

export interface MarketTradingInput {
  spec: MarketSpec;
  /** First client-order sequence number: past every id this market ever used (restart safety). */
  seq_start?: number;
  /** Start already reconciled (tests, replay); the daemon starts unsynced and reconciles first. */
  synced?: boolean;
  /**
   * Who sends WATCHDOG: the actor itself (a delayed raise per actor, the default) or its parent
   * (one timer per group pulsing all children, which keeps virtual-time replay linear in markets).
   */
  watchdog?: 'self' | 'parent';
}

export interface MarketTradingContext {
  spec: MarketSpec;
  signals: MarketSignals;
  ledger: Ledger;
  orders: Record<string, OrderRecord>;
  seq: number;
  synced: boolean;
  latched: LatchedCause[];
  /** Current halt causes, recomputed on every signal. */
  halt: string[];
  /** The last decision: in which state it was taken and what it concluded. */
  plan: { state: MarketStateName | null; mode: PlanMode; pairLocked: boolean; note: string };
  /** Intents of the current step, handed to `dispatch` and then cleared. */
  outbox: OrderIntent[];
  coolDownElapsed: boolean;
  /**
   * Set when an order ends (filled, canceled, rejected, expired), cleared by the next book signal:
   * a retry on the same book would meet the same answer, so it waits for news.
   */
  awaitBook: boolean;
  lastState: MarketStateName | null;
  selfWatchdog: boolean;
  /** Since when the pair has had a naked leg (null: none): bounds how long it may stay naked. */
  nakedSinceMs: number | null;
}

export function initialContext(input: MarketTradingInput): MarketTradingContext {
  return {
    spec: input.spec,
    signals: emptySignals(),
    ledger: emptyLedger(),
    orders: {},
    seq: input.seq_start ?? 0,
    synced: input.synced ?? false,
    latched: [],
    halt: [],
    plan: { state: null, mode: 'none', pairLocked: false, note: '' },
    outbox: [],
    coolDownElapsed: false,
    awaitBook: false,
    lastState: null,
    selfWatchdog: input.watchdog !== 'parent',
    nakedSinceMs: null,
  };
}
