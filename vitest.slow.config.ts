import { defineConfig } from 'vitest/config';
import { htmlAsText } from './vitest.config.js';

// What is slow by nature, apart from the default suite: deadlines that take seconds to reach and
// hundreds of concurrent scans. `npm run test:slow`; CI runs it on Node 20, 22 and 24.
export default defineConfig({
  plugins: [htmlAsText],
  test: {
    include: ['test/slow/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
