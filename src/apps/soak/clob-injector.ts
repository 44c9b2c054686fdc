import type { ClobFaultClass } from '../../domain/soak/fault-classes.ts';
import type { ClobStandIn } from '../../sim/clob/clob-server.ts';

/**
 * Arms the stand-in CLOB's misbehaviours and counts each one that really happened, from the
 * stand-in's own records. Most of them wait on the daemon: a refused or lost answer needs an order
 * to be posted, a FAILED trade a match, a refused heartbeat an order resting. Each stays armed until
 * it happened; a lost answer on an order that did not fill is armed again (the class is a timeout
 * after the fill).
 */
export class ClobInjector {
  private readonly armed = new Set<ClobFaultClass>();
  private readonly counts: Record<ClobFaultClass, number> = {
    clob_rest_errors: 0,
    clob_stale_balance: 0,
    clob_timeout_after_fill: 0,
    clob_matched_failed: 0,
    clob_user_socket_drop: 0,
    clob_heartbeat_stop: 0,
  };
  /** Answers lost on orders that did not fill (not the class; armed again). */
  private lostOnUnfilled = 0;
  /** Orders whose answer was lost while they waited out a matching delay: judged once they are matched or canceled. */
  private lostWhileDelayed: string[] = [];
  private appliedSeen = 0;
  private heartbeatRefusals = 0;
  /** Heartbeat refusals wait for a chain the venue is timing, so its own dead-man switch fires too. */
  private heartbeatsToRefuse = false;

  constructor(
    private readonly standIn: ClobStandIn,
    private readonly address: string,
    /** Refused heartbeats in a row after which the adapter fails closed (execution.real.heartbeat.max_misses). */
    private readonly heartbeatMaxMisses: number,
  ) {}

  arm(fault: ClobFaultClass): void {
    this.armed.add(fault);
    if (!this.waits(fault)) this.push(fault);
    this.poll();
  }

  /**
   * A stale balance waits for the lost answer to have hit a fill: an order the venue refuses for
   * its balance does not fill, and a lost answer on it would be wasted (orders are few).
   */
  private waits(fault: ClobFaultClass): boolean {
    return fault === 'clob_stale_balance' && this.armed.has('clob_timeout_after_fill');
  }

  injected(): Record<ClobFaultClass, number> {
    this.poll();
    return { ...this.counts };
  }

  /** Still waiting on the daemon to happen. */
  pending(): ClobFaultClass[] {
    return [...this.armed].sort();
  }

  detail(): Record<string, unknown> {
    const v = this.standIn.venue;
    return { armed: this.pending(), lost_answers_on_unfilled_orders: this.lostOnUnfilled, heartbeat_refusals: this.heartbeatRefusals, dead_man_cancels: v.deadManCancels, stale_balance_refusals: v.staleBalanceRefusals };
  }

  /** Counts what happened since the last look; re-arms a lost answer that missed a fill. */
  poll(): void {
    const s = this.standIn;
    const applied = s.appliedFaults.slice(this.appliedSeen);
    this.appliedSeen = s.appliedFaults.length;
    const waiting = this.lostWhileDelayed;
    this.lostWhileDelayed = [];
    for (const id of waiting) this.judgeLostAnswer(id);
    for (const f of applied) {
      if (f.route === 'POST /order' && f.kind === 'status') this.happened('clob_rest_errors');
      else if (f.route === 'POST /order' && f.kind === 'hang_after') this.judgeLostAnswer(f.order_id);
      else if (f.route === 'POST /v1/heartbeats') {
        this.heartbeatRefusals++;
        if (this.heartbeatRefusals % this.heartbeatMaxMisses === 0) this.happened('clob_heartbeat_stop');
      }
    }
    const failed = [...s.venue.trades.values()].filter((t) => t.status === 'FAILED').length;
    if (failed > this.counts.clob_matched_failed) this.happened('clob_matched_failed', failed - this.counts.clob_matched_failed);
    if (s.venue.staleBalanceRefusals > this.counts.clob_stale_balance) this.happened('clob_stale_balance', s.venue.staleBalanceRefusals - this.counts.clob_stale_balance);
    if (this.heartbeatsToRefuse && s.venue.liveHeartbeats() > 0) {
      this.heartbeatsToRefuse = false;
      s.inject('POST /v1/heartbeats', ...Array.from({ length: this.heartbeatMaxMisses }, () => ({ kind: 'status' as const, status: 503, error: 'heartbeat service unavailable' })));
    }
    if (this.armed.has('clob_user_socket_drop') && s.userConnections() > 0) {
      s.dropUserSockets();
      this.happened('clob_user_socket_drop');
    }
  }

  /** A lost answer hit a fill, or (armed again) an order that did not fill; one still DELAYED is judged at a later look. */
  private judgeLostAnswer(orderId: string | null): void {
    const order = orderId ? this.standIn.venue.orders.get(orderId) : undefined;
    if (order?.status === 'DELAYED') {
      this.lostWhileDelayed.push(order.id);
      return;
    }
    if (order && order.size_matched > 0) return this.happened('clob_timeout_after_fill');
    this.lostOnUnfilled++;
    if (this.armed.has('clob_timeout_after_fill')) this.push('clob_timeout_after_fill');
  }

  private happened(fault: ClobFaultClass, n = 1): void {
    this.counts[fault] += n;
    if (!this.armed.delete(fault)) return;
    if (fault === 'clob_timeout_after_fill' && this.armed.has('clob_stale_balance')) this.push('clob_stale_balance');
  }

  private push(fault: ClobFaultClass): void {
    const s = this.standIn;
    switch (fault) {
      case 'clob_rest_errors':
        // Refused before any work: the adapter's backoff sends the same signed order again.
        return s.inject('POST /order', { kind: 'status', status: 425, error: 'service not ready: matching engine restarting' }, { kind: 'status', status: 429, error: 'Too Many Requests' }, { kind: 'status', status: 503, error: 'Service Unavailable' });
      case 'clob_timeout_after_fill':
        return s.inject('POST /order', { kind: 'hang_after' });
      case 'clob_matched_failed':
        if (s.venue.scriptedPending() === 0) s.venue.scriptTrades(['FAILED']);
        return;
      case 'clob_stale_balance':
        return s.venue.makeBalanceStale(this.address);
      case 'clob_heartbeat_stop':
        this.heartbeatsToRefuse = true;
        return;
      case 'clob_user_socket_drop':
        return;
    }
  }
}
