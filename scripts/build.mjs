// npm run build: every runnable file in dist/, built by esbuild from src/ (tsc only type-checks).
// - The server: dist/main.js, one file to parse at start-up instead of hundreds, with the HTTP stack
//   in a chunk loaded on the first call; dist/index.js is a launcher that turns on Node's compile
//   cache first. This is what the package and the .mcpb ship. Figures: BENCHMARKS.md.
// - The development tools: the demo, the fake API and the pieces the benchmark drives, with their
//   packages left to node_modules (they run from a checkout, never from the package).
// Tests call build() when dist/ is older than its sources (test/global-setup.ts).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

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

export async function build() {
  const { version } = JSON.parse(await readFile(`${root}/package.json`, 'utf8'));
  await rm(`${root}/dist`, { recursive: true, force: true });
  const common = {
    absWorkingDir: root,
    outdir: 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    define: { __SERVER_VERSION__: JSON.stringify(version) },
  };
  await esbuild({
    ...common,
    entryPoints: { main: 'src/index.ts' },
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    legalComments: 'external',
    // CommonJS dependencies (undici) call require() for Node's built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [withoutAjv],
  });
  await esbuild({
    ...common,
    entryPoints: {
      demo: 'src/demo.ts',
      'fake-api/main': 'src/fake-api/main.ts',
      'fake-api/server': 'src/fake-api/server.ts',
      'digitalocean/client': 'src/digitalocean/client.ts',
      'digitalocean/paginate': 'src/digitalocean/paginate.ts',
      'digitalocean/slots': 'src/digitalocean/slots.ts',
    },
    chunkNames: 'dev-chunks/[name]-[hash]',
    packages: 'external',
  });
  // Node 22.1+ keeps compiled code between starts (about a quarter off the start-up there); on
  // Node 20 the call does not exist and this is a plain import.
  await writeFile(
    `${root}/dist/index.js`,
    `#!/usr/bin/env node
import module from 'node:module';
module.enableCompileCache?.();
await import('./main.js');
`,
    { mode: 0o755 },
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await build();
