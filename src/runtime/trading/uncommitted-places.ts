import type { OrderRecord } from '../../domain/trading/orders.ts';
import type { MarketResume } from '../../machines/market-trading/context.ts';

interface Place {
  /** The dispatching step's order sequence: past this order's id, and past every earlier step's. */
  stepSeq: number;
  /** The record the dispatching step wrote for it (as the actor would hold it had the step completed). */
  order: OrderRecord;
}

/**
 * Orders a market actor sent to the venue in a step it may not have completed. A market that
 * fails resumes its context from before the failing step, yet what that step dispatched is at the
 * venue, its risk reserved: the successor must hold those orders as its own, or it places them
 * again (once reconciled) or reconciliation rebuilds them as unknown (a break, a halt).
 *
 * A step completed once the actor's snapshot reaches its order sequence; placing moves the sequence,
 * so places of a step that failed are exactly those past the resumed sequence.
 */
export class UncommittedPlaces {
  private readonly byMarket = new Map<string, Place[]>();

  /**
   * `order` went to the venue from a step that decided at sequence `stepSeq`; `committedSeq` is the
   * actor's last completed snapshot's (what steps up to it sent is its own now: forgotten).
   */
  sent(marketId: string, order: OrderRecord, stepSeq: number, committedSeq: number): void {
    const kept = (this.byMarket.get(marketId) ?? []).filter((p) => p.stepSeq > committedSeq);
    kept.push({ stepSeq, order });
    this.byMarket.set(marketId, kept);
  }

  /**
   * What a restarted market resumes: its predecessor's last good context, with the orders sent in
   * the step that failed added as that step recorded them (their venue answers come after, held
   * while it restarts). Their reservations stand as risk made them when they were sent.
   */
  handOver(marketId: string, resume: MarketResume): MarketResume {
    const lost = (this.byMarket.get(marketId) ?? []).filter((p) => p.stepSeq > resume.seq && !(p.order.client_order_id in resume.orders));
    this.byMarket.delete(marketId);
    if (!lost.length) return resume;
    const orders = { ...resume.orders };
    for (const { order } of lost) orders[order.client_order_id] = order;
    // Their ids are not used again: the restart input's `seq_start` is the failing step's sequence.
    return { ...resume, orders };
  }

  /** A market left: nothing of it is handed over again. */
  forget(marketId: string): void {
    this.byMarket.delete(marketId);
  }
}
