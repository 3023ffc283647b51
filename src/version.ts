import { createRequire } from 'node:module';

declare const __SERVER_VERSION__: string | undefined;

export const SERVER_NAME = 'digitalocean-snapshots-mcp';

/**
 * package.json holds the one version number. The bundler inlines it (scripts/bundle.mjs);
 * unbundled (tests, tsc's output) it is read from the file.
 */
export const SERVER_VERSION: string =
  typeof __SERVER_VERSION__ === 'string'
    ? __SERVER_VERSION__
    : (createRequire(import.meta.url)('../package.json') as { version: string }).version;
