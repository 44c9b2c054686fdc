import { backoffDelayMs } from '../retry/backoff.ts';

/**
 * How long a market waits before it may re-send the cancel of an order whose last cancels the
 * venue rejected (or the adapter threw on): doubling from `minMs` with each consecutive failure of
 * that order's cancel, up to `maxMs`. Without it a failing cancel was re-decided and re-sent at
 * once, over and over, until the market's breaker tripped. No jitter: the schedule is a function
 * of the failures alone, so a replay re-sends at the same instants.
 */
export class CancelBackoff {
  /** Consecutive failures by market, then order (a market that leaves takes its orders' along). */
  private readonly failures = new Map<string, Map<string, number>>();

  constructor(private readonly policy: { minMs: number; maxMs: number }) {}

  /** One more cancel of `clientOrderId` failed: the wait before its next may go out. */
  failed(marketId: string, clientOrderId: string): number {
    let orders = this.failures.get(marketId);
    if (!orders) this.failures.set(marketId, (orders = new Map()));
    const n = (orders.get(clientOrderId) ?? 0) + 1;
    orders.set(clientOrderId, n);
    return backoffDelayMs(n, { initialMs: this.policy.minMs, maxMs: this.policy.maxMs, multiplier: 2, jitter: 0 }, 0);
  }

  /** Its cancel went through, or the order ended: a later failure starts from `minMs` again. */
  forget(marketId: string, clientOrderId: string): void {
    const orders = this.failures.get(marketId);
    if (!orders?.delete(clientOrderId) || orders.size) return;
    this.failures.delete(marketId);
  }

  /** A market left: also its orders that ended without a last word from the venue (closed out, rebuilt away). */
  forgetMarket(marketId: string): void {
    this.failures.delete(marketId);
  }
}
