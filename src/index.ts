#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { createServer } from './server.js';
import { LineGuard } from './stdio/line-guard.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  process.stderr.write(`${SERVER_NAME}: ${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(2);
}

const log = createLogger({ level: config.logLevel, secret: config.token });
const server = createServer({ config });
const guard = new LineGuard({
  reply: (message) => process.stdout.write(`${JSON.stringify(message)}\n`),
  onRejected: (reason) => log.warn('rejected a message from the client', { reason }),
});
const transport = new StdioServerTransport(process.stdin.pipe(guard), process.stdout);

let closing = false;
async function shutdown(reason: string): Promise<void> {
  if (closing) return;
  closing = true;
  log.info('shutting down', { reason });
  // A stuck close must not keep the process alive.
  setTimeout(() => process.exit(0), 2000).unref();
  await server.close().catch(() => undefined);
  process.exit(0);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.stdin.on('end', () => void shutdown('stdin closed'));

await server.connect(transport);
log.info('ready on stdio', {
  version: SERVER_VERSION,
  api: config.apiUrl.origin,
  token: config.tokenVariable ? `from ${config.tokenVariable}` : 'missing: tool calls will explain how to set DIGITALOCEAN_API_TOKEN',
});
