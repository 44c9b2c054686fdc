import type { TradableBook } from './book-view.ts';
import { takerFeePerShare, type FeeSchedule } from './fees.ts';
import { slippageGuard } from './slippage.ts';
import { MIN_MARKETABLE_NOTIONAL_USDC, roundSizeDown, roundSizeUp } from './ticks.ts';

/**
 * Binary pair arbitrage: buy YES and NO so that one of them pays 1 at resolution. Checked on
 * effective prices at the intended size (the book walked level by level), with taker fees per the
 * market's schedule and a safety margin; built in chunks so that one leg never runs too far ahead.
 */
export interface PairArbConfig {
  safety_margin: number;
  chunk_shares: number;
  target_pair_shares: number;
  max_leg_imbalance_usdc: number;
  max_leg_imbalance_shares: number;
}

export interface LegHolding {
  shares: number;
  cost: number;
  fees: number;
}

export type Leg = 'yes' | 'no';

export interface PairEntryCheck {
  ok: boolean;
  effYes: number | null;
  effNo: number | null;
  /** Taker fee per pair of shares at the effective prices. */
  feesPerPair: number;
  /** 1 − feesPerPair − safety_margin: the effective sum must stay strictly below it. */
  threshold: number;
  sum: number | null;
}

export function checkPairEntry(yes: TradableBook, no: TradableBook, size: number, fee: FeeSchedule, safetyMargin: number): PairEntryCheck {
  const y = yes.effectivePriceForSize('BUY', size);
  const n = no.effectivePriceForSize('BUY', size);
  const full = y.avgPrice !== null && n.avgPrice !== null && y.fillable + 1e-9 >= size && n.fillable + 1e-9 >= size;
  if (!full) return { ok: false, effYes: y.avgPrice, effNo: n.avgPrice, feesPerPair: 0, threshold: 1 - safetyMargin, sum: null };
  const feesPerPair = takerFeePerShare(y.avgPrice!, fee) + takerFeePerShare(n.avgPrice!, fee);
  const threshold = 1 - feesPerPair - safetyMargin;
  const sum = y.avgPrice! + n.avgPrice!;
  return { ok: sum < threshold, effYes: y.avgPrice, effNo: n.avgPrice, feesPerPair, threshold, sum };
}

/** What the pair pays for sure at resolution, net of everything spent on it. */
export function guaranteedPairPnl(yes: LegHolding, no: LegHolding): number {
  return Math.min(yes.shares, no.shares) - (yes.cost + no.cost + yes.fees + no.fees);
}

export interface LegOrder {
  leg: Leg;
  size: number;
  /** Marketable limit: the worst level the walk reaches. */
  limit: number;
  avgPrice: number;
}

export type PairDecision =
  | { kind: 'enter'; legs: [LegOrder, LegOrder]; check: PairEntryCheck }
  | { kind: 'complete'; order: LegOrder }
  | { kind: 'locked'; guaranteedPnl: number }
  | { kind: 'wait'; reason: string };

export interface PairInput {
  yes: TradableBook;
  no: TradableBook;
  holdings: { yes: LegHolding; no: LegHolding };
  fee: FeeSchedule;
  tick: number;
  maxSlippageTicks: number;
  cfg: PairArbConfig;
  /** Drawdown scaling from risk (1 = full size). */
  sizeScale: number;
}

/** Imbalance below one minimum marketable order on the lagging leg cannot be traded away. */
function imbalanceTolerance(lagBook: TradableBook): number {
  const ask = lagBook.bestAsk();
  return ask && ask.price > 0 ? MIN_MARKETABLE_NOTIONAL_USDC / ask.price : Infinity;
}

export function decidePair(input: PairInput): PairDecision {
  const { holdings, cfg } = input;
  const qy = holdings.yes.shares;
  const qn = holdings.no.shares;
  const lag: Leg = qy < qn ? 'yes' : 'no';
  const lagBook = lag === 'yes' ? input.yes : input.no;
  const diff = Math.abs(qy - qn);
  const balanced = diff <= 0.01 || diff < imbalanceTolerance(lagBook);
  const gpnl = guaranteedPairPnl(holdings.yes, holdings.no);

  if (!balanced) return completeLaggingLeg(input, lag, diff);

  const paired = Math.min(qy, qn);
  if (gpnl > 0 && paired + 1e-9 >= cfg.target_pair_shares) return { kind: 'locked', guaranteedPnl: gpnl };

  const entry = nextChunk(input, paired);
  if (entry.kind === 'enter') return entry;
  // The window closed with a profitable balanced pair in hand: keep it rather than wait.
  if (gpnl > 0) return { kind: 'locked', guaranteedPnl: gpnl };
  return entry;
}

function nextChunk(input: PairInput, paired: number): PairDecision {
  const { cfg, holdings } = input;
  const costGap = Math.abs(holdings.yes.cost - holdings.no.cost);
  const shareGap = Math.abs(holdings.yes.shares - holdings.no.shares);
  let size = Math.min(cfg.chunk_shares * input.sizeScale, cfg.target_pair_shares - paired, cfg.max_leg_imbalance_shares - shareGap);
  size = roundSizeDown(size);
  let last: PairEntryCheck | null = null;
  // Effective prices grow with size, so a smaller chunk may still clear the threshold.
  while (size > 0) {
    const check = checkPairEntry(input.yes, input.no, size, input.fee, cfg.safety_margin);
    last = check;
    const worstLegCost = size * Math.max(check.effYes ?? 1, check.effNo ?? 1);
    const capsOk = costGap + worstLegCost <= cfg.max_leg_imbalance_usdc + 1e-9;
    const minOk = size * Math.min(check.effYes ?? 0, check.effNo ?? 0) + 1e-9 >= MIN_MARKETABLE_NOTIONAL_USDC;
    if (!minOk) break;
    if (check.ok && capsOk) {
      const y = slippageGuard(input.yes, 'BUY', size, input.tick, input.maxSlippageTicks);
      const n = slippageGuard(input.no, 'BUY', size, input.tick, input.maxSlippageTicks);
      if (y.ok && n.ok) {
        return {
          kind: 'enter',
          check,
          legs: [
            { leg: 'yes', size, limit: y.worstPrice, avgPrice: y.avgPrice },
            { leg: 'no', size, limit: n.worstPrice, avgPrice: n.avgPrice },
          ],
        };
      }
    }
    size = roundSizeDown(size / 2);
  }
  if (!last) return { kind: 'wait', reason: 'no room under caps' };
  return { kind: 'wait', reason: last.sum === null ? 'insufficient depth' : `effective sum ${last.sum.toFixed(4)} ≥ ${last.threshold.toFixed(4)}` };
}

function completeLaggingLeg(input: PairInput, lag: Leg, diff: number): PairDecision {
  const book = lag === 'yes' ? input.yes : input.no;
  const lead = lag === 'yes' ? input.holdings.no : input.holdings.yes;
  const ask = book.bestAsk();
  if (!ask) return { kind: 'wait', reason: 'lagging leg has no asks' };
  const size = roundSizeUp(Math.max(diff, MIN_MARKETABLE_NOTIONAL_USDC / ask.price));
  const guard = slippageGuard(book, 'BUY', size, input.tick, input.maxSlippageTicks);
  if (!guard.ok) return { kind: 'wait', reason: `lagging leg: ${guard.reason}` };
  const leadAvg = lead.shares > 0 ? (lead.cost + lead.fees) / lead.shares : 0;
  // Completing at no profit still removes open exposure; completing at a sure loss does not.
  if (leadAvg + guard.avgPrice + takerFeePerShare(guard.avgPrice, input.fee) >= 1) {
    return { kind: 'wait', reason: 'completing the lagging leg would lock a loss' };
  }
  return { kind: 'complete', order: { leg: lag, size, limit: guard.worstPrice, avgPrice: guard.avgPrice } };
}
