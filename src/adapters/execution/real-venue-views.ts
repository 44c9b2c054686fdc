import type { OpenOrder } from '@polymarket/clob-client-v2';
import type { AwaitingFill, PositionView, VenueOrderView } from '../../domain/trading/reconcile.ts';
import type { VenuePosition } from './real-clob-session.ts';
import type { RealOrderTracker } from './real-tracker.ts';

/** How a venue order helios did not place is named where a client order id goes (`venue:<id>`). */
export const VENUE_PREFIX = 'venue:';

/**
 * The venue's open orders as the runtime's reconciliation reads them, sorted by client order id:
 * helios's under their client ids, one helios does not know under its venue id (the runtime's
 * check reports it unknown, a break). `marketIdOf` names a token's market when helios knows it.
 */
export function venueOrderViews(open: readonly OpenOrder[], tracker: RealOrderTracker, marketIdOf: (tokenId: string) => string | undefined): VenueOrderView[] {
  const out: VenueOrderView[] = [];
  for (const v of open) {
    const o = tracker.getByVenue(v.id);
    const market = o?.req.market_id ?? marketIdOf(v.asset_id) ?? v.asset_id;
    out.push({ client_order_id: o?.req.client_order_id ?? `${VENUE_PREFIX}${v.id}`, market_id: market, token_id: v.asset_id, side: v.side === 'SELL' ? 'SELL' : 'BUY', price: Number(v.price), size: Number(v.original_size), filled_size: Number(v.size_matched) });
  }
  return out.sort((a, b) => a.client_order_id.localeCompare(b.client_order_id));
}

/**
 * The Data API's positions (fields as it names them), empty ones left out, sorted by token, each
 * with the fills it holds that still await their answer (`awaiting`, by token; a token whose
 * matched sells emptied its position is listed empty, so a rebuild still knows them).
 */
export function positionViews(rows: readonly VenuePosition[], awaiting: ReadonlyMap<string, readonly AwaitingFill[]> = new Map()): PositionView[] {
  const views = new Map<string, PositionView>();
  for (const p of rows) if (Math.abs(Number(p.size)) > 1e-9) views.set(String(p.asset), { token_id: String(p.asset), shares: Number(p.size), avg_cost: Number(p.avgPrice) || 0 });
  for (const [token, fills] of awaiting) {
    const view = views.get(token) ?? { token_id: token, shares: 0, avg_cost: 0 };
    views.set(token, { ...view, awaiting: [...fills].sort((a, b) => a.fill_id.localeCompare(b.fill_id)) });
  }
  return [...views.values()].sort((a, b) => a.token_id.localeCompare(b.token_id));
}
