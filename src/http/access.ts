import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Config, TransportConfig } from '../config.js';

type HttpTransportConfig = Extract<TransportConfig, { kind: 'http' }>;

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** The DigitalOcean token that serves a request, and where it came from; or why there is none. */
export type Access =
  | { token: string; source: NonNullable<Config['tokenSource']> }
  | { refused: string };

/**
 * Trust model: a request's own `Authorization: Bearer <token>` is a DigitalOcean token, used for
 * that request only. The environment's token serves a request only when the server listens on
 * loopback (only this machine can connect) and the request brings no header, or when the request
 * presents MCP_AUTH_TOKEN. A header of any other shape is refused: it never falls back to the
 * operator's token.
 */
export function accessFor(headers: IncomingHttpHeaders, config: Config, transport: HttpTransportConfig): Access {
  const header = headers.authorization;
  if (header === undefined) {
    if (transport.loopback && config.token && config.tokenSource) return { token: config.token, source: config.tokenSource };
    return {
      refused: transport.loopback
        ? 'Send a DigitalOcean API token as "Authorization: Bearer <token>" (read-only, scope snapshot:read), or start the server with DIGITALOCEAN_API_TOKEN set'
        : 'Send a DigitalOcean API token as "Authorization: Bearer <token>" (read-only, scope snapshot:read), or the server\'s MCP_AUTH_TOKEN',
    };
  }
  const presented = /^Bearer ([^\s,]+)$/i.exec(header)?.[1];
  if (presented === undefined) return { refused: 'The Authorization header must be "Bearer <token>", with one token and nothing else' };
  if (transport.authSecret !== undefined && sameSecret(presented, transport.authSecret)) {
    if (config.token && config.tokenSource) return { token: config.token, source: config.tokenSource };
    return { refused: 'MCP_AUTH_TOKEN was accepted, but the server has no DIGITALOCEAN_API_TOKEN to serve it with' };
  }
  return { token: presented, source: 'Authorization header' };
}

function sameSecret(presented: string, secret: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Why a request is refused for its Host or Origin header (DNS rebinding, cross-site pages), or
 * undefined. An Origin must name an allowed host and this server's port (or, for a name in
 * MCP_ALLOWED_HOSTS behind a proxy, the scheme's default port): a page on localhost:3000 is another
 * site than a server on localhost:8080.
 */
export function foreignHostRefusal(headers: IncomingHttpHeaders, transport: HttpTransportConfig, port: number): string | undefined {
  const allowed = transport.allowedHosts;
  if (allowed.length === 0) return undefined;
  const host = parseHost(`http://${headers.host ?? ''}`);
  if (!host || !allowed.includes(host.hostname)) {
    return `Forbidden: Host "${headers.host ?? ''}" is not one this server answers to; set MCP_ALLOWED_HOSTS to the names clients use`;
  }
  // A browser page always sends Origin ("null" from sandboxed frames and files): it must be ours too.
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  const from = parseHost(origin);
  const ports = from && !LOOPBACK_NAMES.includes(from.hostname) ? [port, from.protocol === 'https:' ? 443 : 80] : [port];
  if (!from || !allowed.includes(from.hostname) || !ports.includes(from.port)) {
    return `Forbidden: Origin "${origin}" is not allowed; set MCP_ALLOWED_HOSTS to the names clients use`;
  }
  return undefined;
}

function parseHost(value: string): { hostname: string; port: number; protocol: string } | undefined {
  try {
    const url = new URL(value);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { hostname: url.hostname.toLowerCase(), port, protocol: url.protocol };
  } catch {
    return undefined;
  }
}
