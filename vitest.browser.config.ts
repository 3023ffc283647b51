import { defineConfig } from 'vitest/config';
import { htmlAsText } from './vitest.config.js';

// The MCP App in a real browser: Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium),
// driven by puppeteer-core. `npm run test:browser`; CI installs Chromium when it is missing.
export default defineConfig({
  plugins: [htmlAsText],
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
