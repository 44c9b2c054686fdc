import type { OrderRecord } from '../../domain/trading/orders.ts';
import type { MarketResume } from '../../machines/market-trading/context.ts';

interface Place {
  /** The dispatching step's order sequence: past this order's id, and past every earlier step's. */
  stepSeq: number;
  /** The record the dispatching step wrote for it (as the actor would hold it had the step completed). */
  order: OrderRecord;
}

interface Cancel {
  /**
   * The order's record in the actor's last completed snapshot when the cancel went out (undefined:
   * none, e.g. placed earlier in the same step). Context updates never change a record in place,
   * so while the snapshot still holds this very object no step that touched the order completed.
   */
  before: OrderRecord | undefined;
  /** The record the cancelling step wrote (its cancel requested). */
  after: OrderRecord;
}

interface Sends {
  places: Place[];
  cancels: Map<string, Cancel>;
}

/** What an actor's last completed snapshot holds: the sequence and orders its steps so far left. */
export type CommittedOrders = Pick<MarketResume, 'seq' | 'orders'>;

/**
 * Orders a market actor sent to the venue, and cancels it sent, in a step it may not have
 * completed. A market that fails resumes its context from before the failing step, yet what that
 * step dispatched is at the venue: the successor must hold those orders as its own, or it places
 * them again (once reconciled) or reconciliation rebuilds them as unknown (a break, a halt); and it
 * must know the cancels already requested, or it decides and sends each again.
 *
 * A place's step completed once the actor's snapshot reaches its order sequence (placing moves the
 * sequence), so places of a step that failed are exactly those past the resumed sequence. A cancel
 * does not move the sequence: its step completed once the snapshot no longer holds the record the
 * cancel started from (that step wrote a new one).
 */
export class UncommittedSends {
  private readonly byMarket = new Map<string, Sends>();

  /**
   * `order` went to the venue from a step that decided at sequence `stepSeq`; `committed` is the
   * actor's last completed snapshot (what steps up to it sent is its own now: forgotten).
   */
  placed(marketId: string, order: OrderRecord, stepSeq: number, committed: CommittedOrders): void {
    this.settled(marketId, committed).places.push({ stepSeq, order });
  }

  /** The cancel of `after.client_order_id` went to the venue from a step that wrote `after`; `committed` as for `placed`. */
  cancelled(marketId: string, after: OrderRecord, committed: CommittedOrders): void {
    this.settled(marketId, committed).cancels.set(after.client_order_id, { before: committed.orders[after.client_order_id], after });
  }

  /**
   * What a restarted market resumes: its predecessor's last good context, with the orders sent in
   * the step that failed added as that step recorded them (their venue answers come after, held
   * while it restarts), and the cancels that step sent requested. Their reservations stand as risk
   * made them when they were sent.
   */
  handOver(marketId: string, resume: MarketResume): MarketResume {
    const sends = this.byMarket.get(marketId);
    this.byMarket.delete(marketId);
    if (!sends) return resume;
    const lost = sends.places.filter((p) => p.stepSeq > resume.seq && !(p.order.client_order_id in resume.orders));
    const cancels = [...sends.cancels.values()].filter((c) => resume.orders[c.after.client_order_id] === c.before);
    if (!lost.length && !cancels.length) return resume;
    const orders = { ...resume.orders };
    for (const { order } of lost) orders[order.client_order_id] = order;
    // The cancelling step's record is the later one (an order placed and cancelled in one step too).
    for (const { after } of cancels) orders[after.client_order_id] = after;
    // Their ids are not used again: the restart input's `seq_start` is the failing step's sequence.
    return { ...resume, orders };
  }

  /** A market left: nothing of it is handed over again. */
  forget(marketId: string): void {
    this.byMarket.delete(marketId);
  }

  /** The market's sends with those of steps `committed` shows completed forgotten. */
  private settled(marketId: string, committed: CommittedOrders): Sends {
    const sends = this.byMarket.get(marketId) ?? { places: [], cancels: new Map<string, Cancel>() };
    sends.places = sends.places.filter((p) => p.stepSeq > committed.seq);
    for (const [id, c] of sends.cancels) if (committed.orders[id] !== c.before) sends.cancels.delete(id);
    this.byMarket.set(marketId, sends);
    return sends;
  }
}
