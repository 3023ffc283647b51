import { describe, expect, it } from 'vitest';
import { QuotaError } from '../../src/digitalocean/errors.js';
import { MINUTE_MS, QuotaBook, TokenQuota } from '../../src/digitalocean/quota.js';

/** A quota on a clock the test moves. */
function clocked(perMinute: number) {
  const clock = { now: 1_000_000 };
  return { clock, quota: new TokenQuota(perMinute, () => clock.now) };
}

/** Counts `n` requests as sent now: none of these takes waits (each fits at once). */
async function send(quota: TokenQuota, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await quota.take();
}

async function refusal(run: () => Promise<unknown>): Promise<QuotaError['shortfall']> {
  try {
    await run();
  } catch (error) {
    if (error instanceof QuotaError) return error.shortfall;
    throw error;
  }
  throw new Error('not refused');
}

describe('TokenQuota', () => {
  it('lets at most perMinute requests go in any 60 s', async () => {
    const { clock, quota } = clocked(5);
    await send(quota, 3);
    clock.now += 30_000;
    await send(quota, 2);
    expect(quota.nextAt()).toBe(1_000_000 + MINUTE_MS);
    clock.now = 1_000_000 + MINUTE_MS;
    expect(quota.nextAt()).toBe(clock.now);
    await send(quota, 3);
    // The two sent at +30 s and the three just now fill the window until the first two leave.
    expect(quota.nextAt()).toBe(1_000_000 + 30_000 + MINUTE_MS);
  });

  it('refuses at once a request that could only go after the deadline, and counts nothing', async () => {
    const { clock, quota } = clocked(2);
    await send(quota, 2);
    await expect(quota.take(undefined, clock.now + 30_000)).rejects.toBeInstanceOf(QuotaError);
    clock.now += MINUTE_MS;
    await send(quota, 2);
  });

  it('capacity before a deadline counts the window turning', async () => {
    const { clock, quota } = clocked(250);
    await send(quota, 100);
    clock.now += 40_000;
    await send(quota, 100);
    // 50 free now; the first 100 leave at +60 s from their sending, 20 s from now.
    expect(quota.capacity(clock.now + 10_000)).toBe(50);
    expect(quota.capacity(clock.now + 30_000)).toBe(150);
    // Past a whole minute every request sent so far has left, and a minute's worth more.
    expect(quota.capacity(clock.now + 90_000)).toBe(500);
  });

  it('a scan that needs more than the deadline allows is refused with the numbers and when to ask again', async () => {
    const { clock, quota } = clocked(250);
    await send(quota, 1);
    const shortfall = await refusal(() => quota.expect(299, clock.now + 30_000, 300));
    expect(shortfall).toMatchObject({ needed: 299, total: 300, allowed: 249, perMinute: 250 });
    // No one 30 s call can make 299 requests at 250 a minute.
    expect(shortfall.retryAt).toBeUndefined();
    // 200 fit once the first request has left the window: 60 s after it was sent.
    expect((await refusal(() => quota.expect(250, clock.now + 30_000))).retryAt).toBe(clock.now + MINUTE_MS);
    await quota.expect(249, clock.now + 30_000);
    // A call of 90 s could: the window turns once within it.
    expect(quota.readyFor(299, 90_000)).toBe(clock.now + MINUTE_MS);
  });

  it('holds to the hourly budget the answers state, until its reset', async () => {
    const { clock, quota } = clocked(0);
    const reset = clock.now + 600_000;
    quota.observe(200, { 'ratelimit-remaining': '3', 'ratelimit-reset': String(reset / 1000) });
    await send(quota, 3);
    expect(quota.nextAt()).toBe(reset);
    expect(quota.capacity(clock.now + 30_000)).toBe(0);
    const shortfall = await refusal(() => quota.expect(5, clock.now + 30_000));
    expect(shortfall).toMatchObject({ allowed: 0, hourRemaining: 0, retryAt: reset, perMinute: 0 });
  });

  it("waits out a 429's retry-after for every call of the token", async () => {
    const { clock, quota } = clocked(0);
    quota.observe(429, { 'retry-after': '20', 'ratelimit-remaining': '4000' });
    expect(quota.nextAt()).toBe(clock.now + 20_000);
    await expect(quota.take(undefined, clock.now + 10_000)).rejects.toBeInstanceOf(QuotaError);
    clock.now += 20_000;
    await send(quota, 1);
  });

  it('a wait that fits the deadline is waited out, then the request goes and counts', async () => {
    let offset = 0;
    const quota = new TokenQuota(1, () => Date.now() + offset);
    await quota.take();
    // The window frees 30 ms from now.
    offset += MINUTE_MS - 30;
    await quota.take(undefined, Date.now() + offset + 5_000);
    expect(quota.nextAt()).toBeGreaterThan(Date.now() + offset + MINUTE_MS - 1_000);
  });

  it('a call that ends while it waits stops waiting', async () => {
    const quota = new TokenQuota(0);
    quota.observe(429, { 'retry-after': '10' });
    const controller = new AbortController();
    const waiting = quota.take(controller.signal, Date.now() + 20_000);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });
});

describe('QuotaBook', () => {
  it('one quota per owner, shared by every call; another owner is never slowed', async () => {
    const clock = { now: 5_000_000 };
    const book = new QuotaBook(1, () => clock.now);
    const a = book.for('A');
    expect(book.for('A')).toBe(a);
    await a.take();
    expect(a.nextAt()).toBeGreaterThan(clock.now);
    expect(book.for('B').nextAt()).toBe(clock.now);
  });

  it('forgets a quota idle for an hour', async () => {
    const clock = { now: 5_000_000 };
    const book = new QuotaBook(10, () => clock.now);
    await book.for('A').take();
    clock.now += 3_600_001;
    book.for('B');
    expect(book.size).toBe(1);
  });
});
