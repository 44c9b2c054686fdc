/**
 * Polymarket taker fees: fee = shares × rate × (p·(1−p))^exponent, paid in collateral by takers
 * only, rounded to 5 decimals with a 0.00001 minimum (polymarket.md §3). Makers pay nothing.
 */
export interface FeeSchedule {
  rate: number;
  exponent: number;
  taker_only: boolean;
}

export type Liquidity = 'maker' | 'taker';

const FEE_DP = 1e5;

/** Fee per share at price p, unrounded: what a strategy adds to an effective price. */
export function takerFeePerShare(price: number, fee: FeeSchedule): number {
  if (fee.rate <= 0 || price <= 0 || price >= 1) return 0;
  return fee.rate * Math.pow(price * (1 - price), fee.exponent);
}

/** The fee charged on one fill, as the venue rounds it. */
export function fillFee(shares: number, price: number, liquidity: Liquidity, fee: FeeSchedule): number {
  if (shares <= 0) return 0;
  if (liquidity === 'maker' && fee.taker_only) return 0;
  const raw = shares * takerFeePerShare(price, fee);
  if (raw <= 0) return 0;
  return Math.max(1 / FEE_DP, Math.round(raw * FEE_DP) / FEE_DP);
}

/**
 * What one share costs a taker at price p, fee included. Increasing in p for any rate below 1,
 * so the all-in cost of a fill at or inside a limit is bounded by the limit's all-in cost.
 */
export function allInPerShare(price: number, fee: FeeSchedule): number {
  return price + takerFeePerShare(price, fee);
}

/** What one share of a resting order costs at p, fee included: nothing more under a taker-only schedule. */
export function makerAllInPerShare(price: number, fee: FeeSchedule): number {
  return fee.taker_only ? price : allInPerShare(price, fee);
}

/** What a taker receives per share sold at p, after the fee. */
export function netProceedsPerShare(price: number, fee: FeeSchedule): number {
  return price - takerFeePerShare(price, fee);
}
