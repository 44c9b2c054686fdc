import type { Benchmark } from './types.ts';

/** Every benchmark by name; `npm run bench -- NAME`. */
export const BENCHMARKS: Record<string, Benchmark> = {};
