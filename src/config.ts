import { parseArgs } from 'node:util';
import { MIN_SECRET_LENGTH } from './redact.js';
import { ALL_ACCOUNTS } from './snapshots/across.js';

/** Settings read once from the environment and the command line; everything else receives a Config. */

export const TOKEN_VARIABLES = ['DIGITALOCEAN_API_TOKEN', 'DIGITALOCEAN_ACCESS_TOKEN', 'DIGITALOCEAN_TOKEN'] as const;

/** `DIGITALOCEAN_API_TOKEN_<NAME>` adds the account NAME (in lower case); the variables above are the account `default`. */
export const NAMED_TOKEN_PREFIX = 'DIGITALOCEAN_API_TOKEN_';
export const DEFAULT_ACCOUNT = 'default';
/**
 * `DIGITALOCEAN_ACCOUNT_NAME` names the account `default`, `DIGITALOCEAN_ACCOUNT_NAME_<NAME>` the
 * account of `DIGITALOCEAN_API_TOKEN_<NAME>`: for clients whose variable names are fixed (the bundle).
 */
export const ACCOUNT_NAME_VARIABLE = 'DIGITALOCEAN_ACCOUNT_NAME';
/** Accounts one server reads: each name sits in every agent's context (tools/list), and a call across all fans out to each. */
export const MAX_ACCOUNTS = 32;
const ACCOUNT_NAME = /^[a-z0-9_]{1,40}$/;

export const DEFAULT_API_URL = 'https://api.digitalocean.com';

/** What the README shows as an example token: never a real one. */
export const EXAMPLE_TOKEN = 'dop_v1_your_read_only_token';

export const DEFAULT_DEADLINE_SECONDS = 30;
export const DEFAULT_CONCURRENCY = 8;
/** Upstream requests in flight for the whole process, every call and HTTP request together. */
export const DEFAULT_UPSTREAM_CONCURRENCY = 16;
/**
 * Memory for API answers (calls, scans, views): in a 512 MB container Node caps its heap at about
 * half the limit, and this leaves the collector room beside it.
 */
export const DEFAULT_SERVER_MAX_MB = 128;
/** DigitalOcean's documented limit per token (description.yml, "Rate Limit"); the headers carry only the hourly one. */
export const DEFAULT_REQUESTS_PER_MINUTE = 250;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** Undefined when no variable is set: the server still starts and explains on each call. */
  token: string | undefined;
  /**
   * Where the token came from, for messages that must not show the token itself: a variable, or
   * (over HTTP) the request's Authorization header.
   */
  tokenSource: (typeof TOKEN_VARIABLES)[number] | 'Authorization header' | '--demo' | undefined;
  /** Set when the token cannot be a real one (a placeholder, the example, too short): see tokenProblem(). */
  tokenProblem: string | undefined;
  /** Accounts named by `DIGITALOCEAN_API_TOKEN_<NAME>`, by name; the account above (if any) is `defaultAccount` (accountsOf()). */
  namedAccounts: AccountConfig[];
  /** The name of the account of `token`: `default`, or DIGITALOCEAN_ACCOUNT_NAME. */
  defaultAccount: string;
  /** --demo: the server answers from its own made-up account (fake-api/), and says so in every answer. */
  demo: boolean;
  /** --demo-accounts N: how many made-up accounts --demo serves (named ones from 2 on). */
  demoAccounts: number;
  /** One-line notices for stderr at start: what the configuration was taken to mean. */
  notices: string[];
  /** Base URL of the API, without a trailing slash; paths such as /v2/snapshots are appended. */
  apiUrl: URL;
  logLevel: LogLevel;
  /** Every tool call, retries included, ends within this many seconds. */
  deadlineSeconds: number;
  /** API requests at once when a call needs several pages. */
  concurrency: number;
  /** API requests in flight at once across the whole process. */
  upstreamConcurrency: number;
  /** DIGITALOCEAN_REQUESTS_PER_MINUTE: the most requests one token sends in any 60 s (0: no cap). */
  requestsPerMinute: number;
  /** REDIS_URL: the store replicas share views, scans and quotas through; undefined: all stays in the process. */
  redisUrl: string | undefined;
  /** What one call may read: bytes of answers and snapshots held (SCAN_MAX_MB, SCAN_MAX_SNAPSHOTS). */
  readBudget: { maxBytes: number; maxSnapshots: number };
  /** How long a whole-account scan answers later calls, and how much the process keeps (0 s: none). */
  cache: { ttlMs: number; maxBytes: number };
  /** SERVER_MAX_MB: memory for the API's answers held by every call, scan and view together (memory.ts). */
  serverMaxBytes: number;
  transport: TransportConfig;
}

/** One DigitalOcean account the server reads: its name (the operator's), its token, where that came from. */
export interface AccountConfig {
  name: string;
  token: string;
  source: string;
  /** tokenProblem() of the token: the account answers each call with it. */
  problem: string | undefined;
}

/** Every account the server reads, `default` first, then by name: one account (or none) changes nothing in what tools offer. */
export function accountsOf(
  config: Pick<Config, 'token' | 'tokenSource' | 'tokenProblem' | 'namedAccounts' | 'defaultAccount'>,
): AccountConfig[] {
  const first =
    config.token && config.tokenSource
      ? [{ name: config.defaultAccount, token: config.token, source: config.tokenSource, problem: config.tokenProblem }]
      : [];
  return [...first, ...config.namedAccounts];
}

export type TransportConfig =
  | { kind: 'stdio' }
  | {
      kind: 'http';
      host: string;
      port: number;
      /** Host names (without port) accepted in Host and Origin headers; empty accepts any. */
      allowedHosts: string[];
      /** Listening on a loopback address: only this machine can connect. */
      loopback: boolean;
      /** MCP_AUTH_TOKEN: a request that presents it is served with the environment's DigitalOcean token. */
      authSecret: string | undefined;
      /**
       * MCP_TRUST_LOOPBACK=1: on loopback and without MCP_AUTH_TOKEN, a request with no Authorization
       * and no proxy header is served with the environment's token (a machine with no proxy on it).
       */
      trustLoopback: boolean;
    };

/** A shared secret clients must guess is worth having only when it is long. */
const MIN_AUTH_SECRET_LENGTH = 32;

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Why a token cannot be a real one, or undefined. The server never exits over a token (Claude
 * Desktop users see only each call's answer): it says this at start and in every call's answer.
 */
export function tokenProblem(token: string, source: string): string | undefined {
  const fix =
    source === 'Authorization header'
      ? 'Send the token itself as "Authorization: Bearer <token>".'
      : `Put the token itself in ${source} in the env block of this server's entry in the client's MCP configuration, then restart the server.`;
  if (/^\$\{[^}]*\}$|^\$[A-Za-z_]\w*$|^%\w+%$|^<[^>]*>$/.test(token)) {
    return `The DigitalOcean token in ${source} is "${token}", a placeholder that was never filled in: this client does not expand variables there. ${fix}`;
  }
  if (token === EXAMPLE_TOKEN || /^(dop_v1_)?your[_-]/i.test(token)) {
    return `The DigitalOcean token in ${source} is the example value "${token}", not a token. Create a read-only token at https://cloud.digitalocean.com/account/api/tokens. ${fix}`;
  }
  if (token.length < MIN_SECRET_LENGTH) {
    return `The DigitalOcean token in ${source} is ${token.length} character${token.length === 1 ? '' : 's'} long: too short to be a token (DigitalOcean's are 71). ${fix}`;
  }
  return undefined;
}

/** The tokens to redact from everything: every configured one that can be a real token. */
export function secretsOf(config: Pick<Config, 'token' | 'tokenSource' | 'tokenProblem' | 'namedAccounts' | 'defaultAccount'>): string[] {
  return accountsOf(config)
    .filter((account) => !account.problem)
    .map((account) => account.token);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What `--help` prints: every option and variable. */
export const USAGE = `Usage: digitalocean-snapshots-mcp [options]

A read-only MCP server for the snapshots in a DigitalOcean account. It speaks MCP on stdio unless
told otherwise; an MCP client starts it (see the README).

Options:
  --demo                   answer from a made-up account built in (no token, no network)
  --demo-accounts N        with --demo: N made-up accounts (1 to 3), to try the account argument
  --transport stdio|http   stdio (default), or Streamable HTTP at /mcp
  --port N                 HTTP port (default 8080; 0 = any free port)
  --host ADDRESS           HTTP address (default 127.0.0.1)
  --help, --version        print this, or the version, and exit

Environment:
  DIGITALOCEAN_API_TOKEN   read-only API token (scope snapshot:read; tag:read to see tags);
                           DIGITALOCEAN_ACCESS_TOKEN or DIGITALOCEAN_TOKEN are read when unset
  DIGITALOCEAN_API_TOKEN_<NAME>   one more account, named NAME in lower case (up to ${MAX_ACCOUNTS}
                           in all); with two or more, every tool takes account=<name> or "all"
  DIGITALOCEAN_ACCOUNT_NAME[_<NAME>]   another name for the account of DIGITALOCEAN_API_TOKEN
                           (default "default"), or of DIGITALOCEAN_API_TOKEN_<NAME>
  DIGITALOCEAN_API_URL     API base URL (default ${DEFAULT_API_URL})
  LOG_LEVEL                debug, info, warn or error (default warn on stdio, info over HTTP)
  CALL_DEADLINE_SECONDS    every call ends within this (default ${DEFAULT_DEADLINE_SECONDS})
  PAGE_CONCURRENCY         API requests at once for one call (default ${DEFAULT_CONCURRENCY})
  UPSTREAM_CONCURRENCY     API requests in flight for the whole process (default ${DEFAULT_UPSTREAM_CONCURRENCY})
  DIGITALOCEAN_REQUESTS_PER_MINUTE   most requests one token sends in any 60 s
                           (default ${DEFAULT_REQUESTS_PER_MINUTE}, DigitalOcean's limit; 0 = no cap)
  REDIS_URL                redis:// or rediss:// (Redis 7, Valkey 7+): replicas share scans there
  SNAPSHOT_CACHE_SECONDS   how long a scan answers later calls (default 60; 0 = never)
  SNAPSHOT_CACHE_MAX_MB    memory for those scans (default 64)
  SCAN_MAX_MB, SCAN_MAX_SNAPSHOTS   what one call may read (default 48 and 100000)
  SERVER_MAX_MB            memory for the API's answers, every call and view together
                           (default ${DEFAULT_SERVER_MAX_MB}); past it, scans wait or are told to retry
  MCP_TRANSPORT, MCP_PORT, MCP_HOST   as --transport, --port, --host
  MCP_ALLOWED_HOSTS        HTTP: host names accepted in Host and Origin, comma-separated
  MCP_AUTH_TOKEN           HTTP: shared secret that stands for DIGITALOCEAN_API_TOKEN
  MCP_TRUST_LOOPBACK=1     HTTP on loopback, no proxy on the machine: a request without
                           Authorization is served with DIGITALOCEAN_API_TOKEN
`;

export interface CommandLine {
  transport?: string | undefined;
  port?: string | undefined;
  host?: string | undefined;
  demo: boolean;
  demoAccounts?: string | undefined;
  help: boolean;
  version: boolean;
}

export function parseCommandLine(argv: string[]): CommandLine {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        transport: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        demo: { type: 'boolean', default: false },
        'demo-accounts': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
      strict: true,
    });
    const { 'demo-accounts': demoAccounts, ...rest } = values;
    return { ...rest, demoAccounts, demo: values.demo ?? false, help: values.help ?? false, version: values.version ?? false };
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}; see --help`);
  }
}

/** Reads the environment and the command line (see USAGE). */
export function loadConfig(env: Record<string, string | undefined>, argv: string[] = []): Config {
  const commandLine = parseCommandLine(argv);
  const notices: string[] = [];
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
  const transport = parseTransport(env, commandLine);
  return {
    token,
    tokenSource,
    tokenProblem: token && tokenSource ? tokenProblem(token, tokenSource) : undefined,
    ...parseAccounts(env, token, tokenSource),
    demo: commandLine.demo,
    demoAccounts: parseDemoAccounts(commandLine),
    notices,
    apiUrl: parseApiUrl(env.DIGITALOCEAN_API_URL?.trim() || DEFAULT_API_URL, notices),
    // Claude Code records every stderr line of a stdio server as an error: only warnings by default.
    logLevel: parseLogLevel(env.LOG_LEVEL?.trim().toLowerCase() || (transport.kind === 'stdio' ? 'warn' : 'info')),
    deadlineSeconds: parseSeconds('CALL_DEADLINE_SECONDS', env.CALL_DEADLINE_SECONDS, DEFAULT_DEADLINE_SECONDS),
    concurrency: parseCount('PAGE_CONCURRENCY', env.PAGE_CONCURRENCY, DEFAULT_CONCURRENCY, 32),
    upstreamConcurrency: parseCount('UPSTREAM_CONCURRENCY', env.UPSTREAM_CONCURRENCY, DEFAULT_UPSTREAM_CONCURRENCY, 64),
    requestsPerMinute: parseCount(
      'DIGITALOCEAN_REQUESTS_PER_MINUTE',
      env.DIGITALOCEAN_REQUESTS_PER_MINUTE,
      DEFAULT_REQUESTS_PER_MINUTE,
      1_000_000,
      0,
    ),
    redisUrl: parseRedisUrl(env.REDIS_URL?.trim() || undefined),
    cache: {
      ttlMs: parseCount('SNAPSHOT_CACHE_SECONDS', env.SNAPSHOT_CACHE_SECONDS, 60, 3600, 0) * 1000,
      maxBytes: parseCount('SNAPSHOT_CACHE_MAX_MB', env.SNAPSHOT_CACHE_MAX_MB, 64, 4096) * 1024 * 1024,
    },
    readBudget: {
      maxBytes: parseCount('SCAN_MAX_MB', env.SCAN_MAX_MB, 48, 1024) * 1024 * 1024,
      maxSnapshots: parseCount('SCAN_MAX_SNAPSHOTS', env.SCAN_MAX_SNAPSHOTS, 100_000, 1_000_000),
    },
    serverMaxBytes: parseCount('SERVER_MAX_MB', env.SERVER_MAX_MB, DEFAULT_SERVER_MAX_MB, 65_536, 16) * 1024 * 1024,
    transport,
  };
}

/** A bundle's optional setting left blank: some hosts pass its placeholder through unexpanded. */
const BLANK_SETTING = /^\$\{user_config\.[^}]*\}$/;
const setting = (raw: string | undefined) => {
  const value = raw?.trim();
  return value && !BLANK_SETTING.test(value) ? value : undefined;
};

/** An account's name as given (lower-cased), checked. */
function accountName(raw: string, variable: string): string {
  const name = raw.toLowerCase();
  if (!ACCOUNT_NAME.test(name)) {
    throw new ConfigError(`${variable}: an account name is 1 to 40 letters, digits and underscores, e.g. ${NAMED_TOKEN_PREFIX}ACME`);
  }
  if (name === ALL_ACCOUNTS) throw new ConfigError(`${variable}: "${ALL_ACCOUNTS}" means every account; name this one otherwise`);
  return name;
}

/**
 * The named accounts (`DIGITALOCEAN_API_TOKEN_<NAME>`, by name) and the default one's name; a name
 * twice, a reserved name or one token twice stops the start.
 */
function parseAccounts(
  env: Record<string, string | undefined>,
  token: string | undefined,
  tokenSource: string | undefined,
): Pick<Config, 'namedAccounts' | 'defaultAccount'> {
  const given = setting(env[ACCOUNT_NAME_VARIABLE]);
  const defaultAccount = given === undefined ? DEFAULT_ACCOUNT : accountName(given, ACCOUNT_NAME_VARIABLE);
  const accounts = new Map<string, AccountConfig>();
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(NAMED_TOKEN_PREFIX)) continue;
    const value = setting(raw);
    if (!value) continue;
    const suffix = variable.slice(NAMED_TOKEN_PREFIX.length);
    const renamed = `${ACCOUNT_NAME_VARIABLE}_${suffix}`;
    const name = accountName(setting(env[renamed]) ?? suffix, setting(env[renamed]) === undefined ? variable : renamed);
    const taken = name === defaultAccount && token ? tokenSource : accounts.get(name)?.source;
    if (taken) throw new ConfigError(`${variable} and ${taken} both name the account "${name}"; keep one`);
    accounts.set(name, { name, token: value, source: variable, problem: tokenProblem(value, variable) });
  }
  const named = [...accounts.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  const all = token && tokenSource ? [{ token, source: tokenSource }, ...named] : named;
  if (all.length > MAX_ACCOUNTS) throw new ConfigError(`${all.length} accounts are configured; one server reads at most ${MAX_ACCOUNTS}`);
  const seen = new Map<string, string>();
  for (const account of all) {
    const twice = seen.get(account.token);
    // Each account is read and counted once: the same token twice would list its snapshots twice.
    if (twice) throw new ConfigError(`${twice} and ${account.source} hold the same token: give each account its own`);
    seen.set(account.token, account.source);
  }
  return { namedAccounts: named, defaultAccount };
}

/** The made-up accounts --demo names, in order (DEMO_ACCOUNT_NAMES). */
export const DEMO_ACCOUNT_NAMES = ['acme', 'globex', 'initech'] as const;

function parseDemoAccounts(commandLine: CommandLine): number {
  if (commandLine.demoAccounts === undefined) return 1;
  if (!commandLine.demo) throw new ConfigError('--demo-accounts applies to --demo: add --demo, or leave it out');
  const count = Number(commandLine.demoAccounts);
  if (!Number.isInteger(count) || count < 1 || count > DEMO_ACCOUNT_NAMES.length) {
    throw new ConfigError(
      `--demo-accounts must be a whole number from 1 to ${DEMO_ACCOUNT_NAMES.length}, got "${commandLine.demoAccounts}"`,
    );
  }
  return count;
}

function parseRedisUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL is not a URL (expected e.g. redis://127.0.0.1:6379 or rediss://user:password@host:6380)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`REDIS_URL must use redis:// or rediss://, got "${url.protocol}"`);
  }
  return raw;
}

function parseApiUrl(raw: string, notices: string[]): URL {
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
  // DigitalOcean writes its base as https://api.digitalocean.com/v2; the paths here carry the /v2.
  if (/\/v2$/i.test(url.pathname)) {
    url.pathname = url.pathname.replace(/\/v2$/i, '');
    notices.push(`DIGITALOCEAN_API_URL ends in /v2, which every request adds itself: using ${url.href.replace(/\/$/, '')}`);
  }
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

function parseCount(name: string, raw: string | undefined, fallback: number, max: number, min = 1): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < min || count > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return count;
}

function parseTransport(env: Record<string, string | undefined>, commandLine: CommandLine): TransportConfig {
  const kind = (commandLine.transport ?? env.MCP_TRANSPORT ?? 'stdio').trim().toLowerCase();
  if (kind !== 'stdio' && kind !== 'http') throw new ConfigError(`--transport (or MCP_TRANSPORT) must be stdio or http, got "${kind}"`);
  // Checked whatever the transport: a bad value is a mistake even where it has no effect.
  const host = (commandLine.host ?? env.MCP_HOST ?? '127.0.0.1').trim();
  const port = parsePort(commandLine.port ?? env.MCP_PORT);
  const authSecret = env.MCP_AUTH_TOKEN?.trim() || undefined;
  if (authSecret !== undefined && authSecret.length < MIN_AUTH_SECRET_LENGTH) {
    throw new ConfigError(
      `MCP_AUTH_TOKEN must be at least ${MIN_AUTH_SECRET_LENGTH} characters (e.g. openssl rand -hex 32), got ${authSecret.length}`,
    );
  }
  const trustLoopback = parseSwitch('MCP_TRUST_LOOPBACK', env.MCP_TRUST_LOOPBACK);
  if (kind === 'stdio') {
    const given = commandLine.port !== undefined ? '--port' : commandLine.host !== undefined ? '--host' : undefined;
    if (given) throw new ConfigError(`${given} applies to the HTTP transport: add --transport http, or leave ${given} out for stdio`);
    return { kind: 'stdio' };
  }
  const configured = (env.MCP_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  // On loopback, only local names: a web page that rebinds its own name to 127.0.0.1 is refused.
  const loopback = LOOPBACK_HOSTS.includes(host) || host === '::1' || host.startsWith('127.');
  return {
    kind: 'http',
    host,
    port,
    allowedHosts: loopback ? [...LOOPBACK_HOSTS, ...configured] : configured,
    loopback,
    authSecret,
    trustLoopback,
  };
}

function parseSwitch(name: string, raw: string | undefined): boolean {
  const value = raw?.trim().toLowerCase() ?? '';
  if (['', '0', 'false', 'no'].includes(value)) return false;
  if (['1', 'true', 'yes'].includes(value)) return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
}

/** 0 asks the system for a free port (the address is logged). */
function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 8080;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ConfigError(`--port (or MCP_PORT) must be a port number from 0 to 65535, got "${raw}"`);
  return port;
}
