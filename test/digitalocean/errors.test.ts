import { describe, expect, it } from 'vitest';
import { retryAfterSeconds } from '../../src/digitalocean/errors.js';

describe('retryAfterSeconds', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');

  it('reads retry-after as seconds, rounding up', () => {
    expect(retryAfterSeconds('29', {}, now)).toBe(29);
    expect(retryAfterSeconds('0.2', {}, now)).toBe(1);
  });

  it('reads retry-after as an HTTP date', () => {
    expect(retryAfterSeconds('Sun, 29 Nov 2026 12:01:30 GMT', {}, now)).toBe(90);
  });

  it('falls back to ratelimit-reset only when the quota is spent', () => {
    expect(retryAfterSeconds(undefined, { remaining: 0, reset: now / 1000 + 300 }, now)).toBe(300);
    expect(retryAfterSeconds(undefined, { remaining: 5, reset: now / 1000 + 300 }, now)).toBeUndefined();
    expect(retryAfterSeconds('garbage', {}, now)).toBeUndefined();
  });
});
