import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// As the bundler does (scripts/build.mjs): an imported .html file is its text.
export const htmlAsText = {
  name: 'html-as-text',
  transform(code: string, id: string) {
    return id.endsWith('.html') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
  },
};

const EXCLUDED = ['test/e2e/**', 'test/distribution.test.ts', 'test/ecosystem/**', 'test/slow/**', 'test/browser/**', 'node_modules/**'];
// Checks what the SDK itself publishes for the definitions, which depends on state other files
// leave in shared modules: it runs in modules of its own.
const ISOLATED = ['test/tool-definitions.test.ts'];

export default defineConfig({
  plugins: [htmlAsText],
  test: {
    // `npm test` is what a contributor runs often: in-process tests only. Spawned processes and
    // packaging (`npm run test:e2e`), what is slow by nature (`npm run test:slow`), what needs Node
    // 24 and 22 from the npm registry (`npm run test:ecosystem`) or a browser (`npm run
    // test:browser`) run apart; CI runs them all.
    exclude: EXCLUDED,
    globalSetup: ['test/global-setup.ts'],
    // Most tests wait on sockets, not the CPU: at least two workers even on a small machine.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      // Files share the modules they import (loading them again for each file was a third of the run).
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: [...EXCLUDED, ...ISOLATED], isolate: false } },
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
    ],
  },
});
