import type { RetryHandler } from 'undici';
import { retryAfterSeconds, type ResponseHeaders } from './rate-limit.js';

/**
 * When and how long to wait before retrying a request. The retrying itself is undici's retry
 * interceptor (see client.ts); this is the callback it asks, so the policy can add what undici's
 * default lacks: jitter, `ratelimit-reset`, the call's deadline and its cancellation.
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

export interface AttemptCounter {
  attempts: number;
}

type RetryError = Error & { statusCode?: number; code?: string; headers?: ResponseHeaders };

/** The per-request retry callback for undici's RetryHandler. */
export function retryCallback(
  policy: RetryPolicy,
  counter: AttemptCounter,
  options: { signal?: AbortSignal | undefined; deadline?: number | undefined; random?: () => number },
): RetryHandler.RetryCallback {
  return (error, { state }, callback) => {
    const { statusCode, code, headers } = error as RetryError;
    const unreachable = statusCode === undefined && UNREACHABLE_CODES.includes(code ?? '');
    const retryable = statusCode !== undefined ? RETRY_STATUS_CODES.includes(statusCode) : unreachable || RETRY_ERROR_CODES.includes(code ?? '');
    const tries = unreachable ? 1 : policy.maxRetries;
    if (!retryable || state.counter > tries || options.signal?.aborted) return callback(error);

    const delay = unreachable ? policy.baseDelayMs / 4 : delayMs(policy, state.counter, headers, options.random ?? Math.random);
    // Waiting past the deadline only to fail there helps nobody: answer now with what we have.
    if (options.deadline !== undefined && Date.now() + delay >= options.deadline) return callback(error);

    const onAbort = () => {
      clearTimeout(timer);
      callback(error);
    };
    const timer = setTimeout(() => {
      options.signal?.removeEventListener('abort', onAbort);
      counter.attempts += 1;
      callback(null);
    }, delay);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  };
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
