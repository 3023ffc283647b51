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

/**
 * Seconds to wait before retrying: `retry-after` (seconds or HTTP date) when present, else, when
 * the hourly quota is spent, the time until `ratelimit-reset`.
 */
export function retryAfterSeconds(headers: ResponseHeaders | undefined, nowMs: number): number | undefined {
  const retryAfter = headerValue(headers, 'retry-after');
  if (retryAfter !== undefined && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - nowMs) / 1000));
  }
  const { remaining, reset } = readRateLimit(headers);
  if (remaining === 0 && reset !== undefined) return Math.max(0, Math.ceil(reset - nowMs / 1000));
  return undefined;
}
