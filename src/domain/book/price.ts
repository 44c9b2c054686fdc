/**
 * Prices as integer ticks. Floats never accumulate in a book: a price becomes `ticks` once, on the
 * way in, and comes back out as the double nearest to its decimal (0.57, never 0.5700000000000001).
 *
 * The grid works in integer units of 10^-decimals: tick 0.0025 is 25 units of 10^-4, so a price is
 * on the grid when price·10^4 is (within float error) an integer divisible by 25.
 */

/** Polymarket never uses a tick finer than this; every valid price is a multiple of it. */
export const FINEST_TICK_SIZE = 0.0001;

const MAX_DECIMALS = 12;
/** How far price·scale may sit from an integer and still count as that integer (float error). */
const EPSILON = 1e-6;

export class TickGrid {
  readonly tickSize: number;
  readonly decimals: number;
  /** 10^decimals */
  readonly scale: number;
  /** tickSize in units of 10^-decimals (an integer ≥ 1). */
  readonly tickUnits: number;

  constructor(tickSize: number) {
    if (!(tickSize > 0) || !Number.isFinite(tickSize)) throw new RangeError(`tick size must be a positive number, got ${tickSize}`);
    let decimals = 0;
    let scale = 1;
    while (Math.abs(tickSize * scale - Math.round(tickSize * scale)) > EPSILON * Math.max(1, tickSize * scale)) {
      decimals++;
      scale *= 10;
      if (decimals > MAX_DECIMALS) throw new RangeError(`tick size ${tickSize} has more than ${MAX_DECIMALS} decimals`);
    }
    this.tickSize = tickSize;
    this.decimals = decimals;
    this.scale = scale;
    this.tickUnits = Math.round(tickSize * scale);
  }

  /** Integer ticks for `price`, or NaN when the price is not finite or not on this grid. */
  toTicks(price: number): number {
    const scaled = price * this.scale;
    const units = Math.round(scaled);
    const off = scaled - units;
    if (!(off <= EPSILON && off >= -EPSILON)) return NaN;
    if (this.tickUnits === 1) return units;
    const ticks = units / this.tickUnits;
    return Number.isInteger(ticks) ? ticks : NaN;
  }

  /** The double nearest to the decimal price of `ticks` (exact integer product, one rounding). */
  fromTicks(ticks: number): number {
    return (ticks * this.tickUnits) / this.scale;
  }
}

const grids = new Map<number, TickGrid>();

/** Shared grids: a market uses one of a handful of tick sizes. */
export function tickGrid(tickSize: number): TickGrid {
  let grid = grids.get(tickSize);
  if (grid === undefined) {
    grid = new TickGrid(tickSize);
    if (grids.size < 64) grids.set(tickSize, grid);
  }
  return grid;
}

/** Integer ticks, robust to float error (0.57 / 0.01 → 57); NaN when off the grid or not finite. */
export function toTicks(price: number, tickSize: number): number {
  return tickGrid(tickSize).toTicks(price);
}

export function fromTicks(ticks: number, tickSize: number): number {
  return tickGrid(tickSize).fromTicks(ticks);
}
