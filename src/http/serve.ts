import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Config, TransportConfig } from '../config.js';
import { createDispatcher } from '../digitalocean/connect.js';
import type { Logger, LogSink } from '../logger.js';
import { createServer } from '../server.js';
import { exitOnShutdown } from '../shutdown.js';
import { SERVER_NAME, SERVER_VERSION } from '../version.js';

type HttpTransportConfig = Extract<TransportConfig, { kind: 'http' }>;

export const MCP_PATH = '/mcp';
export const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/**
 * Streamable HTTP at /mcp, stateless: every POST gets a fresh MCP server bound to that request's
 * DigitalOcean token (its `Authorization: Bearer` header, else the environment's), so instances
 * need no shared state behind a load balancer. The token lives only as long as the request and is
 * never logged. Host and Origin are checked (DNS-rebinding protection), bodies are capped, and
 * GET /healthz answers for orchestrators.
 */
export async function startHttpServer(
  config: Config,
  options: HttpTransportConfig,
  log: Logger,
  /** Where each request's server logs (redacted against that request's token); default stderr. */
  logSinks?: LogSink[],
): Promise<HttpServer> {
  // One keep-alive pool for all requests, whatever token each brings.
  const dispatcher = createDispatcher(config.deadlineSeconds);
  const sockets = new Set<Socket>();
  const http = createHttpServer((req, res) => {
    const started = performance.now();
    res.on('finish', () =>
      log.info('http request', { method: req.method, path: req.url?.split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started) }),
    );
    handle(req, res).catch((error: unknown) => {
      log.error('http request failed', { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) reply(res, 500, jsonRpcError(-32603, 'Internal error'));
      else res.end();
    });
  });
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = refuseForeignHost(req, options.allowedHosts);
    if (refusal) return reply(res, 403, jsonRpcError(-32000, refusal));
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') return reply(res, 200, { status: 'ok', name: SERVER_NAME, version: SERVER_VERSION });
    if (path !== MCP_PATH) return reply(res, 404, jsonRpcError(-32000, `Not found: the MCP endpoint is ${MCP_PATH}`));
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return reply(res, 405, jsonRpcError(-32000, 'Method not allowed: this stateless server takes POST only (no SSE stream, no sessions)'));
    }

    const fromRequest = bearerToken(req);
    const token = fromRequest ?? config.token;
    if (!token) {
      res.setHeader('www-authenticate', 'Bearer realm="DigitalOcean API token"');
      return reply(
        res,
        401,
        jsonRpcError(-32001, 'Send a DigitalOcean API token as "Authorization: Bearer <token>" (read-only, scope snapshot:read), or start the server with DIGITALOCEAN_API_TOKEN set'),
      );
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === 'too large') {
      res.setHeader('connection', 'close');
      return reply(res, 413, jsonRpcError(-32600, `Request body over ${MAX_BODY_BYTES} bytes`));
    }
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      return reply(res, 400, jsonRpcError(-32700, 'Parse error: the body is not valid JSON'));
    }

    const server = createServer({
      config: { ...config, token, tokenSource: fromRequest ? 'Authorization header' : config.tokenSource },
      dispatcher,
      logSinks,
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, message);
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    async close() {
      http.close();
      for (const socket of sockets) socket.destroy();
      await dispatcher.destroy().catch(() => undefined);
    },
  };
}

/** `node dist/index.js --transport http`: serves until SIGINT or SIGTERM. */
export async function serveHttp(config: Config, options: HttpTransportConfig, log: Logger): Promise<void> {
  const server = await startHttpServer(config, options, log);
  exitOnShutdown(log, () => server.close());
  if (options.allowedHosts.length === 0) {
    log.warn('listening beyond loopback without MCP_ALLOWED_HOSTS: any Host header is accepted (fine behind a proxy that checks it)');
  }
  log.info('ready over HTTP', {
    url: `${server.url}${MCP_PATH}`,
    api: config.apiUrl.origin,
    token: config.tokenSource ? `from ${config.tokenSource} unless a request brings its own` : 'each request must bring its own',
  });
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** Why a request is refused for its Host or Origin header, or undefined to let it through. */
function refuseForeignHost(req: IncomingMessage, allowed: string[]): string | undefined {
  if (allowed.length === 0) return undefined;
  const hostname = (value: string) => {
    try {
      return new URL(`http://${value}`).hostname.toLowerCase();
    } catch {
      return undefined;
    }
  };
  const host = hostname(req.headers.host ?? '');
  if (!host || !allowed.includes(host)) return `Forbidden: Host "${req.headers.host ?? ''}" is not one this server answers to`;
  // A browser page always sends Origin ("null" from sandboxed frames and files): it must be ours too.
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).hostname.toLowerCase();
    } catch {
      originHost = undefined;
    }
    if (!originHost || !allowed.includes(originHost)) return `Forbidden: Origin "${origin}" is not allowed`;
  }
  return undefined;
}

async function readBody(req: IncomingMessage, max: number): Promise<string | 'too large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return 'too large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return 'too large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function jsonRpcError(code: number, message: string) {
  return { jsonrpc: '2.0', id: null, error: { code, message } };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
