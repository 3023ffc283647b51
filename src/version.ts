import { createRequire } from 'node:module';

// package.json is the one place the version is written.
const pkg = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export const SERVER_NAME = pkg.name;
export const SERVER_VERSION = pkg.version;
