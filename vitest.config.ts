import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Slow by nature (`npm run test:slow`), and needing Node 24 and 22 from the npm registry
    // (`npm run test:ecosystem`): CI runs both.
    exclude: ['test/ecosystem/**', 'test/slow/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    // Most tests wait on sockets and child processes, not the CPU: at least two workers even on a
    // small machine.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
