import { parseArgs } from 'node:util';

/** Settings read once from the environment and the command line; everything else receives a Config. */

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
  /**
   * Where the token came from, for messages that must not show the token itself: a variable, or
   * (over HTTP) the request's Authorization header.
   */
  tokenSource: (typeof TOKEN_VARIABLES)[number] | 'Authorization header' | undefined;
  /** Base URL of the API, without a trailing slash; paths such as /v2/snapshots are appended. */
  apiUrl: URL;
  logLevel: LogLevel;
  /** Every tool call, retries included, ends within this many seconds. */
  deadlineSeconds: number;
  /** API requests at once when a call needs several pages. */
  concurrency: number;
  transport: TransportConfig;
}

export type TransportConfig =
  | { kind: 'stdio' }
  | {
      kind: 'http';
      host: string;
      port: number;
      /** Host names (without port) accepted in Host and Origin headers; empty accepts any. */
      allowedHosts: string[];
    };

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the environment and, for the transport, the command line (`--transport`, `--port`, `--host`). */
export function loadConfig(env: Record<string, string | undefined>, argv: string[] = []): Config {
  let token: string | undefined;
  let tokenSource: Config['tokenSource'];
  for (const name of TOKEN_VARIABLES) {
    const value = env[name]?.trim();
    if (value) {
      token = value;
      tokenSource = name;
      break;
    }
  }
  return {
    token,
    tokenSource,
    apiUrl: parseApiUrl(env.DIGITALOCEAN_API_URL?.trim() || DEFAULT_API_URL),
    logLevel: parseLogLevel(env.LOG_LEVEL?.trim().toLowerCase() || 'info'),
    deadlineSeconds: parseSeconds('CALL_DEADLINE_SECONDS', env.CALL_DEADLINE_SECONDS, DEFAULT_DEADLINE_SECONDS),
    concurrency: parseCount('PAGE_CONCURRENCY', env.PAGE_CONCURRENCY, DEFAULT_CONCURRENCY, 32),
    transport: parseTransport(env, argv),
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

function parseTransport(env: Record<string, string | undefined>, argv: string[]): TransportConfig {
  let values: { transport?: string; port?: string; host?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { transport: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}; usage: [--transport stdio|http] [--port N] [--host ADDRESS]`);
  }
  const kind = (values.transport ?? env.MCP_TRANSPORT ?? 'stdio').trim().toLowerCase();
  if (kind === 'stdio') return { kind: 'stdio' };
  if (kind !== 'http') throw new ConfigError(`--transport (or MCP_TRANSPORT) must be stdio or http, got "${kind}"`);
  const host = (values.host ?? env.MCP_HOST ?? '127.0.0.1').trim();
  const port = parsePort(values.port ?? env.MCP_PORT);
  const configured = (env.MCP_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  // On loopback, only local names: a web page that rebinds its own name to 127.0.0.1 is refused.
  const loopback = LOOPBACK_HOSTS.includes(host) || host === '::1' || host.startsWith('127.');
  return { kind: 'http', host, port, allowedHosts: loopback ? [...LOOPBACK_HOSTS, ...configured] : configured };
}

/** 0 asks the system for a free port (the address is logged). */
function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 8080;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`--port (or MCP_PORT) must be a port number from 0 to 65535, got "${raw}"`);
  return port;
}
