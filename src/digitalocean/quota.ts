import { QuotaError } from './errors.js';
import { pause } from './pause.js';
import { readRateLimit, retryAfterSeconds, type ResponseHeaders } from './rate-limit.js';

/** DigitalOcean counts a token's requests per minute (documented, not in the headers) and per hour. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** A token's quota as replicas keep it together (quota-ledger.ts, with REDIS_URL). */
export interface QuotaLedger {
  /** Counts one request sent now if the shared quota takes it (0), else when it would (epoch ms); undefined when the ledger did not answer. */
  take(owner: string, now: number, perMinute: number): Promise<number | undefined>;
  /** The shared state now; undefined when the ledger did not answer. */
  read(owner: string, now: number): Promise<QuotaState | undefined>;
  /** Shares what an answer said: the hour's budget, and a 429's wait. */
  observe(owner: string, state: Partial<Omit<QuotaState, 'sent'>>): Promise<void>;
}

export interface QuotaState {
  /** Send times of the last minute, oldest first. */
  sent: number[];
  hourRemaining: number | undefined;
  hourResetAt: number | undefined;
  blockedUntil: number;
}

/**
 * One token's request quota at DigitalOcean, as this process spends it: at most `perMinute`
 * requests in any 60 s (0: no cap), no request while the hourly budget of the latest answer's
 * `ratelimit-remaining` is spent (until `ratelimit-reset`), and none before a 429's `retry-after`
 * has passed. Every call of the token draws on it, so no call sends what the quota cannot take, and
 * a scan that cannot fit is known before it spends the rest. Waiting for it holds nothing.
 */
export class TokenQuota {
  /** When each of the last minute's requests was sent, oldest first. */
  private sent: number[] = [];
  private hourRemaining: number | undefined;
  private hourResetAt: number | undefined;
  private blockedUntil = 0;
  /** When the quota was last used: an idle one is forgotten (QuotaBook). */
  lastUsed: number;

  /** With replicas: the shared ledger and this token's name in it. Without an answer from it, the quota is this process's own. */
  ledger: { ledger: QuotaLedger; owner: string } | undefined;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastUsed = now();
  }

  /** The earliest time (epoch ms) one more request may be sent. */
  nextAt(): number {
    const now = this.now();
    this.forget(now);
    let at = Math.max(now, this.blockedUntil);
    if (this.perMinute > 0 && this.sent.length >= this.perMinute)
      at = Math.max(at, this.sent[this.sent.length - this.perMinute]! + MINUTE_MS);
    if (this.hourRemaining !== undefined && this.hourRemaining <= 0) at = Math.max(at, this.hourResetAt ?? now + HOUR_MS);
    return at;
  }

  /**
   * Waits until one more request fits, then counts it as sent. Throws QuotaError, at once, when it
   * would not fit before the deadline, and the signal's reason when the call ends meanwhile.
   */
  async take(signal?: AbortSignal, deadline = Number.POSITIVE_INFINITY): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      const shared = this.ledger ? await this.ledger.ledger.take(this.ledger.owner, now, this.perMinute) : undefined;
      const at = shared === undefined ? this.nextAt() : Math.max(shared, now);
      if (at <= now) {
        this.sent.push(now);
        if (this.hourRemaining !== undefined) this.hourRemaining -= 1;
        this.lastUsed = now;
        return;
      }
      if (at >= deadline) {
        await this.sync();
        throw this.refusal(1, deadline);
      }
      await pause(at - now, signal);
    }
  }

  /** With replicas: takes the shared state as this quota's own (what every replica has sent). */
  private async sync(): Promise<void> {
    const state = this.ledger && (await this.ledger.ledger.read(this.ledger.owner, this.now()));
    if (!state) return;
    this.sent = state.sent;
    this.hourRemaining = state.hourRemaining;
    this.hourResetAt = state.hourResetAt;
    this.blockedUntil = Math.max(this.blockedUntil, state.blockedUntil);
  }

  /**
   * What an answer says of the token's quota: the hourly budget left (ratelimit-remaining, until
   * ratelimit-reset), and a 429's wait: its retry-after (the minute's burst limit), else the hour's reset.
   */
  observe(status: number, headers: ResponseHeaders): void {
    const now = this.now();
    const { remaining, reset } = readRateLimit(headers);
    const seen: Partial<Omit<QuotaState, 'sent'>> = {};
    if (remaining !== undefined) {
      this.hourRemaining = seen.hourRemaining = remaining;
      this.hourResetAt = seen.hourResetAt = reset === undefined ? undefined : reset * 1000;
    }
    if (status === 429) {
      const seconds = retryAfterSeconds(headers, now);
      if (seconds !== undefined) this.blockedUntil = seen.blockedUntil = Math.max(this.blockedUntil, now + seconds * 1000);
    }
    if (this.ledger && Object.keys(seen).length > 0) void this.ledger.ledger.observe(this.ledger.owner, seen);
  }

  /** Requests this quota lets go from now until `deadline` (epoch ms), if nothing else spends it. */
  capacity(deadline: number): number {
    const now = this.now();
    this.forget(now);
    const start = Math.max(now, this.blockedUntil);
    if (start >= deadline) return 0;
    let capacity = Number.POSITIVE_INFINITY;
    if (this.perMinute > 0) {
      const freed = this.sent.filter((at) => at + MINUTE_MS <= deadline).length;
      const minutes = Number.isFinite(deadline) ? Math.floor((deadline - start) / MINUTE_MS) : Number.POSITIVE_INFINITY;
      capacity = this.perMinute - this.sent.length + freed + this.perMinute * minutes;
    }
    if (this.hourRemaining !== undefined && (this.hourResetAt === undefined || this.hourResetAt > deadline)) {
      capacity = Math.min(capacity, this.hourRemaining);
    }
    return Math.max(0, capacity);
  }

  /**
   * Throws QuotaError at once when `requests` more cannot all be sent before the deadline: what a
   * scan that has read its first page checks before it reads on.
   */
  async expect(requests: number, deadline: number | undefined, total = requests): Promise<void> {
    await this.sync();
    const until = deadline ?? Number.POSITIVE_INFINITY;
    if (requests > this.capacity(until)) throw this.refusal(requests, until, total);
  }

  private refusal(requests: number, deadline: number, total = requests): QuotaError {
    const now = this.now();
    const span = Number.isFinite(deadline) ? deadline - now : Number.POSITIVE_INFINITY;
    return new QuotaError({
      needed: requests,
      total,
      allowed: this.capacity(deadline),
      perMinute: this.perMinute,
      hourRemaining: this.hourRemaining,
      retryAt: this.readyFor(requests, span),
    });
  }

  /**
   * The earliest time a call lasting `spanMs` could send `requests` (as far as this process knows),
   * or undefined when no call that long can: more than the minute's cap lets through in the span.
   */
  readyFor(requests: number, spanMs: number): number | undefined {
    const now = this.now();
    this.forget(now);
    let at = Math.max(now, this.blockedUntil);
    if (this.perMinute > 0) {
      const minutes = Number.isFinite(spanMs) ? Math.floor(spanMs / MINUTE_MS) : Number.POSITIVE_INFINITY;
      if (requests > this.perMinute * (1 + minutes)) return undefined;
      // The requests beyond the first minute's come as the window turns; the first minute's need room at the start.
      const excess = this.sent.length - (this.perMinute - Math.min(requests, this.perMinute));
      if (excess > 0) at = Math.max(at, this.sent[excess - 1]! + MINUTE_MS);
    }
    if (this.hourRemaining !== undefined && requests > this.hourRemaining) at = Math.max(at, this.hourResetAt ?? now + HOUR_MS);
    return at;
  }

  /** Whether the quota knows nothing a new one would not: nothing sent this minute, no wait, no spent hour. */
  idle(now: number): boolean {
    this.forget(now);
    return this.sent.length === 0 && this.blockedUntil <= now && now - this.lastUsed > HOUR_MS;
  }

  private forget(now: number): void {
    let expired = 0;
    while (expired < this.sent.length && this.sent[expired]! + MINUTE_MS <= now) expired += 1;
    if (expired > 0) this.sent.splice(0, expired);
  }
}

/**
 * The process's quotas, one per token (by owner: the API origin and a hash of the token, never the
 * token), shared by every call and, over HTTP, every request. A quota idle for an hour is dropped.
 */
export class QuotaBook {
  private readonly quotas = new Map<string, TokenQuota>();
  /** With replicas, from the store's connection on: every quota is kept in the shared ledger too. */
  ledger: QuotaLedger | undefined;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  for(owner: string): TokenQuota {
    const now = this.now();
    let quota = this.quotas.get(owner);
    // Most recently used last: the idle ones are at the front.
    if (quota) this.quotas.delete(owner);
    else quota = new TokenQuota(this.perMinute, this.now);
    if (this.ledger) quota.ledger ??= { ledger: this.ledger, owner };
    quota.lastUsed = now;
    this.quotas.set(owner, quota);
    for (const [key, oldest] of this.quotas) {
      if (oldest === quota || !oldest.idle(now)) break;
      this.quotas.delete(key);
    }
    return quota;
  }

  get size(): number {
    return this.quotas.size;
  }
}
