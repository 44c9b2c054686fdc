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
    reporters: ['default'],
  },
});
