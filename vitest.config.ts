import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // XState's development build adds checks (e.g. inline actors that cannot be persisted).
    conditions: ['development'],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global-redis.ts'],
    setupFiles: ['test/setup/wait-for-deadline.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most of the suite's wall time is waiting (child daemons, soaks of fixed length, sockets):
    // two files at a time even on a 2-core machine, where vitest's default would run one.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ['default'],
  },
});
