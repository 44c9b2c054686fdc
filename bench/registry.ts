import type { Benchmark } from './types.ts';
import { tapeBenchmark } from './tape.bench.ts';
import { busBenchmark } from './bus.bench.ts';
import { storageBenchmark } from './storage.bench.ts';
import { tradingBenchmark } from './trading.bench.ts';
import { worldBenchmark } from './world.bench.ts';
import { replayBenchmark } from './replay.bench.ts';
import { e2eBenchmark } from './e2e.bench.ts';
import { scaleBenchmark } from './scale.bench.ts';
import { dashboardBenchmark } from './dashboard.bench.ts';

/** Every benchmark by name; `npm run bench -- NAME`. */
export const BENCHMARKS: Record<string, Benchmark> = {
  bus: busBenchmark,
  tape: tapeBenchmark,
  storage: storageBenchmark,
  trading: tradingBenchmark,
  world: worldBenchmark,
  replay: replayBenchmark,
  e2e: e2eBenchmark,
  scale: scaleBenchmark,
  dashboard: dashboardBenchmark,
};
