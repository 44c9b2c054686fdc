/**
 * Tick-size and minimum-size rules (polymarket.md §3): prices lie on the tick grid within
 * [tick, 1 − tick]; sizes have 2 decimals; resting orders need min_order_size shares; marketable
 * orders need at least $1 notional.
 */
export const SIZE_STEP = 0.01;
export const MIN_MARKETABLE_NOTIONAL_USDC = 1;

const EPS = 1e-9;

/** Snap binary floating-point noise (0.1 + 0.2) back onto the decimal grid; ticks are ≥ 1e-4. */
function fix(value: number, _step: number): number {
  return Math.round(value * 1e8) / 1e8;
}

export type Rounding = 'down' | 'up' | 'nearest';

export function roundToTick(price: number, tick: number, mode: Rounding): number {
  const units = price / tick;
  const n = mode === 'down' ? Math.floor(units + EPS) : mode === 'up' ? Math.ceil(units - EPS) : Math.round(units);
  return fix(n * tick, tick);
}

/** Clamp into the tradable range [tick, 1 − tick] after rounding. */
export function clampPrice(price: number, tick: number): number {
  return fix(Math.min(1 - tick, Math.max(tick, price)), tick);
}

/** A buy limit rounds down and a sell limit up, so rounding never makes a price worse for us. */
export function roundLimit(side: 'BUY' | 'SELL', price: number, tick: number): number {
  return clampPrice(roundToTick(price, tick, side === 'BUY' ? 'down' : 'up'), tick);
}

export function isOnTick(price: number, tick: number): boolean {
  return Math.abs(price / tick - Math.round(price / tick)) < 1e-6;
}

export function isValidPrice(price: number, tick: number): boolean {
  return isOnTick(price, tick) && price >= tick - EPS && price <= 1 - tick + EPS;
}

/** Sizes truncate to the share step: never more than intended. */
export function roundSizeDown(size: number): number {
  if (size <= 0) return 0;
  return fix(Math.floor(size / SIZE_STEP + EPS) * SIZE_STEP, SIZE_STEP);
}

export function roundSizeUp(size: number): number {
  if (size <= 0) return 0;
  return fix(Math.ceil(size / SIZE_STEP - EPS) * SIZE_STEP, SIZE_STEP);
}

export type SizeCheck = { ok: true } | { ok: false; reason: string };

export function checkMinimumSize(size: number, price: number, marketable: boolean, minOrderShares: number): SizeCheck {
  if (size <= 0) return { ok: false, reason: 'size must be positive' };
  if (marketable) {
    return size * price + EPS >= MIN_MARKETABLE_NOTIONAL_USDC
      ? { ok: true }
      : { ok: false, reason: `marketable notional ${(size * price).toFixed(4)} below $${MIN_MARKETABLE_NOTIONAL_USDC}` };
  }
  return size + EPS >= minOrderShares ? { ok: true } : { ok: false, reason: `size ${size} below minimum ${minOrderShares} shares` };
}
