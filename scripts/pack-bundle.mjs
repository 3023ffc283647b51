// npm run bundle [-- --out DIR]: the MCP Bundle (.mcpb) for one-click install in Claude Desktop,
// written to DIR (default: this folder). dist/ is already a self-contained bundle
// (scripts/build.mjs), so the .mcpb carries it, the manifest and a package.json that marks the
// files as ES modules: no node_modules, no development dependencies.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string', default: root } } });
const stage = await mkdtemp(path.join(os.tmpdir(), 'mcpb-stage-'));
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

await mkdir(path.join(stage, 'dist'), { recursive: true });
for (const file of [
  'dist/index.js',
  'dist/server.cjs',
  'dist/undici.cjs',
  'dist/ioredis.cjs',
  'dist/package.json',
  'dist/THIRD_PARTY_LICENSES.md',
  'manifest.json',
  'README.md',
  'LICENSE',
]) {
  await cp(path.join(root, file), path.join(stage, file), { recursive: true });
}
const runtime = { name: pkg.name, version: pkg.version, type: 'module', license: pkg.license, engines: pkg.engines };
await writeFile(path.join(stage, 'package.json'), `${JSON.stringify(runtime, null, 2)}\n`);

const mcpb = path.join(root, 'node_modules/.bin/mcpb');
const output = path.resolve(values.out, `${pkg.name}-${pkg.version}.mcpb`);
try {
  execFileSync(mcpb, ['validate', path.join(stage, 'manifest.json')], { stdio: 'inherit' });
  execFileSync(mcpb, ['pack', stage, output], { stdio: 'inherit' });
} finally {
  await rm(stage, { recursive: true, force: true });
}
console.log(`wrote ${output}`);
