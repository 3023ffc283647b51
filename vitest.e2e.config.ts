import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { htmlAsText } from './vitest.config.js';

// The built server as a real process (stdio, HTTP, the demo, the Inspector) and the package as npm
// packs it: `npm run test:e2e` after `npm run build`; CI runs it. They wait on child processes,
// not the CPU: at least two workers even on a small machine.
export default defineConfig({
  plugins: [htmlAsText],
  test: {
    include: ['test/e2e/**/*.test.ts', 'test/distribution.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
