/**
 * How the venue fills a marketable (FOK/FAK) BUY: as a market order that spends the dollars it was
 * signed for (size × limit, whole cents) at the makers' prices, up to the limit. Asks under the
 * limit therefore buy more shares than the order's size; a FOK is killed unless the asks up to the
 * limit take all the dollars, a FAK's unspent dollars are canceled. One rule for the stand-in
 * venue (src/sim/clob) and the paper venue, which must simulate what the venue does.
 */

/** A level of asks, best (cheapest) first: its price and the shares on offer there. */
export type AskLevel = readonly [price: number, shares: number];

export interface DollarTake {
  price: number;
  size: number;
}

/** Dollars are counted in the exchange's 6-decimal units, so partial levels round as it does. */
const MICROS = 1e6;
const PRICE_EPS = 1e-9;

/** The dollars a marketable BUY of `size` at `limit` spends: size × limit in whole cents. */
export function marketBuyDollars(size: number, limit: number): number {
  return Math.round(size * limit * 100) / 100;
}

/**
 * The asks (cheapest first) a market BUY of `dollars` capped at `limit` takes, best first: each
 * level's shares cost its own price; a level the dollars run out in gives the shares they buy
 * there (to 6 decimals: the taker receives every share the makers deliver).
 */
export function walkAskDollars(asks: readonly AskLevel[], limit: number, dollars: number): DollarTake[] {
  const out: DollarTake[] = [];
  let left = Math.round(dollars * MICROS);
  for (const [price, shares] of asks) {
    if (left <= 0 || price > limit + PRICE_EPS) break;
    if (shares <= PRICE_EPS) continue;
    const levelCost = Math.round(shares * MICROS * price);
    const cost = Math.min(left, levelCost);
    out.push({ price, size: cost === levelCost ? shares : Math.round(cost / price) / MICROS });
    left -= cost;
  }
  return out;
}

/** What the takes cost, in dollars. */
export function dollarsSpent(takes: readonly DollarTake[]): number {
  return takes.reduce((s, t) => s + t.size * t.price, 0);
}

/** Whether the takes spent all of `dollars` (a FOK BUY needs it, or the venue kills it). */
export function spendsAll(takes: readonly DollarTake[], dollars: number): boolean {
  return dollarsSpent(takes) + 1e-6 >= dollars;
}

/** Whether a FOK BUY of `size` at `limit` fills against `asks` (cheapest first): they take all its dollars. */
export function fokBuyFills(asks: readonly AskLevel[], size: number, limit: number): boolean {
  const dollars = marketBuyDollars(size, limit);
  return spendsAll(walkAskDollars(asks, limit, dollars), dollars);
}
