import { isTerminal } from '../../domain/trading/orders.ts';
import type { CancelAck } from './execution-adapter.ts';
import type { RealAdapterContext } from './real-adapter-context.ts';
import { isBenignCancelReason } from './real-outcome.ts';
import type { RealOrderPlacement } from './real-placement.ts';
import type { TrackedOrder } from './real-tracker.ts';
import { VENUE_PREFIX } from './real-venue-views.ts';

/**
 * Canceling at the real venue: one order (helios's, by client id, waiting for an order in flight
 * to be answered first; or one it did not place, by `venue:<id>`), every order of the key, or a
 * market's. What the venue canceled is marked canceled in the tracker.
 */
export class RealCancels {
  constructor(
    private readonly ctx: RealAdapterContext,
    private readonly placement: RealOrderPlacement,
  ) {}

  async cancelOrder(clientOrderId: string): Promise<CancelAck> {
    const o = this.ctx.tracker.get(clientOrderId);
    if (!o) {
      // A venue order helios did not place (fetchOpenOrders names it `venue:<id>`): canceled by its venue id.
      if (clientOrderId.startsWith(VENUE_PREFIX)) return this.cancelAtVenue(clientOrderId, clientOrderId.slice(VENUE_PREFIX.length), null);
      return this.refuseCancel(clientOrderId, 'unknown order');
    }
    // In flight: a cancel could overtake the order itself and find nothing, then the order lands. It
    // waits for the answer (or the venue's record of a lost one): refused at once, a cancel the
    // caller repeats would count as the venue refusing cancels and trip the market's breaker.
    if (!o.venueId || o.status === 'pending') await this.placement.answered(clientOrderId);
    if (isTerminal(o.status)) return { ok: false, client_order_id: clientOrderId, reason: 'already canceled or matched', benign: true };
    if (!o.venueId || o.status === 'pending') return this.refuseCancel(clientOrderId, 'order not yet live');
    return this.cancelAtVenue(clientOrderId, o.venueId, o);
  }

  /** Cancels every order of the key at the venue (kill switch, SIGTERM, failing closed). */
  async cancelAll(): Promise<string[]> {
    const r = await this.ctx.deps.session.cancelAll();
    this.markCanceled(r.canceled, 'cancel-all');
    return r.canceled;
  }

  async cancelMarket(marketId: string): Promise<string[]> {
    const m = this.ctx.marketById(marketId);
    if (!m) return [];
    const r = await this.ctx.deps.session.cancelMarket({ market: m.condition_id });
    this.markCanceled(r.canceled, 'canceled by market');
    return r.canceled;
  }

  private markCanceled(venueIds: readonly string[], reason: string): void {
    for (const id of venueIds) {
      const o = this.ctx.tracker.getByVenue(id);
      if (o) this.ctx.tracker.setStatus(o, 'canceled', reason);
    }
    this.ctx.refreshHeartbeats();
  }

  private async cancelAtVenue(clientOrderId: string, venueId: string, o: TrackedOrder | null): Promise<CancelAck> {
    try {
      const r = await this.ctx.deps.session.cancel([venueId]);
      if (r.canceled.includes(venueId)) {
        if (o) this.ctx.tracker.setStatus(o, 'canceled', 'canceled by request');
        this.ctx.refreshHeartbeats();
        return { ok: true, client_order_id: clientOrderId };
      }
      const why = r.not_canceled[venueId] ?? 'not canceled';
      return { ok: false, client_order_id: clientOrderId, reason: why, benign: isBenignCancelReason(why) };
    } catch (err) {
      return { ok: false, client_order_id: clientOrderId, reason: (err as Error).message, benign: false };
    }
  }

  /**
   * A refusal decided here, answered after a backoff step: a caller that asks again at once on a
   * refusal (the market actor does) would otherwise spin on promises that never yield to IO.
   */
  private async refuseCancel(clientOrderId: string, reason: string): Promise<CancelAck> {
    await this.ctx.sleep(Math.max(1, this.ctx.deps.cfg.backoff.initial_ms));
    return { ok: false, client_order_id: clientOrderId, reason, benign: false };
  }
}
