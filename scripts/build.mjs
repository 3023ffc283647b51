// npm run build: every runnable file in dist/, built by esbuild from src/ (tsc only type-checks).
// - The server: dist/server.cjs, one CommonJS file holding the server and everything it uses, with
//   no module evaluated lazily (a lazy module's code is compiled at every start, never taken from
//   Node's compile cache); what a process may never need loads no Node module until first used
//   (node:http, node:crypto: process.getBuiltinModule), and the HTTP client (undici) is a file of
//   its own, imported on the first call. dist/index.js is the launcher every client runs:
//   it checks the Node version, turns on Node's compile cache where there is one, and runs
//   server.cjs (src/launch/launcher.ts). This is what the package and the .mcpb ship. Figures:
//   BENCHMARKS.md.
// - The development tools: the demo, the fake API and the pieces the benchmark drives, with their
//   packages left to node_modules (they run from a checkout, never from the package).
// Tests call build() when dist/ is older than its sources (test/global-setup.ts).
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const ESM = `${JSON.stringify({ type: 'module' })}\n`;

/**
 * Packages no start needs, each bundled apart, from its public entry, into a file of its own that
 * server.cjs imports where the source imports the package: undici (half the server's code; the
 * first call loads the HTTP client) and ioredis (only with REDIS_URL). Nothing in them is changed;
 * a build in which nothing imports one of them fails rather than ship a file nobody loads.
 */
const APART = { undici: 'undici.cjs', ioredis: 'ioredis.cjs' };
const importedApart = new Set();
const packagesApart = {
  name: 'packages-apart',
  setup(builder) {
    builder.onResolve({ filter: new RegExp(`^(${Object.keys(APART).join('|')})$`) }, ({ path: name }) => {
      importedApart.add(name);
      return { path: `./${APART[name]}`, external: true };
    });
  },
};

/**
 * @modelcontextprotocol/node imports @hono/node-server for its NodeStreamableHTTPServerTransport,
 * which this server does not use (toNodeHandler needs none of it); importing it loads node:http2,
 * about a tenth of a start. Its module code only defines its own functions and classes (it changes
 * globals when getRequestListener is called, not before), so the bundler is told that importing it
 * has no side effects: unused, it is left out; used, it is bundled as it is. The build fails when
 * nothing imports it any more, or when it is bundled after all, rather than keep a step that does
 * nothing.
 */
const HONO = /^@hono\/node-server$/;
let honoImported = false;
const honoUnusedLeftOut = {
  name: 'hono-unused-left-out',
  setup(builder) {
    builder.onResolve({ filter: HONO }, async ({ path: specifier, kind, importer, resolveDir, pluginData }) => {
      if (pluginData === 'hono-unused-left-out') return undefined;
      honoImported = true;
      const resolved = await builder.resolve(specifier, { kind, importer, resolveDir, pluginData: 'hono-unused-left-out' });
      return resolved.errors.length > 0 ? resolved : { path: resolved.path, sideEffects: false };
    });
  },
};

export async function build() {
  const { version, engines } = JSON.parse(await readFile(`${root}/package.json`, 'utf8'));
  await rm(`${root}/dist`, { recursive: true, force: true });
  const common = {
    absWorkingDir: root,
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    define: { __SERVER_VERSION__: JSON.stringify(version), __PUBLISHED_SCHEMAS__: 'undefined' },
    // The MCP App view (src/app/) is one HTML file, served as text.
    loader: { '.html': 'text' },
  };
  const server = await esbuild({
    ...common,
    define: { ...common.define, __PUBLISHED_SCHEMAS__: JSON.stringify(await publishedSchemas(common)) },
    entryPoints: { server: 'src/index.ts' },
    // CommonJS: without code splitting, esbuild turns each dynamic import() into a module
    // evaluated on first use, all in one file.
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    // MINIFY=0 npm run build: readable names, for CPU profiles.
    minify: process.env.MINIFY !== '0',
    metafile: true,
    // dist/THIRD_PARTY_LICENSES.md carries every bundled package's licence in full.
    legalComments: 'none',
    // version.ts reads package.json through import.meta.url only when unbundled.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [packagesApart, honoUnusedLeftOut],
  });
  for (const [name, file] of Object.entries(APART))
    if (!importedApart.has(name)) throw new Error(`packages-apart: nothing imports ${name} any more; remove dist/${file} from the build`);
  if (!honoImported) throw new Error('hono-unused-left-out: nothing imports @hono/node-server any more; remove the step');
  const bundled = Object.values(server.metafile.outputs).flatMap((output) => Object.keys(output.inputs));
  if (bundled.some((input) => input.includes('node_modules/@hono/node-server/')))
    throw new Error('hono-unused-left-out: @hono/node-server is used now, and bundled; remove the step');
  const apart = [];
  for (const [name, file] of Object.entries(APART)) {
    const { metafile } = await esbuild({
      ...common,
      stdin: { contents: `module.exports = require('${name}');`, resolveDir: root, loader: 'js' },
      outfile: `dist/${file}`,
      outdir: undefined,
      format: 'cjs',
      minify: process.env.MINIFY !== '0',
      metafile: true,
      legalComments: 'none',
    });
    apart.push(metafile);
  }
  await esbuild({
    ...common,
    entryPoints: { index: 'src/launch/launcher.ts' },
    format: 'cjs',
    // It must run on any Node far enough to say that this Node is too old.
    target: 'node14',
    banner: { js: '#!/usr/bin/env node' },
    define: { __MINIMUM_NODE__: JSON.stringify(engines.node.replace(/^>=\s*/, '')) },
    // server.cjs is the bundle beside it, required at run time.
    external: ['./server.cjs'],
  });
  await chmod(`${root}/dist/index.js`, 0o755);
  // dist/index.js is CommonJS (the package is ESM), the development tools below are ES modules.
  await writeFile(`${root}/dist/package.json`, `${JSON.stringify({ type: 'commonjs' })}\n`);
  await esbuild({
    ...common,
    entryPoints: {
      'demo/main': 'src/demo.ts',
      'fake-api/main': 'src/fake-api/main.ts',
      'fake-api/server': 'src/fake-api/server.ts',
      'digitalocean/client': 'src/digitalocean/client.ts',
      'digitalocean/paginate': 'src/digitalocean/paginate.ts',
      'digitalocean/slots': 'src/digitalocean/slots.ts',
    },
    format: 'esm',
    splitting: true,
    chunkNames: 'dev-chunks/[name]-[hash]',
    packages: 'external',
  });
  for (const folder of ['demo', 'fake-api', 'digitalocean', 'dev-chunks']) await writeFile(`${root}/dist/${folder}/package.json`, ESM);
  await writeFile(`${root}/dist/THIRD_PARTY_LICENSES.md`, await thirdPartyLicenses([server.metafile, ...apart]));
}

/**
 * Each tool's published JSON Schemas (publishedSchema in src/tools/definitions.ts, zod's own
 * conversion), computed here once rather than at every start: the definitions bundled on their own
 * and run. The SDK still lists the tools from their registration; it gets these from the schemas.
 */
async function publishedSchemas(common) {
  const { outputFiles } = await esbuild({
    ...common,
    stdin: {
      contents:
        "import { TOOLS } from './src/server.js'; import { publishedSchema } from './src/tools/definitions.js';" +
        "export default Object.fromEntries(TOOLS.map((tool) => [tool.name, { input: publishedSchema(tool.inputSchema, 'input'), output: publishedSchema(tool.outputSchema, 'output') }]));",
      resolveDir: root,
      loader: 'ts',
    },
    format: 'esm',
    packages: 'external',
    write: false,
    outdir: undefined,
  });
  // Beside node_modules, so that the packages resolve.
  const file = path.join(root, 'node_modules/.cache/published-schemas.mjs');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, outputFiles[0].text);
  try {
    return (await import(`${pathToFileURL(file).href}?${Date.now()}`)).default;
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * The server bundles its dependencies (the package installs nothing), so it ships their licences:
 * every package with code in the bundle, its version and its licence text.
 */
async function thirdPartyLicenses(metafiles) {
  const packages = new Set();
  for (const input of metafiles.flatMap((metafile) => Object.keys(metafile.inputs))) {
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
