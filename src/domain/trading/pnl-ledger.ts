import type { OrderSide } from './book-view.ts';
import { netProceedsPerShare, type FeeSchedule } from './fees.ts';
import type { StrategyName } from './orders.ts';
import type { AwaitingFill } from './reconcile.ts';
import { snapShares } from './ticks.ts';

/**
 * Fee-aware, per-market PnL by average cost, one lot per (token, strategy) so that every figure is
 * attributable to the strategy that traded it. Fills count when MATCHED (the venue has traded them)
 * and are reversed exactly if they later FAIL, even after settlement. Invariant, at any mark:
 *   cash + Σ shares × mark = Σ realized − Σ fees + Σ (shares × mark − cost)
 * and after settlement (each token paid its resolved price) cash equals the net PnL.
 */
export interface Lot {
  token_id: string;
  strategy: StrategyName;
  shares: number;
  /** Cost basis of the shares held (excludes fees, which are kept apart). */
  cost: number;
  realized: number;
  fees: number;
}

interface Delta {
  key: string;
  shares: number;
  cost: number;
  realized: number;
  fees: number;
  cash: number;
  /** The order a pending fill belongs to (when its fill said), for the operator told it is unanswered. */
  order_id?: string;
  /** What was matched, as the fill said: an operator told it is unanswered needs it to take back one that in truth failed. */
  matched: MatchedTrade;
}

/** A fill's trade as it said it: the token, which way, how many shares and at what price. */
export type MatchedTrade = Pick<LedgerFill, 'token_id' | 'side' | 'size' | 'price'>;

export interface Ledger {
  lots: Record<string, Lot>;
  /** Collateral flow since the ledger started: negative while money sits in positions. */
  cash: number;
  /** MATCHED fills not yet CONFIRMED, with what they changed, so a FAILED one can be undone. */
  pending: Record<string, Delta>;
  /** Fill ids already final (confirmed, failed or settled): repeats are ignored. */
  final: Record<string, true>;
  /** What each token paid at settlement (1 / 0, or 0.5 / 0.5 for a 50-50); null until settled. */
  settled_prices: Record<string, number> | null;
  /** Per lot, the shares settlement paid for, kept up to date by fills undone after it. */
  settled_shares: Record<string, number>;
}

export interface LedgerFill {
  fill_id: string;
  token_id: string;
  strategy: StrategyName;
  side: OrderSide;
  price: number;
  size: number;
  fee_usdc: number;
  status: 'MATCHED' | 'CONFIRMED' | 'FAILED';
  client_order_id?: string;
}

export function emptyLedger(): Ledger {
  return { lots: {}, cash: 0, pending: {}, final: {}, settled_prices: null, settled_shares: {} };
}

const lotKey = (token: string, strategy: StrategyName) => `${token}|${strategy}`;

/** `sellCost`: a sell's cost per share when known otherwise than from its lot (a rebuilt lot it emptied holds none). */
function deltaFor(ledger: Ledger, fill: LedgerFill, sellCost?: number): Delta {
  const key = lotKey(fill.token_id, fill.strategy);
  const lot = ledger.lots[key];
  const matched: MatchedTrade = { token_id: fill.token_id, side: fill.side, size: fill.size, price: fill.price };
  if (fill.side === 'BUY') {
    return { key, shares: fill.size, cost: fill.size * fill.price, realized: 0, fees: fill.fee_usdc, cash: -fill.size * fill.price - fill.fee_usdc, matched };
  }
  const avg = sellCost ?? (lot && lot.shares > 1e-12 ? lot.cost / lot.shares : 0);
  return {
    key,
    shares: -fill.size,
    cost: -fill.size * avg,
    realized: fill.size * (fill.price - avg),
    fees: fill.fee_usdc,
    cash: fill.size * fill.price - fill.fee_usdc,
    matched,
  };
}

function applyDelta(ledger: Ledger, d: Delta, sign: 1 | -1, token: string, strategy: StrategyName): Ledger {
  const lot = ledger.lots[d.key] ?? { token_id: token, strategy, shares: 0, cost: 0, realized: 0, fees: 0 };
  const paid = ledger.settled_prices?.[token];
  if (paid !== undefined) {
    // Settled: the shares are gone, turned into `paid` each; undoing moves that payout too.
    const payout = paid * d.shares;
    const next: Lot = { ...lot, realized: lot.realized + sign * (d.realized + payout - d.cost), fees: lot.fees + sign * d.fees };
    const settled_shares = { ...ledger.settled_shares, [d.key]: (ledger.settled_shares[d.key] ?? 0) + sign * d.shares };
    return { ...ledger, lots: { ...ledger.lots, [d.key]: next }, cash: ledger.cash + sign * (d.cash + payout), settled_shares };
  }
  const next: Lot = {
    ...lot,
    shares: lot.shares + sign * d.shares,
    cost: lot.cost + sign * d.cost,
    realized: lot.realized + sign * d.realized,
    fees: lot.fees + sign * d.fees,
  };
  return { ...ledger, lots: { ...ledger.lots, [d.key]: next }, cash: ledger.cash + sign * d.cash };
}

function withoutPending(pending: Record<string, Delta>, id: string): Record<string, Delta> {
  const { [id]: _gone, ...rest } = pending;
  return rest;
}

/** The ledger has heard of this fill already (matched, confirmed, failed or settled). */
export function knowsFill(ledger: Ledger, fillId: string): boolean {
  return ledger.pending[fillId] !== undefined || ledger.final[fillId] === true;
}

/**
 * Idempotent per (fill_id, status). After settlement only the answers to fills matched before it
 * count (a FAILED one takes back what it and its payout changed); new matches are ignored.
 */
export function applyFill(ledger: Ledger, fill: LedgerFill): Ledger {
  if (ledger.final[fill.fill_id]) return ledger;
  const pending = ledger.pending[fill.fill_id];
  if (ledger.settled_prices !== null && !pending) return ledger;
  if (fill.status === 'MATCHED') {
    if (pending) return ledger;
    const d = deltaFor(ledger, fill);
    const applied = applyDelta(ledger, d, 1, fill.token_id, fill.strategy);
    const order = fill.client_order_id === undefined ? {} : { order_id: fill.client_order_id };
    return { ...applied, pending: { ...applied.pending, [fill.fill_id]: { ...d, ...order } } };
  }
  if (fill.status === 'CONFIRMED') {
    const base = pending ? ledger : applyDelta(ledger, deltaFor(ledger, fill), 1, fill.token_id, fill.strategy);
    return { ...base, pending: withoutPending(base.pending, fill.fill_id), final: { ...base.final, [fill.fill_id]: true } };
  }
  // FAILED: undo exactly what the match did; a failure never seen as a match changes nothing.
  if (!pending) return { ...ledger, final: { ...ledger.final, [fill.fill_id]: true } };
  let out = applyDelta(ledger, pending, -1, fill.token_id, fill.strategy);
  out = { ...out, pending: withoutPending(out.pending, fill.fill_id), final: { ...out.final, [fill.fill_id]: true } };
  return undoDependentSells(out, pending.key);
}

/**
 * A failed buy whose shares were already sold: those sells (still unconfirmed, latest first) sold
 * shares that never existed, and fail with it, so that no lot goes short. The venue settles a
 * sell only against shares it delivered, so it answers them FAILED too; those answers then repeat.
 */
function undoDependentSells(ledger: Ledger, key: string): Ledger {
  let out = ledger;
  const ids = Object.keys(out.pending)
    .filter((id) => out.pending[id]!.key === key && out.pending[id]!.shares < 0)
    .reverse();
  for (const id of ids) {
    const lot = out.lots[key];
    const held = out.settled_prices !== null ? (out.settled_shares[key] ?? 0) : (lot?.shares ?? 0);
    if (!lot || held >= -1e-9) break;
    const d = out.pending[id]!;
    out = applyDelta(out, d, -1, lot.token_id, lot.strategy);
    out = { ...out, pending: withoutPending(out.pending, id), final: { ...out.final, [id]: true } };
  }
  return out;
}

/**
 * What each token of a binary market pays: 1 to the winner and 0 to the other, or 0.5 each when
 * the market resolved without a winner (a 50-50 resolution).
 */
export function resolutionPrices(tokens: readonly [string, string], winningTokenId: string | null): Record<string, number> {
  if (winningTokenId === null || !tokens.includes(winningTokenId)) return { [tokens[0]]: 0.5, [tokens[1]]: 0.5 };
  return { [tokens[0]]: tokens[0] === winningTokenId ? 1 : 0, [tokens[1]]: tokens[1] === winningTokenId ? 1 : 0 };
}

/**
 * Resolution: each token pays its resolved price per share; all positions close. Fills still
 * unconfirmed stay pending, so that a late FAILED can still be taken back.
 */
export function settle(ledger: Ledger, prices: Record<string, number>): Ledger {
  if (ledger.settled_prices !== null) return ledger;
  const lots: Record<string, Lot> = {};
  const settled_shares: Record<string, number> = {};
  let cash = ledger.cash;
  for (const key of Object.keys(ledger.lots).sort()) {
    const lot = ledger.lots[key]!;
    const payout = (prices[lot.token_id] ?? 0) * lot.shares;
    cash += payout;
    settled_shares[key] = lot.shares;
    lots[key] = { ...lot, realized: lot.realized + payout - lot.cost, shares: 0, cost: 0 };
  }
  return { ...ledger, lots, cash, settled_prices: { ...prices }, settled_shares };
}

/** Net shares per token across strategies. */
export function sharesByToken(ledger: Ledger): Record<string, number> {
  const out: Record<string, number> = {};
  for (const lot of Object.values(ledger.lots)) out[lot.token_id] = (out[lot.token_id] ?? 0) + lot.shares;
  return out;
}

/** Cost basis of all the ledger holds (fees apart; nothing once settled): what risk counts against the notional caps. */
export function heldCost(ledger: Pick<Ledger, 'lots'>): number {
  let cost = 0;
  for (const lot of Object.values(ledger.lots)) cost += lot.cost;
  return cost;
}

export function tokenHolding(ledger: Ledger, tokenId: string): { shares: number; cost: number } {
  let shares = 0;
  let cost = 0;
  for (const lot of Object.values(ledger.lots)) {
    if (lot.token_id !== tokenId) continue;
    shares += lot.shares;
    cost += lot.cost;
  }
  return { shares, cost };
}

const NO_HOLDING = Object.freeze({ shares: 0, cost: 0, fees: 0 });

export function strategyHolding(ledger: Ledger, tokenId: string, strategy: StrategyName): { shares: number; cost: number; fees: number } {
  // Hot path (every decision): most markets hold nothing, so skip the key building.
  for (const _ in ledger.lots) {
    const lot = ledger.lots[lotKey(tokenId, strategy)];
    return lot ? { shares: lot.shares, cost: lot.cost, fees: lot.fees } : NO_HOLDING;
  }
  return NO_HOLDING;
}

export interface PnlSummary {
  realized: number;
  unrealized: number;
  fees: number;
  /** realized − fees + unrealized. */
  net: number;
  by_strategy: Record<string, number>;
}

export function noPnl(): PnlSummary {
  return { realized: 0, unrealized: 0, fees: 0, net: 0, by_strategy: {} };
}

/** Two PnL summaries added up (strategies in name order). */
export function addPnl(a: PnlSummary, b: PnlSummary): PnlSummary {
  const by: Record<string, number> = {};
  for (const k of [...new Set([...Object.keys(a.by_strategy), ...Object.keys(b.by_strategy)])].sort()) by[k] = (a.by_strategy[k] ?? 0) + (b.by_strategy[k] ?? 0);
  return { realized: a.realized + b.realized, unrealized: a.unrealized + b.unrealized, fees: a.fees + b.fees, net: a.net + b.net, by_strategy: by };
}

/** marks: token → price to value open shares at (mid, or best bid for a liquidation view). */
export function pnlSummary(ledger: Ledger, marks: Record<string, number | null | undefined>): PnlSummary {
  let realized = 0;
  let unrealized = 0;
  let fees = 0;
  const by: Record<string, number> = {};
  for (const key of Object.keys(ledger.lots).sort()) {
    const lot = ledger.lots[key]!;
    const mark = marks[lot.token_id];
    const avg = lot.shares > 1e-12 ? lot.cost / lot.shares : 0;
    const u = lot.shares * ((mark ?? avg) as number) - lot.cost;
    realized += lot.realized;
    unrealized += u;
    fees += lot.fees;
    by[lot.strategy] = (by[lot.strategy] ?? 0) + lot.realized - lot.fees + u;
  }
  return { realized, unrealized, fees, net: realized - fees + unrealized, by_strategy: by };
}

export interface TokenPosition {
  token_id: string;
  shares: number;
  avg_cost: number;
  realized_pnl: number;
  unrealized_pnl: number;
  fees_paid: number;
  by_strategy: Record<string, number>;
}

/**
 * One POSITION payload per token. Its shares are the lots' sum snapped onto the share grid (17.6 +
 * 5.57 + 5.03 is 28.2, not 28.200000000000003); the lots keep their exact sums, on which the ledger's
 * identity holds.
 */
export function tokenPositions(ledger: Ledger, marks: Record<string, number | null | undefined>): TokenPosition[] {
  const tokens = [...new Set(Object.values(ledger.lots).map((l) => l.token_id))].sort();
  return tokens.map((token) => {
    const sub: Ledger = { ...ledger, lots: Object.fromEntries(Object.entries(ledger.lots).filter(([, l]) => l.token_id === token)) };
    const s = pnlSummary(sub, marks);
    const h = tokenHolding(ledger, token);
    return {
      token_id: token,
      shares: snapShares(h.shares),
      avg_cost: h.shares > 1e-12 ? h.cost / h.shares : 0,
      realized_pnl: s.realized,
      unrealized_pnl: s.unrealized,
      fees_paid: s.fees,
      by_strategy: s.by_strategy,
    };
  });
}

/**
 * Replaces positions with what the venue reports (reconciliation rebuild). The venue's positions
 * hold its MATCHED fills (reconciliation compares them with the ledger's, pending ones included),
 * so fills still pending stay pending on the rebuilt lot of their token: a later CONFIRMED only
 * makes them final (applied again, it would count them twice, fee and all), a FAILED takes them
 * back from that lot as the venue takes them back from its position. So do the position's own
 * `awaiting` fills, which this ledger never heard matched.
 */
export function ledgerFromVenue(previous: Ledger, positions: ReadonlyArray<{ token_id: string; shares: number; avg_cost: number; awaiting?: ReadonlyArray<AwaitingFill> }>): Ledger {
  const lots: Record<string, Lot> = {};
  let realized = 0;
  let fees = 0;
  for (const lot of Object.values(previous.lots)) {
    realized += lot.realized;
    fees += lot.fees;
  }
  for (const p of [...positions].sort((a, b) => a.token_id.localeCompare(b.token_id))) {
    if (Math.abs(p.shares) < 1e-12) continue;
    lots[lotKey(p.token_id, 'reconciled')] = { token_id: p.token_id, strategy: 'reconciled', shares: p.shares, cost: p.shares * p.avg_cost, realized: 0, fees: 0 };
  }
  // History (realized and fees) is kept on a holder lot so attribution totals survive the rebuild.
  if (realized !== 0 || fees !== 0) {
    lots['|history'] = { token_id: '', strategy: 'reconciled', shares: 0, cost: 0, realized, fees };
  }
  const pending: Record<string, Delta> = {};
  for (const id of Object.keys(previous.pending).sort()) {
    const d = previous.pending[id]!;
    const token = previous.lots[d.key]!.token_id;
    const key = lotKey(token, 'reconciled');
    lots[key] ??= { token_id: token, strategy: 'reconciled', shares: 0, cost: 0, realized: 0, fees: 0 };
    pending[id] = { ...d, key };
  }
  // Fills the position holds that this ledger never heard matched (an earlier trading session's):
  // pending on the rebuilt lot too. Their fee was never booked here, so a FAILED gives back no fee.
  const awaiting = positions.flatMap((p) => (p.awaiting ?? []).map((f) => ({ ...f, token_id: p.token_id })));
  for (const f of awaiting.sort((a, b) => a.fill_id.localeCompare(b.fill_id))) {
    if (pending[f.fill_id] || previous.final[f.fill_id]) continue;
    const key = lotKey(f.token_id, 'reconciled');
    lots[key] ??= { token_id: f.token_id, strategy: 'reconciled', shares: 0, cost: 0, realized: 0, fees: 0 };
    const d = deltaFor({ ...previous, lots }, { ...f, strategy: 'reconciled', fee_usdc: 0, status: 'MATCHED' }, f.avg_cost);
    pending[f.fill_id] = { ...d, order_id: f.client_order_id };
    // A sell's gain is in the position already (its shares are gone): booked, so that its FAILED takes back only what it booked.
    if (d.realized !== 0) {
      realized += d.realized;
      lots['|history'] = { token_id: '', strategy: 'reconciled', shares: 0, cost: 0, realized, fees };
    }
  }
  let cost = 0;
  for (const lot of Object.values(lots)) cost += lot.cost;
  return { lots, cash: realized - fees - cost, pending, final: previous.final, settled_prices: previous.settled_prices, settled_shares: previous.settled_shares };
}

/**
 * Net PnL as risk must see it: what closing everything now would leave. A YES + NO pair pays 1 for
 * sure (or merges into 1 USDC), so paired shares count 1; every other share is worth what selling
 * it at the bid brings after the taker fee, and nothing when there is no bid. Never the mid or
 * the ask: those are prices nobody pays a seller.
 */
export function exitValuePnl(ledger: Ledger, tokens: readonly [string, string], bids: Record<string, number | null | undefined>, fee: FeeSchedule): number {
  const held = sharesByToken(ledger);
  const a = held[tokens[0]] ?? 0;
  const b = held[tokens[1]] ?? 0;
  const paired = Math.max(0, Math.min(a, b));
  let value = paired;
  for (const token of Object.keys(held).sort()) {
    const rest = held[token]! - (token === tokens[0] || token === tokens[1] ? paired : 0);
    if (Math.abs(rest) < 1e-12) continue;
    const bid = bids[token];
    value += rest * (bid !== null && bid !== undefined ? netProceedsPerShare(bid, fee) : 0);
  }
  return ledger.cash + value;
}
