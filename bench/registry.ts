import type { Benchmark } from './types.ts';

/**
 * Every benchmark by name; `npm run bench -- NAME`. Loaded on demand: a benchmark's process holds
 * only its own modules (the scale benchmark reads the process's RSS; the dashboard's browser driver
 * and DuckDB, loaded by other benchmarks, would count in it).
 */
export const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  bus: async () => (await import('./bus.bench.ts')).busBenchmark,
  tape: async () => (await import('./tape.bench.ts')).tapeBenchmark,
  storage: async () => (await import('./storage.bench.ts')).storageBenchmark,
  trading: async () => (await import('./trading.bench.ts')).tradingBenchmark,
  world: async () => (await import('./world.bench.ts')).worldBenchmark,
  replay: async () => (await import('./replay.bench.ts')).replayBenchmark,
  e2e: async () => (await import('./e2e.bench.ts')).e2eBenchmark,
  scale: async () => (await import('./scale.bench.ts')).scaleBenchmark,
  dashboard: async () => (await import('./dashboard.bench.ts')).dashboardBenchmark,
};
