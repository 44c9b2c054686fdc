/** A book as [price, size] levels, either side in any order. */
export interface ComparableBook {
  bids: ReadonlyArray<readonly [number, number]>;
  asks: ReadonlyArray<readonly [number, number]>;
}

export interface BookComparison {
  /** Best bid and best ask prices equal. */
  top_equal: boolean;
  /** Every level equal. */
  depth_equal: boolean;
  detail: string | null;
}

const EPS = 1e-9;

/**
 * Compares a mirrored book with the venue's true book. The best prices are what every update's
 * best_bid/best_ask let a mirror verify; sizes (the size at the best price too) and deeper levels can
 * only be proven by the next full snapshot (the protocol has no sequence numbers), so the two are
 * reported apart.
 */
export function compareBooks(mirror: ComparableBook, truth: ComparableBook): BookComparison {
  const mb = sorted(mirror.bids, -1);
  const ma = sorted(mirror.asks, 1);
  const tb = sorted(truth.bids, -1);
  const ta = sorted(truth.asks, 1);
  const top_equal = priceEqual(mb[0], tb[0]) && priceEqual(ma[0], ta[0]);
  const depth_equal = top_equal && sideEqual(mb, tb) && sideEqual(ma, ta);
  let detail: string | null = null;
  if (!top_equal) detail = `top: mirror ${fmt(mb[0])} / ${fmt(ma[0])}, venue ${fmt(tb[0])} / ${fmt(ta[0])}`;
  else if (!depth_equal) detail = `depth: mirror ${mb.length}+${ma.length} levels, venue ${tb.length}+${ta.length}`;
  return { top_equal, depth_equal, detail };
}

function sorted(levels: ReadonlyArray<readonly [number, number]>, dir: 1 | -1): Array<readonly [number, number]> {
  return levels.filter(([, s]) => s > EPS).sort((a, b) => dir * (a[0] - b[0]));
}

function priceEqual(a: readonly [number, number] | undefined, b: readonly [number, number] | undefined): boolean {
  if (!a || !b) return a === b;
  return Math.abs(a[0] - b[0]) < EPS;
}

function levelEqual(a: readonly [number, number] | undefined, b: readonly [number, number] | undefined): boolean {
  if (!a || !b) return a === b;
  return Math.abs(a[0] - b[0]) < EPS && Math.abs(a[1] - b[1]) < 1e-6;
}

function sideEqual(a: ReadonlyArray<readonly [number, number]>, b: ReadonlyArray<readonly [number, number]>): boolean {
  return a.length === b.length && a.every((l, i) => levelEqual(l, b[i]));
}

function fmt(l: readonly [number, number] | undefined): string {
  return l ? `${l[1]}@${l[0]}` : 'none';
}
