import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// As the bundler does (scripts/build.mjs): an imported .html file is its text.
export const htmlAsText = {
  name: 'html-as-text',
  transform(code: string, id: string) {
    return id.endsWith('.html') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
  },
};

export default defineConfig({
  plugins: [htmlAsText],
  test: {
    include: ['test/**/*.test.ts'],
    // Slow by nature (`npm run test:slow`), needing Node 24 and 22 from the npm registry
    // (`npm run test:ecosystem`) or a browser (`npm run test:browser`): CI runs them all.
    exclude: ['test/ecosystem/**', 'test/slow/**', 'test/browser/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    // Most tests wait on sockets and child processes, not the CPU: at least two workers even on a
    // small machine.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
