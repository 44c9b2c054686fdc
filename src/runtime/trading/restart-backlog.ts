import type { MarketInputEvent } from '../../machines/market-trading/events.ts';

/**
 * What a restarting market must still hear: the venue's word on orders and fills, the operator's
 * halt or resume, the resolution, and policy, truth and nowcast (each may not come again soon). Not
 * held: book signals (the next supersedes them; the successor waits for one), risk (sent afresh
 * when it is up), reconciliation's verdicts (a restart reconciles again), spec changes (the restart
 * takes the current spec) and watchdog pulses.
 */
const HELD_WHILE_RESTARTING: ReadonlySet<MarketInputEvent['type']> = new Set([
  'ORDER_UPDATE', 'FILL', 'CANCEL_REJECTED', 'HALT_CMD', 'RESUME_CMD', 'MARKET_RESOLVED', 'POLICY', 'TRUTH', 'NOWCAST',
]);

export function heldWhileRestarting(event: MarketInputEvent): boolean {
  return HELD_WHILE_RESTARTING.has(event.type);
}

/**
 * Events for markets whose actor is restarting (heldWhileRestarting), in arrival order, up to
 * `maxPerMarket` each: the restarted actor, which resumes with its predecessor's orders, takes them
 * once it is up (a fill's fee, an order's status or an operator's halt would otherwise be lost;
 * reconciliation restores shares only).
 */
export class RestartBacklog {
  private readonly held = new Map<string, MarketInputEvent[]>();
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
  hold(marketId: string, event: MarketInputEvent): void {
    const events = this.held.get(marketId) ?? [];
    if (events.length < this.maxPerMarket) {
      events.push(event);
      this.held.set(marketId, events);
      return;
    }
    const dropped = (this.dropped.get(marketId) ?? 0) + 1;
    this.dropped.set(marketId, dropped);
    if (dropped === 1) this.alert('critical', 'RESTART_BACKLOG_FULL', `${marketId}: ${this.maxPerMarket} events held while its actor restarts; later ones are dropped (reconciliation restores shares, not fees, order statuses or halts)`, marketId);
  }

  /** The market's held events, oldest first, and forgets them (also when its actor is down for good, or it left). */
  take(marketId: string): MarketInputEvent[] {
    const events = this.held.get(marketId) ?? [];
    this.held.delete(marketId);
    this.dropped.delete(marketId);
    return events;
  }
}
