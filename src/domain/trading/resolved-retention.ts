import type { Ledger } from './pnl-ledger.ts';
import { hasLiveOrders } from './plan.ts';
import type { OrderRecord } from './orders.ts';

/**
 * A resolved market has nothing left to hear from the venue: its ledger is settled with no fill
 * awaiting its answer (a FAILED one would still take back a payout), unless the wait for those
 * answers is over (`answersGivenUp`: they stay as matched), and none of its orders is live (a
 * cancel sent at resolution may still be on its way).
 */
export function isSettledForGood(ledger: Ledger, orders: Record<string, OrderRecord>, answersGivenUp = false): boolean {
  return ledger.settled_prices !== null && (answersGivenUp || Object.keys(ledger.pending).length === 0) && !hasLiveOrders(orders);
}

/** A ledger's fills still awaiting their answer, by id. */
export function unansweredFills(ledger: Ledger): string[] {
  return Object.keys(ledger.pending).sort();
}

/**
 * The one rule for fills whose CONFIRMED/FAILED never came, a live market's or a resolved one's:
 * once their wait is over they stay in the ledger as matched (counted in the PnL) and are no longer
 * waited for; the operator is told once, critically, naming the market, each fill and its order.
 * `waited`: how long, since when. Returns the ALERT's severity, code, message and market.
 */
export function unansweredFillsAlert(marketId: string, ledger: Ledger | undefined, fillIds: readonly string[], waited: string): ['critical', 'FILL_UNANSWERED', string, string] {
  const named = fillIds.map((id) => `${id} (order ${ledger?.pending[id]?.order_id ?? 'unknown'})`).join(', ');
  return ['critical', 'FILL_UNANSWERED', `${marketId}: fill(s) ${named} still have no CONFIRMED/FAILED ${waited} (the venue was asked at reconciliations): kept as matched, counted in the PnL; no longer waited for`, marketId];
}

/**
 * When each resolved market leaves the trading side: `retentionMs` after it resolved, on the
 * node's clock, once it is settled for good; and the markets that left, which never come back as
 * fresh tradeable markets. Times come from the caller (the node's virtual clock), so a replay of
 * the same inputs retires the same markets at the same instants.
 */
export class ResolvedRetention {
  private readonly resolvedAt = new Map<string, number>();
  /** Resolved markets a reconciliation that started after their resolution has looked at. */
  private readonly venueChecked = new Set<string>();
  /** Resolved markets whose wait for their fills' answers is over. */
  private readonly answersGivenUp = new Set<string>();
  private readonly retired = new Set<string>();
  private readonly retiredBefore: ReadonlySet<string>;

  /** `retiredBefore`: markets earlier sessions retired (carried): they do not come back either. */
  /** `answerTimeoutMs`: how long after its resolution a market's fills may await their answers. */
  constructor(
    private readonly retentionMs: number,
    private readonly answerTimeoutMs: number,
    retiredBefore: readonly string[] = [],
  ) {
    this.retiredBefore = new Set(retiredBefore);
  }

  /** The market's actor entered RESOLVED at `atMs` (its first resolution counts). */
  resolved(marketId: string, atMs: number): void {
    if (!this.resolvedAt.has(marketId) && !this.isRetired(marketId)) this.resolvedAt.set(marketId, atMs);
  }

  /**
   * A reconciliation that started at `startedAtMs` has finished: the markets resolved by then had
   * their venue orders checked after their resolution (one it never placed is now its own to cancel).
   */
  reconciled(startedAtMs: number): void {
    for (const [id, at] of this.resolvedAt) if (at <= startedAtMs) this.venueChecked.add(id);
  }

  /**
   * Markets whose retention ran out by `nowMs` and whose venue orders a reconciliation looked at
   * after they resolved (before, an order on their tokens they never placed would be left resting),
   * by due time, then id.
   */
  due(nowMs: number): string[] {
    const out: Array<[string, number]> = [];
    for (const [id, at] of this.resolvedAt) if (at + this.retentionMs <= nowMs && this.venueChecked.has(id)) out.push([id, at]);
    return out.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([id]) => id);
  }

  /**
   * Ends the waits for fills' answers that ran out by `nowMs`, by market id: a market's fills still
   * unanswered stay as matched and no longer keep it from leaving. Returns, to be told of once, each
   * market's fills `unansweredOf` names (null: the market is not known now; its wait goes on).
   */
  endAnswerWaits(nowMs: number, unansweredOf: (marketId: string) => string[] | null): Array<{ marketId: string; unanswered: string[] }> {
    const over: string[] = [];
    for (const [id, at] of this.resolvedAt) if (at + this.answerTimeoutMs <= nowMs && !this.answersGivenUp.has(id)) over.push(id);
    const told: Array<{ marketId: string; unanswered: string[] }> = [];
    for (const marketId of over.sort()) {
      const unanswered = unansweredOf(marketId);
      if (unanswered === null) continue;
      if (unanswered.length) told.push({ marketId, unanswered });
      this.answersGivenUp.add(marketId);
    }
    return told;
  }

  hasGivenUpAnswers(marketId: string): boolean {
    return this.answersGivenUp.has(marketId);
  }

  /**
   * The first due time or end of an answer wait after `nowMs` (null: none). One already due but not
   * settled for good, or not yet looked at by a reconciliation, waits for the venue, an event, not for time.
   */
  nextDueAfter(nowMs: number): number | null {
    let next: number | null = null;
    for (const [id, at] of this.resolvedAt) {
      const times = this.answersGivenUp.has(id) ? [at + this.retentionMs] : [at + this.retentionMs, at + this.answerTimeoutMs];
      for (const due of times) if (due > nowMs && (next === null || due < next)) next = due;
    }
    return next;
  }

  retire(marketId: string): void {
    this.forget(marketId);
    this.retired.add(marketId);
  }

  /** The market left by other means (it may come back, and resolve again). */
  forget(marketId: string): void {
    this.resolvedAt.delete(marketId);
    this.venueChecked.delete(marketId);
    this.answersGivenUp.delete(marketId);
  }

  isRetired(marketId: string): boolean {
    return this.retired.has(marketId) || this.retiredBefore.has(marketId);
  }

  /** The markets this session retired. */
  retiredIds(): string[] {
    return [...this.retired].sort();
  }

  /** Resolved markets still waiting to leave. */
  get waiting(): number {
    return this.resolvedAt.size;
  }
}
