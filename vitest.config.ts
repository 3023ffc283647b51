import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Needs Node 24 and 22 from the npm registry: `npm run test:ecosystem` (CI runs both).
    exclude: ['test/ecosystem/**', 'node_modules/**'],
    // Two cores here: a couple of workers keep the suite quick without starving spawned servers.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
