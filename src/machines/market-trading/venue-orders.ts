import type { OrderRecord, StrategyName } from '../../domain/trading/orders.ts';
import type { VenueOrderView } from '../../domain/trading/reconcile.ts';

/** The strategy a client order id names (the market's own ids carry it); anything else was rebuilt from the venue. */
function strategyFromId(id: string): StrategyName {
  return id.includes('-pa-') ? 'pair_arb' : id.includes('-tp-') ? 'temporal' : 'reconciled';
}

/** A venue's open order as the market's own record, as of `nowMs`. */
export function venueOrderRecord(v: VenueOrderView, nowMs: number): OrderRecord {
  return {
    client_order_id: v.client_order_id,
    venue_order_id: null,
    market_id: v.market_id,
    token_id: v.token_id,
    side: v.side,
    order_type: 'GTC',
    price: v.price,
    size: v.size,
    filled_size: v.filled_size,
    // What the venue reports is in its positions, which the ledger is rebuilt from.
    heard_size: v.filled_size,
    status: v.filled_size > 0 ? 'partially_filled' : 'open',
    strategy: strategyFromId(v.client_order_id),
    placed_at_ms: nowMs,
    expires_at_ms: null,
    cancel_requested: false,
    reason: 'rebuilt from venue',
  };
}
