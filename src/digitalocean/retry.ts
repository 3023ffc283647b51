import { retryAfterSeconds, type ResponseHeaders } from './rate-limit.js';

/**
 * When and how long to wait before retrying a request (the client's loop asks retryDelay()):
 * exponential backoff with jitter, the server's `retry-after` and `ratelimit-reset`, within the
 * call's deadline.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (godo's default is 4). */
  maxRetries: number;
  /** The first backoff; it doubles per retry, with jitter, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

export const RETRY_STATUS_CODES = [429, 500, 502, 503, 504];
/**
 * Nothing listens there, or the name does not resolve: one quick retry covers a blip, and more would
 * only delay telling the user what to fix.
 */
export const UNREACHABLE_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'];

export const RETRY_ERROR_CODES = [
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
];

export interface Outcome {
  /** The HTTP status, when an answer came. */
  statusCode?: number | undefined;
  /** The error code, when none did (ECONNRESET, UND_ERR_HEADERS_TIMEOUT...). */
  code?: string | undefined;
  headers?: ResponseHeaders | undefined;
}

/**
 * How long to wait before trying again after `attempt` tries ended in `outcome`, or undefined when
 * the request is not to be tried again: the outcome is final, the tries are spent, or the wait
 * would end past the deadline (waiting only to fail there helps nobody).
 */
export function retryDelay(
  policy: RetryPolicy,
  outcome: Outcome,
  attempt: number,
  deadline: number | undefined,
  random: () => number = Math.random,
  now = Date.now(),
): number | undefined {
  const { statusCode, code = '' } = outcome;
  const unreachable = statusCode === undefined && UNREACHABLE_CODES.includes(code);
  const retryable = statusCode !== undefined ? RETRY_STATUS_CODES.includes(statusCode) : unreachable || RETRY_ERROR_CODES.includes(code);
  const tries = unreachable ? 1 : policy.maxRetries;
  if (!retryable || attempt > tries) return undefined;
  const delay = unreachable ? policy.baseDelayMs / 4 : delayMs(policy, attempt, outcome.headers, random, now);
  return deadline !== undefined && now + delay >= deadline ? undefined : delay;
}

/**
 * The server's word wins (`retry-after`, or `ratelimit-reset` once the quota is spent); otherwise
 * exponential backoff with "equal jitter" (half fixed, half random), so many clients that failed
 * together do not retry together.
 */
export function delayMs(
  policy: RetryPolicy,
  retry: number,
  headers: ResponseHeaders | undefined,
  random: () => number,
  now = Date.now(),
): number {
  const told = retryAfterSeconds(headers, now);
  if (told !== undefined) return told * 1000;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return exponential / 2 + (random() * exponential) / 2;
}
