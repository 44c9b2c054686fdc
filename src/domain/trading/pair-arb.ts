import type { BookLevels, OrderSide, TradableBook } from './book-view.ts';
import { allInPerShare, netProceedsPerShare, takerFeePerShare, type FeeSchedule } from './fees.ts';
import { raisableLeg, slippageGuard } from './slippage.ts';
import { MIN_MARKETABLE_NOTIONAL_USDC, roundSizeDown, roundSizeUp, SIZE_STEP, sizeSpendingWalkCost, wholeCentLegs } from './ticks.ts';

/**
 * Binary pair arbitrage: buy YES and NO so that one of them pays 1 at resolution. Checked on
 * effective prices at the intended size (the book walked level by level), with taker fees per the
 * market's schedule and a safety margin; built in chunks so that one leg never runs too far ahead.
 * The limits, not the expected prices, bound what a fill may cost: every chunk stays profitable
 * even if each leg fills at its limit, and each leg fits the per-order cap with its fee, so both
 * legs pass risk or neither is proposed. A leg left unpaired is completed within the fee-aware
 * bound, or, once `naked_leg_max_ms` is over, closed by whichever of completing or unwinding
 * costs least.
 */
export interface PairArbConfig {
  safety_margin: number;
  chunk_shares: number;
  target_pair_shares: number;
  max_leg_imbalance_usdc: number;
  max_leg_imbalance_shares: number;
  naked_leg_max_ms: number;
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

export interface PairImbalance {
  lead: Leg;
  lag: Leg;
  /** Shares the lead leg holds beyond the lag leg. */
  excess: number;
}

/**
 * The naked part of a pair, or null when there is none worth a minimum order: an excess valued
 * (at its own average all-in cost) under the venue's minimum marketable notional can be neither
 * sold nor meaningfully lost, and chasing it would only overshoot the other way.
 */
export function pairImbalance(yes: LegHolding, no: LegHolding): PairImbalance | null {
  const diff = yes.shares - no.shares;
  const excess = Math.abs(diff);
  if (excess < SIZE_STEP / 2) return null;
  const lead: Leg = diff > 0 ? 'yes' : 'no';
  const h = lead === 'yes' ? yes : no;
  const avg = h.shares > 1e-12 ? (h.cost + h.fees) / h.shares : 0;
  if (excess * avg + 1e-9 < MIN_MARKETABLE_NOTIONAL_USDC) return null;
  return { lead, lag: lead === 'yes' ? 'no' : 'yes', excess };
}

export interface LegOrder {
  leg: Leg;
  side: OrderSide;
  /** What the order is signed for: a marketable BUY walking cheaper asks signs for less than `shares` (sizeSpendingWalkCost). */
  size: number;
  /** What the order is to buy (or sell); what the venue fills a BUY with, to a whole-cent step. */
  shares: number;
  /** Marketable limit: the worst level the walk reaches, and the bound every fill respects. */
  limit: number;
  avgPrice: number;
}

export type PairDecision =
  | { kind: 'enter'; legs: [LegOrder, LegOrder]; check: PairEntryCheck }
  | { kind: 'complete'; order: LegOrder; guaranteedPnl: number }
  | { kind: 'unwind'; order: LegOrder; guaranteedPnl: number }
  | { kind: 'locked'; guaranteedPnl: number }
  | { kind: 'wait'; reason: string };

export interface PairInput {
  yes: TradableBook;
  no: TradableBook;
  holdings: { yes: LegHolding; no: LegHolding };
  fee: FeeSchedule;
  tick: number;
  maxSlippageTicks: number;
  /** Marketable BUYs are FOK (`orders.marketable_type`): their limits must let the asks take all their dollars. */
  fillOrKill?: boolean;
  cfg: PairArbConfig;
  /** Drawdown scaling from risk (1 = full size). */
  sizeScale: number;
  /** Risk's per-order cap, fee included; null when none is known. */
  maxOrderUsdc: number | null;
  nowMs: number;
  /** When the current naked leg began (null: none). */
  nakedSinceMs: number | null;
}

/**
 * A cheap screen before `decidePair`: true only when its answer can be nothing but a wait. The
 * pair holds nothing (no naked leg, nothing locked) and the lowest asks already sum to the entry
 * bound: any chunk's effective prices are at least those asks and fees only lower the bound, so
 * no size can enter. The margin keeps float noise in the walk from ever mattering.
 */
export function flatPairCannotEnter(yes: BookLevels, no: BookLevels, yesHolding: LegHolding, noHolding: LegHolding, safetyMargin: number): boolean {
  // The holdings as two arguments, not a pair object: the screen runs on every book signal.
  if (yesHolding.shares !== 0 || noHolding.shares !== 0 || guaranteedPairPnl(yesHolding, noHolding) > 0) return false;
  const askY = lowestAsk(yes);
  const askN = lowestAsk(no);
  return askY !== null && askN !== null && askY + askN >= 1 - safetyMargin + 1e-9;
}

function lowestAsk(levels: BookLevels): number | null {
  // Indexed, not `for (const [price] of ...)`: destructuring runs the iterator protocol per level
  // (twice as slow), and every book signal of a flat pair asks.
  const asks = levels.asks;
  let low: number | null = null;
  for (let i = 0; i < asks.length; i++) {
    const price = asks[i]![0];
    if (low === null || price < low) low = price;
  }
  return low;
}

export function decidePair(input: PairInput): PairDecision {
  const { holdings, cfg } = input;
  const naked = pairImbalance(holdings.yes, holdings.no);
  if (naked) return closeNakedLeg(input, naked);

  const gpnl = guaranteedPairPnl(holdings.yes, holdings.no);
  const paired = Math.min(holdings.yes.shares, holdings.no.shares);
  if (gpnl > 0 && paired + 1e-9 >= cfg.target_pair_shares) return { kind: 'locked', guaranteedPnl: gpnl };

  const entry = nextChunk(input, paired);
  if (entry.kind === 'enter') return entry;
  // The window closed with a profitable balanced pair in hand: keep it rather than wait.
  if (gpnl > 0) return { kind: 'locked', guaranteedPnl: gpnl };
  return entry;
}

/** Largest size whose cost at `allIn` per share fits the per-order cap. */
function capShares(input: PairInput, allIn: number): number {
  return input.maxOrderUsdc === null ? Infinity : roundSizeDown(input.maxOrderUsdc / allIn);
}

function nextChunk(input: PairInput, paired: number): PairDecision {
  const { cfg, holdings, fee } = input;
  const costGap = Math.abs(holdings.yes.cost - holdings.no.cost);
  const shareGap = Math.abs(holdings.yes.shares - holdings.no.shares);
  let size = roundSizeDown(Math.min(cfg.chunk_shares * input.sizeScale, cfg.target_pair_shares - paired, cfg.max_leg_imbalance_shares - shareGap));
  let why = 'no room under caps';
  const halve = (reason: string) => {
    why = reason;
    size = roundSizeDown(size / 2);
  };
  // Effective prices grow with size, so a smaller chunk may still clear every bound.
  while (size > 0) {
    const check = checkPairEntry(input.yes, input.no, size, fee, cfg.safety_margin);
    if (size * Math.min(check.effYes ?? 0, check.effNo ?? 0) + 1e-9 < MIN_MARKETABLE_NOTIONAL_USDC) break;
    if (!check.ok) {
      halve(check.sum === null ? 'insufficient depth' : `effective sum ${check.sum.toFixed(4)} ≥ ${check.threshold.toFixed(4)}`);
      continue;
    }
    const y = slippageGuard(input.yes, 'BUY', size, input.tick, input.maxSlippageTicks, input.fillOrKill === true);
    const n = slippageGuard(input.no, 'BUY', size, input.tick, input.maxSlippageTicks, input.fillOrKill === true);
    if (!y.ok || !n.ok) {
      halve(`slippage: ${!y.ok ? y.reason : ''}${!n.ok ? n.reason : ''}`);
      continue;
    }
    const bound = 1 - cfg.safety_margin;
    // Both legs alike: a size each leg's venue order buys exactly at its limit, the limits raised
    // within the slippage bound where that locks more (at 3- or 4-decimal prices, often any size).
    const fok = input.fillOrKill === true;
    const legs = [raisableLeg(input.yes, y, input.tick, input.maxSlippageTicks, fok), raisableLeg(input.no, n, input.tick, input.maxSlippageTicks, fok)];
    const whole = wholeCentLegs(size, legs, input.tick, (s, [ly, ln]) => {
      const cost = allInPerShare(ly!, fee) + allInPerShare(ln!, fee);
      return cost < bound ? s * (1 - cost) : -Infinity;
    });
    const [yLimit, nLimit] = whole?.limits ?? [y.worstPrice, n.worstPrice];
    const allY = allInPerShare(yLimit!, fee);
    const allN = allInPerShare(nLimit!, fee);
    if (allY + allN >= bound) {
      halve(`limits ${yLimit} + ${nLimit} with fees ${(allY + allN).toFixed(4)} ≥ ${bound.toFixed(4)}`);
      continue;
    }
    const cap = capShares(input, Math.max(allY, allN));
    if (cap + 1e-9 < size) {
      why = `a leg of ${size} over the per-order cap`;
      size = cap;
      continue;
    }
    if (whole === null || whole.size + 1e-9 < size) {
      why = `no size of whole cents at limits ${yLimit} and ${nLimit}`;
      size = whole?.size ?? 0;
      continue;
    }
    if (costGap + size * Math.max(allY, allN) > cfg.max_leg_imbalance_usdc + 1e-9) {
      halve('leg imbalance cap');
      continue;
    }
    // Each leg signed for what its walk costs: size × limit would buy on past `size` with what
    // cheaper levels leave over, and the legs would end unequal (a naked excess to repair).
    return {
      kind: 'enter',
      check,
      legs: [
        { leg: 'yes', side: 'BUY', size: sizeSpendingWalkCost(size, y.avgPrice, yLimit!), shares: size, limit: yLimit!, avgPrice: y.avgPrice },
        { leg: 'no', side: 'BUY', size: sizeSpendingWalkCost(size, n.avgPrice, nLimit!), shares: size, limit: nLimit!, avgPrice: n.avgPrice },
      ],
    };
  }
  return { kind: 'wait', reason: why };
}

type Candidate = { order: LegOrder; guaranteedPnl: number } | { reason: string };

/** A naked leg has had its time to be closed at a profit: from now on it is closed whatever the cost. */
export function isNakedLegOverdue(nakedSinceMs: number | null, nowMs: number, cfg: Pick<PairArbConfig, 'naked_leg_max_ms'>): boolean {
  return nakedSinceMs !== null && nowMs - nakedSinceMs >= cfg.naked_leg_max_ms;
}

function closeNakedLeg(input: PairInput, naked: PairImbalance): PairDecision {
  const complete = completion(input, naked);
  if ('order' in complete && complete.guaranteedPnl >= -1e-9) return { kind: 'complete', ...complete };
  const overdue = isNakedLegOverdue(input.nakedSinceMs, input.nowMs, input.cfg);
  if (!overdue) {
    const why = 'order' in complete ? `completing would lock ${complete.guaranteedPnl.toFixed(4)}` : complete.reason;
    return { kind: 'wait', reason: `naked ${naked.lead} leg (${naked.excess} shares): ${why}; unwinding after ${input.cfg.naked_leg_max_ms} ms` };
  }
  // Out of time: whichever way out costs least, even at a loss.
  const unwind = unwinding(input, naked);
  const options = ['order' in complete ? { kind: 'complete' as const, ...complete } : null, 'order' in unwind ? { kind: 'unwind' as const, ...unwind } : null].filter(
    (o): o is NonNullable<typeof o> => o !== null,
  );
  if (!options.length) {
    return { kind: 'wait', reason: `naked ${naked.lead} leg overdue: ${'reason' in complete ? complete.reason : ''}; ${'reason' in unwind ? unwind.reason : ''}` };
  }
  return options.sort((a, b) => b.guaranteedPnl - a.guaranteedPnl)[0]!;
}

/** Spent on the pair so far, fees included. */
function spent(input: PairInput): number {
  const { yes, no } = input.holdings;
  return yes.cost + no.cost + yes.fees + no.fees;
}

/**
 * Buy the lagging leg: at least the excess, at least one minimum order, at most the per-order
 * cap (a larger gap closes over several orders). Judged by what the whole pair guarantees if the
 * excess is completed at this order's limit.
 */
function completion(input: PairInput, naked: PairImbalance): Candidate {
  const book = naked.lag === 'yes' ? input.yes : input.no;
  const ask = book.bestAsk();
  if (!ask) return { reason: 'lagging leg has no asks' };
  const full = roundSizeUp(Math.max(naked.excess, MIN_MARKETABLE_NOTIONAL_USDC / ask.price));
  let size = Math.min(full, capShares(input, allInPerShare(ask.price, input.fee)));
  let reason = 'lagging leg: no size fits';
  let roundedUp = false;
  while (size * ask.price + 1e-9 >= MIN_MARKETABLE_NOTIONAL_USDC) {
    const guard = slippageGuard(book, 'BUY', size, input.tick, input.maxSlippageTicks, input.fillOrKill === true);
    if (guard.ok) {
      const cap = capShares(input, allInPerShare(guard.worstPrice, input.fee));
      if (cap + 1e-9 < size) {
        size = cap;
        continue;
      }
      // A size the venue order buys exactly at its limit, the limit raised within the slippage
      // bound where that locks more: up once (short would leave the leg naked), where the cap
      // allows; from then on only down (the most that fits), so the search ends.
      const leg = raisableLeg(book, guard, input.tick, input.maxSlippageTicks, input.fillOrKill === true);
      const fits = (s: number, limit: number) => s <= capShares(input, allInPerShare(limit, input.fee)) + 1e-9;
      const up = roundedUp ? null : wholeCentLegs(size, [leg], input.tick, (s, [limit]) => (fits(s, limit!) ? completionPnl(input, naked, full, s, limit!) : -Infinity), 'up');
      const whole = up ?? wholeCentLegs(size, [leg], input.tick, (s, [limit]) => (fits(s, limit!) ? s : -Infinity));
      roundedUp = true;
      if (whole === null || Math.abs(whole.size - size) > 1e-9) {
        reason = `lagging leg: no size of whole cents from ${guard.worstPrice}`;
        size = whole?.size ?? 0;
        continue;
      }
      const limit = whole.limits[0]!;
      return { order: { leg: naked.lag, side: 'BUY', size: sizeSpendingWalkCost(size, guard.avgPrice, limit), shares: size, limit, avgPrice: guard.avgPrice }, guaranteedPnl: completionPnl(input, naked, full, size, limit) };
    }
    reason = `lagging leg: ${guard.reason}`;
    size = smallerSize(book, 'BUY', size);
  }
  return { reason };
}

/**
 * What the pair locks once a BUY of `size` at `limit` completes its lagging leg: judged as if the
 * excess (`full`) were completed at this limit, by what this order buys where that is more.
 */
function completionPnl(input: PairInput, naked: PairImbalance, full: number, size: number, limit: number): number {
  const bought = Math.max(full, size);
  return Math.min(input.holdings[naked.lead].shares, input.holdings[naked.lag].shares + bought) - (spent(input) + bought * allInPerShare(limit, input.fee));
}

/**
 * The next size to try after `size` failed the slippage guard: all the book holds when depth is
 * what fell short, else half. Halving alone can skip every size that fits: a lagging leg of 11.12
 * with 10 offered at 0.10 halves to 5.56, under the $1 minimum, and the leg stays naked.
 */
function smallerSize(book: TradableBook, side: OrderSide, size: number): number {
  const depth = book.effectivePriceForSize(side, size).fillable;
  return roundSizeDown(depth + 1e-9 < size ? depth : size / 2);
}

/** Sell the excess of the leading leg at the bid (exits are never capped by risk). */
function unwinding(input: PairInput, naked: PairImbalance): Candidate {
  const book = naked.lead === 'yes' ? input.yes : input.no;
  let size = roundSizeDown(naked.excess);
  let reason = 'leading leg has no bids';
  while (size > 0) {
    const guard = slippageGuard(book, 'SELL', size, input.tick, input.maxSlippageTicks);
    if (!guard.ok) {
      reason = `leading leg: ${guard.reason}`;
      size = smallerSize(book, 'SELL', size);
      continue;
    }
    if (size * guard.worstPrice + 1e-9 < MIN_MARKETABLE_NOTIONAL_USDC) return { reason: 'leading leg: excess below the minimum order' };
    const lead = input.holdings[naked.lead].shares;
    const lag = input.holdings[naked.lag].shares;
    const guaranteedPnl = Math.min(lead - size, lag) - (spent(input) - size * netProceedsPerShare(guard.worstPrice, input.fee));
    return { order: { leg: naked.lead, side: 'SELL', size, shares: size, limit: guard.worstPrice, avgPrice: guard.avgPrice }, guaranteedPnl };
  }
  return { reason };
}
