import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DROPLETS, SCOPES, SNAPSHOTS, TAGS_SCOPE, VOLUMES, type Scope, type Snapshot } from '../digitalocean/schemas.js';
import { generateSnapshots, hostileSnapshots, liveResources, type LiveResources } from './data.js';

// What a tool outside the tree (the bench) needs to make accounts of its own.
export { accountIdBase, generateSnapshots } from './data.js';
import { FakeRateLimiter } from './rate-limiter.js';

/**
 * A stand-in for DigitalOcean's snapshot endpoints, on 127.0.0.1, faithful to the OpenAPI
 * description: bearer auth with scopes, page/per_page/resource_type, absolute links.pages,
 * meta.total, rate-limit headers. Faults and latency can be injected for tests and benchmarks.
 */

export type { Scope };
export const ALL_SCOPES: Scope[] = SCOPES;

/** One injected misbehaviour, used by the next matching request(s). */
export type Fault =
  | { type: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { type: 'body'; body: string; status?: number }
  | { type: 'links'; pages: Record<string, string> }
  | { type: 'delay'; ms: number }
  /** Changes the account (the live snapshot array) just before this request is answered. */
  | { type: 'mutate'; apply: (snapshots: Snapshot[]) => void }
  | { type: 'reset' }
  | { type: 'hang' }
  /** Headers at once, then the body one byte every `intervalMs`, never finishing. */
  | { type: 'drip'; intervalMs: number }
  /** The list answer as usual, plus an unknown field of `bytes` characters. */
  | { type: 'pad'; bytes: number }
  /** A list page with `factor` times the per_page asked for. */
  | { type: 'overfull'; factor: number }
  /** An error whose message repeats the Authorization header back: as sent, upper-cased and base64-encoded. */
  | { type: 'echo'; status: number };

export interface FakeApiOptions {
  /** Snapshots in API order; default a generated account of `count` snapshots. */
  snapshots?: Snapshot[];
  count?: number;
  /** Mix hostile strings into the generated account (data.ts, HOSTILE_STRINGS). */
  hostile?: boolean;
  seed?: number;
  /** Valid tokens and their scopes; default one token with snapshot:read and tag:read. */
  tokens?: Record<string, Scope[]>;
  /**
   * Tokens that see an account of their own instead of `snapshots` (they need scopes in `tokens` too):
   * its snapshots (with the shared `resources`), or its snapshots and its own Droplets and volumes
   * (by default about 70% of its snapshots' sources, as liveResources() makes them).
   */
  accounts?: Record<string, Snapshot[] | FakeAccount>;
  /** The Droplets and volumes that exist; default about 70% of the snapshots' sources (data.ts). */
  resources?: LiveResources;
  /** Latency added to every response, in ms. */
  latencyMs?: number;
  /** Requests allowed per rolling hour and per minute, per token (DigitalOcean: 5000 and 250). */
  rateLimit?: { perHour: number; perMinute: number };
  /** A single page answers `links: {}` (the examples) or no links at all (the prose); both are real. */
  singlePageLinks?: 'empty' | 'omit';
  /** Ids that exist as images but are not snapshots: GET answers 400 not_a_snapshot. */
  imageIds?: string[];
  port?: number;
}

/** One token's own account: what its snapshot, Droplet and volume lists answer. */
export interface FakeAccount {
  snapshots: Snapshot[];
  resources?: LiveResources;
}

export interface RecordedRequest {
  method: string;
  /** The bearer token the request carried, as sent (the fake's tokens are made up): which account it read. */
  token: string | undefined;
  /** Path and query as received. */
  url: string;
  /** Whether the request carried a valid token (never the token itself). */
  authorized: boolean;
  /** 0 until answered. */
  status: number;
  /** The client closed the connection before the answer was complete (a cancelled request). */
  aborted: boolean;
  /** Time from arrival to the end of the answer, injected latency included. */
  ms: number;
  /** When it arrived (performance.now() of the fake's process). */
  arrivedAt: number;
}

/**
 * Round trips the requests took, counted without a clock's verdict: requests that overlap in time
 * are one wave, and a request that arrived after another was answered is at least one wave later.
 * Sequential paging of N pages is N waves; N pages fetched at once, one.
 */
export function roundTrips(requests: RecordedRequest[]): number {
  const ordered = [...requests].sort((a, b) => a.arrivedAt - b.arrivedAt);
  const waves: number[] = [];
  ordered.forEach((request, i) => {
    let wave = 1;
    for (let j = 0; j < i; j++) if (ordered[j]!.arrivedAt + ordered[j]!.ms <= request.arrivedAt) wave = Math.max(wave, waves[j]! + 1);
    waves.push(wave);
  });
  return Math.max(0, ...waves);
}

export interface FakeApi {
  /** Base URL to set as DIGITALOCEAN_API_URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly snapshots: Snapshot[];
  /** What /v2/droplets (and with type=gpus) and /v2/volumes list. */
  readonly resources: LiveResources;
  readonly requests: RecordedRequest[];
  /**
   * Queue a fault for `times` requests whose path and query start with `pathPrefix` (default any), after
   * letting `skip` such requests through untouched; with `token`, only requests that carry it.
   */
  inject(fault: Fault, options?: { times?: number; pathPrefix?: string; skip?: number; token?: string }): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export const FAKE_TOKEN = 'fake-do-token-read-only';
const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 200;

type Faults = { fault: Fault; remaining: number; pathPrefix: string; skip: number; token: string | undefined }[];

/** The fake's state: the account, who may read it, and what is injected. */
interface Fake {
  snapshots: Snapshot[];
  resources: LiveResources;
  tokens: Record<string, Scope[]>;
  accounts: Record<string, Required<FakeAccount>>;
  limiter: FakeRateLimiter;
  imageIds: Set<string>;
  requests: RecordedRequest[];
  faults: Faults;
  /** Requests whose connection the fake resets on purpose: not a client's cancellation. */
  resets: WeakSet<IncomingMessage>;
  latencyMs: number;
  shuttingDown: boolean;
  baseUrl: string;
  singlePageLinks: 'empty' | 'omit';
}

export async function startFakeApi(options: FakeApiOptions = {}): Promise<FakeApi> {
  const snapshots = options.snapshots ?? (options.hostile ? hostileSnapshots : generateSnapshots)(options.count ?? 50, options.seed ?? 1);
  const fake: Fake = {
    snapshots,
    resources: options.resources ?? liveResources(snapshots, options.seed ?? 1),
    tokens: options.tokens ?? { [FAKE_TOKEN]: ALL_SCOPES },
    accounts: Object.fromEntries(
      Object.entries(options.accounts ?? {}).map(([token, account], i) => [
        token,
        Array.isArray(account)
          ? { snapshots: account, resources: options.resources ?? liveResources(snapshots, options.seed ?? 1) }
          : { snapshots: account.snapshots, resources: account.resources ?? liveResources(account.snapshots, (options.seed ?? 1) + i + 1) },
      ]),
    ),
    limiter: new FakeRateLimiter(options.rateLimit ?? { perHour: 5000, perMinute: 250 }),
    imageIds: new Set(options.imageIds ?? ['7555620']),
    requests: [],
    faults: [],
    resets: new WeakSet(),
    latencyMs: options.latencyMs ?? 0,
    shuttingDown: false,
    baseUrl: '',
    singlePageLinks: options.singlePageLinks ?? 'empty',
  };
  // Node's modules load on first use: the server evaluates this module at every start (--demo).
  const server = process.getBuiltinModule('node:http').createServer((req, res) => {
    handle(fake, req, res).catch((error: unknown) => send(res, 500, { id: 'server_error', message: String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: fake.baseUrl,
    snapshots: fake.snapshots,
    resources: fake.resources,
    requests: fake.requests,
    inject(fault, { times = 1, pathPrefix = '/', skip = 0, token } = {}) {
      fake.faults.push({ fault, remaining: times, pathPrefix, skip, token });
    },
    setLatency(ms) {
      fake.latencyMs = ms;
    },
    close() {
      fake.shuttingDown = true;
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(fake: Fake, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', fake.baseUrl);
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const scopes = token !== undefined ? fake.tokens[token] : undefined;
  record(fake, req, res, url, token, !!scopes);

  const fault = takeFault(fake.faults, url.pathname + url.search, token);
  if (fake.latencyMs > 0) await sleep(fake.latencyMs);
  if (fault?.type === 'delay') await sleep(fault.ms);
  if (fault?.type === 'mutate') fault.apply(fake.snapshots);
  if (fault?.type === 'hang') return; // never answers; close() ends it
  if (fault?.type === 'reset') {
    fake.resets.add(req);
    return void req.socket.destroy();
  }

  if (!scopes || token === undefined) return send(res, 401, { id: 'Unauthorized', message: 'Unable to authenticate you' });
  const limited = fake.limiter.take(token);
  if (limited) return send(res, 429, { id: 'too_many_requests', message: 'API Rate limit exceeded.' }, limited);
  const headers = fake.limiter.headers(token);
  if (fault && answerFault(fault, req, res, headers)) return;
  if (req.method !== 'GET') return send(res, 405, { id: 'method_not_allowed', message: 'This stand-in serves GET only.' }, headers);
  const own = fake.accounts[token];
  const account = own?.snapshots ?? fake.snapshots;
  const resources = resourceList(url, own?.resources ?? fake.resources, account);
  if (resources) {
    if (!scopes.includes(resources.scope))
      return send(res, 403, { id: 'Forbidden', message: `You are missing the required permission ${resources.scope}.` }, headers);
    const listed = listPage(url, resources.items, fake.baseUrl, { key: resources.key, factor: 1, singlePageLinks: fake.singlePageLinks });
    if ('error' in listed) return send(res, 400, { id: 'bad_request', message: listed.error }, headers);
    return send(res, 200, listed.body, headers);
  }
  if (!scopes.includes(SNAPSHOTS.scope)) {
    return send(res, 403, { id: 'Forbidden', message: `You are missing the required permission ${SNAPSHOTS.scope}.` }, headers);
  }
  const visible = (snapshot: Snapshot): Snapshot => (scopes.includes(TAGS_SCOPE) ? snapshot : { ...snapshot, tags: null });
  if (url.pathname === '/v2/snapshots') {
    const factor = fault?.type === 'overfull' ? fault.factor : 1;
    const listed = listPage(url, account, fake.baseUrl, { key: 'snapshots', factor, singlePageLinks: fake.singlePageLinks });
    if ('error' in listed) return send(res, 400, { id: 'bad_request', message: listed.error }, headers);
    const body: Record<string, unknown> = { ...listed.body, snapshots: (listed.body.snapshots as Snapshot[]).map(visible) };
    if (fault?.type === 'links') body.links = { pages: fault.pages };
    if (fault?.type === 'pad') body.padding = 'x'.repeat(fault.bytes);
    return send(res, 200, body, headers);
  }
  const single = /^\/v2\/snapshots\/([^/]+)$/.exec(url.pathname);
  if (single) {
    const id = decodeURIComponent(single[1]!);
    const found = account.find((snapshot) => snapshot.id === id);
    if (found) return send(res, 200, { snapshot: visible(found) }, headers);
    if (fake.imageIds.has(id)) return send(res, 400, { id: 'bad_request', message: 'the resource is not a snapshot' }, headers);
  }
  return send(res, 404, { id: 'not_found', message: 'The resource you requested could not be found.' }, headers);
}

function record(fake: Fake, req: IncomingMessage, res: ServerResponse, url: URL, token: string | undefined, authorized: boolean): void {
  const arrivedAt = performance.now();
  const entry: RecordedRequest = {
    method: req.method ?? 'GET',
    token,
    url: url.pathname + url.search,
    authorized,
    status: 0,
    aborted: false,
    ms: 0,
    arrivedAt,
  };
  fake.requests.push(entry);
  res.on('finish', () => {
    entry.status = res.statusCode;
    entry.ms = performance.now() - arrivedAt;
  });
  res.on('close', () => (entry.aborted = !res.writableFinished && !fake.resets.has(req) && !fake.shuttingDown));
}

function takeFault(faults: Faults, target: string, token: string | undefined): Fault | undefined {
  const index = faults.findIndex((entry) => target.startsWith(entry.pathPrefix) && (entry.token === undefined || entry.token === token));
  if (index < 0) return undefined;
  const entry = faults[index]!;
  if (entry.skip > 0) {
    entry.skip -= 1;
    return undefined;
  }
  entry.remaining -= 1;
  if (entry.remaining <= 0) faults.splice(index, 1);
  return entry.fault;
}

/** Answers the request as the fault says, or returns false for faults that shape a normal answer. */
function answerFault(fault: Fault, req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): boolean {
  switch (fault.type) {
    case 'status':
      send(res, fault.status, fault.body ?? { id: 'server_error', message: 'Unexpected server-side error' }, {
        ...headers,
        ...fault.headers,
      });
      return true;
    case 'body':
      res.writeHead(fault.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(fault.body);
      return true;
    case 'drip': {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.write('{');
      const timer = setInterval(() => res.write(' '), fault.intervalMs);
      res.on('close', () => clearInterval(timer));
      return true;
    }
    case 'echo': {
      const sent = req.headers.authorization ?? '';
      const message = `Bad token: ${sent} / ${sent.toUpperCase()} / ${Buffer.from(sent).toString('base64')}`;
      send(res, fault.status, { id: 'unauthorized', message, request_id: Buffer.from(sent).toString('base64url') }, headers);
      return true;
    }
    default:
      return false;
  }
}

/** /v2/droplets (GPU Droplets with type=gpus), /v2/volumes and a volume's snapshots: what they list and the scope they need. */
function resourceList(
  url: URL,
  resources: LiveResources,
  snapshots: Snapshot[],
): { key: string; scope: Scope; items: { id: string | number }[] } | undefined {
  if (url.pathname === '/v2/droplets') {
    const gpus = url.searchParams.get('type') === 'gpus';
    return { key: 'droplets', scope: DROPLETS.scope, items: gpus ? resources.gpuDroplets : resources.droplets };
  }
  if (url.pathname === '/v2/volumes') return { key: 'volumes', scope: VOLUMES.scope, items: resources.volumes };
  // A volume's own snapshots (volumes_snapshots_list.yml), for the benchmark's peer, DigitalOcean's Go
  // server: every volume lists the account's snapshots, so both servers page through the same data.
  if (/^\/v2\/volumes\/[^/]+\/snapshots$/.test(url.pathname)) return { key: 'snapshots', scope: VOLUMES.scope, items: snapshots };
  return undefined;
}

/** One page of a list, as the spec describes it; `factor` > 1 makes it hold more than per_page. */
function listPage<T extends { id: string | number }>(
  url: URL,
  all: T[],
  baseUrl: string,
  options: { key: string; factor: number; singlePageLinks: 'empty' | 'omit' },
): { body: Record<string, unknown> } | { error: string } {
  const page = intParam(url, 'page', 1);
  const perPage = intParam(url, 'per_page', DEFAULT_PER_PAGE);
  const resourceType = url.searchParams.get('resource_type');
  if (page === undefined || page < 1) return { error: 'page must be a positive integer' };
  if (perPage === undefined || perPage < 1 || perPage > MAX_PER_PAGE)
    return { error: `per_page must be an integer between 1 and ${MAX_PER_PAGE}` };
  if (resourceType !== null && resourceType !== 'droplet' && resourceType !== 'volume')
    return { error: 'resource_type must be droplet or volume' };
  const matching = resourceType ? all.filter((item) => (item as { resource_type?: string }).resource_type === resourceType) : all;
  const lastPage = Math.max(1, Math.ceil(matching.length / perPage));
  const link = (n: number) => {
    const target = new URL(url.pathname, baseUrl);
    target.searchParams.set('page', String(n));
    target.searchParams.set('per_page', String(perPage));
    for (const [name, value] of url.searchParams) if (name !== 'page' && name !== 'per_page') target.searchParams.set(name, value);
    return target.href;
  };
  const pages: Record<string, string> = {};
  if (page > 1) Object.assign(pages, { first: link(1), prev: link(Math.min(page - 1, lastPage)) });
  if (page < lastPage) Object.assign(pages, { last: link(lastPage), next: link(page + 1) });
  const start = (page - 1) * perPage;
  const body: Record<string, unknown> = { [options.key]: matching.slice(start, start + perPage * options.factor) };
  if (Object.keys(pages).length > 0) body.links = { pages };
  else if (options.singlePageLinks === 'empty') body.links = {};
  body.meta = { total: matching.length };
  return { body };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const isError = status >= 400 && body !== null && typeof body === 'object' && !Array.isArray(body);
  const payload = isError && !('request_id' in body) ? { ...body, request_id: process.getBuiltinModule('node:crypto').randomUUID() } : body;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(payload));
}

function intParam(url: URL, name: string, fallback: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
