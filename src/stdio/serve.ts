import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createServer } from '../server.js';
import { exitOnShutdown } from '../shutdown.js';
import { SERVER_VERSION } from '../version.js';
import { LineGuard } from './line-guard.js';

/** The server on stdin/stdout, until stdin ends or a signal comes. */
export async function serveStdio(config: Config, log: Logger): Promise<void> {
  const server = createServer({ config });
  const guard = new LineGuard({
    reply: (message) => process.stdout.write(`${JSON.stringify(message)}\n`),
    onRejected: (reason) => log.warn('rejected a message from the client', { reason }),
  });
  const shutdown = exitOnShutdown(log, () => server.close());
  process.stdin.on('end', () => void shutdown('stdin closed'));
  await server.connect(new StdioServerTransport(process.stdin.pipe(guard), process.stdout));
  log.info('ready on stdio', {
    version: SERVER_VERSION,
    api: config.apiUrl.origin,
    token: config.tokenSource ? `from ${config.tokenSource}` : 'missing: tool calls will explain how to set DIGITALOCEAN_API_TOKEN',
  });
}
