import type { TradableBook } from './book-view.ts';
import { allInPerShare, makerAllInPerShare, takerFeePerShare, type FeeSchedule } from './fees.ts';
import { dollarsSpent, walkAskDollars } from './market-buy.ts';
import { slippageGuard, ticksLeft } from './slippage.ts';
import { MIN_MARKETABLE_NOTIONAL_USDC, roundLimit, roundSizeDown, wholeCentBuySize, wholeCentLimit } from './ticks.ts';

/**
 * Edge ("temporal") strategy: a fair value from the model side (truth implied_p, nowcast bucket p)
 * against the executable price at the intended size, fees included. Trades when the edge clears a
 * threshold; sizes by fractional Kelly, capped twice (a bankroll fraction and a hard USDC cap).
 */
export interface EdgeConfig {
  edge_threshold: number;
  kelly_fraction: number;
  kelly_max_fraction: number;
  hard_cap_usdc: number;
  bankroll_usdc: number;
  maker_extra_edge: number;
}

/** Full Kelly for a contract paying 1, bought at all-in cost c with win probability p. */
export function kellyFraction(p: number, c: number): number {
  if (c <= 0 || c >= 1 || p <= c) return 0;
  return (p - c) / (1 - c);
}

export function kellyStakeUsdc(p: number, c: number, cfg: EdgeConfig, sizeScale: number): number {
  const f = Math.min(cfg.kelly_fraction * kellyFraction(p, c), cfg.kelly_max_fraction);
  return Math.min(f * cfg.bankroll_usdc * sizeScale, cfg.hard_cap_usdc);
}

export interface EdgeToken {
  token_id: string;
  book: TradableBook;
  fair: number;
  holding: { shares: number; cost: number };
  /** What entries may hold in all (an event-level allocation), instead of this token's own Kelly stake. */
  stakeUsdc?: number;
}

export interface EdgeInput {
  tokens: EdgeToken[];
  threshold: number;
  /** Policy limits for this market. */
  maxOrderUsdc: number;
  maxPositionUsdc: number;
  fee: FeeSchedule;
  tick: number;
  maxSlippageTicks: number;
  /** Marketable BUYs are FOK (`orders.marketable_type`): their limits must let the asks take all their dollars. */
  fillOrKill?: boolean;
  minOrderShares: number;
  sizeScale: number;
  allowBuy: boolean;
  cfg: EdgeConfig;
}

export type EdgeDecision =
  | { kind: 'buy'; token_id: string; size: number; limit: number; style: 'marketable' | 'resting'; edge: number; fair: number }
  | { kind: 'sell'; token_id: string; size: number; limit: number; edge: number; fair: number }
  | { kind: 'none'; reason: string };

/** The answers that carry nothing of the evaluation: shared, as most evaluations end in one. */
const BUYS_NOT_ALLOWED: EdgeDecision = Object.freeze({ kind: 'none', reason: 'buys not allowed' });
const NO_EDGE: EdgeDecision = Object.freeze({ kind: 'none', reason: 'no edge above threshold' });

export function decideEdge(input: EdgeInput): EdgeDecision {
  // Loops rather than map/filter/sort: every book signal of every market with a fair value asks.
  let exit: EdgeDecision | null = null;
  for (const t of input.tokens) exit = better(exitFor(t, input), exit);
  if (exit) return exit;
  if (!input.allowBuy) return BUYS_NOT_ALLOWED;
  let entry: EdgeDecision | null = null;
  for (const t of input.tokens) entry = better(takerEntry(t, input) ?? makerEntry(t, input), entry);
  return entry ?? NO_EDGE;
}

/**
 * The larger edge, then the token id first in locale order: the first element of the candidates
 * sorted by that order, as an insertion step of the sort would pick it (`best` came earlier).
 */
function better(candidate: EdgeDecision | null, best: EdgeDecision | null): EdgeDecision | null {
  if (!candidate || candidate.kind === 'none') return best;
  if (!best || best.kind === 'none') return candidate;
  const order = best.edge - candidate.edge || candidate.token_id.localeCompare(best.token_id);
  return order < 0 ? candidate : best;
}

function roomUsdc(t: EdgeToken, input: EdgeInput): number {
  return Math.max(0, Math.min(input.maxOrderUsdc, input.maxPositionUsdc - t.holding.cost));
}

function stakeFor(t: EdgeToken, cost: number, input: EdgeInput): number {
  return t.stakeUsdc === undefined ? kellyStakeUsdc(t.fair, cost, input.cfg, input.sizeScale) : Math.max(0, t.stakeUsdc - t.holding.cost);
}

function takerEntry(t: EdgeToken, input: EdgeInput): EdgeDecision | null {
  const ask = t.book.bestAsk();
  if (!ask) return null;
  const c0 = allInPerShare(ask.price, input.fee);
  if (t.fair - c0 < input.threshold) return null;
  // Stake, room and caps are all-in USDC: the order at its limit, fee included, must fit them.
  const budget = Math.min(stakeFor(t, c0, input), roomUsdc(t, input));
  let size = roundSizeDown(budget / c0);
  while (size > 0 && size * ask.price + 1e-9 >= MIN_MARKETABLE_NOTIONAL_USDC) {
    const guard = slippageGuard(t.book, 'BUY', size, input.tick, input.maxSlippageTicks, input.fillOrKill === true);
    if (guard.ok) {
      // A FOK only as large as its asks up to the limit can take the dollars of (the venue kills it otherwise).
      const fokCap = (limit: number) => (input.fillOrKill === true ? dollarsSpent(walkAskDollars(t.book.asksTo(limit), limit, Infinity)) / limit : Infinity);
      const at = wholeCentLimit(guard.worstPrice, input.tick, ticksLeft(guard, input.tick, input.maxSlippageTicks), (limit) =>
        wholeCentBuySize(Math.min(size, budget / allInPerShare(limit, input.fee), fokCap(limit)), [limit]),
      );
      if (at.size + 1e-9 < size) {
        size = at.size;
        continue;
      }
      const edge = t.fair - allInPerShare(guard.avgPrice, input.fee);
      // Signed at size × limit, unlike a pair leg (sizeSpendingWalkCost): the stake is dollars, and
      // the more shares cheaper asks give for them are within it; nothing else must match its shares.
      if (edge >= input.threshold) return { kind: 'buy', token_id: t.token_id, size, limit: at.limit, style: 'marketable', edge, fair: t.fair };
    }
    size = roundSizeDown(size / 2);
  }
  return null;
}

function makerEntry(t: EdgeToken, input: EdgeInput): EdgeDecision | null {
  const bid = t.book.bestBid();
  const ask = t.book.bestAsk();
  if (!bid) return null;
  const price = roundLimit('BUY', bid.price + input.tick, input.tick);
  if (ask && price >= ask.price - 1e-9) return null; // would cross: that is the taker case
  // Where makers pay the fee too, stake, room and caps are all-in as for a taker entry.
  const cost = makerAllInPerShare(price, input.fee);
  const edge = t.fair - cost;
  if (edge < input.threshold + input.cfg.maker_extra_edge) return null;
  const size = roundSizeDown(Math.min(stakeFor(t, cost, input), roomUsdc(t, input)) / cost);
  if (size + 1e-9 < input.minOrderShares) return null;
  return { kind: 'buy', token_id: t.token_id, size, limit: price, style: 'resting', edge, fair: t.fair };
}

function exitFor(t: EdgeToken, input: EdgeInput): EdgeDecision | null {
  const size = roundSizeDown(t.holding.shares);
  if (size <= 0) return null;
  const guard = slippageGuard(t.book, 'SELL', size, input.tick, input.maxSlippageTicks);
  if (!guard.ok) return null;
  if (size * guard.avgPrice + 1e-9 < MIN_MARKETABLE_NOTIONAL_USDC) return null;
  const edge = guard.avgPrice - takerFeePerShare(guard.avgPrice, input.fee) - t.fair;
  if (edge < input.threshold) return null;
  return { kind: 'sell', token_id: t.token_id, size, limit: guard.worstPrice, edge, fair: t.fair };
}
