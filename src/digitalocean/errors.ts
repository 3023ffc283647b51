import type { RateLimitInfo } from './rate-limit.js';

/**
 * Failures of DigitalOcean calls, classified so the tool layer can tell an agent what to do next.
 * Messages here never contain the token: the client redacts before constructing them.
 */

export type ApiErrorKind =
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'bad_request' // 400, 422 and other 4xx
  | 'rate_limited' // 429
  | 'server_error'; // 5xx

/** What aborts a call's requests at its deadline: describeFailure() tells it by its name. */
export function deadlineReached(): DOMException {
  return new DOMException('The call reached its deadline', 'TimeoutError');
}

export class DigitalOceanError extends Error {
  override name = 'DigitalOceanError';
}

/** The API answered with a non-2xx status. */
export class DigitalOceanApiError extends DigitalOceanError {
  override name = 'DigitalOceanApiError';
  readonly kind: ApiErrorKind;

  constructor(
    readonly status: number,
    readonly body: { id?: string; message?: string; request_id?: string },
    readonly retryAfterSeconds: number | undefined,
    readonly rateLimit: RateLimitInfo,
    /** Tries made, retries included. */
    readonly attempts = 1,
  ) {
    super(`DigitalOcean API answered HTTP ${status}${body.id ? ` (${body.id})` : ''}${body.message ? `: ${body.message}` : ''}`);
    this.kind = classifyStatus(status);
  }
}

/** The API could not be reached, or the connection failed before a full answer arrived. */
export class DigitalOceanNetworkError extends DigitalOceanError {
  override name = 'DigitalOceanNetworkError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly attempts = 1,
  ) {
    super(message);
  }
}

/** The API answered 2xx with something other than the documented JSON shape. */
export class DigitalOceanResponseError extends DigitalOceanError {
  override name = 'DigitalOceanResponseError';
}

/** A pagination link we refuse to follow (another origin or path, or a page seen before). */
export class DigitalOceanPaginationError extends DigitalOceanError {
  override name = 'DigitalOceanPaginationError';
}

/** What a call would need of the token's request quota, and what the quota allows before its deadline. */
export interface QuotaShortfall {
  /** Requests the call would still send. */
  needed: number;
  /** Requests the whole call takes, those already sent included. */
  total: number;
  /** Requests the quota lets go before the call's deadline. */
  allowed: number;
  /** The cap on requests in any 60 s (0: none). */
  perMinute: number;
  /** Of the hourly budget, as the latest answer stated it and this process has spent since. */
  hourRemaining: number | undefined;
  /** The earliest time (epoch ms) a call could send them; undefined when no one call can. */
  retryAt: number | undefined;
}

/** The token's request quota cannot take what the call needs before its deadline: nothing more was sent. */
export class QuotaError extends DigitalOceanError {
  override name = 'QuotaError';
  constructor(readonly shortfall: QuotaShortfall) {
    super(`the call needs ${shortfall.needed} more requests; the token's quota allows ${shortfall.allowed} before its deadline`);
  }
}

function classifyStatus(status: number): ApiErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

/** A multi-page listing failed after some pages arrived; the partial list is withheld on purpose. */
export class IncompleteListError extends DigitalOceanError {
  override name = 'IncompleteListError';
  constructor(
    override readonly cause: unknown,
    readonly pagesFetched: number,
    readonly snapshotsFetched: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}
