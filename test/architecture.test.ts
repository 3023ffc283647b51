import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The import rules of ARCHITECTURE.md, every row of its table, checked on every file under src/. */
const src = fileURLToPath(new URL('../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );
}

interface Import {
  /** A path relative to src/ without extension, or a package name. */
  target: string;
  /** `import type`: erased from the build, so it may name any layer below. */
  typeOnly: boolean;
}

const IMPORT = /(import\s+type\b[^;]*?\bfrom|(?:from|import)\s*\(?)\s*(['"])([^'"]+)\2/g;

/** Every module a file imports, static or dynamic, in either quote style. */
function importsOf(file: string): Import[] {
  return importsIn(readFileSync(file, 'utf8'), path.dirname(file));
}

function importsIn(text: string, dir: string): Import[] {
  return [...text.matchAll(IMPORT)].map(([, keyword, , target]) => ({
    target: target!.startsWith('.') ? path.relative(src, path.resolve(dir, target!)).replace(/\.(js|ts)$/, '') : target!,
    typeOnly: /^import\s+type\b/.test(keyword!),
  }));
}

const localModules = new Set(files(src).map((file) => path.relative(src, file).replace(/\.ts$/, '')));
/** A package (or node:) rather than a module under src/. */
const isPackage = (target: string) => !localModules.has(target) && !target.endsWith('.html');

/** Whether a package's `exports` (or, without them, its main entry alone) offers the path imported. */
function exported(target: string): boolean {
  const parts = target.split('/');
  const name = target.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const subpath = `.${target.slice(name.length)}`;
  const manifest = JSON.parse(readFileSync(fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url)), 'utf8')) as {
    exports?: unknown;
  };
  if (manifest.exports === undefined || typeof manifest.exports === 'string') return subpath === '.';
  return Object.keys(manifest.exports as object).some((key) => {
    if (!key.includes('*')) return key === subpath;
    const [before, after] = key.split('*') as [string, string];
    return subpath.startsWith(before) && subpath.endsWith(after) && subpath.length >= before.length + after.length;
  });
}

const under =
  (...prefixes: string[]) =>
  (module: string) =>
    prefixes.some((prefix) => module === prefix || module.startsWith(`${prefix}/`));
const SDK = /^@modelcontextprotocol\/(server|node|client)(\/|$)/;
const NODE = /^node:/;

/**
 * One rule per row of ARCHITECTURE.md's table, top to bottom: which modules the row holds, and which
 * a value import of theirs may name (type-only imports may name any module of a row below).
 */
const ROWS: { layer: string; holds: (module: string) => boolean; may: (target: string) => boolean }[] = [
  { layer: 'launcher', holds: under('launch'), may: (target) => under('launch')(target) || NODE.test(target) },
  {
    layer: 'transports',
    holds: under('index', 'stdio', 'http'),
    may: (target) => !under('launch', 'fake-api', 'demo')(target),
  },
  {
    layer: 'server',
    holds: under('server'),
    may: (target) => under('tools', 'prompts', 'app', 'engine', 'config', 'logger', 'version')(target) || SDK.test(target),
  },
  {
    layer: 'tools and prompts',
    holds: under('tools', 'prompts'),
    may: (target) =>
      under(
        'tools',
        'prompts',
        'format',
        'snapshots',
        'app',
        'config',
        'logger',
        'redact',
        'digitalocean/errors',
        'digitalocean/read-budget',
        'digitalocean/schemas',
        'digitalocean/slots',
      )(target) ||
      SDK.test(target) ||
      target === 'zod',
  },
  {
    layer: 'app view',
    holds: under('app'),
    may: (target) => under('app', 'format/labels')(target) || SDK.test(target) || target.endsWith('.html'),
  },
  {
    layer: 'text',
    holds: under('format'),
    may: (target) => under('format', 'snapshots', 'digitalocean', 'logger')(target) || NODE.test(target),
  },
  {
    layer: 'domain',
    holds: under('snapshots'),
    may: (target) => under('snapshots', 'digitalocean', 'digest', 'store', 'logger')(target) || NODE.test(target) || target === 'zod',
  },
  {
    layer: 'API client',
    holds: under('digitalocean'),
    may: (target) =>
      under('digitalocean', 'redact', 'digest', 'store')(target) || NODE.test(target) || target === 'zod' || target === 'undici',
  },
  {
    layer: 'shared store',
    holds: under('store'),
    may: (target) => under('store', 'logger', 'redact')(target) || NODE.test(target) || target === 'ioredis',
  },
];
const rowOf = (module: string) => ROWS.findIndex((row) => row.holds(module));

describe('imports point one way', () => {
  const all = files(src).map((file) => ({ module: path.relative(src, file).replace(/\.ts$/, ''), imports: importsOf(file) }));

  it("names every row of ARCHITECTURE.md's table, in its order", () => {
    const table = readFileSync(fileURLToPath(new URL('../ARCHITECTURE.md', import.meta.url)), 'utf8')
      .split('\n')
      .filter((line) => /^\| [a-zA-Z]/.test(line) && !line.startsWith('| layer |'))
      .map((line) => line.split('|')[1]!.trim());
    expect(ROWS.map((row) => row.layer)).toEqual(table);
  });

  it.each(ROWS.map((row) => row.layer))('%s: value imports only what its row allows, types only from rows below', (layer) => {
    const row = ROWS.find((entry) => entry.layer === layer)!;
    const at = ROWS.indexOf(row);
    const modules = all.filter(({ module }) => row.holds(module));
    expect(modules.length).toBeGreaterThan(0);
    const offending = modules.flatMap(({ module, imports }) =>
      imports
        .filter(({ target, typeOnly }) => (typeOnly ? rowOf(target) >= 0 && rowOf(target) < at && !row.holds(target) : !row.may(target)))
        .map(({ target, typeOnly }) => `${module} -> ${target}${typeOnly ? ' (type)' : ''}`),
    );
    expect(offending).toEqual([]);
  });

  it('nothing in the server imports the development tools (but --demo its account), and only the MCP layers import the SDK', () => {
    const server = all.filter(({ module }) => !under('fake-api', 'demo', 'demo-account')(module));
    expect(
      server.flatMap(({ module, imports }) =>
        imports.filter(({ target }) => under('fake-api', 'demo')(target)).map(({ target }) => `${module} -> ${target}`),
      ),
    ).toEqual([]);
    const mcpLayers = under('tools', 'prompts', 'app', 'server', 'http', 'stdio', 'demo');
    const sdkUsers = all.filter(({ imports }) => imports.some(({ target }) => SDK.test(target))).map(({ module }) => module);
    expect(sdkUsers.filter((module) => !mcpLayers(module))).toEqual([]);
  });

  it('imports of a package name only what the package exports: no private path of a dependency', () => {
    const external = all.flatMap(({ module, imports }) =>
      imports.filter(({ target }) => isPackage(target) && !NODE.test(target)).map(({ target }) => ({ module, target })),
    );
    expect(external.length).toBeGreaterThan(10);
    const unexported = external.filter(({ target }) => !exported(target));
    expect(unexported.map(({ module, target }) => `${module} -> ${target}`)).toEqual([]);
    // The check itself: a private path is caught, a public one passes.
    expect(exported('undici/lib/dispatcher/agent.js')).toBe(false);
    expect(exported('@modelcontextprotocol/server/stdio')).toBe(true);
    expect(exported('@modelcontextprotocol/server/dist/index.mjs')).toBe(false);
  });

  it('sees the imports it checks, in either quote style, and tells type-only ones apart', () => {
    expect(all.find(({ module }) => module === 'snapshots/listing')!.imports).toContainEqual({
      target: 'digitalocean/paginate',
      typeOnly: false,
    });
    expect(all.find(({ module }) => module === 'engine')!.imports.map(({ target }) => target)).toContain('digitalocean/pool');
    expect(all.find(({ module }) => module === 'launch/launcher')!.imports).toContainEqual({ target: 'index', typeOnly: true });
    const written = 'import { a } from "./x.js";\nimport type {\n  B,\n} from \'./y.js\';\nconst c = await import("./z.js");';
    expect(importsIn(written, src)).toEqual([
      { target: 'x', typeOnly: false },
      { target: 'y', typeOnly: true },
      { target: 'z', typeOnly: false },
    ]);
  });
});
