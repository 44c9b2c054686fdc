import type { OrderSide, TradableBook } from './book-view.ts';
import { touchFor } from './book-view.ts';

export type SlippageVerdict =
  | { ok: true; avgPrice: number; worstPrice: number; touch: number }
  | { ok: false; reason: string };

/**
 * Expected fill from book depth, not the touch: refuses when the book cannot fill the size or the
 * walk would reach more than maxTicks past the touch.
 */
export function slippageGuard(book: TradableBook, side: OrderSide, size: number, tick: number, maxTicks: number): SlippageVerdict {
  const touch = touchFor(book, side);
  if (!touch) return { ok: false, reason: 'empty side' };
  const eff = book.effectivePriceForSize(side, size);
  if (eff.avgPrice === null || eff.worstPrice === null || eff.fillable + 1e-9 < size) return { ok: false, reason: 'insufficient depth' };
  const slipTicks = (side === 'BUY' ? eff.worstPrice - touch.price : touch.price - eff.worstPrice) / tick;
  if (slipTicks > maxTicks + 1e-6) return { ok: false, reason: `slippage ${slipTicks.toFixed(1)} ticks > ${maxTicks}` };
  return { ok: true, avgPrice: eff.avgPrice, worstPrice: eff.worstPrice, touch: touch.price };
}
