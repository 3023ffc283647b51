// npm run build: every runnable file in dist/, built by esbuild from src/ (tsc only type-checks).
// - The server: dist/main.js, one file to parse at start-up instead of hundreds, with the HTTP stack
//   in a chunk loaded on the first call; dist/index.js is a launcher that turns on Node's compile
//   cache first. This is what the package and the .mcpb ship. Figures: BENCHMARKS.md.
// - The development tools: the demo, the fake API and the pieces the benchmark drives, with their
//   packages left to node_modules (they run from a checkout, never from the package).
// Tests call build() when dist/ is older than its sources (test/global-setup.ts).
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
  const { version, engines } = JSON.parse(await readFile(`${root}/package.json`, 'utf8'));
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
    // The MCP App view (src/app/) is one HTML file, served as text.
    loader: { '.html': 'text' },
  };
  const server = await esbuild({
    ...common,
    entryPoints: { main: 'src/index.ts' },
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    metafile: true,
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
  await writeFile(`${root}/dist/THIRD_PARTY_LICENSES.md`, await thirdPartyLicenses(server.metafile));
  // The launcher runs first and alone: on a Node older than `engines` it says which Node is needed
  // and stops, before any module that could fail obscurely later is loaded. Node 22.1+ keeps
  // compiled code between starts (about a quarter off the start-up there); on Node 20 the call does
  // not exist and this is a plain import.
  const [major, minor = 0] = engines.node.replace(/^>=\s*/, '').split('.').map(Number);
  await writeFile(
    `${root}/dist/index.js`,
    `#!/usr/bin/env node
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < ${major} || (major === ${major} && minor < ${minor})) {
  process.stderr.write('digitalocean-snapshots-mcp needs Node.js ${major}.${minor} or later; this is Node.js ' + process.version + '. Install a current Node.js (https://nodejs.org) and start it again.\\n');
  process.exit(1);
}
const { default: module } = await import('node:module');
module.enableCompileCache?.();
await import('./main.js');
`,
    { mode: 0o755 },
  );
}

/**
 * The server bundles its dependencies (the package installs nothing), so it ships their licences:
 * every package with code in the bundle, its version and its licence text.
 */
async function thirdPartyLicenses(metafile) {
  const packages = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.add(match[1]);
  }
  const sections = ['# Third-party licences', '', 'dist/ bundles code from these packages, under these licences.', ''];
  for (const name of [...packages].sort()) {
    const dir = `${root}/node_modules/${name}`;
    const { version, license } = JSON.parse(await readFile(`${dir}/package.json`, 'utf8'));
    const file = (await readdir(dir)).find((entry) => /^licen[cs]e(\.(md|txt))?$/i.test(entry));
    const text = file ? (await readFile(`${dir}/${file}`, 'utf8')).trim() : `${license} (no licence file in the package)`;
    sections.push(`## ${name} ${version} (${license})`, '', '```', text, '```', '');
  }
  return sections.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await build();
