import type { OrderSide, TradableBook } from './book-view.ts';
import { touchFor } from './book-view.ts';
import { roundToTick } from './ticks.ts';

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
  for (let k = 0; slipTicks + k <= maxTicks + 1e-6; k++) {
    const limit = roundToTick(eff.worstPrice + k * tick, tick, 'nearest');
    if (asksTakeDollars(book, size, limit)) return { ok: true, avgPrice: eff.avgPrice, worstPrice: limit, touch: touch.price };
  }
  return { ok: false, reason: `a FOK BUY of ${size} spends size × limit: the asks within ${maxTicks} ticks cannot take it` };
}

/**
 * Whether the asks at or under `limit` hold `size` × `limit` dollars. Walked by shares, as the
 * book answers: from what `shares` cost, the dollars left buy at least left / limit more shares (none
 * costs more, or the dollars do not fit) and at most left / marginal price (none costs less).
 */
function asksTakeDollars(book: TradableBook, size: number, limit: number): boolean {
  const dollars = size * limit;
  let shares = size;
  for (let i = 0; i < 60; i++) {
    const at = book.effectivePriceForSize('BUY', shares);
    if (at.avgPrice === null || at.worstPrice === null || at.fillable + 1e-9 < shares || at.worstPrice > limit + 1e-9) return false;
    const left = dollars - at.avgPrice * shares;
    if (left <= 1e-6) return true;
    const most = book.effectivePriceForSize('BUY', shares + left / at.worstPrice);
    if (most.worstPrice !== null && most.fillable + 1e-9 >= shares + left / at.worstPrice && most.worstPrice <= limit + 1e-9) return true;
    shares += left / limit;
  }
  return false;
}
