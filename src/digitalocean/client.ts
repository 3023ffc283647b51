import type { Dispatcher } from 'undici';
import type * as z from 'zod';
import { redact } from '../redact.js';
import { DigitalOceanApiError, DigitalOceanError, DigitalOceanNetworkError, DigitalOceanResponseError, QuotaError } from './errors.js';
import { headerValue, readRateLimit, retryAfterSeconds, type RateLimitInfo, type ResponseHeaders } from './rate-limit.js';
import { apiErrorBodySchema, describeIssues, readSingleSnapshot, type Collection, type ResourceType, type Snapshot } from './schemas.js';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from './retry.js';
import { get, type Answer, type GetOptions } from './undici.js';
import { pause } from './pause.js';
import type { TokenQuota } from './quota.js';
import type { ReadBudget } from './read-budget.js';
import type { Slots } from './slots.js';

export interface DigitalOceanClientOptions {
  /** Base URL of the API (origin plus an optional path prefix). */
  apiUrl: URL;
  token: string;
  /** Shared keep-alive dispatcher; its timeouts bound every request. */
  dispatcher: Dispatcher;
  /** The process-wide bound on requests in flight (pool.ts). */
  slots: Slots;
  /** The token's request quota, shared by every call of the token in the process (quota.ts). */
  quota?: TokenQuota | undefined;
  userAgent: string;
  retry?: RetryPolicy;
  /** Requests to run at once when paging concurrently (default 1: sequential). */
  concurrency?: number;
  /** Told once per request, after any retries: for a debug log line. Never sees the token. */
  onRequest?: (event: RequestEvent) => void;
}

export interface RequestEvent {
  method: 'GET';
  /** Path and query. */
  path: string;
  /** HTTP status, or undefined when no answer arrived. */
  status: number | undefined;
  ms: number;
  retries: number;
  error?: string;
}

/** What bounds one request: the tool call's cancellation, deadline (epoch ms) and read budget. */
export interface RequestContext {
  signal?: AbortSignal | undefined;
  deadline?: number | undefined;
  budget?: ReadBudget | undefined;
  /** The call's own bound on its requests in flight, whatever accounts it reads (PAGE_CONCURRENCY). */
  gate?: Slots | undefined;
}

export interface ListPageQuery {
  page: number;
  perPage: number;
  resourceType?: ResourceType | undefined;
}

export interface Page<T> {
  items: T[];
  /** `meta.total`: every item across all pages (of the requested resource_type). */
  total: number;
  next: URL | undefined;
  last: URL | undefined;
  rateLimit: RateLimitInfo;
  /** Bytes of the answer. */
  bytes: number;
}

/** A 200-snapshot page is about 60 KB; an answer past this is not a snapshot page (see connect.ts). */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** A DigitalOcean API client for the endpoints this server reads. Knows nothing about MCP. */
export class DigitalOceanClient {
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly retry: RetryPolicy;
  private readonly concurrency: number;
  /** From the latest response: how close the token is to its hourly limit. */
  private rateLimit: RateLimitInfo = {};
  /** `meta.total` as last read from each list (its path and filters), for a later scan to plan by. */
  private readonly totals = new Map<string, number>();

  constructor(private readonly options: DigitalOceanClientOptions) {
    this.basePath = options.apiUrl.pathname.replace(/\/+$/, '');
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.dispatcher = options.dispatcher;
  }

  /** The list endpoint of a collection on the configured API. */
  endpoint(collection: Collection<{ id: string | number }>): URL {
    return new URL(`${this.basePath}${collection.path}`, this.options.apiUrl.origin);
  }

  listUrl(collection: Collection<{ id: string | number }>, query: ListPageQuery): URL {
    const url = this.endpoint(collection);
    for (const [name, value] of Object.entries(collection.query)) url.searchParams.set(name, value);
    url.searchParams.set('page', String(query.page));
    url.searchParams.set('per_page', String(query.perPage));
    if (query.resourceType) url.searchParams.set('resource_type', query.resourceType);
    return url;
  }

  /**
   * How many pages a scan of this list at `perPage` will read, as far as the last page read of it
   * says (1 when none was): a hint only, since the account may have changed since.
   */
  expectedPages(collection: Collection<{ id: string | number }>, query: Omit<ListPageQuery, 'page'>): number {
    const total = this.totals.get(this.listKey(collection, query));
    return total === undefined ? 1 : Math.max(1, Math.ceil(total / query.perPage));
  }

  /** Notes the `meta.total` just read from a list, for expectedPages(). */
  noteTotal(collection: Collection<{ id: string | number }>, query: Omit<ListPageQuery, 'page'>, total: number): void {
    this.totals.set(this.listKey(collection, query), total);
  }

  /** A list as all its pages share it: the endpoint and the filters (keys made here only, so few). */
  private listKey(collection: Collection<{ id: string | number }>, query: Omit<ListPageQuery, 'page'>): string {
    return `${collection.path}?${new URLSearchParams(collection.query)}&${query.resourceType ?? ''}`;
  }

  /**
   * How many requests to run at once now: all the configured ones while the hourly quota is
   * comfortable, fewer as `ratelimit-remaining` runs low (the per-minute burst limit is not in the
   * headers; its 429s are retried after `retry-after`).
   */
  parallelism(): number {
    const remaining = this.rateLimit.remaining;
    if (remaining === undefined || remaining >= 100) return this.concurrency;
    return remaining >= 25 ? Math.min(2, this.concurrency) : 1;
  }

  /**
   * Throws QuotaError at once when the token's quota cannot take `requests` more before the call's
   * deadline: a scan that knows from its first page how many it needs stops before spending them.
   */
  async expectRequests(requests: number, context: RequestContext, total?: number): Promise<void> {
    await this.options.quota?.expect(requests, context.deadline, total);
  }

  /** Whether a URL (from a pagination link) is the collection's list endpoint on the configured origin. */
  isListUrl(collection: Collection<{ id: string | number }>, url: URL): boolean {
    const endpoint = this.endpoint(collection);
    return url.origin === endpoint.origin && url.pathname === endpoint.pathname;
  }

  /** One page of a list, from a URL made by listUrl() or a checked pagination link. */
  async getPage<T extends { id: string | number }>(collection: Collection<T>, url: URL, context: RequestContext = {}): Promise<Page<T>> {
    const { json, rateLimit, bytes } = await this.getJson(url, context);
    const parsed = collection.readPage(json);
    if (!parsed.success) throw malformed(url, parsed.error);
    const { items, total, pages } = parsed.data;
    const asked = Number(url.searchParams.get('per_page'));
    if (asked > 0 && items.length > asked) {
      throw new DigitalOceanResponseError(
        `DigitalOcean answered ${url.pathname}${url.search} with ${items.length} ${collection.noun}, more than the ${asked} per_page asked for`,
      );
    }
    context.budget?.keep(items.length);
    return { items, total, next: this.linkUrl(pages?.next, url), last: this.linkUrl(pages?.last, url), rateLimit, bytes };
  }

  async getSnapshot(id: string, context: RequestContext = {}): Promise<Snapshot> {
    const url = new URL(`${this.basePath}/v2/snapshots/${encodeURIComponent(id)}`, this.options.apiUrl.origin);
    const { json } = await this.getJson(url, context);
    const parsed = readSingleSnapshot(json);
    if (!parsed.success) throw malformed(url, parsed.error);
    return parsed.data;
  }

  private linkUrl(href: string | undefined, base: URL): URL | undefined {
    if (!href) return undefined;
    try {
      return new URL(href, base);
    } catch {
      throw new DigitalOceanResponseError(
        `DigitalOcean returned a pagination link that is not a URL: ${JSON.stringify(href.slice(0, 200))}`,
      );
    }
  }

  private async getJson(url: URL, context: RequestContext): Promise<{ json: unknown; rateLimit: RateLimitInfo; bytes: number }> {
    // The token goes to the configured origin and nowhere else, whatever a caller passes.
    if (url.origin !== this.options.apiUrl.origin) {
      throw new DigitalOceanError(`refused to send the token to ${url.origin}: not the configured API origin`);
    }
    const { status, headers, text, attempts } = await this.send(url, context);
    const bytes = Buffer.byteLength(text);
    context.budget?.read(bytes);
    const rateLimit = readRateLimit(headers);
    if (rateLimit.remaining !== undefined) this.rateLimit = rateLimit;
    const json = parseJson(text);
    if (status < 200 || status >= 300) throw this.apiError(status, headers, json, rateLimit, attempts);
    if (json === undefined) {
      throw new DigitalOceanResponseError(
        `DigitalOcean answered ${url.pathname} with HTTP ${status} but the body is not JSON (${describeText(text)})`,
      );
    }
    return { json, rateLimit, bytes };
  }

  /**
   * One GET, tried again under the retry policy on 429, 5xx and connection failures; reports it
   * once (onRequest) and reads the body. Each try holds a slot of the process's pool only while it
   * is on the wire: a back-off waits without one, so one token's 429s hold up no other call. When
   * the tries are spent, the last failed answer is returned, its body (id, message, request_id) kept.
   */
  private async send(
    url: URL,
    context: RequestContext,
  ): Promise<{ status: number; headers: ResponseHeaders; text: string; attempts: number }> {
    const { signal, deadline } = context;
    const started = performance.now();
    let attempts = 0;
    const report = (status: number | undefined, error?: string) =>
      this.options.onRequest?.({
        method: 'GET',
        path: url.pathname + url.search,
        status,
        ms: Math.round(performance.now() - started),
        retries: attempts - 1,
        error,
      });
    const options: GetOptions = {
      headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json', 'user-agent': this.options.userAgent },
      signal,
    };
    try {
      for (;;) {
        attempts += 1;
        const { answer, failure } = await this.attempt(url, options, context);
        const code = (failure as { code?: unknown } | undefined)?.code;
        const outcome = answer
          ? { statusCode: answer.statusCode, headers: answer.headers }
          : { code: typeof code === 'string' ? code : undefined };
        const wait = retryDelay(this.retry, outcome, attempts, deadline);
        if (wait === undefined) {
          if (!answer) throw failure;
          report(answer.statusCode);
          return { status: answer.statusCode, headers: answer.headers, text: answer.text, attempts };
        }
        await pause(wait, signal);
      }
    } catch (error) {
      if (signal?.aborted) {
        report(undefined, 'aborted');
        throw signal.reason ?? error;
      }
      if (error instanceof QuotaError) {
        report(undefined, 'over the token quota');
        throw error;
      }
      const failure = this.networkError(url, error, attempts);
      report(undefined, failure.code ?? 'network error');
      if (failure.code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
        throw new DigitalOceanResponseError(
          `DigitalOcean's answer to ${url.pathname} was larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB, far beyond a page of snapshots (200 are about 60 KB)`,
        );
      }
      throw failure;
    }
  }

  /**
   * One try, once the token's quota can take it, holding a slot of the process's pool while it is on
   * the wire; a failure is returned, not thrown (an abort, or a quota that cannot take it, is thrown).
   */
  private async attempt(
    url: URL,
    options: GetOptions,
    { signal, deadline, gate }: RequestContext,
  ): Promise<{ answer?: Answer; failure?: unknown }> {
    const quota = this.options.quota;
    await quota?.take(signal, deadline);
    const leave = await gate?.acquire(signal);
    let release: (() => void) | undefined;
    try {
      release = await this.options.slots.acquire(signal);
      const answer = await get(this.dispatcher, url, options);
      quota?.observe(answer.statusCode, answer.headers);
      return { answer };
    } catch (failure) {
      if (signal?.aborted) throw failure;
      return { failure };
    } finally {
      release?.();
      leave?.();
    }
  }

  private apiError(
    status: number,
    headers: ResponseHeaders,
    json: unknown,
    rateLimit: RateLimitInfo,
    attempts: number,
  ): DigitalOceanApiError {
    const parsed = apiErrorBodySchema.safeParse(json ?? {});
    const body = parsed.success ? parsed.data : {};
    return new DigitalOceanApiError(
      status,
      {
        id: body.id && this.clean(body.id),
        message: body.message && this.clean(body.message),
        request_id: (body.request_id && this.clean(body.request_id)) ?? headerValue(headers, 'x-request-id'),
      },
      retryAfterSeconds(headers, Date.now()),
      rateLimit,
      attempts,
    );
  }

  private networkError(url: URL, error: unknown, attempts: number): DigitalOceanNetworkError {
    const code = (error as { code?: unknown })?.code;
    const message = error instanceof Error ? error.message : String(error);
    return new DigitalOceanNetworkError(
      this.clean(`GET ${url.pathname}: ${message}`),
      typeof code === 'string' ? code : undefined,
      attempts,
    );
  }

  private clean(text: string): string {
    return redact(text, this.options.token);
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeText(text: string): string {
  if (text.trim() === '') return 'empty body';
  const start = text.slice(0, 60).replace(/\s+/g, ' ');
  return `starts with ${JSON.stringify(start)}`;
}

function malformed(url: URL, error: z.ZodError): DigitalOceanResponseError {
  return new DigitalOceanResponseError(
    `DigitalOcean answered ${url.pathname} with JSON that does not match the documented shape: ${describeIssues(error)}`,
  );
}
