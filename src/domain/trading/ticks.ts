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

/**
 * Share quantities are whole micro-shares (conditional tokens have 6 decimals): what a venue
 * answers — a fill, an order's filled size, a position — snaps a sum or difference of them back onto
 * that grid, so 17.6 − 10.1 is 7.5, never 7.500000000000002.
 */
export function snapShares(shares: number): number {
  return Math.round(shares * 1e6) / 1e6;
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

/** One cent in units of a hundredth of a share times a ten-thousandth of a dollar. */
const CENT_UNITS = 10_000;

/**
 * The venue signs a marketable BUY as dollars to spend, in whole cents, and fills dollars / limit
 * shares (notes/execution.md §2): only a size whose notional at every limit it is bought at is whole
 * cents fills what was recorded. The largest such size not above `size` (`up`: not below), on the
 * share step; prices have at most 4 decimals, so in 1e-6 dollar units a notional is
 * hundredths × ten-thousandths and whole cents are multiples of 10 000.
 */
export function wholeCentBuySize(size: number, limits: readonly number[], mode: 'down' | 'up' = 'down'): number {
  if (size <= 0) return 0;
  let step = 1;
  for (const limit of limits) step = lcm(step, centStep(limit));
  const hundredths = Math.round(size / SIZE_STEP * 1e6) / 1e6;
  const steps = mode === 'down' ? Math.floor(hundredths / step + EPS) : Math.ceil(hundredths / step - EPS);
  return fix(steps * step * SIZE_STEP, SIZE_STEP);
}

/**
 * The size to sign for a marketable BUY that is to buy `shares` across the asks. The venue fills it
 * as a market order: it spends size × limit at the makers' prices, so a walk over several levels
 * (or under a limit raised to a whole-cent size) signed at `shares` buys more than that: the dollars
 * the cheaper levels leave over buy on at the limit. Signed for what the walk costs (shares × its
 * average price; at least the venue's $1 minimum), up to a whole-cent step at the limit, it buys the
 * shares. Never more than `shares` rounded up to a whole-cent size at the limit.
 */
export function sizeSpendingWalkCost(shares: number, avgPrice: number, limit: number): number {
  const walkCost = Math.max(shares * avgPrice, MIN_MARKETABLE_NOTIONAL_USDC);
  return Math.min(wholeCentBuySize(shares, [limit], 'up'), wholeCentBuySize(walkCost / limit, [limit], 'up'));
}

/** The whole-cent step of a BUY at `limit`, in hundredths of a share: a divisor of CENT_UNITS. */
function centStep(limit: number): number {
  return CENT_UNITS / gcd(Math.round(limit * 1e4), CENT_UNITS);
}

/**
 * Raising a marketable BUY's limit: the limits from `from` up to `ticksLeft` ticks higher (within
 * the tradable range), judged by `score`; the lowest of those scoring most, so a limit only goes up
 * for more. The walk stops at a score of `enough` (nothing can score more).
 */
export function bestLimitWithin(from: number, tick: number, ticksLeft: number, score: (limit: number) => number, enough = Infinity): { limit: number; score: number } {
  let best = { limit: from, score: score(from) };
  for (let k = 1; k <= ticksLeft + 1e-6 && best.score < enough; k++) {
    const limit = roundToTick(from + k * tick, tick, 'nearest');
    if (limit > 1 - tick + 1e-9) break;
    const value = score(limit);
    if (value > best.score + 1e-9) best = { limit, score: value };
  }
  return best;
}

/**
 * A marketable BUY's limit at or above `worst`, at most `ticksLeft` ticks higher, whose whole-cent
 * size (`sizeAt`, which must not grow as the limit does) is the largest; the lowest such limit.
 * At three- or four-decimal prices the whole-cent step can exceed the order: at 0.539 it is 10
 * shares ($5.39), a tick higher (0.540) 1 share. The venue fills a marketable BUY at the makers'
 * prices, so a limit a tick above the asks it takes costs nothing more per share.
 */
export function wholeCentLimit(worst: number, tick: number, ticksLeft: number, sizeAt: (limit: number) => number): { limit: number; size: number } {
  const best = bestLimitWithin(worst, tick, ticksLeft, sizeAt);
  return { limit: best.limit, size: best.score };
}

/**
 * One leg of marketable BUYs bought in equal sizes (a pair, a neg-risk set): its walked limit (where
 * the slippage guard took the size, a FOK's dollars included), how many ticks it may go up, and, for
 * a FOK, whether its asks take a size's dollars at a limit.
 */
export interface WholeCentLeg {
  from: number;
  ticksLeft: number;
  fills?: (size: number, limit: number) => boolean;
}

/** Every whole-cent step there is (the divisors of CENT_UNITS), smallest first. */
const CENT_STEPS = Array.from({ length: CENT_UNITS }, (_, i) => i + 1).filter((d) => CENT_UNITS % d === 0);

/**
 * Equal-sized legs at three- or four-decimal prices: sized at their walked limits, the whole-cent
 * step can exceed the order (10 shares at 0.539 and at 0.447), but a tick or three up it is one
 * share or less. The venue spends size × limit, though (what the asks under a limit leave buys
 * more shares of that leg only), so of the sizes not above `size` (`up`: not below) that are whole
 * cents at every leg's limit, each leg at the lowest limit within its ticks allowing the size, the
 * one `value` (what the legs lock at those limits; −Infinity: not allowed; never more for a higher
 * limit, nor for a size further from `size`) rates highest; of equals, the lowest limits, then the
 * first by step. Null when no size above 0 is allowed.
 */
export function wholeCentLegs(
  size: number,
  legs: readonly WholeCentLeg[],
  tick: number,
  value: (size: number, limits: readonly number[]) => number,
  mode: 'down' | 'up' = 'down',
): { size: number; limits: number[] } | null {
  if (size <= 0) return null;
  // Whole cents at the walked limits already: nothing higher rates more (`value` falls as a limit
  // rises and as the size moves from `size`), and most books at cent ticks end here.
  const froms = legs.map((leg) => leg.from);
  if (wholeCentBuySize(size, froms, mode) === size && value(size, froms) > -Infinity) return { size, limits: froms };
  const hundredths = Math.round(size / SIZE_STEP * 1e6) / 1e6;
  let best: { size: number; limits: number[]; value: number } | null = null;
  for (const step of CENT_STEPS) {
    // A size in whole steps is whole cents at every limit whose own step divides `step`.
    const steps = mode === 'down' ? Math.floor(hundredths / step + EPS) : Math.ceil(hundredths / step - EPS);
    if (steps === 0) break;
    const candidate = fix(steps * step * SIZE_STEP, SIZE_STEP);
    const limits: number[] = [];
    for (const leg of legs) {
      const allows = (limit: number) => (step % centStep(limit) === 0 && (leg.fills?.(candidate, limit) ?? true) ? 1 : 0);
      const at = bestLimitWithin(leg.from, tick, leg.ticksLeft, allows, 1);
      if (at.score === 0) break;
      limits.push(at.limit);
    }
    if (limits.length < legs.length) continue;
    const rated = value(candidate, limits);
    if (best === null ? rated > -Infinity : rated > best.value + 1e-12 || (rated >= best.value - 1e-12 && sum(limits) < sum(best.limits) - 1e-9)) best = { size: candidate, limits, value: rated };
  }
  return best && { size: best.size, limits: best.limits };
}

/** A BUY's notional at `limit` in whole cents: what signing a marketable BUY requires of its size. */
export function isWholeCentNotional(size: number, limit: number): boolean {
  return (Math.round(size / SIZE_STEP) * Math.round(limit * 1e4)) % CENT_UNITS === 0;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
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
