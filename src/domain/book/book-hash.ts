import { createHash } from 'node:crypto';

/**
 * The venue's book `hash` for REST /book answers: SHA-1 of the compact JSON of the summary, fields in
 * this order, with `hash` set to "" (py-clob-client `generate_orderbook_summary_hash`, PR #232).
 * Values are hashed exactly as received (strings stay strings: "0.30" and "0.3" hash differently),
 * so pass the parsed answer without normalizing it.
 *
 * Only REST answers can be checked: WebSocket book hashes do not reproduce (see notes/polymarket.md),
 * so there the hash stays an opaque change token.
 */
export interface RestBookSummary {
  market: string;
  asset_id: string;
  timestamp: string;
  hash: string;
  bids: ReadonlyArray<{ price: string; size: string }>;
  asks: ReadonlyArray<{ price: string; size: string }>;
  min_order_size: string;
  tick_size: string;
  neg_risk: boolean;
  last_trade_price: string;
}

export function restBookSummaryHash(summary: RestBookSummary): string {
  const canonical = {
    market: summary.market,
    asset_id: summary.asset_id,
    timestamp: summary.timestamp,
    hash: '',
    bids: summary.bids.map((l) => ({ price: l.price, size: l.size })),
    asks: summary.asks.map((l) => ({ price: l.price, size: l.size })),
    min_order_size: summary.min_order_size,
    tick_size: summary.tick_size,
    neg_risk: summary.neg_risk,
    last_trade_price: summary.last_trade_price,
  };
  return createHash('sha1').update(JSON.stringify(canonical)).digest('hex');
}

export interface RestBookHashCheck {
  ok: boolean;
  expected: string;
  computed: string;
}

export function verifyRestBookHash(summary: RestBookSummary): RestBookHashCheck {
  const computed = restBookSummaryHash(summary);
  return { ok: computed === summary.hash, expected: summary.hash, computed };
}
