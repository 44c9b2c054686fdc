import type { MarketExecutionEvent, MarketInputEvent } from '../../machines/market-trading/events.ts';

/** Execution events are the venue's word on orders and fills: unlike a book signal, no later event supersedes one. */
export function isExecutionEvent(event: MarketInputEvent): event is MarketExecutionEvent {
  return event.type === 'ORDER_UPDATE' || event.type === 'FILL' || event.type === 'CANCEL_REJECTED';
}

/**
 * Execution events for markets whose actor is restarting, in arrival order, up to `maxPerMarket`
 * each: the restarted actor, which resumes with its predecessor's orders, takes them once it is up
 * (a fill's fee and an order's status would otherwise be lost; reconciliation restores shares only).
 */
export class RestartBacklog {
  private readonly held = new Map<string, MarketExecutionEvent[]>();
  private readonly dropped = new Map<string, number>();

  constructor(
    private readonly maxPerMarket: number,
    private readonly alert: (severity: 'critical', code: string, message: string, marketId: string) => void,
  ) {}

  /**
   * Keeps `event` for the market, behind the ones already held. Its backlog full, the event is
   * dropped, the earlier ones kept so the restarted actor hears an unbroken beginning (the first
   * drop of a restart is alerted).
   */
  hold(marketId: string, event: MarketExecutionEvent): void {
    const events = this.held.get(marketId) ?? [];
    if (events.length < this.maxPerMarket) {
      events.push(event);
      this.held.set(marketId, events);
      return;
    }
    const dropped = (this.dropped.get(marketId) ?? 0) + 1;
    this.dropped.set(marketId, dropped);
    if (dropped === 1) this.alert('critical', 'RESTART_BACKLOG_FULL', `${marketId}: ${this.maxPerMarket} execution events held while its actor restarts; later ones are dropped (reconciliation restores shares, not fees or order statuses)`, marketId);
  }

  /** The market's held events, oldest first, and forgets them (also when its actor is down for good, or it left). */
  take(marketId: string): MarketExecutionEvent[] {
    const events = this.held.get(marketId) ?? [];
    this.held.delete(marketId);
    this.dropped.delete(marketId);
    return events;
  }
}
