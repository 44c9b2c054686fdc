import type { ExecutionConfig } from '../../config/sections/trading.ts';
import type { ExecutionAdapter } from '../../adapters/execution/execution-adapter.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { sharesByToken } from '../../domain/trading/pnl-ledger.ts';
import { describeMismatch, reconcileMarket, type Mismatch } from '../../domain/trading/reconcile.ts';
import type { MarketTradingContext } from '../../machines/market-trading/context.ts';
import type { MarketInputEvent } from '../../machines/market-trading/events.ts';
import type { StartedWork } from './started-work.ts';

export interface ReconcileReport {
  checked: number;
  breaks: Array<{ market_id: string; mismatches: Mismatch[] }>;
}

/** What reconciliation reads from the runtime and tells it. */
export interface ReconcileHost {
  adapter: ExecutionAdapter;
  work: StartedWork;
  cfg: ExecutionConfig['reconcile'];
  now(): number;
  marketIds(): string[];
  spec(marketId: string): MarketSpec;
  market(marketId: string): { state: string; context: MarketTradingContext } | undefined;
  /** A neg-risk set leg in flight belongs to the event coordinator, not to the market actor. */
  ownedElsewhere(clientOrderId: string): boolean;
  alertBreak(marketId: string, reason: string): void;
  send(marketId: string, event: MarketInputEvent): void;
}

/**
 * Every live market's expected orders and positions against the venue's: a market that disagrees
 * is rebuilt from the venue (RECONCILE_BREAK), one that agrees and was not yet synced (or had
 * broken) is told RECONCILED. At start this is what lets the markets trade.
 */
export async function reconcileWithVenue(h: ReconcileHost): Promise<ReconcileReport> {
  const [orders, positions] = await Promise.all([h.work.track(h.adapter.fetchOpenOrders()), h.work.track(h.adapter.fetchPositions())]);
  const now = h.now();
  const report: ReconcileReport = { checked: 0, breaks: [] };
  for (const id of h.marketIds()) {
    const snap = h.market(id);
    if (!snap || snap.state === 'RESOLVED') continue;
    const spec = h.spec(id);
    const tokens = [spec.yes_token, spec.no_token];
    const venueOrders = orders.filter((o) => o.market_id === id && !h.ownedElsewhere(o.client_order_id));
    const venuePositions = positions.filter((p) => tokens.includes(p.token_id));
    const mismatches = reconcileMarket({
      expectedOrders: Object.values(snap.context.orders),
      venueOrders,
      expectedShares: sharesByToken(snap.context.ledger),
      venuePositions,
      tokens,
      nowMs: now,
      graceMs: h.cfg.recent_order_grace_ms,
      toleranceShares: h.cfg.position_tolerance_shares,
    });
    report.checked += 1;
    if (mismatches.length) {
      const reason = mismatches.map(describeMismatch).join('; ');
      report.breaks.push({ market_id: id, mismatches });
      h.alertBreak(id, reason);
      h.send(id, { type: 'RECONCILE_BREAK', reason, venue_orders: venueOrders, venue_positions: venuePositions });
    } else if (!snap.context.synced || snap.context.latched.includes('reconcile_break')) {
      h.send(id, { type: 'RECONCILED' });
    }
  }
  return report;
}
