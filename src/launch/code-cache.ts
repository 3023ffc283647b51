import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/**
 * How far a process got when its compiled code was kept: just started (`start`), or through a
 * first tool call (`call`, which also holds the HTTP stack and the formatting code).
 */
export type Stage = 'start' | 'call';

export interface CachedScript {
  /** What the CommonJS file exported. */
  exports: unknown;
  /** Which cache V8 accepted at start, if any. */
  loaded: Stage | undefined;
  /** Keeps what V8 has compiled so far for the next start, unless a cache at least this far was loaded. */
  save(stage: Stage): void;
}

/**
 * Runs a CommonJS file as require() would, but compiled with V8's code cache: the bytecode of the
 * functions a start (or a first call) ran, kept from an earlier process of the same build and the
 * same Node. Node 20 has no compile cache of its own (Node 22's `module.enableCompileCache()`
 * covers only what require() and import compile), and compiling is about half of start-up.
 *
 * Nothing here can stop the server: V8 checks the cache against its own version, flags and the
 * source's length and ignores one that does not match (`cachedDataRejected`); the file name also
 * carries the build, the file's size and time and the Node version, so an edited or upgraded server
 * never reads another's cache; any error reading or writing means compiling as usual. The folder
 * must be this user's alone (a cache is code), and NODE_DISABLE_COMPILE_CACHE turns it off as it
 * does Node's own.
 */
export function runWithCodeCache(file: string, build: string, env: NodeJS.ProcessEnv = process.env): CachedScript {
  const source = readFileSync(file, 'utf8');
  const folder = env.NODE_DISABLE_COMPILE_CACHE ? undefined : privateFolder(path.join(env.NODE_COMPILE_CACHE || os.tmpdir(), `digitalocean-snapshots-mcp-${userId()}`));
  const cacheFile = folder ? cacheName(folder, file, build) : undefined;

  let script: vm.Script | undefined;
  let loaded: Stage | undefined;
  for (const stage of cacheFile ? (['call', 'start'] as const) : []) {
    const cachedData = readIfPresent(cacheFile!(stage));
    if (!cachedData) continue;
    script = compile(source, file, cachedData);
    if (!script.cachedDataRejected) loaded = stage;
    break;
  }
  script ??= compile(source, file);

  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));

  return {
    exports: module.exports,
    loaded,
    save(stage) {
      if (!cacheFile || loaded === 'call' || (loaded && stage === 'start')) return;
      const target = cacheFile(stage);
      const temporary = `${target}.${process.pid}.tmp`;
      try {
        // Written aside and renamed, so a process starting meanwhile reads a whole file or none.
        writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        renameSync(temporary, target);
        loaded = stage;
      } catch {
        rmSync(temporary, { force: true });
      }
    },
  };
}

/** The source as the body of require()'s function wrapper, so `require`, `module` and friends are in scope. */
function compile(source: string, filename: string, cachedData?: Buffer): vm.Script {
  return new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename, cachedData });
}

function cacheName(folder: string, file: string, build: string): ((stage: Stage) => string) | undefined {
  try {
    const { size, mtimeMs } = statSync(file);
    const key = `${build}-${size}-${Math.trunc(mtimeMs)}-node${process.versions.node}-${process.arch}`;
    return (stage) => path.join(folder, `${key}.${stage}.cache`);
  } catch {
    return undefined;
  }
}

/** The folder, created for this user alone; undefined when it is a link, another's, or writable by others. */
function privateFolder(folder: string): string | undefined {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stats = lstatSync(folder);
    if (!stats.isDirectory()) return undefined;
    if (process.getuid && (stats.uid !== process.getuid() || (stats.mode & 0o022) !== 0)) return undefined;
    return folder;
  } catch {
    return undefined;
  }
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function userId(): string {
  return process.getuid ? String(process.getuid()) : 'user';
}
