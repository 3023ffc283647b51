import { LOG_LEVELS, type LogLevel } from './config.js';
import { redact } from './redact.js';

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export type LogSink = (level: LogLevel, message: string, fields: LogFields) => void;

/**
 * One JSON object per line, on stderr by default: stdout belongs to JSON-RPC. Every line is
 * redacted against the token, so no log call can leak it.
 */
export function createLogger(options: { level: LogLevel; secret?: string | readonly string[] | undefined; sinks?: LogSink[] }): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level);
  const sinks = options.sinks ?? [stderrSink];
  const log =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      const clean: LogFields = {};
      for (const [key, value] of Object.entries(fields)) {
        clean[key] = typeof value === 'string' ? redact(value, options.secret) : value;
      }
      for (const sink of sinks) sink(level, redact(message, options.secret), clean);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const stderrSink: LogSink = (level, message, fields) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
};

/** An error's message for a log line or an answer, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
