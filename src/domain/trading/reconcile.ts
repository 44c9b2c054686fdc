import { isTerminal, type OrderRecord } from './orders.ts';

/**
 * Reconciliation invariants between what a market actor believes and what the venue reports:
 * every live order we know (past its grace period) is open at the venue with the same filled
 * size, the venue has no open order we do not know, and positions agree within a tolerance.
 */
export interface VenueOrderView {
  client_order_id: string;
  market_id: string;
  token_id: string;
  side: 'BUY' | 'SELL';
  price: number;
  size: number;
  filled_size: number;
}

export interface PositionView {
  token_id: string;
  shares: number;
  avg_cost: number;
  /**
   * Fills of this token the venue's position already holds that still await their CONFIRMED or
   * FAILED, as the venue adapter knows them (matched before the trading side last started, or by an
   * earlier process): a ledger rebuilt from this position keeps them pending, so their answer is
   * applied once (a CONFIRMED only makes them final, a FAILED takes them out).
   */
  awaiting?: AwaitingFill[];
}

export interface AwaitingFill {
  fill_id: string;
  client_order_id: string;
  side: 'BUY' | 'SELL';
  price: number;
  size: number;
  /**
   * A SELL's cost per share: the position's average cost before it, when the adapter knew the
   * position then. Its FAILED gives the shares back at this cost (the position may be empty now).
   */
  avg_cost?: number;
}

export type Mismatch =
  | { kind: 'missing_at_venue'; client_order_id: string }
  | { kind: 'unknown_at_venue'; client_order_id: string }
  | { kind: 'fill_mismatch'; client_order_id: string; expected: number; actual: number }
  | { kind: 'position_mismatch'; token_id: string; expected: number; actual: number }
  /** The venue's position holds a fill still awaiting its answer that this ledger never heard of (shares may agree: an emptying sell). */
  | { kind: 'unknown_awaiting_fill'; token_id: string; fill_id: string };

export interface ReconcileInput {
  expectedOrders: readonly OrderRecord[];
  venueOrders: readonly VenueOrderView[];
  expectedShares: Record<string, number>;
  venuePositions: readonly PositionView[];
  /** Tokens this market trades: venue positions in other tokens belong to other markets. */
  tokens: readonly string[];
  nowMs: number;
  graceMs: number;
  toleranceShares: number;
  /** The ledger has heard of this fill (pending or final); absent: awaiting fills are not checked. */
  knowsFill?: (fillId: string) => boolean;
}

export function reconcileMarket(r: ReconcileInput): Mismatch[] {
  const out: Mismatch[] = [];
  const venue = new Map(r.venueOrders.map((o) => [o.client_order_id, o]));
  const known = new Set<string>();
  for (const o of [...r.expectedOrders].sort((a, b) => a.client_order_id.localeCompare(b.client_order_id))) {
    known.add(o.client_order_id);
    if (isTerminal(o.status)) continue;
    const v = venue.get(o.client_order_id);
    if (!v) {
      if (r.nowMs - o.placed_at_ms >= r.graceMs) out.push({ kind: 'missing_at_venue', client_order_id: o.client_order_id });
      continue;
    }
    if (Math.abs(v.filled_size - o.filled_size) > r.toleranceShares) {
      out.push({ kind: 'fill_mismatch', client_order_id: o.client_order_id, expected: o.filled_size, actual: v.filled_size });
    }
  }
  for (const v of [...r.venueOrders].sort((a, b) => a.client_order_id.localeCompare(b.client_order_id))) {
    const mine = r.expectedOrders.find((o) => o.client_order_id === v.client_order_id);
    if (!known.has(v.client_order_id) || (mine && isTerminal(mine.status))) out.push({ kind: 'unknown_at_venue', client_order_id: v.client_order_id });
  }
  const venueShares = new Map(r.venuePositions.map((p) => [p.token_id, p.shares]));
  for (const token of [...r.tokens].sort()) {
    const expected = r.expectedShares[token] ?? 0;
    const actual = venueShares.get(token) ?? 0;
    if (Math.abs(expected - actual) > r.toleranceShares) out.push({ kind: 'position_mismatch', token_id: token, expected, actual });
  }
  // Only a rebuild holds such a fill pending, so that its FAILED can still be taken out here.
  if (r.knowsFill) {
    for (const p of [...r.venuePositions].filter((v) => r.tokens.includes(v.token_id)).sort((a, b) => a.token_id.localeCompare(b.token_id))) {
      for (const f of p.awaiting ?? []) if (!r.knowsFill(f.fill_id)) out.push({ kind: 'unknown_awaiting_fill', token_id: p.token_id, fill_id: f.fill_id });
    }
  }
  return out;
}

/**
 * A resolved market's orders still live here against the venue's open orders: one the venue no
 * longer lists (past the grace: a request may still be on its way) is done and closes here, one it
 * still lists must be cancelled (again: a cancel sent at resolution may have been rejected). A
 * venue order on its tokens it has no record of (`foreign`: left by an earlier session, placed by
 * another client on the same key or by hand) must be cancelled too: resting after the outcome is
 * known, it can only fill at a loss. Its positions are not compared: resolution redeemed them.
 */
export function resolvedCloseOut(r: Pick<ReconcileInput, 'expectedOrders' | 'venueOrders' | 'nowMs' | 'graceMs'>): { gone: string[]; resting: string[]; foreign: VenueOrderView[] } {
  const listed = new Set(r.venueOrders.map((o) => o.client_order_id));
  const known = new Set(r.expectedOrders.map((o) => o.client_order_id));
  const gone: string[] = [];
  const resting: string[] = [];
  for (const o of [...r.expectedOrders].sort((a, b) => a.client_order_id.localeCompare(b.client_order_id))) {
    if (isTerminal(o.status)) continue;
    if (listed.has(o.client_order_id)) resting.push(o.client_order_id);
    else if (r.nowMs - o.placed_at_ms >= r.graceMs) gone.push(o.client_order_id);
  }
  const foreign = r.venueOrders.filter((v) => !known.has(v.client_order_id)).sort((a, b) => a.client_order_id.localeCompare(b.client_order_id));
  return { gone, resting, foreign };
}

export function describeMismatch(m: Mismatch): string {
  switch (m.kind) {
    case 'missing_at_venue':
      return `order ${m.client_order_id} is live here but not at the venue`;
    case 'unknown_at_venue':
      return `venue has open order ${m.client_order_id} that is not live here`;
    case 'fill_mismatch':
      return `order ${m.client_order_id} filled ${m.expected} here, ${m.actual} at the venue`;
    case 'position_mismatch':
      return `token ${m.token_id}: ${m.expected} shares here, ${m.actual} at the venue`;
    case 'unknown_awaiting_fill':
      return `token ${m.token_id}: the venue's position holds fill ${m.fill_id}, still awaiting its answer, that is not known here`;
  }
}
