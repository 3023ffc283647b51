// npm run bundle: the MCP Bundle (.mcpb) for one-click install in Claude Desktop. dist/ is already
// a self-contained bundle (scripts/bundle.mjs), so the .mcpb carries it, the manifest and a
// package.json that marks the files as ES modules: no node_modules, no development dependencies.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stage = path.join(root, 'build/mcpb');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

await rm(stage, { recursive: true, force: true });
await mkdir(path.join(stage, 'dist'), { recursive: true });
for (const file of ['dist/index.js', 'dist/main.js', 'dist/chunks', 'manifest.json', 'README.md']) {
  await cp(path.join(root, file), path.join(stage, file), { recursive: true });
}
const runtime = { name: pkg.name, version: pkg.version, type: 'module', license: pkg.license, engines: pkg.engines };
await writeFile(path.join(stage, 'package.json'), `${JSON.stringify(runtime, null, 2)}\n`);

const mcpb = path.join(root, 'node_modules/.bin/mcpb');
const output = path.join(root, `${pkg.name}-${pkg.version}.mcpb`);
execFileSync(mcpb, ['validate', path.join(stage, 'manifest.json')], { stdio: 'inherit' });
execFileSync(mcpb, ['pack', stage, output], { stdio: 'inherit' });
console.log(`wrote ${path.relative(root, output)}`);
