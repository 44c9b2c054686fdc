import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventMeta } from '../../domain/events/factory.ts';

/** Orders whose ids are remembered (far more than are ever open at once; the oldest are forgotten). */
const ORDERS_KEPT = 10_000;

/**
 * The ids that tie the trading side's events to what caused them. An order's events (every
 * ORDER_UPDATE and FILL of one client order) share one correlation id, the decision's input's, so
 * a METAR → NOWCAST → POLICY → order → fill flow reads as one; the first names that input as its
 * cause, each later one the order's previous event. A market's state change names the input it
 * was decided on. Inputs come from the dispatch pump, so replay gives the same ids.
 */
export class OrderCorrelation {
  /** The input being applied (null between inputs: a timer, a venue answer arriving later). */
  input: HeliosEvent | null = null;
  private readonly orders = new Map<string, { correlation_id: string; last: string }>();

  /** Ids for the next event of order `clientOrderId`. */
  forOrder(clientOrderId: string): Pick<EventMeta, 'correlation_id' | 'causation_id'> {
    const known = this.orders.get(clientOrderId);
    if (known) return { correlation_id: known.correlation_id, causation_id: known.last };
    return this.forDecision();
  }

  /** Ids for an event decided on the current input (none between inputs). */
  forDecision(): Pick<EventMeta, 'correlation_id' | 'causation_id'> {
    return this.input ? { correlation_id: this.input.correlation_id, causation_id: this.input.event_id } : {};
  }

  /** `event` of order `clientOrderId` goes out (returned): the next one follows from it. */
  emitted<E extends HeliosEvent>(clientOrderId: string, event: E): E {
    if (!this.orders.has(clientOrderId) && this.orders.size >= ORDERS_KEPT) this.orders.delete(this.orders.keys().next().value!);
    this.orders.set(clientOrderId, { correlation_id: event.correlation_id, last: event.event_id });
    return event;
  }
}
