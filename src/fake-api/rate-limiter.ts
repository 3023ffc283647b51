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
    if (times.length >= this.limits.perHour || lastMinute.length >= this.limits.perMinute) {
      const oldest = times.length >= this.limits.perHour ? times[0]! + 3_600_000 : lastMinute[0]! + 60_000;
      return { ...this.headers(token), 'ratelimit-remaining': '0', 'retry-after': String(Math.max(1, Math.ceil((oldest - now) / 1000))) };
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
