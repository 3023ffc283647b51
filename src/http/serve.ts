import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler, type NodeMcpRequestHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, type AuthInfo } from '@modelcontextprotocol/server';
import { accountsOf, tokenProblem, type Config, type TransportConfig } from '../config.js';
import { createEngine, type Engine } from '../engine.js';
import { errorMessage, type Logger, type LogSink } from '../logger.js';
import { createServer } from '../server.js';
import { exitOnShutdown } from '../shutdown.js';
import { SERVER_NAME, SERVER_VERSION } from '../version.js';
import { accessFor, authorizationForm, foreignHostRefusal } from './access.js';

type HttpTransportConfig = Extract<TransportConfig, { kind: 'http' }>;

export const MCP_PATH = '/mcp';
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
// A client that trickles its headers or body is cut off; answers are not bounded by these.
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 15_000;
/** How long past the call deadline a response may stay open (answers already written are flushing). */
const RESPONSE_MARGIN_MS = 5_000;

export interface HttpServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/**
 * Streamable HTTP at /mcp, stateless: every POST gets a fresh MCP server bound to that request's
 * DigitalOcean token (access.ts says which), so instances need no shared state behind a load
 * balancer. The token lives only as long as the request and is never logged. Host and Origin are
 * checked (DNS-rebinding protection), bodies are capped, and GET /healthz answers for orchestrators.
 */
export async function startHttpServer(
  config: Config,
  transport: HttpTransportConfig,
  log: Logger,
  /** Where each request's server logs (redacted against that request's token); default stderr. */
  logSinks?: LogSink[],
  /** How long a client may take to send its headers and its whole request (tests shorten them). */
  timeouts = { headersMs: HEADERS_TIMEOUT_MS, requestMs: REQUEST_TIMEOUT_MS },
): Promise<HttpServer> {
  // One engine for all requests, whatever token each brings: one bound on upstream requests in
  // flight, and account views that each answer only the token that made them.
  const engine = createEngine(config, log);
  const calls = new WeakMap<AuthInfo, Config>();
  // One entry for both protocol eras: a 2026-07-28 request carries its version in _meta, a 2025-era
  // one is served statelessly. Each request gets a fresh server for its own token.
  const handler = createMcpHandler(({ authInfo, era }) => createServer({ config: callConfig(calls, authInfo), engine, logSinks, era }), {
    legacy: 'stateless',
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    onerror: (error) => log.debug('mcp request refused', { error: errorMessage(error) }),
  });
  const mcp = toNodeHandler(handler, {
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    onerror: (error) => log.warn('mcp request failed', { error: errorMessage(error) }),
  });
  const site: Site = { config, transport, log, engine, port: 0, calls, mcp };
  const limits = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    connectionsCheckingInterval: Math.min(1000, timeouts.headersMs / 2),
  };
  // Loaded here, not imported: every start evaluates this module, and stdio needs no node:http.
  const http = process.getBuiltinModule('node:http').createServer(limits, (req, res) => {
    const started = performance.now();
    res.on('finish', () =>
      log.info('http request', {
        method: req.method,
        path: req.url?.split('?')[0],
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      }),
    );
    route(site, req, res).catch((error: unknown) => {
      log.error('http request failed', { error: errorMessage(error) });
      if (!res.headersSent) reply(res, 500, jsonRpcError(-32603, 'Internal error'));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(transport.port, transport.host, () => resolve());
  });
  const address = http.address() as AddressInfo;
  site.port = address.port;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    async close() {
      http.close();
      http.closeAllConnections();
      await handler.close();
      await site.engine.close();
    },
  };
}

/** What every request of one HTTP server shares. */
interface Site {
  config: Config;
  transport: HttpTransportConfig;
  log: Logger;
  engine: Engine;
  /** The port the server listens on (known once it listens). */
  port: number;
  /** The SDK's entry, as a Node request handler. */
  mcp: NodeMcpRequestHandler;
  /** Each request's configuration (its token), under the AuthInfo it hands the SDK. */
  calls: WeakMap<AuthInfo, Config>;
}

async function route(site: Site, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  // Liveness reveals nothing, so probes may address the server by any name (a load balancer uses its IP).
  // Up whatever the shared store's state: without it each replica serves alone.
  if (path === '/healthz')
    return reply(res, 200, { status: 'ok', name: SERVER_NAME, version: SERVER_VERSION, store: site.engine.storeState() });
  const refusal = foreignHostRefusal(req.headers, site.transport, site.port);
  if (refusal) return refuse(site, res, 403, -32000, refusal, { host: req.headers.host, origin: req.headers.origin });
  if (path !== MCP_PATH) return reply(res, 404, jsonRpcError(-32000, `Not found: the MCP endpoint is ${MCP_PATH}`));
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    return reply(res, 405, jsonRpcError(-32000, 'Method not allowed: this stateless server takes POST only (no SSE stream, no sessions)'));
  }
  const access = accessFor(req.headers, site.config, site.transport);
  if ('refused' in access) {
    res.setHeader('www-authenticate', 'Bearer realm="DigitalOcean API token"');
    return refuse(site, res, 401, -32001, access.refused, { authorization: authorizationForm(req.headers.authorization) });
  }
  const body = await readMessage(req);
  if ('status' in body) {
    if (body.status === 413) res.setHeader('connection', 'close');
    return refuse(site, res, body.status, body.code, body.message);
  }
  const batch = settleCancels(body.message);
  if ('refused' in batch) return refuse(site, res, 400, -32600, batch.refused);
  // Nothing left to answer (every request in it was cancelled by the same POST): what the
  // transport answers a POST of notifications.
  if (batch.message === undefined) return void res.writeHead(202).end();
  const config =
    'operator' in access
      ? site.config
      : {
          ...site.config,
          token: access.token,
          tokenSource: access.source,
          tokenProblem: tokenProblem(access.token, access.source),
          namedAccounts: [],
        };
  await serveMcp(site, req, res, batch.message, config);
}

type Settled = { message: unknown } | { refused: string };

/**
 * A batch that cancels its own request: the request is not run (the cancel is honoured) and,
 * since a cancelled request gets no answer while the response waits for an answer to every
 * request, it is taken out with its cancel before the SDK sees the batch. Duplicate request ids
 * are refused: one answer would end the response before the other.
 */
function settleCancels(message: unknown): Settled {
  if (!Array.isArray(message)) return { message };
  const ids = new Set<unknown>();
  for (const item of message as unknown[]) {
    if (!isRequest(item)) continue;
    if (ids.has(item.id)) return { refused: `Invalid Request: the batch holds two requests with id ${JSON.stringify(item.id)}` };
    ids.add(item.id);
  }
  const cancelled = new Set<unknown>();
  for (const item of message as unknown[]) {
    const id = cancelledId(item);
    if (id !== undefined && ids.has(id)) cancelled.add(id);
  }
  if (cancelled.size === 0) return { message };
  const kept = (message as unknown[]).filter((item) => {
    if (isRequest(item)) return !cancelled.has(item.id);
    const id = cancelledId(item);
    return id === undefined || !cancelled.has(id);
  });
  return { message: kept.length > 0 ? kept : undefined };
}

function isRequest(item: unknown): item is { id: string | number; method: string } {
  const record = item as { id?: unknown; method?: unknown } | null;
  return typeof record?.method === 'string' && (typeof record.id === 'string' || typeof record.id === 'number');
}

/** The request id a `notifications/cancelled` names, or undefined. */
function cancelledId(item: unknown): string | number | undefined {
  const record = item as { id?: unknown; method?: unknown; params?: { requestId?: unknown } } | null;
  if (record?.method !== 'notifications/cancelled' || record.id !== undefined) return undefined;
  const id = record.params?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

function callConfig(calls: WeakMap<AuthInfo, Config>, auth: AuthInfo | undefined): Config {
  const config = auth && calls.get(auth);
  if (!config) throw new Error('a request reached the MCP handler without its configuration');
  return config;
}

/** One POST, answered by a fresh MCP server bound to the request's token. */
async function serveMcp(site: Site, req: IncomingMessage, res: ServerResponse, message: unknown, config: Config): Promise<void> {
  // Every request in the POST ends by its deadline: a response still open past it (and a margin)
  // waits for nothing, so it is ended rather than left holding a socket and its memory.
  const backstop = setTimeout(
    () => {
      site.log.warn('ended a response left open past the call deadline', { path: MCP_PATH });
      if (!res.headersSent) reply(res, 503, jsonRpcError(-32603, 'The answer did not come within the call deadline; retry'));
      else res.end();
    },
    config.deadlineSeconds * 1000 + RESPONSE_MARGIN_MS,
  );
  backstop.unref();
  res.on('close', () => clearTimeout(backstop));
  // The SDK passes AuthInfo through untouched; it carries no secret here, only the key to the config.
  const auth: AuthInfo = { token: '', clientId: config.tokenSource ?? 'none', scopes: [] };
  site.calls.set(auth, config);
  await site.mcp(Object.assign(req, { auth }), res, message);
}

/** `node dist/index.js --transport http`: serves until SIGINT or SIGTERM. */
export async function serveHttp(config: Config, transport: HttpTransportConfig, log: Logger): Promise<void> {
  const server = await startHttpServer(config, transport, log);
  exitOnShutdown(log, () => server.close());
  if (transport.allowedHosts.length === 0) {
    log.warn('listening beyond loopback without MCP_ALLOWED_HOSTS: any Host header is accepted (fine behind a proxy that checks it)');
  }
  const accounts = accountsOf(config);
  const sources = accounts.map((account) => account.source).join(', ');
  const envToken =
    accounts.length === 0
      ? 'each request brings its own'
      : config.demo
        ? `the made-up account${accounts.length > 1 ? 's' : ''} for every request (a token sent is ignored)`
        : transport.authSecret
          ? `from ${sources} for requests that present MCP_AUTH_TOKEN`
          : transport.trustLoopback && transport.loopback
            ? `from ${sources} for local requests without a token and without proxy headers (MCP_TRUST_LOOPBACK=1)`
            : `${sources} unused: a request must bring its own token, or set MCP_AUTH_TOKEN (or, on loopback with no proxy, MCP_TRUST_LOOPBACK=1)`;
  if (transport.trustLoopback && !transport.loopback)
    log.warn('MCP_TRUST_LOOPBACK=1 has no effect: the server does not listen on loopback');
  if (transport.authSecret && accounts.length === 0) {
    log.warn(
      'MCP_AUTH_TOKEN is set but no DigitalOcean token is: a request presenting it is refused. Set DIGITALOCEAN_API_TOKEN, or unset MCP_AUTH_TOKEN so that each request brings its own token',
    );
  }
  log.info('ready over HTTP', { url: `${server.url}${MCP_PATH}`, api: config.apiUrl.origin, token: envToken });
}

type Message = { message: unknown } | { status: 400 | 413; code: number; message: string };

/** The body as one JSON-RPC message or batch: capped, parsed, and refused when it cannot be one. */
async function readMessage(req: IncomingMessage): Promise<Message> {
  const tooLarge = { status: 413, code: -32600, message: `Request body over ${MAX_REQUEST_BODY_BYTES} bytes` } as const;
  if (Number(req.headers['content-length']) > MAX_REQUEST_BODY_BYTES) return tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BODY_BYTES) return tooLarge;
    chunks.push(chunk as Buffer);
  }
  let message: unknown;
  try {
    message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return { status: 400, code: -32700, message: 'Parse error: the body is not valid JSON' };
  }
  // Valid JSON that is no message at all (null, 42, "text") is an invalid request, not a parse error.
  if (message === null || typeof message !== 'object') {
    return { status: 400, code: -32600, message: 'Invalid Request: the body must be a JSON-RPC message (an object) or a batch (an array)' };
  }
  return { message };
}

/** A request refused before MCP: the answer says why, and so does the log (never a token). */
function refuse(site: Site, res: ServerResponse, status: number, code: number, reason: string, fields: Record<string, unknown> = {}): void {
  site.log.warn('refused a request', { status, reason, ...fields });
  reply(res, status, jsonRpcError(code, reason));
}

function jsonRpcError(code: number, message: string) {
  return { jsonrpc: '2.0', id: null, error: { code, message } };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
