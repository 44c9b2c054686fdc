import type { Benchmark } from './types.ts';
import { tapeBenchmark } from './tape.bench.ts';
import { busBenchmark } from './bus.bench.ts';

/** Every benchmark by name; `npm run bench -- NAME`. */
export const BENCHMARKS: Record<string, Benchmark> = {
  bus: busBenchmark,
  tape: tapeBenchmark,
};
