import { errorMessage, type Logger } from './logger.js';

/**
 * Closes once, on SIGINT, SIGTERM or a call of the returned function, then exits with status 0:
 * within 2 s even if closing hangs.
 */
export function exitOnShutdown(log: Logger, close: () => Promise<unknown>): (reason: string) => Promise<void> {
  let closing = false;
  const shutdown = async (reason: string) => {
    if (closing) return;
    closing = true;
    log.info('shutting down', { reason });
    setTimeout(() => process.exit(0), 2000).unref();
    await close().catch((error: unknown) => log.warn('closing failed', { error: errorMessage(error) }));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  return shutdown;
}
