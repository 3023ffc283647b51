import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWithCodeCache } from '../../src/launch/code-cache.js';

/**
 * A CommonJS file like dist/server.cjs (it uses what require() gives a module), and `start()`, which
 * runs it as a new process would. V8 keeps every script it compiles for the rest of the process and
 * would answer a second compile of the same file from there, never reading a code cache; a copy at
 * another path (same bytes, size and time, so the same cache name) is compiled afresh.
 */
function fixture() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
  const caches = path.join(dir, 'caches');
  const env: NodeJS.ProcessEnv = { NODE_COMPILE_CACHE: caches };
  const source = `const path = require('node:path');
     module.exports.describe = (n) => [path.basename(__filename), path.basename(__dirname).startsWith('start-'), exports === module.exports, n * ${'${factor}'}];
     module.exports.sum = (items) => items.reduce((a, b) => a + b, 0);\n`;
  const mtime = new Date('2026-01-01T00:00:00Z');
  let starts = 0;
  let factor = 2;
  return {
    env,
    folder: path.join(caches, `digitalocean-snapshots-mcp-${process.getuid?.() ?? 'user'}`),
    /** The file as a release would ship it again: another size or time. */
    edit(next: number) {
      factor = next;
      mtime.setTime(mtime.getTime() + 1000);
    },
    start(build = 'build1', environment = env) {
      const file = path.join(dir, `start-${(starts += 1)}`, 'server.cjs');
      mkdirSync(path.dirname(file));
      writeFileSync(file, source.replace('${factor}', String(factor)));
      utimesSync(file, mtime, mtime);
      return runWithCodeCache(file, build, environment);
    },
  };
}
type Exports = { describe(n: number): unknown[]; sum(items: number[]): number };
const use = (exports: unknown) => (exports as Exports).describe(21);
const ANSWER = ['server.cjs', true, true, 42];

describe('the code cache the launcher runs the server through', () => {
  it('runs the file as require() would, keeps the compiled code for the next start, and reads it there', () => {
    const server = fixture();
    const first = server.start();
    expect(use(first.exports)).toEqual(ANSWER);
    expect(first.loaded).toBeUndefined();
    first.save('start');
    const [written] = readdirSync(server.folder);
    expect(written).toMatch(/^build1-\d+-\d+-node[\d.]+-\w+\.start\.cache$/);
    // This user's alone: a cache is code.
    expect(statSync(server.folder).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(server.folder, written!)).mode & 0o777).toBe(0o600);

    const second = server.start();
    expect(second.loaded).toBe('start');
    expect(use(second.exports)).toEqual(ANSWER);
    // A start cache is not rewritten by the next start; the first call's cache is kept beside it, and preferred.
    const before = statSync(path.join(server.folder, written!)).mtimeMs;
    second.save('start');
    expect(statSync(path.join(server.folder, written!)).mtimeMs).toBe(before);
    (second.exports as Exports).sum([1, 2]);
    second.save('call');
    expect(readdirSync(server.folder).sort()).toEqual([written!.replace('.start.', '.call.'), written!]);
    const third = server.start();
    expect(third.loaded).toBe('call');
    third.save('call');
    third.save('start');
    expect(readdirSync(server.folder)).toHaveLength(2);
  });

  it('falls back to compiling, silently, when the cache is garbage or cut short, and then replaces it', () => {
    const server = fixture();
    server.start().save('start');
    const cache = path.join(server.folder, readdirSync(server.folder)[0]!);
    const good = readFileSync(cache);
    for (const bad of [Buffer.alloc(good.length, 0x5a), good.subarray(0, good.length >> 1), Buffer.alloc(0)]) {
      writeFileSync(cache, bad);
      const run = server.start();
      expect(use(run.exports)).toEqual(ANSWER);
      expect(run.loaded).toBeUndefined();
      run.save('start');
      expect(readFileSync(cache).equals(bad)).toBe(false);
    }
    expect(server.start().loaded).toBe('start');
  });

  it('never reads the cache of another build, or of the file as it was before an edit', () => {
    const server = fixture();
    server.start().save('start');
    expect(server.start('build2').loaded).toBeUndefined();
    server.edit(3);
    const edited = server.start();
    expect(edited.loaded).toBeUndefined();
    expect(use(edited.exports)).toEqual(['server.cjs', true, true, 63]);
    expect(readdirSync(server.folder)).toHaveLength(1);
  });

  it.skipIf(!process.getuid)('neither reads nor writes a folder that others can write, or a link', () => {
    const server = fixture();
    server.start().save('start');
    chmodSync(server.folder, 0o777);
    const open = server.start();
    expect(open.loaded).toBeUndefined();
    open.save('call');
    expect(readdirSync(server.folder)).toHaveLength(1);

    chmodSync(server.folder, 0o700);
    const linked = fixture();
    mkdirSync(path.dirname(linked.folder), { recursive: true });
    symlinkSync(server.folder, linked.folder);
    const viaLink = linked.start();
    viaLink.save('call');
    expect(viaLink.loaded).toBeUndefined();
    expect(readdirSync(server.folder)).toHaveLength(1);
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE, as Node\u2019s own is', () => {
    const server = fixture();
    const off = { ...server.env, NODE_DISABLE_COMPILE_CACHE: '1' };
    server.start('build1', off).save('start');
    expect(() => readdirSync(server.env.NODE_COMPILE_CACHE!)).toThrow();
    expect(use(server.start('build1', off).exports)).toEqual(ANSWER);
  });
});
