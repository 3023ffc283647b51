/**
 * DigitalOcean's per-token limits as the fake API enforces them: a rolling hour and a rolling
 * minute, with the headers description.yml documents.
 */
export class FakeRateLimiter {
  private readonly history = new Map<string, number[]>();

  constructor(private readonly limits: { perHour: number; perMinute: number }) {}

  /** Records the request, or returns the 429 headers (with retry-after) when the token is over a limit. */
  take(token: string, now = Date.now()): Record<string, string> | undefined {
    const times = (this.history.get(token) ?? []).filter((at) => at > now - 3_600_000);
    this.history.set(token, times);
    const lastMinute = times.filter((at) => at > now - 60_000);
    // The hour spent: ratelimit-remaining 0 until ratelimit-reset. The minute's burst limit: the
    // hour's headers as they are, and retry-after ("only within burst limit error response headers").
    if (times.length >= this.limits.perHour) return { ...this.headers(token), 'ratelimit-remaining': '0' };
    if (lastMinute.length >= this.limits.perMinute) {
      return { ...this.headers(token), 'retry-after': String(Math.max(1, Math.ceil((lastMinute[0]! + 60_000 - now) / 1000))) };
    }
    times.push(now);
    return undefined;
  }

  headers(token: string): Record<string, string> {
    const times = this.history.get(token) ?? [];
    const reset = Math.ceil(((times[0] ?? Date.now()) + 3_600_000) / 1000);
    return {
      'ratelimit-limit': String(this.limits.perHour),
      'ratelimit-remaining': String(Math.max(0, this.limits.perHour - times.length)),
      'ratelimit-reset': String(reset),
    };
  }
}
