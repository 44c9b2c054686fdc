import type { BookLevels } from './book-view.ts';
import type { EventBucketView } from './event-stake.ts';
import type { NowcastSignal, Policy, TruthSignal } from './policy.ts';

/**
 * The coalesced inputs a market actor keeps: latest of each, never one event per book delta.
 * A book signal is a value: its best prices and the best levels of the book at send time, taken
 * together (they never disagree, and later changes to the mirrored book do not reach it).
 */
export interface BookSignal {
  token_id: string;
  synced: boolean;
  ts_ms: number;
  best_bid: number | null;
  best_ask: number | null;
  /** The best levels (null: no book to trade on). */
  levels: BookLevels | null;
}

export type GlobalRiskState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export interface RiskSignal {
  state: GlobalRiskState;
  size_scale: number;
  /** This market's circuit breaker is open. */
  market_tripped: boolean;
  reason: string | null;
  /** Risk's per-order cap (fee included), so that strategies size orders risk will accept; absent: unknown. */
  max_order_usdc?: number | null;
  /**
   * The other buckets of this market's neg-risk event, as the runtime last saw them: the temporal
   * strategy bets the event's buckets as one allocation (event-stake.ts). Absent: sized alone.
   */
  event_buckets?: EventBucketView[] | null;
}

export interface MarketSignals {
  books: Record<string, BookSignal>;
  policy: Policy | null;
  truth: { payload: TruthSignal; ts_ms: number } | null;
  nowcast: { payload: NowcastSignal; ts_ms: number } | null;
  risk: RiskSignal;
  resolved: { winning_token_id: string | null } | null;
}

export function emptySignals(): MarketSignals {
  return { books: {}, policy: null, truth: null, nowcast: null, risk: { state: 'ACTIVE', size_scale: 1, market_tripped: false, reason: null }, resolved: null };
}

/** Report marks: the mid; a one-sided book gives its bid, never its ask (nobody pays a seller the ask). */
export function reportMarks(books: Readonly<Record<string, BookSignal>>): Record<string, number | null> {
  const marks: Record<string, number | null> = {};
  for (const [token, b] of Object.entries(books)) marks[token] = b.best_bid !== null && b.best_ask !== null ? (b.best_bid + b.best_ask) / 2 : b.best_bid;
  return marks;
}
