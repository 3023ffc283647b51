import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The import rules of ARCHITECTURE.md, checked on every file under src/. */
const src = fileURLToPath(new URL('../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );
}

/** Every module a file imports, static or dynamic, as a path relative to src/ or a package name. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map(([, target]) =>
    target!.startsWith('.') ? path.relative(src, path.resolve(path.dirname(file), target!)).replace(/\.js$/, '') : target!,
  );
}

const layer = (module: string) => module.split('/')[0]!;
const ALLOWED: Record<string, (target: string) => boolean> = {
  digitalocean: (target) => ['digitalocean', 'redact'].includes(layer(target)) || /^(node:|undici(\/lib\/[\w/-]+\.js)?$|zod$)/.test(target),
  snapshots: (target) => ['snapshots', 'digitalocean', 'digest'].includes(layer(target)) || /^(node:|zod$)/.test(target),
  format: (target) => ['format', 'snapshots', 'digitalocean', 'logger'].includes(layer(target)) || target.startsWith('node:'),
};

describe('imports point one way', () => {
  const all = files(src).map((file) => ({ module: path.relative(src, file).replace(/\.ts$/, ''), imports: importsOf(file) }));

  it.each(Object.keys(ALLOWED))('%s/ imports only from the layers below it', (name) => {
    const offending = all
      .filter(({ module }) => layer(module) === name)
      .flatMap(({ module, imports }) => imports.filter((target) => !ALLOWED[name]!(target)).map((target) => `${module} -> ${target}`));
    expect(offending).toEqual([]);
  });

  it('nothing in the server imports the development tools (but --demo its account), and only the MCP layers import the SDK', () => {
    const server = all.filter(({ module }) => !['fake-api', 'demo', 'demo-account'].includes(layer(module)));
    expect(server.flatMap(({ module, imports }) => imports.filter((target) => ['fake-api', 'demo'].includes(layer(target))).map((target) => `${module} -> ${target}`))).toEqual([]);
    const mcpLayers = ['tools', 'prompts', 'app', 'server', 'http', 'stdio', 'sdk', 'demo'];
    const sdkUsers = all.filter(({ imports }) => imports.some((target) => target.startsWith('@modelcontextprotocol/'))).map(({ module }) => module);
    expect(sdkUsers.filter((module) => !mcpLayers.includes(layer(module)))).toEqual([]);
  });

  it('tools and prompts never import a transport', () => {
    const upward = all
      .filter(({ module }) => ['tools', 'prompts'].includes(layer(module)))
      .flatMap(({ module, imports }) => imports.filter((target) => ['http', 'stdio', 'index', 'server'].includes(layer(target))).map((target) => `${module} -> ${target}`));
    expect(upward).toEqual([]);
  });

  it('sees the imports it checks', () => {
    expect(all.find(({ module }) => module === 'snapshots/listing')!.imports).toContain('digitalocean/paginate');
    expect(all.find(({ module }) => module === 'engine')!.imports).toContain('digitalocean/pool');
  });
});
