import { readFileSync } from 'node:fs';
import type fc from 'fast-check';
import { hash32 } from '../../../src/domain/util/random.ts';

/**
 * Cases per decoder: 5,000 in `npm test` (CI), 100,000 with `npm run fuzz` (FUZZ_RUNS=100000).
 * CI runs use a fixed seed per property so a red build is reproducible; `npm run fuzz` explores new
 * seeds unless FUZZ_SEED pins one. A failure prints the seed and path to replay it.
 */
export const FUZZ_RUNS = positiveInt(process.env.FUZZ_RUNS, 5_000);

const explore = process.env.FUZZ_RUNS !== undefined && process.env.FUZZ_SEED === undefined;

export function fuzzParams<T>(property: string, runs = FUZZ_RUNS): fc.Parameters<T> {
  const pinned = process.env.FUZZ_SEED;
  const seed = pinned !== undefined ? Number(pinned) : explore ? undefined : hash32(property) | 0;
  return { numRuns: runs, ...(seed === undefined ? {} : { seed }) };
}

/** A test's time limit scaled with the run count (the defaults fit 5k cases on a loaded 2-core box). */
export function fuzzTimeoutMs(msAt5k: number): number {
  return Math.max(msAt5k, Math.ceil((msAt5k * FUZZ_RUNS) / 5_000));
}

/** Samples under test/fixtures/fuzz/ (small and synthetic: never copies of ../shared/fixtures). */
export function fuzzFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/fuzz/${name}`, import.meta.url), 'utf8')) as T;
}

export function fuzzFixtureText(name: string): string {
  return readFileSync(new URL(`../../fixtures/fuzz/${name}`, import.meta.url), 'utf8');
}

function positiveInt(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return raw !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}
