#!/usr/bin/env node
import { ConfigError, loadConfig, secretOf, type Config } from './config.js';
import { createLogger } from './logger.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

let config: Config;
try {
  config = loadConfig(process.env, process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${SERVER_NAME}: ${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(2);
}

const log = createLogger({ level: config.logLevel, secret: secretOf(config) });
if (config.tokenProblem) log.warn(config.tokenProblem);
log.debug('starting', { version: SERVER_VERSION, transport: config.transport.kind });
// Each transport is its own module, so stdio never loads the HTTP server and the reverse.
if (config.transport.kind === 'http') {
  await (await import('./http/serve.js')).serveHttp(config, config.transport, log);
} else {
  await (await import('./stdio/serve.js')).serveStdio(config, log);
}
