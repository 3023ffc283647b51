import { serveStdio as serveConnection, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { accountsOf, type Config } from '../config.js';
import { createEngine } from '../engine.js';
import { errorMessage, type Logger } from '../logger.js';
import { createServer } from '../server.js';
import { exitOnShutdown } from '../shutdown.js';
import { SERVER_VERSION } from '../version.js';
import { LineGuard } from './line-guard.js';

/**
 * The server on stdin/stdout, until stdin ends or a signal comes. The SDK's entry decides the
 * connection's protocol era from its opening (2026-07-28 `server/discover`, or a 2025 `initialize`)
 * and pins one server from the factory; every server it builds shares the process's engine.
 */
export async function serveStdio(config: Config, log: Logger): Promise<void> {
  const engine = createEngine(config, log);
  const guard = new LineGuard({
    reply: (message) => process.stdout.write(`${JSON.stringify(message)}\n`),
    onRejected: (reason) => log.warn('rejected a message from the client', { reason }),
  });
  const connection = serveConnection(({ era }) => createServer({ config, engine, era }), {
    transport: new StdioServerTransport(process.stdin.pipe(guard), process.stdout),
    onerror: (error) => log.warn('stdio connection error', { error: errorMessage(error) }),
  });
  const shutdown = exitOnShutdown(log, async () => {
    await connection.close();
    await engine.close();
  });
  process.stdin.on('end', () => void shutdown('stdin closed'));
  const accounts = accountsOf(config);
  log.info('ready on stdio', {
    version: SERVER_VERSION,
    api: config.apiUrl.origin,
    token:
      accounts.length > 0
        ? `from ${accounts.map((account) => (accounts.length > 1 ? `${account.source} (${account.name})` : account.source)).join(', ')}`
        : 'missing: tool calls will explain how to set DIGITALOCEAN_API_TOKEN',
  });
}
