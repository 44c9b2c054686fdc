import { decileRow, RELIABILITY_MIN_CASES, type ReliabilityRow } from './scores.ts';

/** A reliability bin as a backtest or an evaluation reports it. */
export interface BinCounts {
  lo: number;
  hi: number;
  n: number;
  mean_p: number | null;
  observed: number | null;
}

/**
 * Pools reliability bins of many station-days into one table per probability decile (counts
 * weighted, so a busy day counts more), judged like `nowcast eval` (decileRow). One day alone rarely fills a decile; the pooled table does.
 */
export function poolReliability(tables: ReadonlyArray<readonly BinCounts[]>, minCases = RELIABILITY_MIN_CASES): ReliabilityRow[] {
  const acc = new Map<string, { lo: number; hi: number; n: number; sumP: number; hits: number }>();
  for (const t of tables) {
    for (const b of t) {
      if (!b.n || b.mean_p === null || b.observed === null) continue;
      const key = `${b.lo}:${b.hi}`;
      const a = acc.get(key) ?? { lo: b.lo, hi: b.hi, n: 0, sumP: 0, hits: 0 };
      a.n += b.n;
      a.sumP += b.n * b.mean_p;
      a.hits += b.n * b.observed;
      acc.set(key, a);
    }
  }
  return [...acc.values()]
    .sort((x, y) => x.lo - y.lo)
    .map((a) => decileRow(a.lo, a.hi, a.n, a.sumP, a.hits, minCases));
}
