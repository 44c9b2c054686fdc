import type { ClobVenue, UserEvent, VenueOrder, VenueTrade } from './clob-venue.ts';

/** The stand-in's state in Polymarket's wire shapes (REST `OpenOrder`/`Trade`, user-channel events, Data API positions). */

const num = (n: number) => String(Math.round(n * 1e6) / 1e6);

export function orderJson(o: VenueOrder): Record<string, unknown> {
  return {
    id: o.id,
    status: o.status,
    owner: o.owner,
    maker_address: o.address,
    market: o.market,
    asset_id: o.tokenId,
    side: o.side,
    original_size: num(o.original_size),
    size_matched: num(o.size_matched),
    price: num(o.price),
    associate_trades: [...o.associate_trades],
    outcome: '',
    created_at: o.created_at,
    expiration: String(o.expiration),
    order_type: o.order_type,
  };
}

/** The crowd's makers (other users at the real venue): no key or wallet of this stand-in. */
const CROWD_OWNER = 'crowd';
const CROWD_ADDRESS = '0x0000000000000000000000000000000000000000';

/**
 * A trade as its owner sees it: the taker side carries its order in taker_order_id, its `price` the
 * order's limit and `size` all its shares, the makers it took (each at its price) in maker_orders;
 * the maker side its own order in maker_orders.
 */
export function tradeJson(t: VenueTrade, o: VenueOrder): Record<string, unknown> {
  const maker = t.trader_side === 'MAKER';
  return {
    id: t.id,
    taker_order_id: maker ? `crowd-${t.id}` : t.order_id,
    market: t.market,
    asset_id: t.asset_id,
    side: t.side,
    size: num(t.size),
    fee_rate_bps: '0',
    price: num(t.price),
    status: t.status,
    match_time: String(t.match_time),
    last_update: String(t.last_update),
    outcome: '',
    bucket_index: 0,
    owner: t.owner,
    maker_address: t.address,
    transaction_hash: t.transaction_hash,
    trader_side: t.trader_side,
    maker_orders: maker
      ? [{ order_id: o.id, owner: t.owner, maker_address: t.address, matched_amount: num(t.size), price: num(t.price), fee_rate_bps: '0', asset_id: t.asset_id, outcome: '', side: t.side }]
      : (t.makers ?? []).map((m) => ({ order_id: m.order_id, owner: CROWD_OWNER, maker_address: CROWD_ADDRESS, matched_amount: num(m.size), price: num(m.price), fee_rate_bps: '0', asset_id: t.asset_id, outcome: '', side: t.side === 'BUY' ? 'SELL' : 'BUY' })),
  };
}

/**
 * A Data API position: `avgPrice` is the volume-weighted average price paid for the shares held
 * (sells leave it unchanged) and `initialValue` their entry basis, size × avgPrice, as the real API
 * reports them; a position rebuilt from it after a restart gets its real cost.
 */
export function positionJson(p: { tokenId: string; shares: number; avgPrice: number }, conditionId: string): Record<string, unknown> {
  const avgPrice = Math.round(p.avgPrice * 1e6) / 1e6;
  return { asset: p.tokenId, conditionId, size: p.shares, avgPrice, initialValue: Math.round(p.shares * p.avgPrice * 1e6) / 1e6, outcome: '' };
}

export function userEventJson(e: UserEvent, venue: ClobVenue, nowMs: number): Record<string, unknown> {
  if (e.event_type === 'order') return { event_type: 'order', type: e.type, ...orderJson(e.order), timestamp: String(nowMs) };
  return { event_type: 'trade', type: 'TRADE', ...tradeJson(e.trade, venue.orders.get(e.trade.order_id)!), timestamp: String(nowMs) };
}
