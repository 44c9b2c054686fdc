import type { OrderSide, TradableBook } from './book-view.ts';
import { touchFor } from './book-view.ts';
import { fokBuyFills } from './market-buy.ts';
import { bestLimitWithin, type WholeCentLeg } from './ticks.ts';

export type SlippageVerdict =
  | { ok: true; avgPrice: number; worstPrice: number; touch: number }
  | { ok: false; reason: string };

/**
 * Expected fill from book depth, not the touch: refuses when the book cannot fill the size or the
 * walk would reach more than maxTicks past the touch. A fill-or-kill BUY is the venue's market
 * order: it spends size × limit at the asks' prices and is killed unless the asks up to its limit
 * take all of it, which cheaper levels under the last one the size reaches may not leave room for;
 * its limit is then the lowest tick within the slippage bound at which they do.
 */
export function slippageGuard(book: TradableBook, side: OrderSide, size: number, tick: number, maxTicks: number, fillOrKill = false): SlippageVerdict {
  const touch = touchFor(book, side);
  if (!touch) return { ok: false, reason: 'empty side' };
  const eff = book.effectivePriceForSize(side, size);
  if (eff.avgPrice === null || eff.worstPrice === null || eff.fillable + 1e-9 < size) return { ok: false, reason: 'insufficient depth' };
  const slipTicks = (side === 'BUY' ? eff.worstPrice - touch.price : touch.price - eff.worstPrice) / tick;
  if (slipTicks > maxTicks + 1e-6) return { ok: false, reason: `slippage ${slipTicks.toFixed(1)} ticks > ${maxTicks}` };
  if (side !== 'BUY' || !fillOrKill) return { ok: true, avgPrice: eff.avgPrice, worstPrice: eff.worstPrice, touch: touch.price };
  const fills = fokFills(book);
  const at = bestLimitWithin(eff.worstPrice, tick, maxTicks - slipTicks, (limit) => (fills(size, limit) ? 1 : 0), 1);
  if (at.score > 0) return { ok: true, avgPrice: eff.avgPrice, worstPrice: at.limit, touch: touch.price };
  return { ok: false, reason: `a FOK BUY of ${size} spends size × limit: the asks within ${maxTicks} ticks cannot take it` };
}

/** Whether a FOK BUY on `book` fills: the asks up to its limit take all its dollars, as the venue walks them. */
function fokFills(book: TradableBook): (size: number, limit: number) => boolean {
  return (size, limit) => fokBuyFills(book.asksTo(limit), size, limit);
}

/** How many ticks a BUY the guard passed may still go up: what its walk left of the slippage bound. */
export function ticksLeft(verdict: { worstPrice: number; touch: number }, tick: number, maxTicks: number): number {
  return maxTicks - Math.round((verdict.worstPrice - verdict.touch) / tick);
}

/** A marketable BUY leg the guard passed, as the whole-cent search raises it (a FOK only where its asks take its dollars). */
export function raisableLeg(book: TradableBook, verdict: { worstPrice: number; touch: number }, tick: number, maxTicks: number, fillOrKill: boolean): WholeCentLeg {
  return { from: verdict.worstPrice, ticksLeft: ticksLeft(verdict, tick, maxTicks), ...(fillOrKill ? { fills: fokFills(book) } : {}) };
}
