// Bundles the stdio server into dist/main.js: one file to parse at start-up instead of hundreds,
// and the HTTP stack in a chunk loaded on the first call. dist/index.js (tsc's unbundled entry is
// overwritten) becomes a launcher that turns on Node's compile cache first. Figures: BENCHMARKS.md.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

/**
 * The SDK's server imports its ajv-based validator for elicitation answers; createServer() passes
 * its own (src/sdk/no-elicitation-validator.ts), so the default is never built. Leaving ajv out of
 * the bundle saves about 18 ms of start-up.
 */
const withoutAjv = {
  name: 'without-ajv',
  setup(builder) {
    builder.onResolve({ filter: /validation\/ajv-provider\.js$/ }, () => ({ path: 'ajv-provider', namespace: 'without-ajv' }));
    builder.onLoad({ filter: /.*/, namespace: 'without-ajv' }, () => ({
      contents: `export class AjvJsonSchemaValidator {
        constructor() { throw new Error('ajv is left out of this bundle: pass jsonSchemaValidator to the server'); }
      }`,
    }));
  },
};

const { version } = JSON.parse(await readFile('package.json', 'utf8'));
await rm('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: { main: 'src/index.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'external',
  logLevel: 'warning',
  // CommonJS dependencies (undici) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  define: { __SERVER_VERSION__: JSON.stringify(version) },
  plugins: [withoutAjv],
});

// Node 22.1+ keeps compiled code between starts (about a quarter off the start-up there); on
// Node 20 the call does not exist and this is a plain import.
await writeFile(
  'dist/index.js',
  `#!/usr/bin/env node
import module from 'node:module';
module.enableCompileCache?.();
await import('./main.js');
`,
  { mode: 0o755 },
);
