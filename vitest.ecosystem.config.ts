import { defineConfig } from 'vitest/config';

// Run under Node 24 by `npm run test:ecosystem` (and CI): the spawned-server tests on the newest
// Node users run, plus the official conformance suite, which fetches Node 22 for itself.
export default defineConfig({
  test: {
    include: ['test/ecosystem/**/*.test.ts', 'test/e2e/stdio.test.ts', 'test/e2e/http.test.ts', 'test/e2e/hostile.test.ts'],
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
