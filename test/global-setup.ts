import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Tests spawn the built server (dist/), so they must never run against an older build: when any
 * source is newer than dist/server.cjs, build first (esbuild, about a second).
 */
const root = fileURLToPath(new URL('..', import.meta.url));

function newest(file: string): number {
  const stats = statSync(file);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(file).map((entry) => newest(path.join(file, entry))));
}

export default async function buildWhenStale(): Promise<void> {
  let built = 0;
  try {
    built = statSync(path.join(root, 'dist/server.cjs')).mtimeMs;
  } catch {
    // Never built.
  }
  const sources = Math.max(...['src', 'scripts/build.mjs', 'package.json'].map((file) => newest(path.join(root, file))));
  if (sources <= built) return;
  const { build }: { build: () => Promise<void> } = await import(pathToFileURL(path.join(root, 'scripts/build.mjs')).href);
  await build();
}
