import type { IncomingHttpHeaders } from 'node:http';
import { accountsOf, type Config, type TransportConfig } from '../config.js';
import { SNAPSHOTS } from '../digitalocean/schemas.js';

type HttpTransportConfig = Extract<TransportConfig, { kind: 'http' }>;

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * What serves a request: the server's own accounts (its token, or every named one), or the token
 * the request brought, and where it came from; or why neither.
 */
export type Access = { operator: true } | { token: string; source: NonNullable<Config['tokenSource']> } | { refused: string };

/** Headers a reverse proxy adds: a request carrying one came through a proxy, from anywhere. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip', 'via'];

/**
 * Trust model: a request's own `Authorization: Bearer <token>` is a DigitalOcean token, used for
 * that request only. The environment's token serves a request that presents MCP_AUTH_TOKEN; or,
 * without MCP_AUTH_TOKEN, a request with no Authorization only when the operator opted in with
 * MCP_TRUST_LOOPBACK=1, the server listens on loopback, and the request carries no proxy header
 * (a proxy on the same machine makes every client look local). A header of any other shape is
 * refused: it never falls back to the operator's token. --demo's made-up accounts need no token.
 * Named accounts (DIGITALOCEAN_API_TOKEN_<NAME>) go wherever the server's own token goes; a request
 * that brings its own token is one account, and never sees them.
 */
export function accessFor(headers: IncomingHttpHeaders, config: Config, transport: HttpTransportConfig): Access {
  const header = headers.authorization;
  const operator = accountsOf(config).length > 0 ? ({ operator: true } as const) : undefined;
  // The demo serves its made-up accounts to everyone; a token sent to it is ignored (and it says so).
  if (config.demo) return { operator: true };
  if (header === undefined) {
    const trusted = transport.trustLoopback && transport.loopback && transport.authSecret === undefined;
    const proxied = PROXY_HEADERS.find((name) => headers[name] !== undefined);
    if (trusted && operator && !proxied) return operator;
    const ask = `Send a DigitalOcean API token as "Authorization: Bearer <token>" (read-only, scope ${SNAPSHOTS.scope})`;
    if (trusted && proxied)
      return { refused: `${ask}: this request came through a proxy (${proxied} header), so the server's own token does not serve it` };
    return { refused: transport.authSecret !== undefined ? `${ask}, or the server's MCP_AUTH_TOKEN` : ask };
  }
  const presented = /^Bearer ([^\s,]+)$/i.exec(header)?.[1];
  if (presented === undefined) return { refused: 'The Authorization header must be "Bearer <token>", with one token and nothing else' };
  if (transport.authSecret !== undefined && sameSecret(presented, transport.authSecret)) {
    if (operator) return operator;
    return {
      refused:
        'MCP_AUTH_TOKEN was accepted, but the server has no DIGITALOCEAN_API_TOKEN (or DIGITALOCEAN_API_TOKEN_<NAME>) to serve it with',
    };
  }
  return { token: presented, source: 'Authorization header' };
}

const SCHEMES = /^(basic|bearer|digest|token|negotiate|hoba|mutual|aws4-hmac-sha256)$/i;

/**
 * What a refused request's Authorization header looked like, for the log: its form only. A scheme
 * is named only when it is a known one (a token sent without "Bearer " would otherwise be logged).
 */
export function authorizationForm(header: string | undefined): string {
  if (header === undefined) return 'absent';
  const words = header.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return 'empty';
  const scheme = SCHEMES.test(words[0]!) ? `scheme ${words[0]}` : 'no known scheme';
  return `${scheme}, ${words.length} part(s), ${header.length} characters`;
}

function sameSecret(presented: string, secret: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(secret);
  // node:crypto loads on first use: every start evaluates this module (build.mjs).
  return a.length === b.length && process.getBuiltinModule('node:crypto').timingSafeEqual(a, b);
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
