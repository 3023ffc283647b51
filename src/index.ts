import { accountsOf, ConfigError, loadConfig, parseCommandLine, secretsOf, USAGE, type Config } from './config.js';
import { createLogger, errorMessage } from './logger.js';
import { withDemoAccount } from './demo-account.js';
import { serveHttp } from './http/serve.js';
import { serveStdio } from './stdio/serve.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

/** One line on stderr and exit status 2: what the operator must fix, never a stack trace. */
function stop(message: string): never {
  process.stderr.write(`${SERVER_NAME}: ${message}\n`);
  process.exit(2);
}

/**
 * The server process: reads the configuration and serves on stdio or HTTP (run by
 * src/launch/launcher.ts). A failure to start ends the process with one line, never a stack trace.
 */
export function main(): Promise<void> {
  return serve().catch((error: unknown) => stop(errorMessage(error)));
}

async function serve(): Promise<void> {
  let config: Config;
  try {
    const commandLine = parseCommandLine(process.argv.slice(2));
    if (commandLine.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (commandLine.version) {
      process.stdout.write(`${SERVER_VERSION}\n`);
      process.exit(0);
    }
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (error) {
    stop(error instanceof ConfigError ? error.message : errorMessage(error));
  }

  if (config.demo) config = await withDemoAccount(config);
  const log = createLogger({ level: config.logLevel, secret: secretsOf(config) });
  for (const notice of config.notices) log.warn(notice);
  for (const account of accountsOf(config)) if (account.problem) log.warn(account.problem);
  log.debug('starting', { version: SERVER_VERSION, transport: config.transport.kind });
  // Neither transport loads what only the other uses (stdio never loads node:http).
  if (config.transport.kind === 'http') {
    const transport = config.transport;
    await serveHttp(config, transport, log).catch((error: unknown) => stop(listenFailure(error, transport)));
  } else {
    await serveStdio(config, log);
  }
}

function listenFailure(error: unknown, where: { host: string; port: number }): string {
  const code = (error as { code?: string }).code;
  const address = `${where.host}:${where.port}`;
  if (code === 'EADDRINUSE')
    return `cannot listen on ${address}: the port is already in use. Stop what uses it, or choose another with --port (or MCP_PORT)`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `cannot listen on ${address}: ${where.host} is not an address of this machine. Use --host 127.0.0.1, 0.0.0.0 or one of its addresses`;
  }
  if (code === 'EACCES') return `cannot listen on ${address}: not permitted (ports below 1024 need privileges). Choose another with --port`;
  return `cannot listen on ${address}: ${errorMessage(error)}`;
}
