import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, delayMs } from '../../src/digitalocean/retry.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const policy = DEFAULT_RETRY_POLICY;

describe('delayMs', () => {
  it('backs off exponentially with equal jitter: between half and all of 1, 2, 4, 8 s', () => {
    for (const [retry, full] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [4, 8000],
    ] as const) {
      expect(delayMs(policy, retry, undefined, () => 0, NOW)).toBe(full / 2);
      expect(delayMs(policy, retry, undefined, () => 0.5, NOW)).toBe(full * 0.75);
      expect(delayMs(policy, retry, undefined, () => 0.999_999, NOW)).toBeCloseTo(full, -1);
    }
  });

  it('never waits longer than maxDelayMs for its own backoff', () => {
    expect(delayMs(policy, 20, undefined, () => 0.999_999, NOW)).toBeLessThanOrEqual(policy.maxDelayMs);
  });

  it("takes the server's retry-after over its own backoff, in seconds or as a date", () => {
    expect(delayMs(policy, 1, { 'retry-after': '7' }, () => 0, NOW)).toBe(7000);
    expect(delayMs(policy, 4, { 'retry-after': '0' }, () => 1, NOW)).toBe(0);
    expect(delayMs(policy, 1, { 'retry-after': new Date(NOW + 12_000).toUTCString() }, () => 0, NOW)).toBe(12_000);
  });

  it('waits for ratelimit-reset only when the quota is spent, and retry-after still wins', () => {
    const reset = String(NOW / 1000 + 90);
    expect(delayMs(policy, 1, { 'ratelimit-remaining': '0', 'ratelimit-reset': reset }, () => 0, NOW)).toBe(90_000);
    expect(delayMs(policy, 1, { 'ratelimit-remaining': '3', 'ratelimit-reset': reset }, () => 0, NOW)).toBe(500);
    expect(delayMs(policy, 1, { 'ratelimit-remaining': '0', 'ratelimit-reset': reset, 'retry-after': '2' }, () => 0, NOW)).toBe(2000);
  });

  it('ignores a retry-after that is not a number or a date', () => {
    expect(delayMs(policy, 2, { 'retry-after': 'soon' }, () => 0, NOW)).toBe(1000);
  });
});
