/** DigitalOcean's rate-limit headers (description.yml, "Rate Limit"), read once for everyone. */

export interface RateLimitInfo {
  limit?: number | undefined;
  remaining?: number | undefined;
  /** Unix epoch seconds at which the oldest counted request expires. */
  reset?: number | undefined;
}

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export function headerValue(headers: ResponseHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

export function readRateLimit(headers: ResponseHeaders | undefined): RateLimitInfo {
  const number = (name: string) => {
    const raw = headerValue(headers, name);
    const value = Number(raw);
    return raw !== undefined && raw.trim() !== '' && Number.isFinite(value) ? value : undefined;
  };
  return { limit: number('ratelimit-limit'), remaining: number('ratelimit-remaining'), reset: number('ratelimit-reset') };
}

/** No wait the server states is taken beyond this: a header asking for longer is wrong or hostile. */
export const MAX_WAIT_SECONDS = 86_400;
// retry-after is "the number of seconds to wait" (description.yml); HTTP also allows a date, as
// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
const DELAY_SECONDS = /^\d{1,16}(?:\.\d{1,9})?$/;
const HTTP_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Seconds to wait before retrying, from 0 to MAX_WAIT_SECONDS: `retry-after` (seconds or HTTP
 * date) when present and well-formed, else, when the hourly quota is spent, the time until
 * `ratelimit-reset` (epoch seconds). Undefined when the headers state no usable wait.
 */
export function retryAfterSeconds(headers: ResponseHeaders | undefined, nowMs: number): number | undefined {
  const retryAfter = headerValue(headers, 'retry-after')?.trim();
  if (retryAfter !== undefined && DELAY_SECONDS.test(retryAfter)) return clampWait(Number(retryAfter));
  if (retryAfter !== undefined && HTTP_DATE.test(retryAfter)) {
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return clampWait((date - nowMs) / 1000);
  }
  const { remaining, reset } = readRateLimit(headers);
  if (remaining === 0 && reset !== undefined) return clampWait(reset - nowMs / 1000);
  return undefined;
}

function clampWait(seconds: number): number {
  return Math.min(MAX_WAIT_SECONDS, Math.max(0, Math.ceil(seconds)));
}
