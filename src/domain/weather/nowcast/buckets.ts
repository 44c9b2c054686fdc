import { bucketMass, type IntDistribution } from './scores.ts';
import { roundDecimals } from '../../util/decimals.ts';

/**
 * A market bucket as discovery produces it: whole °F, inclusive bounds, null for an open end
 * (`81°F or below` → lo_f null, hi_f 81; `82-83°F` → 82..83; `100°F or higher` → 100, null).
 */
export interface TempBucket {
  label: string;
  lo_f: number | null;
  hi_f: number | null;
}

/** Why a layout is not an exact partition of the integers (every integer in exactly one bucket), or null. */
export function partitionProblem(buckets: readonly TempBucket[]): string | null {
  if (buckets.length === 0) return 'no buckets';
  const sorted = [...buckets].sort((a, b) => (a.lo_f ?? -Infinity) - (b.lo_f ?? -Infinity));
  if (sorted[0]!.lo_f !== null) return `lowest bucket ${sorted[0]!.label} is not open below`;
  if (sorted[sorted.length - 1]!.hi_f !== null) return `highest bucket ${sorted[sorted.length - 1]!.label} is not open above`;
  for (let i = 0; i < sorted.length; i++) {
    const b = sorted[i]!;
    if (b.lo_f !== null && b.hi_f !== null && b.hi_f < b.lo_f) return `bucket ${b.label} is empty`;
    const next = sorted[i + 1];
    if (next && (b.hi_f === null || next.lo_f !== b.hi_f + 1)) return `gap or overlap between ${b.label} and ${next.label}`;
  }
  return null;
}

/**
 * The NYC layout: `L°F or below`, nine 2 °F buckets from L+1, `L+19°F or higher` (11 markets), placed
 * so the interior covers `centerF`. Used when discovery has not supplied the day's layout.
 */
export function defaultBuckets(centerF: number): TempBucket[] {
  // Interior buckets start on an even number, so the lower edge is odd.
  let lower = Math.round(centerF) - 10;
  if (lower % 2 === 0) lower -= 1;
  const out: TempBucket[] = [{ label: `${lower}°F or below`, lo_f: null, hi_f: lower }];
  for (let i = 0; i < 9; i++) {
    const lo = lower + 1 + 2 * i;
    out.push({ label: `${lo}-${lo + 1}°F`, lo_f: lo, hi_f: lo + 1 });
  }
  out.push({ label: `${lower + 19}°F or higher`, lo_f: lower + 19, hi_f: null });
  return out;
}

export function bucketProbabilities(d: IntDistribution, buckets: readonly TempBucket[]): Array<TempBucket & { p: number }> {
  return buckets.map((b) => ({ label: b.label, lo_f: b.lo_f, hi_f: b.hi_f, p: round6(bucketMass(d, { lo: b.lo_f, hi: b.hi_f })) }));
}

function round6(x: number): number {
  return roundDecimals(x, 6);
}
