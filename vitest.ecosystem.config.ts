import { defineConfig } from 'vitest/config';
import { htmlAsText } from './vitest.config.js';

// Run under Node 24 by `npm run test:ecosystem` (and CI): the spawned-server tests on the newest
// Node users run, the official conformance suite (which fetches Node 22 for itself) and a real agent
// framework installed from the registry (frameworks.test.ts).
export default defineConfig({
  plugins: [htmlAsText],
  test: {
    include: [
      'test/ecosystem/**/*.test.ts',
      'test/e2e/stdio.test.ts',
      'test/e2e/http.test.ts',
      'test/e2e/hostile.test.ts',
      'test/e2e/answers.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
