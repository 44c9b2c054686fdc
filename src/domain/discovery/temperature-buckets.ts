import { partitionProblem } from '../weather/nowcast/buckets.ts';

export type TemperatureUnit = 'F' | 'C';

/**
 * One bucket of a daily-temperature event: whole degrees, inclusive bounds, null for an open end
 * ("81°F or below" → null..81, "82-83°F" → 82..83, "100°F or higher" → 100..null, "21°C" → 21..21).
 */
export interface TemperatureBucket {
  label: string;
  unit: TemperatureUnit;
  lo: number | null;
  hi: number | null;
}

const INT = '(-?\\d{1,3})';
const DEG = '\\s*°?\\s*([FC])';
const BELOW = new RegExp(`^${INT}${DEG}\\s+or\\s+(?:below|lower)$`, 'i');
const ABOVE = new RegExp(`^${INT}${DEG}\\s+or\\s+(?:higher|above)$`, 'i');
const RANGE = new RegExp(`^${INT}\\s*[-–]\\s*${INT}${DEG}$`, 'i');
const SINGLE = new RegExp(`^${INT}${DEG}$`, 'i');

/**
 * The bucket a `groupItemTitle` names, or null when the title is not in the grammar (the caller
 * refuses the event then: guessing what a bucket means is how money is lost).
 */
export function parseTemperatureBucket(title: string): TemperatureBucket | null {
  const label = title.trim();
  let m = BELOW.exec(label);
  if (m) return { label, unit: unit(m[2]!), lo: null, hi: Number(m[1]) };
  m = ABOVE.exec(label);
  if (m) return { label, unit: unit(m[2]!), lo: Number(m[1]), hi: null };
  m = RANGE.exec(label);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    return lo <= hi ? { label, unit: unit(m[3]!), lo, hi } : null;
  }
  m = SINGLE.exec(label);
  if (m) return { label, unit: unit(m[2]!), lo: Number(m[1]), hi: Number(m[1]) };
  return null;
}

/**
 * Why these buckets are not an exact partition of the integers (every whole degree in exactly one
 * bucket, both ends open), or null when they are. Same check the nowcast relies on.
 */
export function bucketPartitionProblem(buckets: readonly TemperatureBucket[]): string | null {
  const units = new Set(buckets.map((b) => b.unit));
  if (units.size > 1) return `buckets mix units (${[...units].sort().join(', ')})`;
  return partitionProblem(buckets.map((b) => ({ label: b.label, lo_f: b.lo, hi_f: b.hi })));
}

/** Buckets sorted from the open-below one up. */
export function sortBuckets<T extends TemperatureBucket>(buckets: readonly T[]): T[] {
  return [...buckets].sort((a, b) => (a.lo ?? -Infinity) - (b.lo ?? -Infinity));
}

function unit(letter: string): TemperatureUnit {
  return letter.toUpperCase() === 'C' ? 'C' : 'F';
}
