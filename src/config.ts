/** Settings read once from the environment; everything else receives a Config. */

export const TOKEN_VARIABLES = [
  'DIGITALOCEAN_API_TOKEN',
  'DIGITALOCEAN_ACCESS_TOKEN',
  'DIGITALOCEAN_TOKEN',
] as const;

export const DEFAULT_API_URL = 'https://api.digitalocean.com';

export const DEFAULT_DEADLINE_SECONDS = 30;
export const DEFAULT_CONCURRENCY = 8;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** Undefined when no variable is set: the server still starts and explains on each call. */
  token: string | undefined;
  /** Which variable the token came from, for messages that must not show the token itself. */
  tokenVariable: (typeof TOKEN_VARIABLES)[number] | undefined;
  /** Base URL of the API, without a trailing slash; paths such as /v2/snapshots are appended. */
  apiUrl: URL;
  logLevel: LogLevel;
  /** Every tool call, retries included, ends within this many seconds. */
  deadlineSeconds: number;
  /** API requests at once when a call needs several pages. */
  concurrency: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  let token: string | undefined;
  let tokenVariable: Config['tokenVariable'];
  for (const name of TOKEN_VARIABLES) {
    const value = env[name]?.trim();
    if (value) {
      token = value;
      tokenVariable = name;
      break;
    }
  }
  return {
    token,
    tokenVariable,
    apiUrl: parseApiUrl(env.DIGITALOCEAN_API_URL?.trim() || DEFAULT_API_URL),
    logLevel: parseLogLevel(env.LOG_LEVEL?.trim().toLowerCase() || 'info'),
    deadlineSeconds: parseSeconds('CALL_DEADLINE_SECONDS', env.CALL_DEADLINE_SECONDS, DEFAULT_DEADLINE_SECONDS),
    concurrency: parseCount('PAGE_CONCURRENCY', env.PAGE_CONCURRENCY, DEFAULT_CONCURRENCY, 32),
  };
}

function parseApiUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`DIGITALOCEAN_API_URL is not a URL: "${raw}" (expected e.g. ${DEFAULT_API_URL})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`DIGITALOCEAN_API_URL must use http or https, got "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new ConfigError('DIGITALOCEAN_API_URL must not carry credentials; set the token in DIGITALOCEAN_API_TOKEN');
  }
  if (url.search || url.hash) {
    throw new ConfigError('DIGITALOCEAN_API_URL must not have a query or fragment');
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

function parseLogLevel(raw: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
}

function parseSeconds(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new ConfigError(`${name} must be a number of seconds above 0 and at most 600, got "${raw}"`);
  }
  return seconds;
}

function parseCount(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > max) {
    throw new ConfigError(`${name} must be a whole number from 1 to ${max}, got "${raw}"`);
  }
  return count;
}
